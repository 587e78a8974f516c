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


def staff_rows_html(request, programme, members, *, may_manage: bool) -> str:
    """The staff pool page's row per member (``selectors.pool_load``'s members): the markup of
    ``programme/_staff_rows.html``, two forms a row for a manager of an open programme. 200
    people through the template took about 25 ms; here about 2."""
    from django.middleware.csrf import get_token
    from django.template.defaultfilters import floatformat
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext as _

    from vipcrm.row_urls import row_url_for

    from ..enums import ProgrammeStatus, StaffKind

    number = number_format()
    open_ = programme.status != ProgrammeStatus.CLOSED
    forms = may_manage and open_
    if forms:
        token = escape(get_token(request))
        csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
        kind_label, save_label = escape(_("Kind")), escape(_("Save"))
        remove_question, remove_label = (
            escape(_("Remove this employee from the pool?")),
            escape(_("Remove")),
        )
        choices = [(str(value), escape(str(label))) for value, label in StaffKind.choices]
    kinds = {str(value): escape(str(label)) for value, label in StaffKind.choices}
    load_label = escape(_("Load against share"))
    rows = []
    for member in members:
        if forms:
            options = "".join(
                f'<option value="{value}"{" selected" if value == member.kind else ""}>'
                f"{label}</option>"
                for value, label in choices
            )
            kind = (
                '<form method="post" action="'
                f'{escape(row_url_for(request, "programme:staff_kind", programme.pk, member.pk))}"'
                f' class="d-flex gap-1">{csrf}<select name="kind" class="form-select '
                f'form-select-sm" aria-label="{kind_label}">{options}</select><button class="btn '
                f'btn-sm btn-outline-secondary" type="submit">{save_label}</button></form>'
            )
        else:
            kind = kinds.get(member.kind, escape(member.kind))
        remove = ""
        if may_manage:
            form = ""
            if open_:
                url = row_url_for(request, "programme:staff_remove", programme.pk, member.pk)
                form = (
                    f'<form method="post" action="{escape(url)}" data-confirm="'
                    f'{remove_question}">{csrf}<button class="btn btn-sm btn-outline-danger" '
                    f'type="submit">{remove_label}</button></form>'
                )
            remove = f"<td>{form}</td>"
        percent = number(member.load_percent)
        rows.append(
            f'<tr data-testid="staff-row"><td>{escape(person(member.employee))}</td>'
            f"<td>{kind}</td><td>{number(member.capacity)}</td>"
            f"<td>{number(member.held_count)}</td><td>{number(member.held_weight)}</td>"
            f"<td>{floatformat(member.share, 1)}</td>"
            f'<td class="text-nowrap"><progress max="100" value="{percent}" '
            f'aria-label="{load_label}"></progress> {percent}%</td>{remove}</tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 (names escaped, numbers formatted here)
