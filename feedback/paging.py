"""A list page's rows and counts, read in one query."""

from types import SimpleNamespace

from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, Window
from django.db.models.expressions import RawSQL


def rows_page(
    queryset, number, per_page: int, *fields, windows=None, totals=None, **expressions
) -> Page:
    """``Paginator(queryset, per_page).get_page(number)`` with the page's rows read as values
    (``fields`` and ``expressions``, as ``queryset.values()`` takes them; one object a row,
    their names as attributes), counted in the same query: ``COUNT(*) OVER ()`` beside the
    rows, and each of ``totals`` (aggregates over the whole list, e.g. ``Count("pk",
    filter=Q(status="open"))``) the same way, in ``page.totals`` with ``count``.

    A separate COUNT (or aggregate of the totals) read the person's items a second time, and
    compiled the query of what they may see (an id array of their clients, an OR of indexes) a
    second time; and reading the page's ids first, then its rows by those ids, was a second
    query. An empty page (an empty list, a page past the last, or below the first: a stale
    link) is counted by an aggregate (no row carries the totals), then the page ``get_page``
    gives is read: past the last, the last; not a number, the first.

    PostgreSQL computes what the order does not need (a correlated subquery: a client's name,
    a row's figures) after the sort and the LIMIT, for the page's rows only; a join, it would
    make for every row of the list before sorting them. So the names a row shows are best
    asked as such subqueries (see ``name_of``).

    ``windows`` may give some of the totals as window expressions written out (``RawSQL`` of
    ``… OVER ()``, the same figure as the aggregate's): resolving an aggregate with a
    ``filter=Q(…)`` into a window is a filter built each time, half a millisecond of Python
    for four of them; the aggregates still count a list with no row on the page.
    """
    totals = {"count": Count("pk"), **(totals or {})}
    paginator = Paginator(queryset, per_page)
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 1
    if number >= 1:
        bottom = (number - 1) * per_page
        # COUNT(*) OVER () as such: as ``Window(Count("pk"))`` it is resolved each time.
        written = {"count": RawSQL("COUNT(*) OVER ()", (), output_field=IntegerField())}
        written.update(windows or {})
        columns = {
            f"_total_{name}": written[name] if name in written else Window(total)
            for name, total in totals.items()
        }
        cut = list(queryset.values(*fields, **expressions, **columns)[bottom : bottom + per_page])
        if cut:
            page = Page([_row(row, columns) for row in cut], number, paginator)
            page.totals = {name: cut[0][f"_total_{name}"] for name in totals}
            paginator.count = page.totals["count"]
            return page
    all_totals = queryset.order_by().aggregate(**totals)
    paginator.count = all_totals["count"]
    page = paginator.get_page(number)
    bottom = (page.number - 1) * per_page
    rows = queryset.values(*fields, **expressions)[bottom : bottom + per_page]
    page.object_list = [_row(row, ()) for row in rows] if paginator.count else []
    page.totals = all_totals
    return page


def _row(row: dict, totals) -> SimpleNamespace:
    return SimpleNamespace(**{key: value for key, value in row.items() if key not in totals})


def name_of(model, column: str, *, name: str = "name", table: str | None = None) -> RawSQL:
    """``(SELECT name FROM <model's table> WHERE id = <table>.<column>)``: the name of the row
    ``column`` refers to (a client, a programme; NULL for none), as a correlated subquery of
    the list's own table (``table``, the queryset's model's table, by its name: for a query on
    that table itself, not a subquery), which PostgreSQL runs for the page's rows only (see
    ``rows_page``)."""
    from django.db.models import CharField

    return RawSQL(
        f"(SELECT n.{name} FROM {model._meta.db_table} n WHERE n.id = {table}.{column})",  # noqa: S608 - names of tables and columns
        (),
        output_field=CharField(),
    )
