"""What a dashboard is made of: headline figures, tables (each exportable) and charts drawn
from those tables, plus the definitions of every figure. The page, the API and the exports all
read the same ``Dashboard`` object, so they cannot disagree."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.functional import Promise

# Column kinds: how a value is shown (the value itself is the same on the page, API and export).
TEXT, INT, MONEY, PERCENT, SCORE, DATE, DAYS = (
    "text",
    "int",
    "money",
    "percent",
    "score",
    "date",
    "days",
)


@dataclass
class Column:
    key: str
    label: str | Promise
    kind: str = TEXT
    # A row's ``<link>`` value, when set, makes the cell a link (e.g. to the client card).
    link: str | None = None


@dataclass
class Chart:
    """A chart drawn from its table's rows: ``x`` names the label column, ``series`` the
    columns plotted (each a dataset)."""

    type: str  # "line" or "bar"
    x: str
    series: list[str]
    stacked: bool = False


@dataclass
class Table:
    key: str
    title: str | Promise
    columns: list[Column]
    rows: list[dict]
    chart: Chart | None = None
    empty: str | Promise = ""
    note: str | Promise = ""

    def header(self):
        return [str(c.label) for c in self.columns]

    def values(self):
        return [[row.get(c.key) for c in self.columns] for row in self.rows]

    def iter_values(self):
        """``values`` one row at a time: an export of every row holds no second copy."""
        keys = [c.key for c in self.columns]
        return ([row.get(key) for key in keys] for row in self.rows)


@dataclass
class Figure:
    key: str
    label: str | Promise
    value: object
    kind: str = INT


@dataclass
class Dashboard:
    name: str
    title: str | Promise
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    definitions: list[tuple] = field(default_factory=list)
    notes: list = field(default_factory=list)

    def table(self, key) -> Table:
        return next(t for t in self.tables if t.key == key)

    def figure(self, key):
        return next(f.value for f in self.figures if f.key == key)

    def charts(self):
        """What dashboards.js draws: one entry per table with a chart."""
        charts = []
        for table in self.tables:
            if table.chart is None or not table.rows:
                continue
            labels = {c.key: str(c.label) for c in table.columns}
            charts.append(
                {
                    "id": f"chart-{table.key}",
                    "type": table.chart.type,
                    "stacked": table.chart.stacked,
                    "labels": [str(row[table.chart.x]) for row in table.rows],
                    "datasets": [
                        {"label": labels[key], "data": [to_json(row[key]) for row in table.rows]}
                        for key in table.chart.series
                    ],
                }
            )
        return charts

    def to_snapshot(self) -> dict:
        """The dashboard as plain JSON (labels as text in the current language, values tagged
        with their types), which ``from_snapshot`` turns back into an equal ``Dashboard``."""
        return {
            "name": self.name,
            "title": str(self.title),
            "figures": [
                {"key": f.key, "label": str(f.label), "value": tag(f.value), "kind": f.kind}
                for f in self.figures
            ],
            "tables": [
                {
                    "key": t.key,
                    "title": str(t.title),
                    "columns": [
                        {"key": c.key, "label": str(c.label), "kind": c.kind, "link": c.link}
                        for c in t.columns
                    ],
                    "rows": [tag(row) for row in t.rows],
                    "chart": None
                    if t.chart is None
                    else {
                        "type": t.chart.type,
                        "x": t.chart.x,
                        "series": list(t.chart.series),
                        "stacked": t.chart.stacked,
                    },
                    "empty": str(t.empty),
                    "note": str(t.note),
                }
                for t in self.tables
            ],
            "definitions": [[str(term), str(text)] for term, text in self.definitions],
            "notes": [tag(note) for note in self.notes],
        }

    @classmethod
    def from_snapshot(cls, data: dict) -> "Dashboard":
        return cls(
            name=data["name"],
            title=data["title"],
            figures=[
                Figure(**figure | {"value": untag(figure["value"])}) for figure in data["figures"]
            ],
            tables=[
                Table(
                    key=t["key"],
                    title=t["title"],
                    columns=[Column(**column) for column in t["columns"]],
                    rows=[untag(row) for row in t["rows"]],
                    chart=None if t["chart"] is None else Chart(**t["chart"]),
                    empty=t["empty"],
                    note=t["note"],
                )
                for t in data["tables"]
            ],
            definitions=[(term, text) for term, text in data["definitions"]],
            notes=[untag(note) for note in data["notes"]],
        )

    def as_json(self):
        return {
            "dashboard": self.name,
            "figures": {f.key: to_json(f.value) for f in self.figures},
            "tables": {
                t.key: [{c.key: to_json(row.get(c.key)) for c in t.columns} for row in t.rows]
                for t in self.tables
            },
        }


# Tags of the values JSON has no type for: they come back from a snapshot as the same types.
DECIMAL, DATETIME, DATE_TAG = "$decimal", "$datetime", "$date"


def tag(value):
    """``value`` as JSON, Decimals, dates and datetimes tagged (``{"$decimal": "12.50"}``)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return {DECIMAL: str(value)}
    if isinstance(value, dt.datetime):
        return {DATETIME: value.isoformat()}
    if isinstance(value, dt.date):
        return {DATE_TAG: value.isoformat()}
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, list | tuple):
        return [tag(item) for item in value]
    if isinstance(value, dict):
        return {str(k): tag(v) for k, v in value.items()}
    raise TypeError(f"a dashboard value of type {type(value).__name__} has no snapshot form")


def untag(value):
    if isinstance(value, list):
        return [untag(item) for item in value]
    if isinstance(value, dict):
        if len(value) == 1:
            ((name, text),) = value.items()
            if name == DECIMAL:
                return Decimal(text)
            if name == DATETIME:
                return dt.datetime.fromisoformat(text)
            if name == DATE_TAG:
                return dt.date.fromisoformat(text)
        return {k: untag(v) for k, v in value.items()}
    return value


def to_json(value):
    """Decimals as numbers with their exact digits; dates as ISO strings."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)
    return value


# --- Numbers ------------------------------------------------------------------------------------
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part, whole) -> Decimal | None:
    """``part / whole`` in per cent with one decimal; ``None`` when there is no whole."""
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


def score(value, places=TENTH) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)


# --- Months -------------------------------------------------------------------------------------
def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def months(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every first of the month from ``start`` to ``end``, both included."""
    result, month = [], month_start(start)
    while month <= end:
        result.append(month)
        month = add_months(month, 1)
    return result


def month_label(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
