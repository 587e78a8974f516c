"""How a dashboard value is shown; the value itself is the one the API and exports carry."""

import datetime as dt
from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def dashboard_value(value, kind="text"):
    if value is None or value == "":
        return "—"
    if kind == "money":
        return intcomma(floatformat(value, 2))
    if kind == "percent":
        return f"{floatformat(value, 1)} %"
    if kind == "score":
        # As many decimals as the figure carries (a pace of 0.5, an average score of 3.67).
        places = max(0, -value.as_tuple().exponent) if isinstance(value, Decimal) else 2
        return floatformat(value, places)
    if kind == "days":
        return _("%(days)s d") % {"days": floatformat(value, 1)}
    if kind == "int":
        return intcomma(value)
    if kind == "date" or isinstance(value, dt.date):
        return date_filter(value, "SHORT_DATE_FORMAT")
    return value


def _cell_class(column) -> str:
    return "" if column.kind in ("text", "date") else ' class="text-end"'


@register.simple_tag
def dashboard_rows(table, drawn=None):
    """The table's body rows as HTML; ``drawn``: the rows already drawn by the snapshot's build
    (``DashboardSnapshot.rows_html``), used when they are there. Drawn in Python, not by a
    template loop: a long table (one row per employee) is thousands of cells."""
    if drawn and table.key in drawn:
        return mark_safe(drawn[table.key])  # noqa: S308 - drawn by this function at the build
    columns = [(column, mark_safe(_cell_class(column)), column.key) for column in table.columns]
    rows = []
    for row in table.rows:
        cells = "".join(
            [
                format_html('<td{} data-column="{}">{}</td>', css, key, dashboard_cell(row, column))
                for column, css, key in columns
            ]
        )
        rows.append(f"\n          <tr>{cells}</tr>")
    return mark_safe("".join(rows) + "\n")  # noqa: S308 - every part is escaped above


@register.simple_tag
def dashboard_cell(row, column):
    shown = dashboard_value(row.get(column.key), column.kind)
    url = row.get(column.link) if column.link else None
    if url:
        return format_html('<a href="{}">{}</a>', url, shown)
    return format_html("{}", shown)
