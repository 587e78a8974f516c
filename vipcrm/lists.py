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
