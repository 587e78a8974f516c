"""The admin saves assessment and assignee through the services: rule and history hold."""

import pytest
from django.urls import reverse

from programme.models import AssignmentChange, Enrolment
from tests import factories


@pytest.fixture
def as_admin(logged_in, db):
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    return logged_in(admin), admin


def form_data(enrolment, **changes):
    data = {
        "programme": enrolment.programme_id,
        "client": enrolment.client_id,
        "assessment": enrolment.assessment,
        "assessment_note": enrolment.assessment_note,
        "original_salesperson": enrolment.original_salesperson_id or "",
        "assignee": enrolment.assignee_id or "",
        "stage": enrolment.stage,
        "stage_changed_at_0": "2026-01-01",
        "stage_changed_at_1": "10:00:00",
        "version": enrolment.version,
        "assigned_at_0": "",
        "assigned_at_1": "",
        "assignment_changes-TOTAL_FORMS": "0",
        "assignment_changes-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_admin_reassign_writes_history(world, colleague, as_admin):
    http, admin = as_admin
    url = reverse("admin:programme_enrolment_change", args=[world.enrolment.pk])

    response = http.post(url, form_data(world.enrolment, assignee=colleague.pk))

    assert response.status_code == 302
    assert Enrolment.objects.get(pk=world.enrolment.pk).assignee == colleague
    change = AssignmentChange.objects.get(enrolment=world.enrolment)
    assert (change.to_user, change.changed_by, change.source) == (colleague, admin, "admin")


def test_admin_refuses_a_monopolised_client_to_its_salesperson(world, employee, as_admin):
    http, _admin = as_admin
    client = factories.ClientFactory(original_salesperson=employee)
    enrolment = factories.EnrolmentFactory(
        programme=world.programme, client=client, assessment="monopolised"
    )
    url = reverse("admin:programme_enrolment_change", args=[enrolment.pk])

    response = http.post(url, form_data(enrolment, assignee=employee.pk))

    assert "someone other than its original salesperson" in response.content.decode()
    assert Enrolment.objects.get(pk=enrolment.pk).assignee is None
    assert not AssignmentChange.objects.exists()


def test_admin_refuses_an_assignee_outside_the_pool(world, as_admin):
    http, _admin = as_admin
    outsider = factories.staff_user(username="outsider")
    url = reverse("admin:programme_enrolment_change", args=[world.enrolment.pk])

    response = http.post(url, form_data(world.enrolment, assignee=outsider.pk), follow=True)

    assert "not in this programme&#x27;s staff pool" in response.content.decode()
    assert Enrolment.objects.get(pk=world.enrolment.pk).assignee == world.enrolment.assignee
