import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from feedback import ics
from feedback.models import CalendarFeed, Visit
from feedback.services import visits as services
from tests import factories


def _later(days=2):
    return (timezone.now() + dt.timedelta(days=days)).replace(microsecond=0)


def test_visit_book_writes_the_visit_and_moves_the_client_to_meeting_booked(world, employee):
    when = _later()

    visit = services.visit_book(
        enrolment=world.enrolment,
        by=employee,
        scheduled_at=when,
        place="Office, room 5",
        contacts=[world.contact],
    )

    visit = Visit.objects.get()
    assert (visit.client, visit.enrolment, visit.employee, visit.created_by) == (
        world.client,
        world.enrolment,
        employee,
        employee,
    )
    assert (visit.scheduled_at, visit.place, visit.status) == (when, "Office, room 5", "planned")
    assert list(visit.contacts.all()) == [world.contact]
    world.enrolment.refresh_from_db()
    assert world.enrolment.stage == "meeting_booked"


def test_visit_book_twice_at_the_same_time_makes_one_visit(world, employee):
    when = _later()
    first = services.visit_book(enrolment=world.enrolment, by=employee, scheduled_at=when)
    second = services.visit_book(enrolment=world.enrolment, by=employee, scheduled_at=when)
    assert first.pk == second.pk
    assert Visit.objects.count() == 1


def test_visit_book_in_the_past_is_refused(world, employee):
    with pytest.raises(ValidationError) as error:
        services.visit_book(
            enrolment=world.enrolment,
            by=employee,
            scheduled_at=timezone.now() - dt.timedelta(hours=1),
        )
    assert "in the past" in str(error.value)
    assert Visit.objects.count() == 0
    world.enrolment.refresh_from_db()
    assert world.enrolment.stage == "not_contacted"


def test_visit_book_with_a_contact_of_another_client_is_refused(world, employee):
    with pytest.raises(ValidationError) as error:
        services.visit_book(
            enrolment=world.enrolment,
            by=employee,
            scheduled_at=_later(),
            contacts=[world.colleague_contact],
        )
    assert "contact of another client" in str(error.value)
    assert Visit.objects.count() == 0


def test_visit_book_by_someone_else_than_the_assignee_is_refused(world, colleague):
    with pytest.raises(ValidationError):
        services.visit_book(enrolment=world.enrolment, by=colleague, scheduled_at=_later())
    assert Visit.objects.count() == 0


def test_visit_reschedule_keeps_the_reason(world, employee):
    visit = services.visit_book(enrolment=world.enrolment, by=employee, scheduled_at=_later())
    new_time = _later(5)

    services.visit_reschedule(
        visit=visit, by=employee, scheduled_at=new_time, reason="Client is travelling"
    )

    visit.refresh_from_db()
    assert (visit.scheduled_at, visit.reschedule_reason) == (new_time, "Client is travelling")


def test_visit_reschedule_needs_a_reason_and_a_future_time(world, employee):
    visit = services.visit_book(enrolment=world.enrolment, by=employee, scheduled_at=_later())
    with pytest.raises(ValidationError, match="Say why"):
        services.visit_reschedule(visit=visit, by=employee, scheduled_at=_later(3), reason=" ")
    with pytest.raises(ValidationError, match="in the past"):
        services.visit_reschedule(
            visit=visit, by=employee, scheduled_at=_later(-1), reason="Earlier"
        )


def test_visit_cancel_returns_the_client_to_not_contacted(world, employee):
    visit = services.visit_book(enrolment=world.enrolment, by=employee, scheduled_at=_later())

    services.visit_cancel(visit=visit, by=employee, reason="Director is ill")
    services.visit_cancel(visit=visit, by=employee, reason="Director is ill")  # double click

    visit.refresh_from_db()
    assert (visit.status, visit.cancel_reason) == ("cancelled", "Director is ill")
    world.enrolment.refresh_from_db()
    assert world.enrolment.stage == "not_contacted"


def test_visit_cancel_keeps_meeting_booked_when_another_meeting_is_planned(world, employee):
    first = services.visit_book(enrolment=world.enrolment, by=employee, scheduled_at=_later())
    services.visit_book(enrolment=world.enrolment, by=employee, scheduled_at=_later(4))
    services.visit_cancel(visit=first, by=employee, reason="Moved to the other one")
    world.enrolment.refresh_from_db()
    assert world.enrolment.stage == "meeting_booked"


def test_visit_cancel_needs_a_reason(world, employee):
    visit = services.visit_book(enrolment=world.enrolment, by=employee, scheduled_at=_later())
    with pytest.raises(ValidationError, match="Say why"):
        services.visit_cancel(visit=visit, by=employee, reason="")
    visit.refresh_from_db()
    assert visit.status == "planned"


def test_visit_changes_by_a_colleague_are_refused(world, employee, colleague):
    visit = services.visit_book(enrolment=world.enrolment, by=employee, scheduled_at=_later())
    with pytest.raises(ValidationError):
        services.visit_cancel(visit=visit, by=colleague, reason="No")
    with pytest.raises(ValidationError):
        services.visit_reschedule(visit=visit, by=colleague, scheduled_at=_later(3), reason="x")


def test_calendar_feed_create_is_one_feed_and_regenerate_revokes_the_old(employee):
    first = services.calendar_feed_create(user=employee)
    assert services.calendar_feed_create(user=employee) == first

    second = services.calendar_feed_regenerate(user=employee)

    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.revoked_at is None and second.token != first.token
    services.calendar_feed_revoke(user=employee)
    assert CalendarFeed.objects.filter(revoked_at__isnull=True).count() == 0


def test_ics_escapes_text_and_folds_long_lines_with_crlf(world, employee):
    visit = factories.VisitFactory(
        enrolment=world.enrolment,
        scheduled_at=dt.datetime(2030, 3, 1, 9, 30, tzinfo=dt.UTC),
        place="Tverskaya 1; floor 3, room \\7",
    )
    visit.contacts.add(world.contact)
    visit.client.name = "Alfa Steel, " + "Очень длинное название " * 5
    text = ics.calendar([visit])

    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "LOCATION:Tverskaya 1\\; floor 3\\, room \\\\7\r\n" in text
    assert "DTSTART:20300301T093000Z\r\n" in text
    assert "DTEND:20300301T103000Z\r\n" in text
    assert f"UID:visit-{visit.pk}@vipcrm\r\n" in text
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 75
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:VIP visit: Alfa Steel\\, Очень длинное" in unfolded
    assert "Key contacts: Pavel Ivanov" in unfolded


def test_visit_reschedule_changes_the_contacts_to_meet_and_refuses_a_foreign_one(world, employee):
    visit = services.visit_book(enrolment=world.enrolment, by=employee, scheduled_at=_later())
    other = factories.KeyContactFactory(client=world.client, full_name="Second Person")

    services.visit_reschedule(
        visit=visit, by=employee, scheduled_at=visit.scheduled_at, reason="", contacts=[other]
    )

    assert list(visit.contacts.all()) == [other]
    with pytest.raises(ValidationError, match="contact of another client"):
        services.visit_reschedule(
            visit=visit,
            by=employee,
            scheduled_at=visit.scheduled_at,
            reason="",
            contacts=[world.colleague_contact],
        )
    assert list(visit.contacts.all()) == [other]
