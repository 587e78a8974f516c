"""Rows of the programme's long tables written in Python rather than by the template: a pool of
200 people is 1,400 template variables, a few milliseconds of the page (the base layout costs
about 3). The markup is the template's; names are escaped and numbers localized as a template
variable would be."""

from html import escape

from django.conf import settings
from django.utils.formats import get_format, localize

from ..templatetags.programme_tags import person


def number_format():
    """``localize`` for ints and floats, its format looked up once per page rather than once per
    cell: the same text as a template variable's."""
    if settings.USE_THOUSAND_SEPARATOR:
        return localize
    decimal = get_format("DECIMAL_SEPARATOR")

    def number(value):
        return str(value).replace(".", decimal) if isinstance(value, float) else str(value)

    return number


def progress_rows_html(rows) -> str:
    """The progress page's row per employee (``selectors.progress``'s rows)."""
    from django.utils.safestring import mark_safe

    number = number_format()
    return mark_safe(  # noqa: S308 (names escaped, numbers formatted here)
        "\n".join(
            f'<tr data-testid="progress-row"><td>{escape(person(row["employee"]))}</td>'
            f"<td>{escape(str(row['kind']))}</td><td>{number(row['assigned'])}</td>"
            f"<td>{number(row['booked'])}</td><td>{number(row['visited'])}</td>"
            f"<td>{number(row['remaining'])}</td><td>{number(row['pace'])}</td></tr>"
            for row in rows
        )
    )
