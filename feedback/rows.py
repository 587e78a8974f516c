"""Table rows of the work lists written in Python rather than by a template loop.

A list's row has half a dozen cells; at 50–100 rows the template engine's few microseconds per
variable, filter and tag came to more than the page's queries (see README, "What makes list
pages cheap to render"). Each function writes the markup its template's loop wrote, every value
escaped as autoescaping does (``html.escape``, what Django's ``escape`` calls); values a view
formatted (``due_text``, ``expected_text``…, see ``vipcrm.lists.set_formatted``) are safe
already, as in the template.
"""

from html import escape

from django.template.defaultfilters import truncatechars
from django.utils.safestring import mark_safe

from vipcrm.row_urls import row_url_for


def _person(user) -> str:
    """``{{ user.get_full_name|default:user.username }}``."""
    return user.get_full_name() or user.username


def corrective_action_list_rows(request, actions, past_due_word: str) -> str:
    """The corrective actions page (``feedback/correctiveaction_list.html``)."""
    badge = f' <span class="badge text-bg-danger">{escape(past_due_word)}</span>'
    danger = ' class="table-danger"'
    rows = []
    for action in actions:
        past_due = action.past_due == 0
        url = escape(row_url_for(request, "feedback:corrective_action_detail", action.pk))
        programme = escape(action.programme.name) if action.programme else ""
        rows.append(
            f"    <tr{danger if past_due else ''}>\n"
            f"      <td>{escape(action.client.name)}</td>\n"
            f'      <td><a href="{url}">{escape(truncatechars(action.complaint, 80))}</a></td>\n'
            f"      <td>{escape(_person(action.owner))}</td>\n"
            f"      <td>{action.due_text}{badge if past_due else ''}</td>\n"
            f"      <td>{escape(action.status_label)}</td>\n"
            f"      <td>{programme or '—'}</td>\n"
            "    </tr>"
        )
    return mark_safe("\n  \n".join(rows))  # noqa: S308 - every value escaped above


def opportunity_rows(request, opportunities) -> str:
    """The opportunities page (``feedback/opportunity_list.html``)."""
    rows = []
    for opportunity in opportunities:
        url = escape(row_url_for(request, "feedback:opportunity_detail", opportunity.pk))
        if opportunity.position:
            subject = opportunity.position.name
        elif opportunity.client_position:
            subject = opportunity.client_position.position.name
        else:
            subject = opportunity.topic
        won = f" · {opportunity.won_text}" if opportunity.status == "won" else ""
        rows.append(
            "    <tr>\n"
            f"      <td>{escape(opportunity.client.name)}</td>\n"
            f"      <td>{escape(opportunity.kind_label)}</td>\n"
            f'      <td><a href="{url}">{escape(subject)}</a></td>\n'
            f"      <td>{escape(_person(opportunity.owner))}</td>\n"
            f'      <td class="text-end">{opportunity.expected_text}</td>\n'
            f"      <td>{escape(opportunity.status_label)}{won}</td>\n"
            "    </tr>"
        )
    return mark_safe("\n  \n".join(rows))  # noqa: S308 - every value escaped above


def corrective_action_work_rows(request, actions, word: str) -> str:
    """My work's corrective actions (``feedback/work.html``), ``word`` being "Corrective
    action" in the page's language."""
    word = escape(word)
    rows = []
    for action in actions:
        url = escape(row_url_for(request, "feedback:corrective_action_detail", action.pk))
        rows.append(
            '      <tr data-testid="corrective-action-row">\n'
            f'        <td><i class="bi bi-tools" aria-hidden="true"></i> <a href="{url}">'
            f"{word}: {escape(truncatechars(action.complaint, 60))}</a></td>\n"
            f"        <td>{escape(action.client.name)}</td>\n"
            f"        <td>{action.due_text}</td>\n"
            '        <td class="text-end"><span class="badge text-bg-light">'
            f"{escape(action.status_label)}</span></td>\n"
            "      </tr>"
        )
    return mark_safe("\n      \n".join(rows))  # noqa: S308 - every value escaped above
