import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback.models import CalendarFeed, CorrectiveAction, Opportunity, Referral, Visit
from feedback.services.visits import visit_book
from tests import factories


def _when(days=2):
    return (timezone.localtime() + dt.timedelta(days=days)).replace(second=0, microsecond=0)


@pytest.fixture
def visit(world, employee):
    return visit_book(enrolment=world.enrolment, by=employee, scheduled_at=_when())


def test_my_list_shows_the_personal_list_with_stage_and_marks(world, as_employee, employee):
    factories.FollowUpFactory(
        client=world.client, owner=employee, due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    response = as_employee.get(reverse("feedback:my_list"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Alfa Steel" in text
    assert "Beta Foods" not in text  # the colleague's client
    assert "Not contacted" in text
    assert "1 follow-up overdue" in text
    assert reverse("feedback:visit_book", args=[world.enrolment.pk]) in text


def test_my_list_filters_by_stage_and_sorts(world, as_employee, employee):
    other = factories.EnrolmentFactory(
        programme=world.programme,
        client=factories.ClientFactory(name="Zeta Oil"),
        assignee=employee,
        stage="visited",
    )
    response = as_employee.get(reverse("feedback:my_list"), {"stage": "visited"})
    assert "Zeta Oil" in response.content.decode()
    assert "Alfa Steel" not in response.content.decode()
    response = as_employee.get(reverse("feedback:my_list"), {"ordering": "-client"})
    text = response.content.decode()
    assert text.index("Zeta Oil") < text.index("Alfa Steel")
    assert other.pk


def test_my_list_empty_state_says_what_to_do(db, as_employee):
    response = as_employee.get(reverse("feedback:my_list"))
    assert "Your personal list is empty" in response.content.decode()


def _my_list_rows(count, employee, programme):
    for _index in range(count):
        enrolment = factories.EnrolmentFactory(programme=programme, assignee=employee)
        factories.VisitFactory(enrolment=enrolment)
        factories.FollowUpFactory(client=enrolment.client, owner=employee)


def test_my_list_query_count_is_the_same_for_one_and_many_rows(
    world, employee, as_employee, django_assert_num_queries
):
    url = reverse("feedback:my_list")
    as_employee.get(url)  # warm up the session
    with CaptureQueriesContext(connection) as one:
        as_employee.get(url)
    _my_list_rows(8, employee, world.programme)
    with django_assert_num_queries(len(one)):
        response = as_employee.get(url)
    assert response.content.decode().count('data-testid="my-list-row"') == 9


def test_visit_book_page_books_and_moves_the_stage(world, as_employee):
    when = _when(3)
    response = as_employee.post(
        reverse("feedback:visit_book", args=[world.enrolment.pk]),
        {
            "scheduled_at": when.strftime("%Y-%m-%dT%H:%M"),
            "place": "Their office",
            "contacts": [world.contact.pk],
        },
    )
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:visit_detail", args=[visit.pk])
    assert (visit.scheduled_at, visit.place) == (when, "Their office")
    world.enrolment.refresh_from_db()
    assert world.enrolment.stage == "meeting_booked"


def test_visit_book_page_refuses_the_past_and_another_clients_contact(world, as_employee):
    url = reverse("feedback:visit_book", args=[world.enrolment.pk])
    response = as_employee.post(
        url, {"scheduled_at": _when(-1).strftime("%Y-%m-%dT%H:%M"), "place": "Kept"}
    )
    assert "The meeting is in the past" in response.content.decode()
    assert 'value="Kept"' in response.content.decode()
    response = as_employee.post(
        url,
        {
            "scheduled_at": _when(2).strftime("%Y-%m-%dT%H:%M"),
            "contacts": [world.colleague_contact.pk],
        },
    )
    assert "is not a contact of this client" in response.content.decode()
    assert Visit.objects.count() == 0


def test_visit_reschedule_and_cancel_pages(world, as_employee, visit):
    new_time = _when(6)
    as_employee.post(
        reverse("feedback:visit_reschedule", args=[visit.pk]),
        {"scheduled_at": new_time.strftime("%Y-%m-%dT%H:%M"), "place": "", "reason": "Busy"},
    )
    visit.refresh_from_db()
    assert (visit.scheduled_at, visit.reschedule_reason) == (new_time, "Busy")
    response = as_employee.post(reverse("feedback:visit_cancel", args=[visit.pk]), {"reason": ""})
    assert "This field is required" in response.content.decode()
    as_employee.post(reverse("feedback:visit_cancel", args=[visit.pk]), {"reason": "Ill"})
    visit.refresh_from_db()
    assert (visit.status, visit.cancel_reason) == ("cancelled", "Ill")


def _report_post(world, action, **extra):
    data = {
        "action": action,
        "version": "",
        "met_contacts": [str(world.contact.pk)],
        "score_goods": "4",
        "score_services": "4",
        "score_service": "5",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "1",
        "contacts-0-contact": str(world.contact.pk),
        "contacts-0-outcome": "confirmed",
        "contacts-0-role": "decision_maker",
    }
    for prefix in (
        "new_contacts",
        "complaints",
        "upsells",
        "cross_sells",
        "referrals",
        "follow_ups",
    ):
        data[f"{prefix}-TOTAL_FORMS"] = "1"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    data.update(extra)
    return data


def test_report_page_saves_a_draft_and_shows_it_back(world, as_employee, visit):
    url = reverse("feedback:report_edit", args=[visit.pk])
    data = _report_post(
        world,
        "save",
        score_goods="9",
        market_position="Leader",
        **{"complaints-0-complaint": "Late"},
    )
    response = as_employee.post(url, data)
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.report.draft["score_goods"] == "9"
    assert visit.report.draft["complaints"][0]["complaint"] == "Late"
    page = as_employee.get(url).content.decode()
    assert "Leader" in page and 'value="9"' in page and "Late" in page


def test_report_page_finish_with_errors_keeps_the_draft(world, as_employee, visit):
    url = reverse("feedback:report_edit", args=[visit.pk])
    response = as_employee.post(url, _report_post(world, "finish", score_goods="6"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 5" in text
    assert "Your draft is saved" in text
    visit.refresh_from_db()
    assert visit.report.status == "draft" and visit.report.draft["score_goods"] == "6"


def test_report_page_finish_writes_everything_and_the_card_shows_it(
    world, as_employee, visit, employee
):
    cp = factories.ClientPositionFactory(client=world.client, position__name="Steel pipes")
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    url = reverse("feedback:report_edit", args=[visit.pk])
    data = _report_post(
        world,
        "finish",
        **{
            "new_contacts-0-full_name": "Nina New",
            "new_contacts-0-role": "influencer",
            "new_contacts-0-met": "on",
            "complaints-0-complaint": "Scratched pipes",
            "complaints-0-area": "goods",
            "complaints-0-due_on": due,
            "upsells-0-client_position": str(cp.pk),
            "upsells-0-expected_value": "1000",
            "cross_sells-0-topic": "Training",
            "referrals-0-person_name": "Oleg Ref",
            "referrals-0-phone": "+7 1",
            "referrals-0-referring_contact": str(world.contact.pk),
            "follow_ups-0-title": "Send prices",
            "follow_ups-0-due_on": due,
        },
    )
    response = as_employee.post(url, data)
    assert response.status_code == 302
    as_employee.post(url, data)  # double click: the report is finished, nothing doubles
    assert CorrectiveAction.objects.count() == 1
    assert Opportunity.objects.count() == 2
    assert Referral.objects.count() == 1
    card = as_employee.get(reverse("clients:client_detail", args=[world.client.pk])).content
    card = card.decode()
    for text in (
        "Nina New",
        "Scratched pipes",
        "Upsell: Steel pipes",
        "Cross-sell: Training",
        "Oleg Ref",
        "Send prices",
        "Visited",
        "Report: Finished",
    ):
        assert text in card, text


def test_report_page_corrects_a_finished_report(world, as_employee, visit):
    url = reverse("feedback:report_edit", args=[visit.pk])
    as_employee.post(url, _report_post(world, "finish"))
    response = as_employee.post(
        url,
        {
            "met_contacts": [str(world.contact.pk)],
            "score_goods": "2",
            "score_services": "4",
            "score_service": "5",
        },
    )
    assert response.status_code == 302
    detail = as_employee.get(reverse("feedback:visit_detail", args=[visit.pk])).content.decode()
    assert "Quality of goods: 4 → 2" in detail


def test_colleague_gets_404_and_management_403_on_visit_pages(
    world, visit, as_colleague, as_director
):
    for name in ("visit_detail", "report_edit", "visit_cancel", "visit_reschedule"):
        assert as_colleague.get(reverse(f"feedback:{name}", args=[visit.pk])).status_code == 404
    assert as_director.get(reverse("feedback:visit_detail", args=[visit.pk])).status_code == 200
    response = as_director.post(reverse("feedback:visit_cancel", args=[visit.pk]), {"reason": "x"})
    assert response.status_code == 403
    visit.refresh_from_db()
    assert visit.status == "planned"


def test_calendar_feed_lists_planned_meetings_and_a_revoked_token_stops_working(
    world, visit, employee, as_employee, client
):
    as_employee.post(reverse("feedback:calendar_feed"), {"action": "create"})
    feed = CalendarFeed.objects.get(user=employee)
    url = reverse("feedback:calendar_ics", args=[feed.token])
    response = client.get(url)
    body = response.content.decode()
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert f"UID:visit-{visit.pk}@testserver" in body
    assert "SUMMARY:VIP visit: Alfa Steel" in body

    as_employee.post(reverse("feedback:calendar_feed"), {"action": "revoke"})
    assert client.get(url).status_code == 404


def test_my_list_only_overdue_shows_the_clients_with_something_overdue(
    world, as_employee, employee
):
    late = factories.EnrolmentFactory(
        programme=world.programme,
        client=factories.ClientFactory(name="Late Ltd"),
        assignee=employee,
    )
    factories.CorrectiveActionFactory(
        client=late.client, due_on=timezone.localdate() - dt.timedelta(days=2)
    )
    text = as_employee.get(reverse("feedback:my_list"), {"overdue": "1"}).content.decode()
    assert "Late Ltd" in text
    assert "1 corrective action past due" in text
    assert "Alfa Steel" not in text


def test_calendar_page_shows_only_the_users_own_feed(world, employee, as_colleague):
    from feedback.services.visits import calendar_feed_create

    feed = calendar_feed_create(user=employee)
    text = as_colleague.get(reverse("feedback:calendar_feed")).content.decode()
    assert feed.token not in text
    assert "You have no calendar link yet" in text


def test_visit_detail_query_count_is_the_same_for_one_and_many_report_items(
    world, employee, as_employee, django_assert_num_queries
):
    from feedback.services.reports import visit_report_finish, visit_report_start

    visit = visit_book(enrolment=world.enrolment, by=employee, scheduled_at=_when())
    report = visit_report_start(visit=visit, by=employee)
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()

    def items(count):
        return {
            "met_contacts": [world.contact.pk],
            "score_goods": 4,
            "score_services": 4,
            "score_service": 4,
            "new_contacts": [
                {"full_name": f"Person {n}", "role": "user", "met": True} for n in range(count)
            ],
            "complaints": [{"complaint": f"C{n}", "due_on": due} for n in range(count)],
            "cross_sells": [{"topic": f"T{n}"} for n in range(count)],
            "referrals": [{"person_name": f"R{n}", "phone": "1"} for n in range(count)],
            "follow_ups": [{"title": f"F{n}", "due_on": due} for n in range(count)],
        }

    visit_report_finish(report=report, by=employee, data=items(1))
    url = reverse("feedback:visit_detail", args=[visit.pk])
    as_employee.get(url)
    with CaptureQueriesContext(connection) as one:
        as_employee.get(url)
    other = visit_book(enrolment=world.enrolment, by=employee, scheduled_at=_when(4))
    visit_report_finish(
        report=visit_report_start(visit=other, by=employee), by=employee, data=items(6)
    )
    with django_assert_num_queries(len(one)):
        response = as_employee.get(reverse("feedback:visit_detail", args=[other.pk]))
    # Each new person shows twice: among who was met, and among the contact checks.
    assert response.content.decode().count("Person ") == 12


def test_my_list_figures_count_what_each_says(world, employee):
    """The per-row figures (feedback.my_list, written as SQL): the first planned meeting, the
    pending follow-ups and the overdue ones, the open actions past due, the planned visits
    already past; what is done, resolved, cancelled or another client's does not count."""
    from feedback.my_list import personal_list, personal_page

    now, today = timezone.now(), timezone.localdate()
    enrolment = world.enrolment
    late = factories.VisitFactory(enrolment=enrolment, scheduled_at=now - dt.timedelta(days=1))
    factories.VisitFactory(enrolment=enrolment, scheduled_at=now + dt.timedelta(days=3))
    factories.VisitFactory(
        enrolment=enrolment,
        scheduled_at=now - dt.timedelta(days=9),
        status="cancelled",
        cancel_reason="Ill",
    )
    factories.FollowUpFactory(client=world.client, due_on=today - dt.timedelta(days=1))
    factories.FollowUpFactory(client=world.client, due_on=today + dt.timedelta(days=1))
    factories.FollowUpFactory(client=world.client, due_on=today - dt.timedelta(days=5), done_at=now)
    factories.FollowUpFactory(client=world.colleague_client, due_on=today - dt.timedelta(days=1))
    for status in ("open", "in_progress", "resolved", "client_informed"):
        closed = {"resolved_at": now} if status in ("resolved", "client_informed") else {}
        if status == "client_informed":
            closed["client_informed_at"] = now
        factories.CorrectiveActionFactory(
            client=world.client, status=status, due_on=today - dt.timedelta(days=2), **closed
        )
    factories.CorrectiveActionFactory(client=world.client, due_on=today)
    # The figures asked for the page only (as My list by name), and with the list's own.
    (row,) = personal_page(personal_list(employee, figures=False), 1, 25, figures=False)
    (same,) = personal_page(personal_list(employee), 1, 25, figures=True)
    assert vars(same) == vars(row)
    figures = (
        row.next_meeting,
        row.next_visit_id,
        row.open_follow_ups,
        row.overdue_follow_ups,
        row.overdue_actions,
        row.unreported_visits,
    )
    assert figures == (late.scheduled_at, late.pk, 2, 1, 2, 1)
    listed = personal_list(employee).get()
    assert (listed.client.name, listed.overdue_actions, listed.next_visit_id) == (
        "Alfa Steel",
        2,
        late.pk,
    )
