"""The rows of a list page, read after the page is cut."""

from types import SimpleNamespace

from django.core.paginator import Page, Paginator
from django.db.models import Count, Window

from vipcrm.expressions import InIds


def ids_page(queryset, number, per_page: int) -> Page:
    """``Paginator(queryset, per_page).get_page(number)`` with the ids of the page's rows as its
    ``object_list``, counted in the same query: ``COUNT(*) OVER ()`` beside the ids of the page.

    The Paginator's COUNT read the person's items a second time, and compiled the query of what
    they may see (an id array of their clients, an OR of indexes) a second time. A page past the
    last (or below the first, a stale link) is the last page, as ``get_page`` gives it.
    """
    paginator = Paginator(queryset, per_page)
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 1
    if number >= 1:
        bottom = (number - 1) * per_page
        counted = queryset.annotate(_total=Window(Count("pk"))).values_list("pk", "_total")
        cut = list(counted[bottom : bottom + per_page])
        if cut or number == 1:
            paginator.count = cut[0][1] if cut else 0
            return Page([pk for pk, _total in cut], number, paginator)
    page = paginator.get_page(number)
    page.object_list = list(page.object_list.values_list("pk", flat=True))
    return page


def values_of_page(page, rows, *fields, **expressions):
    """Read the rows of ``page`` (a Paginator page of a list without its joins, or of its ids:
    ``ids_page``) from ``rows``
    (the same model's queryset, ordered as the list) as values: one object a row with the
    attributes ``fields`` and ``expressions`` name (``client_name=F("client__name")``).

    As ``vipcrm.lists.join_after_paging``, the page is cut in the list's own table and only its
    50 rows are joined; but the ids are read first (``InIds``: an array, then the primary key's
    index), where ``pk IN (page)`` hashed the page and read the whole table to probe it, and the
    rows come as values: a select_related row of three model instances cost more than its
    markup.
    """
    if isinstance(page.object_list, list):  # the ids themselves (ids_page)
        cut = rows.filter(pk__in=page.object_list)
    else:
        cut = rows.filter(InIds("pk", page.object_list.values("pk")))
    page.object_list = [SimpleNamespace(**row) for row in cut.values(*fields, **expressions)]
    return page


PERSON_FIELDS = ("first_name", "last_name", "username")


def person_columns(relation: str) -> dict:
    """The values ``vipcrm.lists.person_name`` names a person of ``relation`` from
    (``owner_first_name``…), for ``values_of_page``'s ``expressions``."""
    from django.db.models import F

    return {f"{relation}_{field}": F(f"{relation}__{field}") for field in PERSON_FIELDS}
