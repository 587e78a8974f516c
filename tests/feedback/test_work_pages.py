"""The follow-up pages: what each shows and changes, bad input, and constant query counts."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients.models import Client
from feedback.models import CorrectiveActionStep, FollowUp, Notification, NotificationSettings
from tests import factories
from tests.explain import plan
from vipcrm import roles

TODAY = timezone.localdate


def queries(http, url):
    """The queries of ``url`` once the cached lists its filter bar shows (the people,
    ``feedback.people``) are in the cache: a first view after a change reads them."""
    http.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = http.get(url)
    assert response.status_code == 200
    return len(captured)


def test_my_work_groups_overdue_today_and_upcoming(world, employee, as_employee):
    factories.FollowUpFactory(
        client=world.client, owner=employee, title="Send samples", due_on=TODAY() - dt.timedelta(2)
    )
    factories.FollowUpFactory(
        client=world.client, owner=employee, title="Call back", due_on=TODAY()
    )
    factories.FollowUpFactory(
        client=world.client, owner=employee, title="Price list", due_on=TODAY() + dt.timedelta(5)
    )
    factories.FollowUpFactory(
        client=world.client, owner=employee, title="Old promise", done_at=timezone.now()
    )
    factories.CorrectiveActionFactory(
        client=world.client, owner=employee, complaint="Broken pallets", due_on=TODAY()
    )
    factories.ReferralFactory(referring_client=world.client, owner=employee, person_name="Nina")
    html = as_employee.get(reverse("feedback:work")).content.decode()
    overdue, today, upcoming = (
        html.split('data-testid="work-overdue"')[1].split("</section>")[0],
        html.split('data-testid="work-today"')[1].split("</section>")[0],
        html.split('data-testid="work-upcoming"')[1].split("</section>")[0],
    )
    assert 'data-testid="work-overdue-count">1<' in overdue
    assert 'data-testid="work-today-count">2<' in today
    assert "Send samples" in overdue and "Call back" not in overdue
    assert "Call back" in today and "Broken pallets" in today
    assert "Price list" in upcoming
    assert "Old promise" not in html
    assert "Nina" in html.split('data-testid="work-referrals"')[1]


def test_my_work_empty_state_says_what_comes_next(world, as_employee):
    html = as_employee.get(reverse("feedback:work")).content.decode()
    assert "Nothing to work right now" in html


def test_my_work_query_count_is_constant(world, employee, as_employee):
    def add():
        factories.FollowUpFactory(client=world.client, owner=employee)
        factories.CorrectiveActionFactory(client=world.client, owner=employee)
        factories.ReferralFactory(referring_client=world.client, owner=employee)

    add()
    one = queries(as_employee, reverse("feedback:work"))
    for _ in range(5):
        add()
    assert queries(as_employee, reverse("feedback:work")) == one


def test_mark_done_by_htmx_answers_the_row(world, employee, as_employee):
    follow_up = factories.FollowUpFactory(client=world.client, owner=employee)
    response = as_employee.post(
        reverse("feedback:follow_up_done", args=[follow_up.pk]), HTTP_HX_REQUEST="true"
    )
    assert 'data-testid="follow-up-done"' in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.done_by == employee


def test_reschedule_without_reason_is_refused_and_keeps_the_date(world, employee, as_employee):
    follow_up = factories.FollowUpFactory(client=world.client, owner=employee)
    url = reverse("feedback:follow_up_reschedule", args=[follow_up.pk])
    response = as_employee.post(url, {"due_on": "not a date", "reason": ""})
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
    response = as_employee.post(
        url, {"due_on": (TODAY() - dt.timedelta(1)).isoformat(), "reason": "x"}
    )
    assert "The new due date cannot be in the past." in response.content.decode()
    assert FollowUp.objects.get(pk=follow_up.pk).due_on == follow_up.due_on


def test_reschedule_moves_the_date_and_keeps_the_reason(world, employee, as_employee):
    follow_up = factories.FollowUpFactory(client=world.client, owner=employee)
    new_day = TODAY() + dt.timedelta(days=20)
    response = as_employee.post(
        reverse("feedback:follow_up_reschedule", args=[follow_up.pk]),
        {"due_on": new_day.isoformat(), "reason": "Client on holiday", "next": "/work/"},
    )
    assert response.status_code == 302 and response["Location"] == "/work/"
    follow_up.refresh_from_db()
    assert (follow_up.due_on, follow_up.reschedule_reason) == (new_day, "Client on holiday")


def test_reschedule_ignores_a_next_to_another_site(world, employee, as_employee):
    follow_up = factories.FollowUpFactory(client=world.client, owner=employee)
    response = as_employee.post(
        reverse("feedback:follow_up_reschedule", args=[follow_up.pk]),
        {"due_on": (TODAY() + dt.timedelta(4)).isoformat(), "reason": "x", "next": "https://evil"},
    )
    assert response["Location"] == reverse("feedback:work")


def test_manager_sees_the_programme_corrective_actions_overdue_first(
    world, employee, colleague, as_manager, as_other_manager
):
    later = factories.CorrectiveActionFactory(
        client=world.client, owner=employee, complaint="Later one", programme=world.programme
    )
    overdue = factories.CorrectiveActionFactory(
        client=world.colleague_client,
        owner=colleague,
        complaint="Overdue one",
        due_on=TODAY() - dt.timedelta(days=40),
        programme=world.programme,
    )
    done_long_ago = factories.CorrectiveActionFactory(
        client=world.client,
        owner=employee,
        complaint="Closed one",
        due_on=TODAY() - dt.timedelta(days=60),
        status="resolved",
        resolved_at=timezone.now(),
    )
    html = as_manager.get(reverse("feedback:corrective_action_list")).content.decode()
    assert html.index("Overdue one") < html.index("Closed one") < html.index("Later one")
    assert later and overdue and done_long_ago
    other = as_other_manager.get(reverse("feedback:corrective_action_list")).content.decode()
    assert "Overdue one" not in other and "No corrective actions yet" in other


def test_corrective_action_moved_to_client_informed_on_the_page(
    world, employee, as_manager, manager
):
    action = factories.CorrectiveActionFactory(
        client=world.client, owner=employee, programme=world.programme
    )
    url = reverse("feedback:corrective_action_move", args=[action.pk])
    for status, note in (
        ("in_progress", "Started"),
        ("resolved", "Fixed"),
        ("client_informed", "Told them"),
    ):
        as_manager.post(url, {"status": status, "note": note})
    action.refresh_from_db()
    assert action.status == "client_informed"
    assert list(CorrectiveActionStep.objects.filter(action=action).values_list("note", "by")) == [
        ("Started", manager.pk),
        ("Fixed", manager.pk),
        ("Told them", manager.pk),
    ]
    html = as_manager.get(reverse("feedback:corrective_action_detail", args=[action.pk])).content
    assert "Closed: the client was informed of the fix." in html.decode()


def test_corrective_action_skipping_a_step_shows_why(world, employee, as_employee):
    action = factories.CorrectiveActionFactory(client=world.client, owner=employee)
    response = as_employee.post(
        reverse("feedback:corrective_action_move", args=[action.pk]),
        {"status": "client_informed"},
        follow=True,
    )
    assert "The next step of this corrective action is “In progress”." in response.content.decode()
    action.refresh_from_db()
    assert action.status == "open"


def test_corrective_action_owner_outside_the_programme_sees_it(world, employee):
    from django.test import Client as HttpClient

    quality = factories.UserFactory(username="quality")
    action = factories.CorrectiveActionFactory(client=world.client, owner=quality)
    http = HttpClient()
    http.force_login(quality)
    response = http.get(reverse("feedback:corrective_action_detail", args=[action.pk]))
    assert response.status_code == 200


def test_opportunity_list_filters_and_totals_in_the_database(
    world, employee, colleague, as_manager
):
    factories.OpportunityFactory(
        client=world.client, owner=employee, programme=world.programme, expected_value=100
    )
    won = factories.OpportunityFactory(
        client=world.client, owner=employee, programme=world.programme, expected_value=50
    )
    won.status, won.won_value = "won", Decimal("70.50")
    won.save()
    factories.OpportunityFactory(
        client=world.colleague_client,
        owner=colleague,
        programme=world.programme,
        expected_value=1000,
        status="lost",
        lost_reason="Price",
    )
    response = as_manager.get(reverse("feedback:opportunity_list"))
    totals = response.context["totals"]
    assert (totals["count"], totals["open_count"], totals["won_count"], totals["lost_count"]) == (
        3,
        1,
        1,
        1,
    )
    assert (totals["open_value"], totals["won_value"]) == (Decimal("100"), Decimal("70.50"))
    filtered = as_manager.get(reverse("feedback:opportunity_list"), {"owner": colleague.pk})
    assert filtered.context["totals"]["count"] == 1
    assert [o.owner_id for o in filtered.context["page_obj"]] == [colleague.pk]


def test_opportunity_won_needs_a_value(world, employee, as_employee):
    opportunity = factories.OpportunityFactory(client=world.client, owner=employee)
    response = as_employee.post(reverse("feedback:opportunity_win", args=[opportunity.pk]), {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    as_employee.post(reverse("feedback:opportunity_win", args=[opportunity.pk]), {"value": "99"})
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.won_value) == ("won", Decimal("99"))


def test_referral_convert_page_creates_the_client_and_refuses_twice(
    world, employee, manager, as_manager
):
    referral = factories.ReferralFactory(
        referring_client=world.client, owner=employee, person_name="Nina Volkova"
    )
    url = reverse("feedback:referral_convert", args=[referral.pk])
    data = {
        "client_name": "Gamma Trade",
        "client_kind": "corporate",
        "contact_name": "Nina Volkova",
        "contact_role": "decision_maker",
        "programme": world.programme.pk,
    }
    response = as_manager.post(url, data)
    client = Client.objects.get(name="Gamma Trade")
    assert response["Location"] == client.get_absolute_url()
    assert client.enrolments.get().programme == world.programme
    response = as_manager.post(url, dict(data, client_name="Gamma again"))
    assert "This referral has already become a client." in response.content.decode()
    assert not Client.objects.filter(name="Gamma again").exists()


def test_notifications_open_marks_read_and_goes_to_the_object(world, employee, as_employee):
    note = factories.NotificationFactory(recipient=employee, link="/work/")
    other = factories.NotificationFactory(recipient=employee)
    assert 'data-testid="unread-count"><span class="visually-hidden">Unread: </span>2' in (
        as_employee.get(reverse("feedback:notification_list")).content.decode()
    )
    response = as_employee.get(reverse("feedback:notification_open", args=[note.pk]))
    assert response["Location"] == "/work/"
    note.refresh_from_db()
    assert note.read_at is not None
    as_employee.post(reverse("feedback:notification_read_all"))
    other.refresh_from_db()
    assert other.read_at is not None
    html = as_employee.get(reverse("feedback:notification_list")).content.decode()
    assert 'data-testid="unread-count"' not in html


def test_notification_settings_saved(world, employee, as_employee):
    as_employee.post(
        reverse("feedback:notification_settings"),
        {"language": "ru", "email_kinds": ["weekly_digest", "follow_up_due"]},
    )
    choices = NotificationSettings.objects.get(user=employee)
    assert choices.language == "ru"
    assert choices.wants_email("follow_up_due") and not choices.wants_email("meeting_today")


def test_the_bell_is_one_query(world, employee, as_employee):
    factories.NotificationFactory(recipient=employee)
    with CaptureQueriesContext(connection) as captured:
        as_employee.get(reverse("feedback:notification_bell"))
    bell = [q for q in captured if "feedback_notification" in q["sql"]]
    assert len(bell) == 1


@pytest.mark.parametrize(
    ("name", "make"),
    [
        (
            "feedback:corrective_action_list",
            lambda w, u: factories.CorrectiveActionFactory(
                client=w.client, owner=u, programme=w.programme
            ),
        ),
        (
            "feedback:opportunity_list",
            lambda w, u: factories.OpportunityFactory(
                client=w.client, owner=u, programme=w.programme
            ),
        ),
        (
            "feedback:referral_list",
            lambda w, u: factories.ReferralFactory(
                referring_client=w.client, owner=u, programme=w.programme
            ),
        ),
        ("feedback:notification_list", lambda w, u: factories.NotificationFactory(recipient=u)),
    ],
)
@pytest.mark.parametrize("role", ["employee", "manager"])
def test_list_query_count_is_constant(world, employee, request, name, make, role):
    http = request.getfixturevalue(f"as_{role}")
    user = request.getfixturevalue(role)
    owner = employee if name != "feedback:notification_list" else user
    make(world, owner)
    # The owner filter's people are read once, then kept in the cache (feedback.people): both
    # counts are of a page seen before.
    one = queries(http, reverse(name))
    for _ in range(6):
        make(world, owner)
    assert queries(http, reverse(name)) == one


def test_detail_pages_query_count_is_constant(world, employee, as_employee, manager):
    from feedback.services.followups import corrective_action_move

    action = factories.CorrectiveActionFactory(client=world.client, owner=employee)
    corrective_action_move(corrective_action=action, status="in_progress", by=employee)
    url = reverse("feedback:corrective_action_detail", args=[action.pk])
    one = queries(as_employee, url)
    corrective_action_move(corrective_action=action, status="resolved", by=manager)
    corrective_action_move(corrective_action=action, status="client_informed", by=employee)
    assert queries(as_employee, url) == one


def test_notification_unread_count_counts_only_my_unread(world, employee, colleague, as_employee):
    factories.NotificationFactory(recipient=employee)
    factories.NotificationFactory(recipient=employee, read_at=timezone.now())
    factories.NotificationFactory(recipient=colleague)
    assert Notification.objects.visible_to(employee).unread().count() == 1
    assert as_employee.get("/api/v1/notifications/unread-count/").json() == {"unread": 1}


def test_an_employee_sees_what_they_own_and_what_hangs_off_their_clients(
    world, employee, colleague, as_employee
):
    """The employee's items: owned (on anyone's client), or on a client of their list (whoever
    owns them); not a colleague's item on a colleague's client."""
    mine = factories.OpportunityFactory(client=world.colleague_client, owner=employee, topic="Mine")
    on_my_client = factories.OpportunityFactory(
        client=world.client, owner=colleague, topic="On my client"
    )
    factories.OpportunityFactory(client=world.colleague_client, owner=colleague, topic="Theirs")
    page = as_employee.get(reverse("feedback:opportunity_list")).context["page_obj"]
    assert sorted(o.topic for o in page) == sorted([mine.topic, on_my_client.topic])
    actions = [
        factories.CorrectiveActionFactory(client=world.colleague_client, owner=employee),
        factories.CorrectiveActionFactory(client=world.client, owner=colleague),
    ]
    factories.CorrectiveActionFactory(client=world.colleague_client, owner=colleague)
    page = as_employee.get(reverse("feedback:corrective_action_list")).context["page_obj"]
    assert sorted(a.pk for a in page) == sorted(a.pk for a in actions)


def test_list_pages_are_cut_before_their_names_are_read(world, employee, as_employee):
    """The page's rows are cut before their names are read (feedback.paging.rows_page): the
    second page holds exactly the next rows, in the list's order, with their client."""
    now = timezone.now()
    opportunities = []
    for i in range(55):
        opportunity = factories.OpportunityFactory(
            client=world.client, owner=employee, topic=f"Topic {i:02d}"
        )
        opportunity.created_at = now - dt.timedelta(minutes=i)
        opportunity.save(update_fields=["created_at"])
        opportunities.append(opportunity)
    url = reverse("feedback:opportunity_list")
    first = as_employee.get(url).context["page_obj"]
    second = as_employee.get(url, {"page": 2}).context["page_obj"]
    assert [o.topic for o in first] == [f"Topic {i:02d}" for i in range(50)]
    assert [o.topic for o in second] == [f"Topic {i:02d}" for i in range(50, 55)]
    assert {o.client_name for o in second} == {"Alfa Steel"}
    assert (first.paginator.count, second.number) == (55, 2)
    for i in range(52):
        factories.CorrectiveActionFactory(
            client=world.client,
            owner=employee,
            complaint=f"Complaint {i:02d}",
            due_on=TODAY() + dt.timedelta(days=i - 2),
        )
    url = reverse("feedback:corrective_action_list")
    second = as_employee.get(url, {"page": 2}).context["page_obj"]
    # Past due first (the first two), then by due date.
    assert [a.complaint for a in second] == ["Complaint 50", "Complaint 51"]
    assert [a.past_due for a in as_employee.get(url).context["page_obj"]][:3] == [0, 0, 1]


def test_the_work_lists_rows_are_escaped_and_complete(world, employee, as_employee):
    """Rows written in Python (feedback/rows.py): every cell, escaped as the template did."""
    employee.first_name, employee.last_name = "Ann <E>", ""
    employee.save()
    action = factories.CorrectiveActionFactory(
        client=world.client,
        owner=employee,
        complaint="Pallets <broken> & " + "x" * 80,
        due_on=dt.date(2020, 1, 2),
        programme=None,
    )
    html = as_employee.get(reverse("feedback:corrective_action_list")).content.decode()
    url = reverse("feedback:corrective_action_detail", args=[action.pk])
    assert (
        '    <tr class="table-danger">\n      <td>Alfa Steel</td>\n'
        f'      <td><a href="{url}">Pallets &lt;broken&gt; &amp; {"x" * 60}…</a></td>\n'
        "      <td>Ann &lt;E&gt;</td>\n"
        '      <td>2020-01-02 <span class="badge text-bg-danger">past due</span></td>\n'
        "      <td>Open</td>\n      <td>—</td>\n    </tr>"
    ) in html
    work = as_employee.get(reverse("feedback:work")).content.decode()
    assert (
        f'<a href="{url}">Corrective action: Pallets &lt;broken&gt; &amp; {"x" * 40}…</a></td>\n'
        "        <td>Alfa Steel</td>\n        <td>2020-01-02</td>\n"
    ) in work
    won = factories.OpportunityFactory(
        client=world.client, owner=employee, topic="More <steel>", expected_value=1234
    )
    won.status, won.won_value = "won", Decimal("1500.5")
    won.save()
    html = as_employee.get(reverse("feedback:opportunity_list")).content.decode()
    url = reverse("feedback:opportunity_detail", args=[won.pk])
    row = f'<td><a href="{url}">More &lt;steel&gt;</a></td>\n      <td>Ann &lt;E&gt;</td>\n'
    assert row in html
    # |floatformat:"2g" groups thousands with a narrow no-break space in English.
    assert '<td class="text-end">1\u202f234.00</td>' in html
    assert "<td>Won · 1\u202f500.50</td>" in html


def test_my_list_cards_are_complete_and_escaped(world, employee, as_employee):
    """My list's cards written in Python (feedback.rows.my_list_rows): every part, escaped."""
    Client.objects.filter(pk=world.client.pk).update(name="Alfa <Steel> & Co")
    factories.FollowUpFactory(
        client=world.client, owner=employee, due_on=TODAY() - dt.timedelta(days=3)
    )
    factories.FollowUpFactory(client=world.client, owner=employee, due_on=TODAY())
    html = as_employee.get(reverse("feedback:my_list")).content.decode()
    card = html.split('data-testid="my-list-row">')[1].split('data-testid="my-list-row"')[0]
    client_url = reverse("clients:client_detail", args=[world.client.pk])
    book_url = reverse("feedback:visit_book", args=[world.enrolment.pk])
    assert f'href="{client_url}">Alfa &lt;Steel&gt; &amp; Co</a>' in card
    assert '<div class="small text-muted">VIP 2026</div>' in card
    assert 'text-bg-secondary" data-testid="stage">Not contacted</span>' in card
    assert '<span class="text-muted">Next meeting:</span>\n        —</div>' in card
    assert '<span class="text-muted">Open follow-ups:</span> 2</div>' in card
    assert '<span class="badge text-bg-danger text-wrap">1 follow-up overdue</span>' in card
    assert f'<a class="btn btn-primary" href="{book_url}" data-testid="book-meeting">' in card
    assert f'<a class="btn btn-outline-secondary" href="{client_url}">Client card</a>' in card
    assert "border-danger" in html.split('data-testid="my-list-row"')[0].rsplit("<div", 1)[1]


def test_notification_rows_are_the_row_template_each(world, employee, as_employee):
    """The notifications page's rows written in Python (feedback.rows.notification_rows): each
    is what feedback/_notification_row.html (still htmx's answer for one row) writes."""
    import re

    from django.template.loader import render_to_string

    from feedback.enums import NotificationKind
    from vipcrm.lists import set_choice_labels

    read = factories.NotificationFactory(recipient=employee, message="Read <b> & done")
    read.read_at = timezone.now()
    read.save()
    factories.NotificationFactory(recipient=employee, message="Two\nlines <i>")
    response = as_employee.get(reverse("feedback:notification_list"))
    html = response.content.decode()
    notes = set_choice_labels(
        list(Notification.objects.filter(recipient=employee).order_by("-created_at", "-id")),
        kind=NotificationKind,
    )
    expected = "".join(
        render_to_string(
            "feedback/_notification_row.html", {"note": note}, request=response.wsgi_request
        )
        for note in notes
    )
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("TOKEN", expected) in token.sub("TOKEN", html)
    assert "Two<br>lines &lt;i&gt;" in html and "Read &lt;b&gt; &amp; done" in html
    assert html.count("Mark read</button>") == 1


def test_an_opportunity_row_names_its_position_else_the_clients_else_its_topic(
    world, employee, as_employee
):
    """The subject cell as the model says it (position, or the position the client buys, or the
    topic), read as values."""
    new = factories.PositionFactory(name="Rebar <A500>")
    bought = factories.ClientPositionFactory(
        client=world.client, position=factories.PositionFactory(name="Wire")
    )
    rows = {
        factories.OpportunityFactory(client=world.client, owner=employee, position=new): (
            "Rebar &lt;A500&gt;"
        ),
        factories.OpportunityFactory(
            client=world.client, owner=employee, kind="upsell", client_position=bought, topic=""
        ): "Wire",
        factories.OpportunityFactory(client=world.client, owner=employee, topic="Care"): "Care",
    }
    html = as_employee.get(reverse("feedback:opportunity_list")).content.decode()
    for opportunity, subject in rows.items():
        url = reverse("feedback:opportunity_detail", args=[opportunity.pk])
        assert f'<td><a href="{url}">{subject}</a></td>\n      <td>Ivan Petrov</td>' in html


@pytest.mark.parametrize("language", ["en", "ru"])
def test_amounts_are_written_as_floatformat_2g_writes_them(language):
    """The opportunities' amounts (feedback.views.opportunities.amount_format) are the filter's
    text, separators of the language included."""
    from django.template.defaultfilters import floatformat
    from django.utils import translation

    from feedback.views.opportunities import amount_format

    values = [None, 0, Decimal("0"), Decimal("-0.001"), Decimal("0.005"), Decimal("1.005"), 7]
    values += [Decimal("999.995"), Decimal("1234"), Decimal("1500.5"), Decimal("-98765.4321")]
    values += [Decimal("1234567.891"), Decimal("12345678901.2"), Decimal("-1234567.005")]
    values += [Decimal("100000"), Decimal("999999.999"), Decimal("-0.004"), 1234567]
    with translation.override(language):
        amount = amount_format()
        assert [amount(v) for v in values] == [floatformat(v, "2g") for v in values]


@pytest.mark.parametrize("length", [1, 5, 60, 80])
def test_truncated_is_truncatechars(length):
    """feedback.rows.truncated: the filter's text, combining marks and normalisation included."""
    from django.template.defaultfilters import truncatechars

    from feedback.rows import truncated

    texts = ["", "Late", "x" * 60, "x" * 61, "y" * 80, "z" * 81, "Опоздала доставка " * 5]
    texts += ["e\u0301" * 59, "e\u0301" * 70, "cafe\u0301", "\u0958 ok", "ﬁ <ligature> &"]
    assert [truncated(t, length) for t in texts] == [truncatechars(t, length) for t in texts]


# My work's follow-up rows as the template's loop wrote them (before feedback.rows).
FOLLOW_UP_LOOP = """{% load i18n row_urls %}{% translate "Rescheduled" as rescheduled %}{% translate "Mark done" as mark_done %}{% translate "Reschedule" as reschedule %}{% with next_here=request.path|urlencode %}{% for follow_up in follow_ups %}
      <tr id="follow-up-{{ follow_up.pk }}" data-testid="follow-up-row">
        <td><a href="{% row_url 'feedback:follow_up_detail' follow_up.pk %}">{{ follow_up.title }}</a></td>
        <td><a href="{% row_url 'clients:client_detail' follow_up.client_id %}">{{ follow_up.client_name }}</a></td>
        <td>{{ follow_up.due_text }}{% if follow_up.reschedule_reason %} <i class="bi bi-arrow-repeat text-muted" title="{{ follow_up.reschedule_reason }}" aria-label="{{ rescheduled }}"></i>{% endif %}</td>
        <td class="text-end text-nowrap">
          {% row_url 'feedback:follow_up_done' follow_up.pk as done_url %}<form method="post" action="{{ done_url }}" class="d-inline" hx-post="{{ done_url }}" hx-target="closest tr" hx-swap="outerHTML">{% csrf_token %}
            <button type="submit" class="btn btn-sm btn-success">{{ mark_done }}</button>
          </form>
          <a class="btn btn-sm btn-outline-secondary" href="{% row_url 'feedback:follow_up_reschedule' follow_up.pk %}?next={{ next_here }}">{{ reschedule }}</a>
        </td>
      </tr>
      {% endfor %}{% endwith %}"""  # noqa: E501 - the template's lines as they were


def test_my_work_follow_up_rows_are_the_former_template_loop(world, employee, as_employee):
    """feedback.rows.follow_up_work_rows writes what the template's loop wrote, escaped."""
    import re

    from django.template import RequestContext, Template

    Client.objects.filter(pk=world.client.pk).update(name="Alfa <Steel> & Co")
    factories.FollowUpFactory(
        client=world.client, owner=employee, title='Call <back> & "soon"', due_on=TODAY()
    )
    moved = factories.FollowUpFactory(
        client=world.client, owner=employee, title="Send prices", due_on=TODAY()
    )
    FollowUp.objects.filter(pk=moved.pk).update(reschedule_reason='Away "till" <Monday>')
    response = as_employee.get(reverse("feedback:work"))
    (section,) = [s for s in response.context["sections"] if s["slug"] == "today"]
    expected = Template(FOLLOW_UP_LOOP).render(
        RequestContext(response.wsgi_request, {"follow_ups": section["follow_ups"]})
    )
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    html = token.sub("TOKEN", response.content.decode())
    assert token.sub("TOKEN", "      " + expected) in html
    assert "Call &lt;back&gt; &amp; &quot;soon&quot;" in html
    assert 'title="Away &quot;till&quot; &lt;Monday&gt;"' in html


def test_a_page_past_the_last_is_the_last_and_a_wrong_number_the_first(
    world, employee, as_employee
):
    """feedback.paging.rows_page counts with the page's rows, and answers as Paginator.get_page:
    past the last page (or below the first) the last, not a number the first."""
    for i in range(53):
        factories.CorrectiveActionFactory(
            client=world.client,
            owner=employee,
            complaint=f"Complaint {i:02d}",
            due_on=TODAY() + dt.timedelta(days=i + 1),
        )
    url = reverse("feedback:corrective_action_list")
    for number, expected in [("1", 1), ("2", 2), ("9", 2), ("0", 2), ("x", 1), ("", 1)]:
        page = as_employee.get(url, {"page": number}).context["page_obj"]
        assert (page.number, page.paginator.count, page.paginator.num_pages) == (expected, 53, 2)
        first = 0 if expected == 1 else 50
        assert [a.complaint for a in page][:1] == [f"Complaint {first:02d}"]
    assert len(as_employee.get(url, {"status": "resolved"}).context["page_obj"]) == 0


def test_opportunity_page_totals_are_the_lists_aggregates(
    world, employee, colleague, manager, as_manager
):
    """The page's totals, read beside its ids as windows written out (``_total_windows``), are
    ``opportunity_totals`` (the API's aggregates) of the same list, on every page and filter."""
    from feedback.models import Opportunity
    from feedback.views.opportunities import opportunity_totals

    bought = {
        client: factories.ClientPositionFactory(client=client)
        for client in (world.client, world.colleague_client)
    }
    for n in range(53):
        client = world.client if n % 3 else world.colleague_client
        opportunity = factories.OpportunityFactory(
            client=client,
            owner=employee if n % 2 else colleague,
            programme=world.programme,
            kind="upsell" if n % 4 else "cross_sell",
            client_position=bought[client] if n % 4 else None,
            expected_value=Decimal(n) + Decimal("0.25"),
        )
        if n % 5 == 1:
            opportunity.status, opportunity.won_value = "won", Decimal(n) / 4
        elif n % 5 == 2:
            opportunity.status, opportunity.lost_reason = "lost", "Price"
        opportunity.save()
    url = reverse("feedback:opportunity_list")
    for query, expected in (
        ({}, Opportunity.objects.all()),
        ({"page": 2}, Opportunity.objects.all()),
        ({"owner": colleague.pk}, Opportunity.objects.filter(owner=colleague)),
        ({"status": "lost"}, Opportunity.objects.filter(status="lost")),
        (
            {"kind": "cross_sell", "status": "won"},
            Opportunity.objects.filter(kind="cross_sell", status="won"),
        ),
    ):
        assert as_manager.get(url, query).context["totals"] == opportunity_totals(expected)
    empty = as_manager.get(url, {"status": "won", "owner": manager.pk}).context["totals"]
    assert empty["count"] == 0 and empty["won_value"] is None


def test_a_follow_up_list_names_an_owner_who_has_left(world, employee, colleague, as_employee):
    """Owners' names come from the cached people (feedback.people); someone no longer active is
    not among them and is read by id."""
    colleague.first_name, colleague.last_name, colleague.is_active = "Olga", "Left", False
    colleague.save()
    factories.CorrectiveActionFactory(client=world.client, owner=colleague)
    factories.OpportunityFactory(client=world.client, owner=colleague)
    for name in ("feedback:corrective_action_list", "feedback:opportunity_list"):
        html = as_employee.get(reverse(name)).content.decode()
        assert "<td>Olga Left</td>" in html


def test_the_programme_filter_offers_the_programmes_one_may_see(
    world, employee, manager, as_employee, other_manager
):
    """The programme filter's options are the programmes the user may see (those they run or
    are in the pool of), newest first; another programme is refused as a choice."""
    other = factories.ProgrammeFactory(manager=other_manager, name="Other run")
    run = factories.ProgrammeFactory(manager=employee, name="Own run")  # runs it, no such role
    url = reverse("feedback:corrective_action_list")
    html = as_employee.get(url).content.decode()
    select = html.split('name="programme"')[1].split("</select>")[0]
    assert f'value="{world.programme.pk}">VIP 2026</option>' in select
    assert f'value="{run.pk}">Own run</option>' in select
    assert "Other run" not in select
    refused = as_employee.get(url, {"programme": other.pk})
    assert refused.context["filter"].errors["programme"]
    chosen = factories.CorrectiveActionFactory(client=world.client, owner=employee, programme=run)
    factories.CorrectiveActionFactory(client=world.client, owner=employee)
    page = as_employee.get(url, {"programme": run.pk}).context["page_obj"]
    assert [action.pk for action in page] == [chosen.pk]


def test_an_employees_items_are_found_by_index_or_by_a_hash_of_their_clients(
    postgresql, world, employee, colleague, as_employee
):
    """The employee's clients are asked twice in the list's query (feedback.querysets): as an
    array read first, which the client index of the items reads, and as ``IN (subquery)``,
    which a scan of the whole table probes in a hash instead of comparing each item with every
    id of the array."""
    factories.OpportunityFactory(client=world.client, owner=colleague, topic="On my client")
    factories.OpportunityFactory(client=world.colleague_client, owner=colleague, topic="Theirs")
    url = reverse("feedback:opportunity_list")
    as_employee.get(url)
    with CaptureQueriesContext(connection) as captured:
        page = as_employee.get(url).context["page_obj"]
    assert [o.topic for o in page] == ["On my client"]
    ids = next(q["sql"] for q in captured.captured_queries if "_total_count" in q["sql"])
    with connection.cursor() as cursor:  # a few rows: PostgreSQL scans them
        cursor.execute("EXPLAIN " + ids)
        scanned = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan on feedback_opportunity" in scanned
    assert re.search(r"\(hashed SubPlan \d+\) AND \(client_id = ANY \(\$", scanned), scanned
    indexed = plan(ids)  # as on a big table
    assert "Index Cond: (client_id = ANY ($" in indexed, indexed
    assert "Seq Scan on feedback_opportunity" not in indexed


def test_a_list_pages_names_are_read_for_its_rows_only(postgresql, world, employee, as_employee):
    """The opportunities' and corrective actions' pages read their rows, names and totals in
    one query (feedback.paging.rows_page): PostgreSQL sorts the list, keeps the page, and only
    then reads each row's client (and programme, position) name, for the 50 rows shown."""
    for i in range(55):
        factories.OpportunityFactory(client=world.client, owner=employee, topic=f"T{i}")
        factories.CorrectiveActionFactory(client=world.client, owner=employee, due_on=TODAY())
    for name, subqueries in (
        ("feedback:opportunity_list", 3),
        ("feedback:corrective_action_list", 2),
    ):
        url = reverse(name)
        as_employee.get(url)
        with CaptureQueriesContext(connection) as captured:
            page = as_employee.get(url).context["page_obj"]
        assert (len(page), page.paginator.count, page[0].client_name) == (50, 55, "Alfa Steel")
        (sql,) = [q["sql"] for q in captured.captured_queries if "_total_count" in q["sql"]]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql)
            plan = [row[0] for row in cursor.fetchall()]
        loops = [int(line.split("loops=")[1].rstrip(")")) for line in plan if "loops=" in line]
        # Each name's subquery ran once per row of the page; nothing ran once per row of the
        # list but the scan of the list itself.
        assert loops.count(50) >= subqueries, plan
        assert 55 not in loops, plan


def test_visible_programmes_are_read_by_sql_kept_for_each_kind_of_user(
    world, employee, colleague, manager, director, django_assert_num_queries
):
    """feedback.querysets.visible_programmes: the programmes ``Programme.objects.visible_to``
    gives, by SQL compiled once per kind of user (roles) and run with each user's id."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser

    from feedback import querysets
    from programme.models import Programme

    other = factories.ProgrammeFactory(manager=manager, name="Other")
    factories.StaffMemberFactory(programme=other, employee=colleague)
    querysets._VISIBLE_PROGRAMMES_SQL.clear()

    def fresh(user):  # a user object of this request, roles read
        user = get_user_model().objects.get(pk=user.pk)
        roles.role_names(user)
        return user

    def expected(user):
        return list(
            Programme.objects.visible_to(user)
            .order_by("-starts_on", "name")
            .values_list("pk", "name", "manager_id")
        )

    for user in (employee, colleague, manager, director):
        first, second, seen = fresh(user), fresh(user), expected(user)
        assert querysets.visible_programmes(first) == seen
        with django_assert_num_queries(1):
            assert querysets.visible_programmes(second) == seen
    assert {p[1] for p in querysets.visible_programmes(fresh(colleague))} == {"VIP 2026", "Other"}
    assert [p[1] for p in querysets.visible_programmes(fresh(employee))] == ["VIP 2026"]
    assert querysets.visible_programmes(AnonymousUser()) == []
    # management, a manager, and the two employees of one kind
    assert len(querysets._VISIBLE_PROGRAMMES_SQL) == 3


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("grouped", [False, True])
def test_a_cards_counts_are_written_as_localize_writes_them(language, grouped, settings):
    """My list's counts (feedback.rows.localized_count): what ``localize`` writes, separators
    of the language included, with or without thousand separators."""
    from django.utils import translation
    from django.utils.formats import localize

    from feedback.rows import localized_count

    settings.USE_THOUSAND_SEPARATOR = grouped
    values = [0, 7, 999, -999, 1000, -1000, 12345, 1234567, Decimal("12.5"), 3.5]
    with translation.override(language):
        assert [localized_count(v) for v in values] == [localize(v) for v in values]
