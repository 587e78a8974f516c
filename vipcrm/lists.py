"""Helpers of the list pages."""


def set_choice_labels(rows, **choices):
    """Give each row ``<field>_label``: the label of its choice, translated once per page.

    ``get_<field>_display()`` rebuilds the field's choices and translates the label on every
    call, twice a row on a page of fifty; here each choices class is read once, for all the rows.
    ``choices`` maps a field name to its choices class, e.g. ``status=ReferralStatus``.
    """
    labels = {
        field: {value: str(label) for value, label in enum.choices}
        for field, enum in choices.items()
    }
    for row in rows:
        for field, mapping in labels.items():
            value = getattr(row, field)
            setattr(row, f"{field}_label", mapping.get(value, value))
    return rows


def join_after_paging(page, rows):
    """Read the rows of ``page`` (a Paginator page of a list without its joins) by their ids,
    from ``rows``: the same model's queryset with the joins (``select_related``), annotations
    and ordering the page shows.

    The page is cut in the list's own table (sort the user's items, keep 50), and only those
    50 are joined to their client, owner, …: joined first, PostgreSQL joined all of a person's
    items (hundreds) before sorting them, and at 100,000 clients sometimes by reading the whole
    client table. One query, as before.
    """
    page.object_list = list(rows.filter(pk__in=page.object_list.values("pk")))
    return page
