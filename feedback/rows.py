"""Table rows of the work lists written in Python rather than by a template loop.

A list's row has half a dozen cells; at 50–100 rows the template engine's few microseconds per
variable, filter and tag came to more than the page's queries (see README, "What makes list
pages cheap to render"). Each function writes the markup its template's loop wrote, every value
escaped as autoescaping does (``html.escape``, what Django's ``escape`` calls); values a view
formatted (``due_text``, ``expected_text``…, see ``vipcrm.lists.set_formatted``) are safe
already, as in the template.
"""

import unicodedata
from html import escape

from django.template.defaultfilters import truncatechars
from django.utils.safestring import mark_safe

from vipcrm.row_urls import row_url_format


def _url_of(request, view_name: str):
    """``escape(row_url_for(request, view_name, pk))`` as a function of ``pk``, the URL's format
    looked up once per page (each lookup reads the language and the script prefix)."""
    url_format = escape(row_url_format(request, view_name, 1))
    return lambda pk: url_format.format(int(pk))


def truncated(text: str, length: int) -> str:
    """``{{ text|truncatechars:length }}``. The filter normalises the text and looks at each
    character for combining marks (10 µs a complaint, a fifth of My work's rows); a text already
    normalised and no longer than ``length`` is returned as it is, as the filter would."""
    if len(text) <= length and unicodedata.is_normalized("NFC", text):
        return text
    return truncatechars(text, length)


def corrective_action_list_rows(request, actions, past_due_word: str) -> str:
    """The corrective actions page (``feedback/correctiveaction_list.html``), from rows of
    values (``feedback.paging.rows_page``)."""
    badge = f' <span class="badge text-bg-danger">{escape(past_due_word)}</span>'
    danger = ' class="table-danger"'
    rows = []
    corrective_action_detail_url = _url_of(request, "feedback:corrective_action_detail")
    for action in actions:
        past_due = action.past_due == 0
        url = corrective_action_detail_url(action.pk)
        programme = escape(action.programme_name) if action.programme_name else ""
        rows.append(
            f"    <tr{danger if past_due else ''}>\n"
            f"      <td>{escape(action.client_name)}</td>\n"
            f'      <td><a href="{url}">{escape(truncated(action.complaint, 80))}</a></td>\n'
            f"      <td>{escape(action.owner_name)}</td>\n"
            f"      <td>{action.due_text}{badge if past_due else ''}</td>\n"
            f"      <td>{escape(action.status_label)}</td>\n"
            f"      <td>{programme or '—'}</td>\n"
            "    </tr>"
        )
    return mark_safe("\n  \n".join(rows))  # noqa: S308 - every value escaped above


def opportunity_rows(request, opportunities) -> str:
    """The opportunities page (``feedback/opportunity_list.html``), from rows of values
    (``feedback.paging.rows_page``)."""
    rows = []
    opportunity_detail_url = _url_of(request, "feedback:opportunity_detail")
    for opportunity in opportunities:
        url = opportunity_detail_url(opportunity.pk)
        # The position's name, else the name of the position the client buys (both
        # ``subject_position_name``, see feedback.views.opportunities), else the topic.
        if opportunity.position_id or opportunity.client_position_id:
            subject = opportunity.subject_position_name
        else:
            subject = opportunity.topic
        won = f" · {opportunity.won_text}" if opportunity.status == "won" else ""
        rows.append(
            "    <tr>\n"
            f"      <td>{escape(opportunity.client_name)}</td>\n"
            f"      <td>{escape(opportunity.kind_label)}</td>\n"
            f'      <td><a href="{url}">{escape(subject)}</a></td>\n'
            f"      <td>{escape(opportunity.owner_name)}</td>\n"
            f'      <td class="text-end">{opportunity.expected_text}</td>\n'
            f"      <td>{escape(opportunity.status_label)}{won}</td>\n"
            "    </tr>"
        )
    return mark_safe("\n  \n".join(rows))  # noqa: S308 - every value escaped above


def corrective_action_work_rows(request, actions, word: str) -> str:
    """My work's corrective actions (``feedback/work.html``), rows of values with their
    client's name, ``word`` being "Corrective action" in the page's language."""
    word = escape(word)
    rows = []
    corrective_action_detail_url = _url_of(request, "feedback:corrective_action_detail")
    for action in actions:
        url = corrective_action_detail_url(action.pk)
        rows.append(
            '      <tr data-testid="corrective-action-row">\n'
            f'        <td><i class="bi bi-tools" aria-hidden="true"></i> <a href="{url}">'
            f"{word}: {escape(truncated(action.complaint, 60))}</a></td>\n"
            f"        <td>{escape(action.client_name)}</td>\n"
            f"        <td>{action.due_text}</td>\n"
            '        <td class="text-end"><span class="badge text-bg-light">'
            f"{escape(action.status_label)}</span></td>\n"
            "      </tr>"
        )
    return mark_safe("\n      \n".join(rows))  # noqa: S308 - every value escaped above


def follow_up_work_rows(request, follow_ups) -> str:
    """My work's follow-ups (``feedback/work.html``), rows of values with their client's name
    and ``due_text``: what the template's loop wrote for each."""
    from django.middleware.csrf import get_token
    from django.template.defaultfilters import urlencode
    from django.utils.translation import gettext as _

    detail_url = _url_of(request, "feedback:follow_up_detail")
    client_url = _url_of(request, "clients:client_detail")
    done_url = _url_of(request, "feedback:follow_up_done")
    reschedule_url = _url_of(request, "feedback:follow_up_reschedule")
    rescheduled = escape(_("Rescheduled"))
    mark_done = escape(_("Mark done"))
    reschedule = escape(_("Reschedule"))
    next_here = escape(urlencode(request.path))
    csrf = None
    rows = []
    for follow_up in follow_ups:
        if csrf is None:
            # What {% csrf_token %} writes: the page's one token, read once.
            csrf = (
                '<input type="hidden" name="csrfmiddlewaretoken" '
                f'value="{escape(get_token(request))}">'
            )
        done = done_url(follow_up.pk)
        reason = (
            ' <i class="bi bi-arrow-repeat text-muted" '
            f'title="{escape(follow_up.reschedule_reason)}" aria-label="{rescheduled}"></i>'
            if follow_up.reschedule_reason
            else ""
        )
        rows.append(
            "\n"
            f'      <tr id="follow-up-{int(follow_up.pk)}" data-testid="follow-up-row">\n'
            f'        <td><a href="{detail_url(follow_up.pk)}">{escape(follow_up.title)}</a></td>\n'
            f'        <td><a href="{client_url(follow_up.client_id)}">'
            f"{escape(follow_up.client_name)}</a></td>\n"
            f"        <td>{escape(follow_up.due_text)}{reason}</td>\n"
            '        <td class="text-end text-nowrap">\n'
            f'          <form method="post" action="{done}" class="d-inline" hx-post="{done}" '
            f'hx-target="closest tr" hx-swap="outerHTML">{csrf}\n'
            '            <button type="submit" class="btn btn-sm btn-success">'
            f"{mark_done}</button>\n"
            "          </form>\n"
            '          <a class="btn btn-sm btn-outline-secondary" '
            f'href="{reschedule_url(follow_up.pk)}?next={next_here}">{reschedule}</a>\n'
            "        </td>\n"
            "      </tr>\n"
            "      "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value escaped above


def localized_count(number) -> str:
    """``localize(number)`` for a count: a whole number under a thousand is written as it is
    in every language (no group to separate, no decimals) — 11 µs a call spared, two a card;
    anything else goes to ``localize``."""
    if type(number) is int and -1000 < number < 1000:
        return str(number)
    from django.utils.formats import localize

    return localize(number)


def my_list_rows(request, rows) -> str:
    """My list's cards (``feedback/my_list.html``), from ``feedback.my_list.personal_page``
    rows with their marks (``with_marks``) and overdue words (the view's)."""
    from django.utils import timezone
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    from .templatetags.feedback_stages import stage_badge_class

    # Each literal inside _() so that makemessages finds it.
    words = {
        "Next meeting": escape(_("Next meeting")),
        "Days since assignment": escape(_("Days since assignment")),
        "Open follow-ups": escape(_("Open follow-ups")),
        "Visit report missing": escape(_("Visit report missing")),
        "No meeting booked yet": escape(_("No meeting booked yet")),
        "Write the visit report": escape(_("Write the visit report")),
        "Book a meeting": escape(_("Book a meeting")),
        "Client card": escape(_("Client card")),
    }
    cards = []
    client_detail_url = _url_of(request, "clients:client_detail")
    visit_detail_url = _url_of(request, "feedback:visit_detail")
    report_edit_url = _url_of(request, "feedback:report_edit")
    visit_book_url = _url_of(request, "feedback:visit_book")
    for row in rows:
        client_url = client_detail_url(row.client_id)
        overdue = " border-start border-4 border-danger" if row.is_overdue else ""
        if row.next_meeting:
            when = date_format(timezone.localtime(row.next_meeting), "SHORT_DATETIME_FORMAT")
            visit_url = visit_detail_url(row.next_visit_id)
            meeting = f'<a href="{visit_url}" data-testid="next-meeting">{escape(when)}</a>'
        else:
            meeting = "—"
        days = "—" if row.days_assigned is None else localized_count(row.days_assigned)
        marks = "".join(
            (
                f'\n        <span class="badge text-bg-danger text-wrap">'
                f"{escape(row.overdue_follow_ups_text)}</span>"
                if row.overdue_follow_ups
                else "\n        ",
                f'\n        <span class="badge text-bg-danger text-wrap">'
                f"{escape(row.overdue_actions_text)}</span>"
                if row.overdue_actions
                else "\n        ",
                '\n        <span class="badge text-bg-warning text-wrap">'
                f"{words['Visit report missing']}</span>"
                if row.unreported_visits
                else "\n        ",
                '\n        <span class="badge text-bg-warning text-wrap">'
                f"{words['No meeting booked yet']}</span>"
                if row.no_meeting_yet
                else "\n        ",
            )
        )
        if row.next_visit_id:
            report_url = report_edit_url(row.next_visit_id)
            action = (
                f'<a class="btn btn-success" href="{report_url}">'
                f"{words['Write the visit report']}</a>"
            )
        else:
            book_url = visit_book_url(row.pk)
            action = (
                f'<a class="btn btn-primary" href="{book_url}" data-testid="book-meeting">'
                f"{words['Book a meeting']}</a>"
            )
        cards.append(
            f'  <div class="list-group-item py-3{overdue}" data-testid="my-list-row">\n'
            '    <div class="d-flex flex-wrap justify-content-between align-items-start gap-2">\n'
            "      <div>\n"
            f'        <a class="fw-semibold fs-5 text-decoration-none" href="{client_url}">'
            f"{escape(row.client_name)}</a>\n"
            f'        <div class="small text-muted">{escape(row.programme_name)}</div>\n'
            "      </div>\n"
            f'      <span class="badge rounded-pill text-wrap {stage_badge_class(row.stage)}" '
            f'data-testid="stage">{escape(row.stage_label)}</span>\n'
            "    </div>\n"
            '    <div class="row small mt-2 g-1">\n'
            '      <div class="col-6 col-md-3"><span class="text-muted">'
            f"{words['Next meeting']}:</span>\n        {meeting}</div>\n"
            '      <div class="col-6 col-md-3"><span class="text-muted">'
            f"{words['Days since assignment']}:</span> {days}</div>\n"
            '      <div class="col-6 col-md-3"><span class="text-muted">'
            f"{words['Open follow-ups']}:</span> {localized_count(row.open_follow_ups)}</div>\n"
            f'      <div class="col-6 col-md-3">{marks}\n      </div>\n'
            "    </div>\n"
            '    <div class="d-flex flex-wrap gap-2 mt-2">\n'
            f"      {action}\n"
            f'      <a class="btn btn-outline-secondary" href="{client_url}">'
            f"{words['Client card']}</a>\n"
            "    </div>\n"
            "  </div>"
        )
    return mark_safe("\n".join(cards))  # noqa: S308 - every value escaped above


def notification_rows(request, notes) -> str:
    """The notifications page's rows (``feedback/_notification_row.html`` for each, which still
    answers htmx's "mark read" for one), from rows with ``pk``, ``kind_label``, ``created_at``,
    ``message`` and ``read_at``."""
    from django.middleware.csrf import get_token
    from django.template.defaultfilters import linebreaksbr
    from django.utils import timezone
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    mark_read = escape(_("Mark read"))
    csrf = None
    rows = []
    notification_open_url = _url_of(request, "feedback:notification_open")
    notification_read_url = _url_of(request, "feedback:notification_read")
    for note in notes:
        when = date_format(timezone.localtime(note.created_at), "SHORT_DATETIME_FORMAT")
        open_url = notification_open_url(note.pk)
        if note.read_at:
            unread, form = "", "\n  "
        else:
            if csrf is None:
                # What {% csrf_token %} writes: the page's one token, read once.
                csrf = (
                    '<input type="hidden" name="csrfmiddlewaretoken" '
                    f'value="{escape(get_token(request))}">'
                )
            read_url = notification_read_url(note.pk)
            unread = " list-group-item-primary"
            form = (
                "\n  \n  "
                f'<form method="post" action="{read_url}" hx-post="{read_url}" '
                f'hx-target="closest li" hx-swap="outerHTML">{csrf}\n'
                '    <button type="submit" class="btn btn-sm btn-outline-secondary">'
                f"{mark_read}</button>\n"
                "  </form>\n  "
            )
        rows.append(
            '<li class="list-group-item d-flex justify-content-between align-items-start gap-2'
            f'{unread}" id="notification-{int(note.pk)}" data-testid="notification">\n'
            "  <div>\n"
            f'    <div class="small text-muted">{escape(note.kind_label)} · {escape(when)}</div>\n'
            f'    <a href="{open_url}" class="stretched-link-none">'
            f"{linebreaksbr(note.message, autoescape=True)}</a>\n"
            f"  </div>{form}\n"
            "</li>\n"
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value escaped above
