"""The rows of a list page, read after the page is cut."""

from types import SimpleNamespace

from vipcrm.expressions import InIds


def values_of_page(page, rows, *fields, **expressions):
    """Read the rows of ``page`` (a Paginator page of a list without its joins) from ``rows``
    (the same model's queryset, ordered as the list) as values: one object a row with the
    attributes ``fields`` and ``expressions`` name (``client_name=F("client__name")``).

    As ``vipcrm.lists.join_after_paging``, the page is cut in the list's own table and only its
    50 rows are joined; but the ids are read first (``InIds``: an array, then the primary key's
    index), where ``pk IN (page)`` hashed the page and read the whole table to probe it, and the
    rows come as values: a select_related row of three model instances cost more than its
    markup.
    """
    cut = rows.filter(InIds("pk", page.object_list.values("pk")))
    page.object_list = [SimpleNamespace(**row) for row in cut.values(*fields, **expressions)]
    return page


PERSON_FIELDS = ("first_name", "last_name", "username")


def person_columns(relation: str) -> dict:
    """The values ``vipcrm.lists.person_name`` names a person of ``relation`` from
    (``owner_first_name``…), for ``values_of_page``'s ``expressions``."""
    from django.db.models import F

    return {f"{relation}_{field}": F(f"{relation}__{field}") for field in PERSON_FIELDS}
