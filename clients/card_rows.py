"""The client card's longest sections written in Python: its visits, open follow-ups and
volumes (``templates/clients/client_detail.html``).

Each is the markup the template's loop gave, value for value (tests/clients/test_card_rows.py
renders the former loops and compares): a template loop costs a few microseconds per variable,
filter and tag, and these three sections were most of the card's template work. Every value is
escaped here; words are translated once per card, not once per row.
"""

from html import escape

from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from vipcrm.lists import person_name
from vipcrm.row_urls import row_url_for


def _person(user) -> str:
    """``{% firstof user.get_full_name user.username %}``."""
    if user is None:
        return ""
    return escape(user.get_full_name() or user.username)


def visit_rows(request, visits) -> str:
    """The card's visits (``clients.card.latest_visits``'s dicts): when, who, where, the
    visit's and its report's status, the people met and the report's scores."""
    from feedback.enums import ReportStatus, VisitStatus

    # Each literal inside _() so that makemessages finds it.
    words = {
        "Report": escape(_("Report")),
        "Goods": escape(_("Goods")),
        "Services": escape(_("Services")),
        "Service": escape(_("Service")),
        "Recommendation": escape(_("Recommendation")),
    }
    visit_statuses = {value: escape(str(label)) for value, label in VisitStatus.choices}
    report_statuses = {value: escape(str(label)) for value, label in ReportStatus.choices}
    rows = []
    for visit in visits:
        url = escape(row_url_for(request, "feedback:visit_detail", visit["pk"]))
        when = escape(
            date_format(timezone.localtime(visit["scheduled_at"]), "SHORT_DATETIME_FORMAT")
        )
        employee = person_name(
            visit["employee_first_name"], visit["employee_last_name"], visit["employee_username"]
        )
        place = f" · {escape(visit['place'])}" if visit["place"] else ""
        report_status = visit["report_status"]
        finished = report_status == "finished"
        if report_status is not None:
            tone = "text-bg-success" if finished else "text-bg-warning"
            report_badge = (
                f'<span class="badge {tone}">{words["Report"]}: '
                f"{report_statuses.get(report_status, '')}</span>"
            )
        else:
            report_badge = ""
        if finished:
            scores = (
                f"· {words['Goods']} {localize(visit['score_goods'])}, "
                f"{words['Services']} {localize(visit['score_services'])}, "
                f"{words['Service']} {localize(visit['score_service'])}"
            )
            if visit["recommendation_score"] is not None:
                scores += f", {words['Recommendation']} {localize(visit['recommendation_score'])}"
        else:
            scores = ""
        names = escape(visit["contact_names"]) if visit["contact_names"] is not None else ""
        status = visit_statuses.get(visit["status"], escape(visit["status"]))
        rows.append(
            f'  <a class="list-group-item list-group-item-action" href="{url}" '
            'data-testid="visit">\n'
            '    <div class="d-flex flex-wrap justify-content-between gap-2">'
            f"<span>{when} · {escape(employee)}{place}</span>\n"
            f'    <span><span class="badge text-bg-light">{status}</span>\n'
            f"    {report_badge}</span></div>\n"
            f'    <div class="small text-muted">{names}\n'
            f"    {scores}</div>\n"
            "  </a>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value escaped above


def follow_up_rows(follow_ups) -> str:
    """The card's open follow-ups (dicts of values): title, owner, due date."""
    due = escape(_("due"))
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f'<li class="list-group-item">{escape(str(follow_up["title"]))} '
            f'<span class="small text-muted">— {_name(follow_up, "owner")}, {due} '
            f"{escape(localize(follow_up['due_on']))}</span></li>"
            for follow_up in follow_ups
        )
    )


def assignment_rows(changes, enrolments) -> str:
    """Who worked the client when (``clients.card.assignments``'s dicts): when, in which
    programme (from the card's ``enrolments``), from whom to whom, by whom and why."""
    programmes = {enrolment["pk"]: escape(enrolment["programme_name"]) for enrolment in enrolments}
    rows = []
    for change in changes:
        when = escape(
            date_format(timezone.localtime(change["changed_at"]), "SHORT_DATETIME_FORMAT")
        )
        by = f" ({_name(change, 'changed_by')})" if change["changed_by_id"] is not None else ""
        reason = f" — {escape(change['reason'])}" if change["reason"] else ""
        rows.append(
            f'<li class="list-group-item">{when} · {programmes[change["enrolment_id"]]}: '
            f"{_name(change, 'from_user') or '—'} → {_name(change, 'to_user') or '—'}"
            f"{by}{reason}</li>"
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value escaped above


def volume_rows(volumes) -> str:
    """The card's volumes of the last 12 months: month and amount."""
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f"<tr><td>{escape(date_format(volume['period'], 'F Y'))}</td>"
            f'<td class="text-end">{escape(localize(volume["amount"]))}</td></tr>'
            for volume in volumes
        )
    )


def contact_rows(request, contacts, *, may_edit: bool) -> str:
    """The card's key contacts: name, role, job title, whether they left, phone, e-mail, when
    verified, and for a person who may edit, the buttons of a contact still there."""
    from django.middleware.csrf import get_token

    from .enums import ContactRole

    roles = {value: escape(str(label)) for value, label in ContactRole.choices}
    left_word = escape(_("Left the company"))
    verified_word = escape(_("Verified on"))
    if may_edit:
        csrf = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
        )
        edit_word, confirm_word = escape(_("Edit")), escape(_("Confirm details"))
        ask = escape(_("Mark this person as having left the company?"))
    rows = []
    for contact in contacts:
        muted = " text-muted" if contact["left_company"] else ""
        title = f", {escape(contact['job_title'])}" if contact["job_title"] else ""
        if contact["left_company"]:
            on = f" {escape(localize(contact['left_on']))}" if contact["left_on"] else ""
            left = f'<span class="badge text-bg-secondary">{left_word}{on}</span>'
        else:
            left = ""
        phone = (
            f'<a href="tel:{escape(contact["phone"])}">{escape(contact["phone"])}</a>'
            if contact["phone"]
            else ""
        )
        email = (
            f'<a href="mailto:{escape(contact["email"])}">{escape(contact["email"])}</a>'
            if contact["email"]
            else ""
        )
        verified = escape(localize(contact["verified_on"])) if contact["verified_on"] else "—"
        if may_edit and not contact["left_company"]:
            edit = escape(row_url_for(request, "clients:contact_edit", contact["pk"]))
            confirm = escape(row_url_for(request, "clients:contact_confirm", contact["pk"]))
            mark_left = escape(row_url_for(request, "clients:contact_mark_left", contact["pk"]))
            buttons = (
                '\n    <div class="d-flex flex-wrap gap-2 mt-2">\n'
                f'      <a class="btn btn-sm btn-outline-secondary" href="{edit}">{edit_word}</a>\n'
                f'      <form method="post" action="{confirm}">{csrf}<button class="btn btn-sm '
                f'btn-outline-success" type="submit">{confirm_word}</button></form>\n'
                f'      <form method="post" action="{mark_left}" data-confirm="{ask}">{csrf}'
                '<button class="btn btn-sm btn-outline-danger" type="submit">'
                f"{left_word}</button></form>\n"
                "    </div>\n    "
            )
        else:
            buttons = ""
        rows.append(
            f'  <li class="list-group-item{muted}" data-testid="contact">\n'
            f"    <strong>{escape(contact['full_name'])}</strong> — "
            f"{roles.get(contact['role'], escape(contact['role']))}{title}\n"
            f"    {left}\n"
            f'    <div class="small">{phone} {email} · {verified_word}: {verified}</div>\n'
            f"    {buttons}\n"
            "  </li>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value escaped above


def _name(row, prefix) -> str:
    """``{% firstof user.get_full_name user.username %}`` from a row's values."""
    return escape(
        person_name(
            row[prefix + "_first_name"], row[prefix + "_last_name"], row[prefix + "_username"]
        )
    )


def corrective_action_rows(actions) -> str:
    """The card's open corrective actions (``clients.card``'s dicts): the
    complaint, its area, owner, due date and status."""
    from feedback.enums import CorrectiveActionStatus, QualityArea

    areas = {value: escape(str(label)) for value, label in QualityArea.choices}
    statuses = {value: escape(str(label)) for value, label in CorrectiveActionStatus.choices}
    due = escape(_("due"))
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f'<li class="list-group-item">{escape(str(action["complaint"]))} '
            f'<span class="small text-muted">— '
            f"{areas.get(action['area'], escape(str(action['area'])))}, "
            f"{_name(action, 'owner')}, {due} {escape(localize(action['due_on']))} · "
            f"{statuses.get(action['status'], escape(str(action['status'])))}</span></li>"
            for action in actions
        )
    )


def opportunity_rows(opportunities) -> str:
    """The card's open opportunities: kind, the position (or the client's position, or the
    topic) and the expected value."""
    from feedback.enums import OpportunityKind

    kinds = {value: escape(str(label)) for value, label in OpportunityKind.choices}
    rows = []
    for opportunity in opportunities:
        if opportunity["position_name"] is not None:
            what = opportunity["position_name"]
        elif opportunity["client_position_id"] is not None:
            what = opportunity["client_position_name"]
        else:
            what = opportunity["topic"]
        value = opportunity["expected_value"]
        worth = (
            f' <span class="small text-muted">({escape(localize(value))})</span>' if value else ""
        )
        kind = kinds.get(opportunity["kind"], escape(str(opportunity["kind"])))
        rows.append(f'<li class="list-group-item">{kind}: {escape(str(what))}{worth}</li>')
    return mark_safe("".join(rows))  # noqa: S308 - every value escaped above


def referral_rows(referrals) -> str:
    """The card's referrals being worked: the person, company, phone, e-mail, who referred
    them and the status."""
    from feedback.enums import ReferralStatus

    statuses = {value: escape(str(label)) for value, label in ReferralStatus.choices}
    source = escape(_("from"))
    rows = []
    for referral in referrals:
        company = f", {escape(referral['company_name'])}" if referral["company_name"] else ""
        contact = (
            f" · {source} {escape(str(referral['referring_contact_name']))}"
            if referral["referring_contact_id"] is not None
            else ""
        )
        status = statuses.get(referral["status"], escape(str(referral["status"])))
        rows.append(
            f'<li class="list-group-item">{escape(str(referral["person_name"]))}{company} '
            f'<span class="small text-muted">{escape(str(referral["phone"]))} '
            f"{escape(str(referral['email']))}{contact} · {status}</span></li>"
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value escaped above
