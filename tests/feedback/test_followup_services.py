"""The lifecycles of follow-ups, corrective actions, opportunities and referrals."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clients.models import Client, KeyContact
from feedback.models import CorrectiveActionStep, Referral
from feedback.services import followups as services
from programme.models import Enrolment
from tests import factories

TODAY = timezone.localdate


def test_follow_up_mark_done_records_who_and_when_once(world, employee, colleague):
    follow_up = factories.FollowUpFactory(client=world.client, owner=employee)
    services.follow_up_mark_done(follow_up=follow_up, by=employee)
    follow_up.refresh_from_db()
    first = follow_up.done_at
    assert first is not None and follow_up.done_by == employee
    services.follow_up_mark_done(follow_up=follow_up, by=colleague)
    follow_up.refresh_from_db()
    assert follow_up.done_at == first and follow_up.done_by == employee


def test_follow_up_reschedule_keeps_the_reason(world, employee):
    follow_up = factories.FollowUpFactory(client=world.client, owner=employee)
    new_day = TODAY() + dt.timedelta(days=10)
    services.follow_up_reschedule(
        follow_up=follow_up, due_on=new_day, reason="Client on holiday", by=employee
    )
    follow_up.refresh_from_db()
    assert (follow_up.due_on, follow_up.reschedule_reason) == (new_day, "Client on holiday")


@pytest.mark.parametrize(
    ("days", "reason", "message"),
    [
        (5, "  ", "Say why the follow-up is rescheduled."),
        (-1, "Late", "The new due date cannot be in the past."),
    ],
)
def test_follow_up_reschedule_refuses_bad_input(world, employee, days, reason, message):
    follow_up = factories.FollowUpFactory(client=world.client, owner=employee)
    before = follow_up.due_on
    with pytest.raises(ValidationError) as error:
        services.follow_up_reschedule(
            follow_up=follow_up,
            due_on=TODAY() + dt.timedelta(days=days),
            reason=reason,
            by=employee,
        )
    assert message in str(error.value)
    follow_up.refresh_from_db()
    assert follow_up.due_on == before


def test_follow_up_reschedule_refuses_a_done_one(world, employee):
    follow_up = factories.FollowUpFactory(client=world.client, owner=employee)
    services.follow_up_mark_done(follow_up=follow_up, by=employee)
    with pytest.raises(ValidationError, match="already done"):
        services.follow_up_reschedule(
            follow_up=follow_up, due_on=TODAY() + dt.timedelta(days=3), reason="x", by=employee
        )


def test_corrective_action_runs_through_every_step_with_who_when_note(world, employee, manager):
    action = services.corrective_action_open(
        client=world.client,
        complaint="Late deliveries",
        owner=employee,
        due_on=TODAY() + dt.timedelta(days=7),
        opened_by=employee,
        programme=world.programme,
    )
    services.corrective_action_move(
        corrective_action=action, status="in_progress", by=employee, note="Called logistics"
    )
    services.corrective_action_move(
        corrective_action=action, status="resolved", by=employee, note="New carrier"
    )
    services.corrective_action_move(
        corrective_action=action, status="client_informed", by=manager, note="Phoned the CEO"
    )
    action.refresh_from_db()
    assert action.status == "client_informed"
    assert action.resolved_at is not None and action.client_informed_at is not None
    steps = list(
        CorrectiveActionStep.objects.filter(action=action).values_list("status", "by", "note")
    )
    assert steps == [
        ("open", employee.pk, ""),
        ("in_progress", employee.pk, "Called logistics"),
        ("resolved", employee.pk, "New carrier"),
        ("client_informed", manager.pk, "Phoned the CEO"),
    ]


def test_corrective_action_refuses_a_skipped_step_and_a_closed_one(world, employee):
    action = factories.CorrectiveActionFactory(client=world.client, owner=employee)
    with pytest.raises(ValidationError, match="next step of this corrective action is"):
        services.corrective_action_move(corrective_action=action, status="resolved", by=employee)
    for status in ("in_progress", "resolved", "client_informed"):
        services.corrective_action_move(corrective_action=action, status=status, by=employee)
    with pytest.raises(ValidationError, match="closed"):
        services.corrective_action_move(
            corrective_action=action, status="client_informed", by=employee
        )
    assert CorrectiveActionStep.objects.filter(action=action).count() == 3


def test_corrective_action_hand_over_to_anyone_is_kept_in_history(world, employee):
    quality = factories.UserFactory(username="quality", first_name="Q", last_name="Lead")
    action = factories.CorrectiveActionFactory(client=world.client, owner=employee)
    new_due = TODAY() + dt.timedelta(days=30)
    services.corrective_action_hand_over(
        corrective_action=action, owner=quality, due_on=new_due, by=employee, note="Quality issue"
    )
    action.refresh_from_db()
    assert (action.owner, action.due_on) == (quality, new_due)
    step = CorrectiveActionStep.objects.get(action=action)
    assert step.note == f"Owner: Q Lead; Due: {new_due.isoformat()}. Quality issue"


def test_opportunity_won_with_value_and_lost_with_reason(world, employee):
    won = factories.OpportunityFactory(client=world.client, owner=employee)
    lost = factories.OpportunityFactory(client=world.client, owner=employee)
    services.opportunity_win(opportunity=won, value=Decimal("125000.50"), by=employee)
    services.opportunity_lose(opportunity=lost, reason="Budget cut", by=employee)
    won.refresh_from_db()
    lost.refresh_from_db()
    assert (won.status, won.won_value) == ("won", Decimal("125000.50"))
    assert (lost.status, lost.lost_reason) == ("lost", "Budget cut")
    assert won.closed_at and lost.closed_at


def test_opportunity_refuses_missing_reason_negative_value_and_closing_twice(world, employee):
    opportunity = factories.OpportunityFactory(client=world.client, owner=employee)
    with pytest.raises(ValidationError, match="Say why"):
        services.opportunity_lose(opportunity=opportunity, reason=" ", by=employee)
    with pytest.raises(ValidationError, match="value won"):
        services.opportunity_win(opportunity=opportunity, value=Decimal("-1"), by=employee)
    services.opportunity_win(opportunity=opportunity, value=Decimal("10"), by=employee)
    with pytest.raises(ValidationError, match="already closed"):
        services.opportunity_lose(opportunity=opportunity, reason="Oops", by=employee)


def test_referral_moves_new_contacted_meeting_and_refuses_going_back(world, employee):
    referral = factories.ReferralFactory(referring_client=world.client, owner=employee)
    services.referral_move(referral=referral, status="contacted", by=employee)
    services.referral_move(referral=referral, status="meeting", by=employee)
    referral.refresh_from_db()
    assert referral.status == "meeting" and referral.contacted_at is not None
    with pytest.raises(ValidationError, match="cannot go from"):
        services.referral_move(referral=referral, status="contacted", by=employee)


def test_referral_drop_needs_a_reason(world, employee):
    referral = factories.ReferralFactory(referring_client=world.client, owner=employee)
    with pytest.raises(ValidationError, match="Say why"):
        services.referral_drop(referral=referral, reason="", by=employee)
    services.referral_drop(referral=referral, reason="Not interested", by=employee)
    referral.refresh_from_db()
    assert (referral.status, referral.drop_reason) == ("dropped", "Not interested")


def test_referral_convert_creates_one_client_with_contact_and_credits_the_referrer(
    world, employee, manager
):
    referral = factories.ReferralFactory(
        referring_client=world.client,
        referring_contact=world.contact,
        person_name="Nina Volkova",
        email="nina@gamma.example",
        owner=employee,
        programme=world.programme,
    )
    clients_before = Client.objects.count()
    client = services.referral_convert(
        referral=referral, by=manager, client_name="Gamma Trade", programme=world.programme
    )
    assert Client.objects.count() == clients_before + 1
    assert client.name == "Gamma Trade" and client.original_salesperson == employee
    assert client.notes == "Referred by Pavel Ivanov, Alfa Steel."
    contact = KeyContact.objects.get(client=client)
    assert (contact.full_name, contact.email, contact.added_by) == (
        "Nina Volkova",
        "nina@gamma.example",
        manager,
    )
    referral.refresh_from_db()
    assert referral.status == "converted" and referral.became_client == client
    # The referrer is credited: the referring client's referrals that became clients.
    assert list(Referral.objects.filter(referring_client=world.client, status="converted")) == [
        referral
    ]
    enrolment = Enrolment.objects.get(client=client)
    assert (enrolment.programme, enrolment.original_salesperson, enrolment.assignee) == (
        world.programme,
        employee,
        None,
    )


def test_referral_convert_twice_is_refused_and_creates_nothing(world, employee):
    referral = factories.ReferralFactory(referring_client=world.client, owner=employee)
    services.referral_convert(referral=referral, by=employee, client_name="Delta")
    count = Client.objects.count()
    with pytest.raises(ValidationError, match="already become a client"):
        services.referral_convert(referral=referral, by=employee, client_name="Delta again")
    assert Client.objects.count() == count


def test_referral_convert_refuses_a_programme_the_user_does_not_run(world, employee):
    referral = factories.ReferralFactory(referring_client=world.client, owner=employee)
    count = Client.objects.count()
    with pytest.raises(ValidationError, match="active programme you run"):
        services.referral_convert(
            referral=referral, by=employee, client_name="Eps", programme=world.programme
        )
    assert Client.objects.count() == count
    referral.refresh_from_db()
    assert referral.status == "new"
