"""The rows of a list page, read after the page is cut."""

from types import SimpleNamespace

from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, Window
from django.db.models.expressions import RawSQL


def ids_page(queryset, number, per_page: int, *, windows=None, **totals) -> Page:
    """``Paginator(queryset, per_page).get_page(number)`` with the ids of the page's rows as its
    ``object_list``, counted in the same query: ``COUNT(*) OVER ()`` beside the ids of the page,
    and each of ``totals`` (aggregates over the whole list, e.g. ``Count("pk",
    filter=Q(status="open"))``) the same way, in ``page.totals`` with ``count``.

    A separate COUNT (or aggregate of the totals) read the person's items a second time, and
    compiled the query of what they may see (an id array of their clients, an OR of indexes) a
    second time. An empty list is counted by an aggregate (no row carries the totals), and a page
    past the last (or below the first: a stale link) is the last page, as ``get_page`` gives it.

    ``windows`` may give some of these totals as window expressions written out (``RawSQL``
    of ``… OVER ()``, the same figure as the aggregate's): resolving an aggregate with a
    ``filter=Q(…)`` into a window is a filter built each time, half a millisecond of Python
    for four of them; the aggregates still count a list with no row on the page.
    """
    totals = {"count": Count("pk"), **totals}
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
        cut = list(
            queryset.annotate(**columns).values_list("pk", *columns)[bottom : bottom + per_page]
        )
        if cut:
            page = Page([row[0] for row in cut], number, paginator)
            page.totals = dict(zip(totals, cut[0][1:], strict=True))
            paginator.count = page.totals["count"]
            return page
    all_totals = queryset.order_by().aggregate(**totals)
    paginator.count = all_totals["count"]
    page = paginator.get_page(number)
    page.object_list = list(page.object_list.values_list("pk", flat=True))
    page.totals = all_totals
    return page


def rows_page(queryset, number, per_page: int, *fields, **expressions) -> Page:
    """``Paginator(queryset, per_page).get_page(number)`` with the page's rows read as values
    (``fields`` and ``expressions``, as ``queryset.values()`` takes them; one object a row,
    their names as attributes), counted in the same query (``COUNT(*) OVER ()``).

    As ``ids_page``: an empty page (an empty list, a page past the last or a wrong number) is
    counted by a COUNT, then the page ``get_page`` gives is read. PostgreSQL computes an
    expression of the rows that the order does not need (a correlated subquery) after the
    sort and the LIMIT: for the page's rows only."""
    paginator = Paginator(queryset, per_page)
    count = {"_total_count": RawSQL("COUNT(*) OVER ()", (), output_field=IntegerField())}
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 1
    if number >= 1:
        bottom = (number - 1) * per_page
        cut = list(queryset.values(*fields, **expressions, **count)[bottom : bottom + per_page])
        if cut:
            paginator.count = cut[0]["_total_count"]
            return Page([_values_row(row) for row in cut], number, paginator)
    paginator.count = queryset.order_by().count()
    page = paginator.get_page(number)
    bottom = (page.number - 1) * per_page
    rows = queryset.values(*fields, **expressions)[bottom : bottom + per_page]
    page.object_list = [_values_row(row) for row in rows] if paginator.count else []
    return page


def _values_row(row: dict) -> SimpleNamespace:
    row.pop("_total_count", None)
    return SimpleNamespace(**row)


def rows_of_page(page, rows) -> Page:
    """Read the rows of ``page`` (a page of ids: ``ids_page``) from ``rows``, a
    ``vipcrm.prepared.PreparedValues`` of the list's rows by their ids (``ids``, with ``pk``
    among its fields): one object a row with the fields' names as attributes, in the page's
    order.

    The page is cut in the list's own table and only its 50 rows are joined (joined first,
    PostgreSQL joined all of a person's items before sorting them); the rows come as values (a
    select_related row of three model instances cost more than its markup), by a query
    compiled once per process (building and compiling it cost more than running it).
    """
    by_id = {row["pk"]: row for row in rows(ids=page.object_list)}
    page.object_list = [SimpleNamespace(**by_id[pk]) for pk in page.object_list if pk in by_id]
    return page
