"""Keyset pagination for long lists ordered by (name, id): every page costs the same.

The client base pages by the client's (name, id); a programme's client list by its client's
(name, id) — the ordering fields are parameters.

A page is found from the row next to it (``?after=<id>`` / ``?before=<id>``), never by skipping
rows with OFFSET, and the last page is the first page read backwards (``?page=last``). The total
is counted only up to a cap ("more than 1,000"), so a list of 100,000 clients is never counted
whole on each request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.exceptions import EmptyResultSet
from django.db.models import Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL

CURSOR_PARAMS = ("after", "before", "page")


@dataclass
class KeysetPage:
    object_list: list
    has_previous: bool
    has_next: bool
    count: int
    count_is_capped: bool
    base_query: str = ""
    first_id: int | None = None
    last_id: int | None = None
    links: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next


def _query(base: dict, **cursor) -> str:
    return "?" + urlencode({**base, **cursor}, doseq=True)


def _cursor(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _pk(row) -> int:
    """A row's primary key: a model instance's ``pk``, or a ``values()`` row's ``"pk"``."""
    return row["pk"] if isinstance(row, dict) else row.pk


def keyset_page(
    rows: QuerySet,
    counted: QuerySet | None,
    params,
    *,
    size: int = 50,
    count_cap: int = 1000,
    name: str = "name",
    tiebreak: str = "pk",
    count_in_order: bool = False,
    total: int | None = None,
) -> KeysetPage:
    """The page of ``rows`` (ordered by ``name``, then the unique ``tiebreak``) that ``params``
    asks for. The cursors are the rows' primary keys; ``rows`` may be model instances or
    ``values()`` dicts that include ``"pk"``.

    ``counted`` is the same selection without the per-row extras, counted up to ``count_cap``
    in a column of the rows' query; ``None`` when the page shows no count (``count`` is then 0).
    ``count_in_order`` counts the capped rows in the list's order: where a filter follows an
    index in that order (a programme's list by the clients' tier, along ``(tier, name, id)``),
    PostgreSQL then walks that index and stops at the cap, as the rows query does; unordered it
    may join every matching row of both tables first (15 ms against 5 at 100,000 clients).
    Unfiltered, the unordered count is the cheaper one. ``total`` is the selection's size when
    the caller knows it already (a count kept elsewhere): shown capped as a counted one, with
    ``counted`` then ``None``.

    One query (one more only when a cursor points at a row that is gone, and the first page is
    shown instead).
    """
    model = rows.model
    after = _cursor(params.get("after"))
    before = _cursor(params.get("before"))
    last = params.get("page") == "last"

    def value_of(pk, field):
        return Subquery(model._default_manager.filter(pk=pk).values(field)[:1])

    def beyond(pk, direction):
        """The rows after (``gt``) or before (``lt``) the row ``pk`` in the list's order."""
        value = value_of(pk, name)
        tie = pk if tiebreak == "pk" else value_of(pk, tiebreak)
        return rows.filter(**{f"{name}__{direction}e": value}).filter(
            Q(**{f"{name}__{direction}": value}) | Q(**{f"{tiebreak}__{direction}": tie})
        )

    if counted is not None:
        # The capped count rides along with the rows, as a column of the same query (an
        # uncorrelated subquery, which the database runs once): one query less per page. A
        # page with no row has no count, and none is needed: the selection is then empty.
        counted = counted.order_by(name, tiebreak) if count_in_order else counted.order_by()
        try:
            sql, count_params = counted[: count_cap + 1].query.sql_with_params()
        except EmptyResultSet:  # known to be empty (``pk__in=[]``): so are the rows
            counted = None
        else:
            rows = rows.annotate(
                _capped_total=RawSQL(f"SELECT COUNT(*) FROM ({sql}) _capped", count_params)
            )

    forwards = True
    if after:
        selected = beyond(after, "gt")
    elif before:
        selected = beyond(before, "lt")
        forwards = False
    elif last:
        selected = rows
        forwards = False
    else:
        selected = rows
    ordering = (name, tiebreak) if forwards else (f"-{name}", f"-{tiebreak}")
    found = list(selected.order_by(*ordering)[: size + 1])
    more = len(found) > size
    found = found[:size]
    if not forwards:
        found.reverse()
    if (after or before) and not found:
        # The row the cursor named is gone (or was never visible): start from the beginning.
        found = list(rows.order_by(name, tiebreak)[: size + 1])
        more, found, after, before, last = len(found) > size, found[:size], None, None, False
        forwards = True
    if forwards:
        has_previous, has_next = bool(after), more
    else:
        has_previous, has_next = more, bool(before)
    if total is not None:
        pass  # known to the caller
    elif counted is not None and found:
        first = found[0]
        total = first["_capped_total"] if isinstance(first, dict) else first._capped_total
    else:
        total = 0
    base = {k: v for k, v in params.lists() if k not in CURSOR_PARAMS and any(v)}
    page = KeysetPage(
        object_list=found,
        has_previous=has_previous,
        has_next=has_next,
        count=min(total, count_cap),
        count_is_capped=total > count_cap,
        base_query=urlencode(base, doseq=True),
    )
    if found:
        page.first_id, page.last_id = _pk(found[0]), _pk(found[-1])
        page.links = {
            "first": _query(base),
            "previous": _query(base, before=page.first_id),
            "next": _query(base, after=page.last_id),
            "last": _query(base, page="last"),
        }
    return page
