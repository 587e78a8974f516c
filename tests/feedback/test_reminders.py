"""Each reminder rule: what is due is notified (once), what is not is not; the digest's figures."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from feedback.models import Notification, NotificationSettings
from feedback.services import reminders
from tests import factories

TODAY = dt.date(2026, 11, 25)  # a Wednesday


def at(day, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def keys(user=None):
    rows = (
        Notification.objects.all() if user is None else Notification.objects.filter(recipient=user)
    )
    return sorted(rows.values_list("key", flat=True))


def test_meetings_today_and_tomorrow_are_reminded_others_not(world, employee):
    today = factories.VisitFactory(enrolment=world.enrolment, scheduled_at=at(TODAY, 15))
    tomorrow = factories.VisitFactory(
        enrolment=world.enrolment, scheduled_at=at(TODAY + dt.timedelta(days=1), 9)
    )
    factories.VisitFactory(enrolment=world.enrolment, scheduled_at=at(TODAY + dt.timedelta(days=2)))
    factories.VisitFactory(
        enrolment=world.enrolment, scheduled_at=at(TODAY, 11), status="cancelled", cancel_reason="x"
    )
    reminders.scan_meetings(today=TODAY)
    assert keys() == [
        f"meeting_today:visit:{today.pk}:2026-11-25",
        f"meeting_tomorrow:visit:{tomorrow.pk}:2026-11-26",
    ]
    note = Notification.objects.get(kind="meeting_today")
    assert note.recipient == employee
    assert note.message == "Meeting with Alfa Steel today at 15:00."
    assert note.subject == today


def test_follow_ups_due_today_and_overdue_not_future_or_done(world, employee):
    due = factories.FollowUpFactory(client=world.client, owner=employee, due_on=TODAY)
    late = factories.FollowUpFactory(
        client=world.client, owner=employee, due_on=TODAY - dt.timedelta(days=3)
    )
    factories.FollowUpFactory(client=world.client, owner=employee, due_on=TODAY + dt.timedelta(1))
    factories.FollowUpFactory(
        client=world.client, owner=employee, due_on=TODAY, done_at=timezone.now()
    )
    assert reminders.scan_follow_ups(today=TODAY) == 2
    assert keys(employee) == [
        f"follow_up_due:follow_up:{due.pk}:2026-11-25",
        f"follow_up_overdue:follow_up:{late.pk}:2026-11-22",
    ]
    assert Notification.objects.get(kind="follow_up_overdue").message == (
        "Follow-up overdue since 2026-11-22 for Alfa Steel: Send the price list"
    )


def test_running_a_scan_twice_notifies_once_and_e_mails_once(
    world, employee, django_capture_on_commit_callbacks
):
    factories.FollowUpFactory(client=world.client, owner=employee, due_on=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.scan_follow_ups(today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.scan_follow_ups(today=TODAY)
    assert Notification.objects.filter(recipient=employee).count() == 1
    assert len(mail.outbox) == 1
    assert Notification.objects.get().email_status == "sent"


def test_a_rescheduled_follow_up_is_a_new_event(world, employee):
    follow_up = factories.FollowUpFactory(client=world.client, owner=employee, due_on=TODAY)
    reminders.scan_follow_ups(today=TODAY)
    follow_up.due_on = TODAY + dt.timedelta(days=2)
    follow_up.save()
    reminders.scan_follow_ups(today=TODAY + dt.timedelta(days=2))
    assert Notification.objects.filter(recipient=employee).count() == 2


def test_no_meeting_booked_after_n_days(world, employee, colleague, settings):
    settings.REMINDER_NO_MEETING_AFTER_DAYS = 14
    world.enrolment.assigned_at = at(TODAY - dt.timedelta(days=14), 18)
    world.enrolment.save()
    world.colleague_enrolment.assigned_at = at(TODAY - dt.timedelta(days=13), 8)
    world.colleague_enrolment.save()
    booked = factories.EnrolmentFactory(
        programme=world.programme,
        assignee=employee,
        stage="meeting_booked",
        assigned_at=at(TODAY - dt.timedelta(days=40)),
    )
    assert booked
    reminders.scan_no_meeting_booked(today=TODAY)
    assert [n.subject for n in Notification.objects.all()] == [world.enrolment]
    assert Notification.objects.get().recipient == employee


def test_corrective_action_past_due_goes_to_owner_and_escalates_to_manager(
    world, employee, manager, settings
):
    settings.REMINDER_ESCALATE_AFTER_DAYS = 3
    quality = factories.UserFactory(username="quality")
    just_late = factories.CorrectiveActionFactory(
        client=world.client,
        owner=quality,
        programme=world.programme,
        due_on=TODAY - dt.timedelta(1),
    )
    long_late = factories.CorrectiveActionFactory(
        client=world.client,
        owner=quality,
        programme=world.programme,
        due_on=TODAY - dt.timedelta(3),
    )
    factories.CorrectiveActionFactory(client=world.client, owner=quality, due_on=TODAY)
    factories.CorrectiveActionFactory(
        client=world.client,
        owner=quality,
        due_on=TODAY - dt.timedelta(10),
        status="resolved",
        resolved_at=timezone.now(),
    )
    reminders.scan_corrective_actions(today=TODAY)
    assert keys(quality) == [
        f"corrective_action_overdue:ca:{just_late.pk}:2026-11-24",
        f"corrective_action_overdue:ca:{long_late.pk}:2026-11-22",
    ]
    assert keys(manager) == [f"corrective_action_escalated:ca:{long_late.pk}:2026-11-22"]


def test_corrective_action_outside_a_programme_escalates_to_the_client_programme_manager(
    world, manager
):
    late = factories.CorrectiveActionFactory(
        client=world.client, programme=None, due_on=TODAY - dt.timedelta(10)
    )
    reminders.scan_corrective_actions(today=TODAY)
    assert keys(manager) == [f"corrective_action_escalated:ca:{late.pk}:2026-11-15"]


def test_referrals_not_contacted_in_n_days(world, employee, settings):
    settings.REMINDER_REFERRAL_NOT_CONTACTED_DAYS = 7
    old = factories.ReferralFactory(
        referring_client=world.client, owner=employee, created_at=at(TODAY - dt.timedelta(7), 20)
    )
    factories.ReferralFactory(
        referring_client=world.client, owner=employee, created_at=at(TODAY - dt.timedelta(6), 1)
    )
    factories.ReferralFactory(
        referring_client=world.client,
        owner=employee,
        status="contacted",
        created_at=at(TODAY - dt.timedelta(30)),
    )
    reminders.scan_referrals(today=TODAY)
    assert keys(employee) == [f"referral_not_contacted:referral:{old.pk}"]


def test_key_contacts_not_verified_for_a_year_go_to_the_assignee(world, employee, colleague):
    stale = world.contact
    stale.verified_on = TODAY - dt.timedelta(days=366)
    stale.save()
    fresh = factories.KeyContactFactory(client=world.client, verified_on=TODAY - dt.timedelta(300))
    never = factories.KeyContactFactory(client=world.client)
    type(never).objects.filter(pk=never.pk).update(created_at=at(TODAY - dt.timedelta(400)))
    factories.KeyContactFactory(
        client=world.client, verified_on=TODAY - dt.timedelta(800), left_company=True
    )
    world.colleague_contact.verified_on = TODAY - dt.timedelta(days=500)
    world.colleague_contact.save()
    assert fresh
    reminders.scan_contacts(today=TODAY)
    assert keys(employee) == sorted(
        [
            f"contact_not_verified:contact:{stale.pk}:{stale.verified_on.isoformat()}",
            f"contact_not_verified:contact:{never.pk}:never",
        ]
    )
    assert keys(colleague) == [
        f"contact_not_verified:contact:{world.colleague_contact.pk}:"
        f"{world.colleague_contact.verified_on.isoformat()}"
    ]


def test_weekly_digest_figures_are_exact(world, employee, manager):
    world.programme.deadline = TODAY + dt.timedelta(days=28)
    world.programme.save()
    world.enrolment.stage = "visited"
    world.enrolment.save()
    factories.EnrolmentFactory(programme=world.programme, assignee=employee)
    factories.VisitFactory(
        enrolment=world.enrolment, status="held", scheduled_at=at(TODAY - dt.timedelta(2))
    )
    factories.VisitFactory(
        enrolment=world.enrolment, status="held", scheduled_at=at(TODAY - dt.timedelta(20))
    )
    factories.FollowUpFactory(
        client=world.client, programme=world.programme, due_on=TODAY - dt.timedelta(1)
    )
    factories.FollowUpFactory(client=world.client, programme=world.programme, due_on=TODAY)
    factories.CorrectiveActionFactory(
        client=world.client, programme=world.programme, due_on=TODAY - dt.timedelta(1)
    )
    factories.CorrectiveActionFactory(
        client=world.client, programme=world.programme, due_on=TODAY + dt.timedelta(5)
    )
    [digest] = reminders.weekly_digest_figures(programmes=[world.programme], today=TODAY)
    assert (digest.clients, digest.visited, digest.coverage) == (3, 1, 33)
    assert digest.visits_last_week == 1
    assert digest.needed_per_week == 0.5  # 2 clients left, 4 weeks
    assert (digest.overdue_follow_ups, digest.overdue_corrective_actions) == (1, 1)
    assert digest.open_complaints == 2
    reminders.scan_weekly_digest(today=TODAY)
    reminders.scan_weekly_digest(today=TODAY + dt.timedelta(days=1))
    note = Notification.objects.get(recipient=manager)
    assert note.key == f"weekly_digest:{manager.pk}:2026-W48"
    assert note.message.splitlines() == [
        "Your weekly digest of the VIP programme:",
        "• VIP 2026: coverage 33% (1 of 3 clients visited); 1 visits in the last 7 days, 0.5 a "
        "week needed to meet the deadline 2026-12-23; 2 overdue items (1 follow-ups, 1 corrective "
        "actions); 2 open complaints.",
    ]


def test_reminder_e_mail_is_in_the_recipient_language_with_text_and_html(
    world, employee, django_capture_on_commit_callbacks
):
    NotificationSettings.objects.create(user=employee, language="ru")
    factories.FollowUpFactory(client=world.client, owner=employee, due_on=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.scan_follow_ups(today=TODAY)
    [message] = mail.outbox
    assert message.to == [employee.email]
    assert message.subject.startswith("VIP CRM")
    note = Notification.objects.get()
    assert note.message == "Сегодня срок задачи по клиенту Alfa Steel: Send the price list"
    assert message.body.startswith("Здравствуйте, Ivan Petrov!")
    assert note.message in message.body
    assert "Открыть в VIP CRM: http://127.0.0.1:8000/follow-ups/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert '<html lang="ru">' in html and "Открыть в VIP CRM</a>" in html


def test_muted_kind_is_notified_in_the_app_without_e_mail(
    world, employee, django_capture_on_commit_callbacks
):
    NotificationSettings.objects.create(user=employee, muted_email_kinds=["follow_up_due"])
    factories.FollowUpFactory(client=world.client, owner=employee, due_on=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.scan_follow_ups(today=TODAY)
    assert Notification.objects.get().email_status == "not_needed"
    assert mail.outbox == []


@pytest.mark.parametrize("scan", sorted(reminders.SCANS))
def test_every_scan_runs_on_an_empty_database(db, scan):
    assert reminders.run_scan(scan=scan, today=TODAY) == 0
