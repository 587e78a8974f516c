"""The client card's sections written in Python (clients.card_rows) give the markup the
template's loops gave, row by row, with values that need escaping."""

import datetime as dt
import re
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from clients import card, card_rows
from clients.aggregates import JoinedNames
from feedback.enums import ReportStatus, VisitStatus
from feedback.models import Visit
from tests import factories
from vipcrm.lists import set_choice_labels

# The loops as they were in templates/clients/client_detail.html.
VISITS = """{% load i18n row_urls %}\
{% translate "Report" as report_word %}{% translate "Goods" as goods_word %}\
{% translate "Services" as services_word %}{% translate "Service" as service_word %}\
{% translate "Recommendation" as recommendation_word %}
  {% for visit in visits %}
  <a class="list-group-item list-group-item-action" href="{% row_url 'feedback:visit_detail' visit.pk %}" data-testid="visit">
    <div class="d-flex flex-wrap justify-content-between gap-2"><span>{{ visit.scheduled_at|date:"SHORT_DATETIME_FORMAT" }} · {% firstof visit.employee.get_full_name visit.employee.username %}{% if visit.place %} · {{ visit.place }}{% endif %}</span>
    <span><span class="badge text-bg-light">{{ visit.status_label }}</span>
    {% if visit.report %}<span class="badge {% if visit.report.status == 'finished' %}text-bg-success{% else %}text-bg-warning{% endif %}">{{ report_word }}: {{ visit.report_status_label }}</span>{% endif %}</span></div>
    <div class="small text-muted">{{ visit.contact_names|default_if_none:"" }}
    {% if visit.report.status == "finished" %}· {{ goods_word }} {{ visit.report.score_goods }}, {{ services_word }} {{ visit.report.score_services }}, {{ service_word }} {{ visit.report.score_service }}{% if visit.report.recommendation_score is not None %}, {{ recommendation_word }} {{ visit.report.recommendation_score }}{% endif %}{% endif %}</div>
  </a>
  {% endfor %}"""  # noqa: E501
CONTACTS = """{% load i18n row_urls %}
  {% for contact in contacts %}
  <li class="list-group-item{% if contact.left_company %} text-muted{% endif %}" data-testid="contact">
    <strong>{{ contact.full_name }}</strong> — {{ contact.get_role_display }}{% if contact.job_title %}, {{ contact.job_title }}{% endif %}
    {% if contact.left_company %}<span class="badge text-bg-secondary">{% translate "Left the company" %}{% if contact.left_on %} {{ contact.left_on }}{% endif %}</span>{% endif %}
    <div class="small">{% if contact.phone %}<a href="tel:{{ contact.phone }}">{{ contact.phone }}</a>{% endif %} {% if contact.email %}<a href="mailto:{{ contact.email }}">{{ contact.email }}</a>{% endif %} · {% translate "Verified on" %}: {{ contact.verified_on|default:"—" }}</div>
    {% if may_edit_contacts and not contact.left_company %}
    <div class="d-flex flex-wrap gap-2 mt-2">
      <a class="btn btn-sm btn-outline-secondary" href="{% row_url 'clients:contact_edit' contact.pk %}">{% translate "Edit" %}</a>
      <form method="post" action="{% row_url 'clients:contact_confirm' contact.pk %}">{% csrf_token %}<button class="btn btn-sm btn-outline-success" type="submit">{% translate "Confirm details" %}</button></form>
      <form method="post" action="{% row_url 'clients:contact_mark_left' contact.pk %}" data-confirm="{% translate 'Mark this person as having left the company?' %}">{% csrf_token %}<button class="btn btn-sm btn-outline-danger" type="submit">{% translate "Left the company" %}</button></form>
    </div>
    {% endif %}
  </li>
  {% endfor %}
"""  # noqa: E501
OPEN_ITEMS = {
    "corrective_actions": """{% load i18n %}{% for action in corrective_actions %}<li class="list-group-item">{{ action.complaint }} <span class="small text-muted">— {{ action.area_label }}, {% firstof action.owner.get_full_name action.owner.username %}, {% translate "due" %} {{ action.due_on }} · {{ action.status_label }}</span></li>{% endfor %}""",  # noqa: E501
    "opportunities": """{% for opportunity in opportunities %}<li class="list-group-item">{{ opportunity.kind_label }}: {% if opportunity.position %}{{ opportunity.position }}{% elif opportunity.client_position %}{{ opportunity.client_position.position }}{% else %}{{ opportunity.topic }}{% endif %}{% if opportunity.expected_value %} <span class="small text-muted">({{ opportunity.expected_value }})</span>{% endif %}</li>{% endfor %}""",  # noqa: E501
    "referrals": """{% load i18n %}{% for referral in referrals %}<li class="list-group-item">{{ referral.person_name }}{% if referral.company_name %}, {{ referral.company_name }}{% endif %} <span class="small text-muted">{{ referral.phone }} {{ referral.email }}{% if referral.referring_contact %} · {% translate "from" %} {{ referral.referring_contact.full_name }}{% endif %} · {{ referral.status_label }}</span></li>{% endfor %}""",  # noqa: E501
}
ASSIGNMENTS = """{% for change in assignments %}<li class="list-group-item">{{ change.changed_at|date:"SHORT_DATETIME_FORMAT" }} · {{ change.enrolment.programme.name }}: {% firstof change.from_user.get_full_name change.from_user.username "—" %} → {% firstof change.to_user.get_full_name change.to_user.username "—" %}{% if change.changed_by %} ({% firstof change.changed_by.get_full_name change.changed_by.username %}){% endif %}{% if change.reason %} — {{ change.reason }}{% endif %}</li>{% endfor %}"""  # noqa: E501
FOLLOW_UPS = """{% load i18n %}{% for follow_up in follow_ups %}<li class="list-group-item">{{ follow_up.title }} <span class="small text-muted">— {% firstof follow_up.owner.get_full_name follow_up.owner.username %}, {% translate "due" %} {{ follow_up.due_on }}</span></li>{% endfor %}"""  # noqa: E501
VOLUMES = """{% for volume in volumes %}<tr><td>{{ volume.period|date:"F Y" }}</td><td class="text-end">{{ volume.amount }}</td></tr>{% endfor %}"""  # noqa: E501


def _template(source, **context):
    return engines["django"].from_string(source).render(context)


def _blocks(html, start, end):
    """Each row's markup, from ``start`` to ``end``: the rows without the whitespace between
    them, which the template's loop put and the browser ignores."""
    return re.findall(re.escape(start) + ".*?" + re.escape(end), html, re.S)


def _visits(world, employee):
    contact = factories.KeyContactFactory(client=world.client, full_name="Anna <b>&</b> Lee")
    employee.first_name, employee.last_name = "Ivan", "O'Neil <i>"
    employee.save()
    finished = factories.VisitFactory(
        enrolment=world.enrolment, employee=employee, status="held", place="Room <1> & 2"
    )
    finished.contacts.add(contact)
    factories.VisitReportFactory(
        visit=finished, status="finished", finished_at=timezone.now(), recommendation_score=9
    )
    draft = factories.VisitFactory(enrolment=world.enrolment, employee=employee, place="")
    factories.VisitReportFactory(visit=draft, status="draft")
    factories.VisitFactory(enrolment=world.enrolment, employee=employee, status="planned")


def _as_the_template_read_them(client):
    """The visits as the card read them for its template: model instances with their
    employee, report and the people met, labels set on them."""
    names = (
        Visit.contacts.through.objects.filter(visit_id=OuterRef("pk"))
        .order_by()
        .values("visit_id")
        .annotate(names=JoinedNames("keycontact__full_name"))
        .values("names")
    )
    visits = list(
        client.visits.select_related("employee", "report")
        .annotate(contact_names=Subquery(names))
        .order_by("-scheduled_at", "-id")
    )
    set_choice_labels(visits, status=VisitStatus)
    labels = dict(ReportStatus.choices)
    for visit in visits:
        report = getattr(visit, "report", None)
        visit.report_status_label = str(labels[report.status]) if report else ""
    return visits


def test_visit_rows_equal_the_template_loop(world, employee):
    _visits(world, employee)
    request = RequestFactory().get("/")
    visits = card.all_visits(client_id=world.client.pk)
    assert len(visits) == 3
    expected = _template(VISITS, visits=_as_the_template_read_them(world.client), request=request)
    written = str(card_rows.visit_rows(request, visits))
    rows = _blocks(written, '<a class="list-group-item', "</a>")
    assert len(rows) == 3
    assert rows == _blocks(expected, '<a class="list-group-item', "</a>")
    assert "Room &lt;1&gt; &amp; 2" in written
    assert "Anna &lt;b&gt;&amp;&lt;/b&gt; Lee" in written
    assert "Ivan O&#x27;Neil &lt;i&gt;" in written
    assert "Recommendation 9" in written
    assert "Report: Draft" in written


def test_follow_up_and_volume_rows_equal_the_template_loops(world, employee):
    employee.first_name, employee.last_name = "", ""
    employee.username = "emp<loyee>"
    employee.save()
    factories.FollowUpFactory(
        client=world.client,
        owner=employee,
        title="Send <prices> & terms",
        due_on=dt.date(2026, 3, 4),
    )
    factories.FollowUpFactory(client=world.client, title="Call back")
    follow_ups = list(world.client.follow_ups.select_related("owner"))
    expected = _template(FOLLOW_UPS, follow_ups=follow_ups)
    written = str(card_rows.follow_up_rows(card.follow_ups(client_id=world.client.pk)))
    rows = _blocks(written, "<li", "</li>")
    assert len(rows) == 2
    assert rows == _blocks(expected, "<li", "</li>")
    assert "Send &lt;prices&gt; &amp; terms" in written
    assert "emp&lt;loyee&gt;" in written

    factories.ClientVolumeFactory(
        client=world.client, period=dt.date(2025, 5, 1), amount=Decimal("1234.50")
    )
    expected = _template(VOLUMES, volumes=list(world.client.volumes.order_by("-period")))
    assert str(card_rows.volume_rows(card.volumes(client_id=world.client.pk))) == expected
    assert "May 2025" in expected


def test_the_card_shows_the_rows_written_in_python(world, employee, as_employee):
    _visits(world, employee)
    html = as_employee.get(
        reverse("clients:client_detail", args=[world.client.pk])
    ).content.decode()
    assert html.count('data-testid="visit"') == 3
    assert "Room &lt;1&gt; &amp; 2" in html


def _without_tokens(rows):
    """The rows with the CSRF token's value left out: each ``get_token`` masks it anew."""
    return [re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", row) for row in rows]


def test_contact_rows_equal_the_template_loop(world, employee):
    factories.KeyContactFactory(
        client=world.client,
        full_name="Olga <Smirnova> & Co",
        job_title='Head of "Buying"',
        phone="+7 <495>",
        email="o&s@example.com",
        verified_on=dt.date(2026, 1, 5),
    )
    factories.KeyContactFactory(
        client=world.client,
        full_name="Gone Person",
        job_title="",
        phone="",
        email="",
        verified_on=None,
        left_company=True,
        left_on=dt.date(2026, 2, 1),
    )
    contacts = list(world.client.contacts.all())
    assert len(contacts) == 3
    rows_of_values = card.contacts(client_id=world.client.pk)
    request = RequestFactory().get("/")
    request.user = employee
    for may_edit in (True, False):
        expected = (
            engines["django"]
            .from_string(CONTACTS)
            .render({"contacts": contacts, "may_edit_contacts": may_edit}, request=request)
        )
        written = str(card_rows.contact_rows(request, rows_of_values, may_edit=may_edit))
        rows = _blocks(written, "<li", "</li>")
        assert len(rows) == 3
        assert _without_tokens(rows) == _without_tokens(_blocks(expected, "<li", "</li>"))
        assert ("csrfmiddlewaretoken" in written) is may_edit
    assert "Olga &lt;Smirnova&gt; &amp; Co" in written
    assert "Head of &quot;Buying&quot;" in written
    assert 'href="mailto:o&amp;s@example.com"' in written


def test_open_item_rows_equal_the_template_loops(world, employee):
    """Corrective actions, opportunities and referrals: the rows from values equal the
    template's loops over the instances the card used to read."""
    from feedback.enums import CorrectiveActionStatus, OpportunityKind, QualityArea, ReferralStatus

    employee.first_name, employee.last_name = "Ivan", "<Petrov>"
    employee.save()
    factories.CorrectiveActionFactory(
        client=world.client, owner=employee, complaint="Late <trucks> & dust"
    )
    factories.CorrectiveActionFactory(client=world.client, complaint="Rude driver")
    position = factories.ClientPositionFactory(client=world.client)
    factories.OpportunityFactory(client=world.client, topic="Rails & <bolts>")
    factories.OpportunityFactory(
        client=world.client, client_position=position, expected_value=Decimal("1500.50")
    )
    factories.OpportunityFactory(client=world.client, position=position.position)
    contact = factories.KeyContactFactory(client=world.client, full_name="Lena <Lee>")
    factories.ReferralFactory(
        referring_client=world.client, referring_contact=contact, company_name="A & B"
    )
    factories.ReferralFactory(referring_client=world.client, company_name="", email="x@y.z")

    items = {
        "corrective_action_rows": card_rows.corrective_action_rows(
            card.corrective_actions(client_id=world.client.pk)
        ),
        "opportunity_rows": card_rows.opportunity_rows(
            card.opportunities(client_id=world.client.pk)
        ),
        "referral_rows": card_rows.referral_rows(card.referrals(client_id=world.client.pk)),
    }
    old = {
        "corrective_actions": set_choice_labels(
            list(world.client.corrective_actions.open().select_related("owner")),
            area=QualityArea,
            status=CorrectiveActionStatus,
        ),
        "opportunities": set_choice_labels(
            list(
                world.client.opportunities.filter(status="open").select_related(
                    "position", "client_position__position"
                )
            ),
            kind=OpportunityKind,
        ),
        "referrals": set_choice_labels(
            list(
                world.client.referrals_given.exclude(
                    status__in=("converted", "dropped")
                ).select_related("referring_contact")
            ),
            status=ReferralStatus,
        ),
    }
    for section, rows_name, count in (
        ("corrective_actions", "corrective_action_rows", 2),
        ("opportunities", "opportunity_rows", 3),
        ("referrals", "referral_rows", 2),
    ):
        expected = _template(OPEN_ITEMS[section], **{section: old[section]})
        written = str(items[rows_name])
        rows = _blocks(written, "<li", "</li>")
        assert len(rows) == count, section
        assert rows == _blocks(expected, "<li", "</li>"), section
    html = "".join(str(items[name]) for name in ("corrective_action_rows", "opportunity_rows"))
    assert "Late &lt;trucks&gt; &amp; dust" in html
    assert "Ivan &lt;Petrov&gt;" in html
    assert "Rails &amp; &lt;bolts&gt;" in html
    assert "(1500.50)" in html
    assert "from Lena &lt;Lee&gt;" in str(items["referral_rows"])


def test_assignment_rows_equal_the_template_loop(world, employee, manager):
    """Who worked the client when: from nobody, by nobody, with and without a reason."""
    from programme.models import AssignmentChange

    employee.first_name, employee.last_name = "Ivan", "<Petrov>"
    employee.save()
    factories.AssignmentChangeFactory(
        enrolment=world.enrolment, from_user=None, to_user=employee, changed_by=None, reason=""
    )
    factories.AssignmentChangeFactory(
        enrolment=world.enrolment,
        from_user=employee,
        to_user=manager,
        changed_by=manager,
        reason="Holiday <two weeks> & more",
    )
    enrolments = card.enrolments(client_id=world.client.pk)
    old = list(
        AssignmentChange.objects.filter(enrolment__client=world.client).select_related(
            "enrolment__programme", "from_user", "to_user", "changed_by"
        )
    )
    expected = _template(ASSIGNMENTS, assignments=old)
    written = str(
        card_rows.assignment_rows(card.assignments(client_id=world.client.pk), enrolments)
    )
    rows = _blocks(written, "<li", "</li>")
    assert len(rows) == len(old) >= 2
    assert rows == _blocks(expected, "<li", "</li>")
    assert "Holiday &lt;two weeks&gt; &amp; more" in written
    assert "Ivan &lt;Petrov&gt;" in written
