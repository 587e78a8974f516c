"""Helpers of the list pages."""


def person_columns(path: str, name: str | None = None) -> dict:
    """The ``values()`` columns that name the person behind the foreign key ``path``:
    ``{name}_first_name``, ``{name}_last_name``, ``{name}_username`` (``name`` defaults to
    ``path``), for ``person_name``."""
    from django.db.models import F

    return {
        f"{name or path}_{part}": F(f"{path}__{part}")
        for part in ("first_name", "last_name", "username")
    }


def person_name(first_name, last_name, username) -> str:
    """A person as the pages name them — ``User.get_full_name()``, else the username — from the
    values of a row read without a user instance (a select of 200 people, a list's owners)."""
    return f"{first_name or ''} {last_name or ''}".strip() or username or ""


def names_of_people(ids) -> dict:
    """``{pk: name}`` of the users ``ids`` (``person_name``), read as values in one query; no
    query when there are none. For the few people a page shows that its cached lists lack
    (someone who left the pool, an owner no longer active)."""
    ids = set(ids) - {None}
    if not ids:
        return {}
    from django.contrib.auth import get_user_model

    return {
        pk: person_name(first_name, last_name, username)
        for pk, first_name, last_name, username in get_user_model()
        .objects.filter(pk__in=ids)
        .values_list("pk", "first_name", "last_name", "username")
    }


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


def set_formatted(rows, format_value, **fields):
    """Give each row ``<name>``: ``format_value(row.<field>)`` for each ``name=field``, each
    distinct value formatted once per page.

    A template filter such as ``|date:"SHORT_DATE_FORMAT"`` or ``|floatformat`` costs 10–20 µs
    a call (it looks the format up for the language and parses it); a page of a hundred rows
    shows a few dozen distinct due dates. E.g.
    ``set_formatted(actions, short_date, due_on_text="due_on")``.
    """
    done = {}
    for row in rows:
        for name, field in fields.items():
            value = getattr(row, field)
            try:
                text = done[value]
            except KeyError:
                text = done[value] = format_value(value)
            setattr(row, name, text)
    return rows


def short_date(value) -> str:
    """What ``{{ value|date:"SHORT_DATE_FORMAT" }}`` writes for a date (or nothing)."""
    from django.utils.formats import date_format

    return date_format(value, "SHORT_DATE_FORMAT") if value not in (None, "") else ""
