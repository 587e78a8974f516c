"""Database constraints of the programme, the monopolised rule first."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from programme.models import MONOPOLISED_RULE_MESSAGE, AssignmentChange, Enrolment
from programme.services import enrolment_assign, enrolment_set_stage
from tests import factories


@pytest.fixture
def monopolised(db):
    salesperson = factories.staff_user(username="salesperson")
    client = factories.ClientFactory(original_salesperson=salesperson)
    enrolment = factories.EnrolmentFactory(client=client, assessment="monopolised")
    # Both are in the staff pool, so that only the monopolised rule can refuse an assignment.
    factories.StaffMemberFactory(programme=enrolment.programme, employee=salesperson)
    return enrolment, salesperson


def test_monopolised_client_to_its_salesperson_is_refused_by_the_database(monopolised):
    enrolment, salesperson = monopolised

    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.filter(pk=enrolment.pk).update(assignee=salesperson)

    enrolment.refresh_from_db()
    assert enrolment.assignee is None


def test_monopolised_client_to_its_salesperson_is_refused_by_the_model(monopolised):
    enrolment, salesperson = monopolised
    enrolment.assignee = salesperson

    with pytest.raises(ValidationError) as error:
        enrolment.full_clean()

    assert str(MONOPOLISED_RULE_MESSAGE) in str(error.value)


def test_monopolised_client_to_its_salesperson_is_refused_by_the_service(monopolised, manager):
    enrolment, salesperson = monopolised

    with pytest.raises(ValidationError) as error:
        enrolment_assign(enrolment=enrolment, assignee=salesperson, by=manager)

    assert error.value.message_dict == {"assignee": [str(MONOPOLISED_RULE_MESSAGE)]}

    assert AssignmentChange.objects.filter(enrolment=enrolment).count() == 0


def test_monopolised_client_may_go_to_another_employee(monopolised, employee, manager):
    enrolment, _ = monopolised
    factories.StaffMemberFactory(programme=enrolment.programme, employee=employee)

    enrolment_assign(enrolment=enrolment, assignee=employee, by=manager, reason="Fresh eyes")

    enrolment.refresh_from_db()
    assert enrolment.assignee == employee
    change = AssignmentChange.objects.get(enrolment=enrolment)
    assert (change.from_user, change.to_user, change.changed_by, change.reason) == (
        None,
        employee,
        manager,
        "Fresh eyes",
    )


def test_excellent_client_may_stay_with_its_salesperson(db, manager):
    salesperson = factories.staff_user()
    enrolment = factories.EnrolmentFactory(
        client=factories.ClientFactory(original_salesperson=salesperson), assessment="excellent"
    )
    factories.StaffMemberFactory(programme=enrolment.programme, employee=salesperson)

    enrolment_assign(enrolment=enrolment, assignee=salesperson, by=manager)

    assert Enrolment.objects.get(pk=enrolment.pk).assignee == salesperson


def test_a_client_is_on_a_programme_list_once(db):
    enrolment = factories.EnrolmentFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(programme=enrolment.programme, client=enrolment.client)


def test_deadline_before_start_is_refused(db):
    import datetime as dt

    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ProgrammeFactory(starts_on=dt.date(2026, 5, 1), deadline=dt.date(2026, 4, 1))


def test_stage_moves_follow_the_programme(world):
    enrolment = world.enrolment

    enrolment_set_stage(enrolment=enrolment, stage="meeting_booked")
    enrolment_set_stage(enrolment=enrolment, stage="visited")
    with pytest.raises(ValidationError) as error:
        enrolment_set_stage(enrolment=enrolment, stage="not_contacted")

    assert "cannot go from" in str(error.value)
    enrolment.refresh_from_db()
    assert (enrolment.stage, enrolment.version) == ("visited", 3)


def test_reassigning_to_the_same_person_writes_no_history(world, manager, employee):
    enrolment_assign(enrolment=world.enrolment, assignee=employee, by=manager)

    assert AssignmentChange.objects.filter(enrolment=world.enrolment).count() == 0
