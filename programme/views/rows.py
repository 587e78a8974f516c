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
    ``programme/_staff_rows.html``, two forms a row for a manager of an open programme. What
    does not depend on the member (labels, the options, the token, the URLs' format) is written
    once; the share has one value per kind of member, formatted once each. 200 people through
    the template took about 25 ms; here about 1."""
    from django.middleware.csrf import get_token
    from django.template.defaultfilters import floatformat
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext as _

    from vipcrm.row_urls import row_url_format

    from ..enums import ProgrammeStatus, StaffKind

    number = number_format()
    open_ = programme.status != ProgrammeStatus.CLOSED
    forms = may_manage and open_
    kinds = {str(value): escape(str(label)) for value, label in StaffKind.choices}
    # Translated outside the f-strings: makemessages does not look inside them.
    kind_word, save_word, remove_word = escape(_("Kind")), escape(_("Save")), escape(_("Remove"))
    remove_question = escape(_("Remove this employee from the pool?"))
    if forms:
        csrf = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
        )
        kind_url = row_url_format(request, "programme:staff_kind", 2)
        remove_url = row_url_format(request, "programme:staff_remove", 2)
        kind_cells = {}
        for kind in kinds:
            options = "".join(
                f'<option value="{value}"{" selected" if value == kind else ""}>{label}</option>'
                for value, label in kinds.items()
            )
            kind_cells[kind] = (
                f' class="d-flex gap-1">{csrf}<select name="kind" class="form-select '
                f'form-select-sm" aria-label="{kind_word}">{options}</select><button '
                'class="btn btn-sm btn-outline-secondary" type="submit">'
                f"{save_word}</button></form>"
            )
        remove_form = (
            f'" data-confirm="{remove_question}">{csrf}'
            '<button class="btn btn-sm btn-outline-danger" type="submit">'
            f"{remove_word}</button></form></td>"
        )
    load_label = escape(_("Load against share"))
    shares = {}
    rows = []
    for member in members:
        if forms:
            kind = (
                f'<form method="post" action="{escape(kind_url.format(programme.pk, member.pk))}"'
                f"{kind_cells[member.kind]}"
            )
        else:
            kind = kinds.get(member.kind) or escape(member.kind)
        if forms:
            url = escape(remove_url.format(programme.pk, member.pk))
            remove = f'<td><form method="post" action="{url}{remove_form}'
        elif may_manage:
            remove = "<td></td>"
        else:
            remove = ""
        share = shares.get(member.share)
        if share is None:
            share = shares[member.share] = floatformat(member.share, 1)
        percent = number(member.load_percent)
        rows.append(
            f'<tr data-testid="staff-row"><td>{escape(member.name)}</td>'
            f"<td>{kind}</td><td>{number(member.capacity)}</td>"
            f"<td>{number(member.held_count)}</td><td>{number(member.held_weight)}</td>"
            f'<td>{share}</td><td class="text-nowrap"><progress max="100" value="{percent}" '
            f'aria-label="{load_label}"></progress> {percent}%</td>{remove}</tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 (names escaped, numbers formatted here)


def select_fields_html(form) -> str:
    """A form of select fields only (the staff pool's "add an employee") as ``{% crispy form %}``
    writes it with the Bootstrap 5 pack and ``form_tag`` off: the same markup for about a tenth
    of crispy's template work (tests/programme/test_staff_pool_load.py holds them equal, blank,
    with field errors and with the service's errors). Not ``vipcrm/filter_bar.py``'s
    ``as_filter_field``: that one writes ``as_crispy_field``'s markup (errors in ``<p>``), and
    this form went through ``{% crispy %}`` with a helper (errors in ``<span>``)."""
    from django.utils.safestring import mark_safe

    parts = []
    if form.non_field_errors():
        items = "".join(f"<li>{escape(str(error))}</li>" for error in form.non_field_errors())
        parts.append(
            f'<div class="alert alert-block alert-danger"><ul class="m-0">{items}</ul></div>'
        )
    for bound in form:
        field, name, id_ = bound.field, bound.html_name, bound.auto_id
        errors = bound.errors
        help_id = f"{id_}_helptext" if field.help_text else ""
        described = " ".join(part for part in (help_id, f"{id_}_error" if errors else "") if part)
        attrs = f'name="{escape(name)}" class="select form-select{" is-invalid" if errors else ""}"'
        if (
            field.required
            and form.use_required_attribute
            and field.widget.use_required_attribute(bound.initial)
        ):
            attrs += " required"
        if errors:
            attrs += ' aria-invalid="true"'
        if described:
            attrs += f' aria-describedby="{described}"'
        value = bound.value()
        selected = {
            "" if item is None else str(item)
            for item in (value if isinstance(value, (list, tuple)) else [value])
        }
        options = "".join(
            f'<option value="{escape(str(option))}"'
            f"{' selected' if str(option) in selected else ''}>{escape(str(label))}</option>"
            for option, label in field.choices
        )
        required = '<span class="asteriskField">*</span>' if field.required else ""
        html = (
            f'<div id="div_{id_}" class="mb-3"><label for="{id_}" class="form-label'
            f'{" requiredField" if field.required else ""}">{escape(str(bound.label))}{required}'
            f'</label><select {attrs} id="{id_}">{options}</select>'
        )
        if errors:
            spans = "".join(
                f'<span id="error_{n}_{id_}"><strong>{escape(str(error))}</strong></span>'
                for n, error in enumerate(errors, start=1)
            )
            html += f'<div id="{id_}_error" class="invalid-feedback">{spans}</div>'
        if field.help_text:
            html += f'<div id="{help_id}" class="form-text">{field.help_text}</div>'
        parts.append(html + "</div>")
    return mark_safe("".join(parts))  # noqa: S308 (labels, values and errors escaped here)
