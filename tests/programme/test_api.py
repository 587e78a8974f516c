"""The programme's API: same rules, same visibility; a broken rule answers 400, changes nothing."""

from django.urls import reverse

from programme.models import AssignmentChange, Enrolment, Programme, StaffMember
from tests import factories


def monopolised(world, employee, name="Gamma Oil"):
    client = factories.ClientFactory(name=name, original_salesperson=employee)
    return factories.EnrolmentFactory(
        programme=world.programme, client=client, assessment="monopolised"
    )


def test_api_assign_refuses_monopolised_with_400_and_changes_nothing(world, employee, as_manager):
    enrolment = monopolised(world, employee)

    response = as_manager.post(
        reverse("api-enrolment-assign", args=[enrolment.pk]),
        {"assignee": employee.pk},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "someone other than its original salesperson" in str(response.json())
    assert Enrolment.objects.get(pk=enrolment.pk).assignee is None
    assert not AssignmentChange.objects.exists()


def test_api_reassign_needs_a_reason_and_writes_history(world, colleague, manager, as_manager):
    target = reverse("api-enrolment-assign", args=[world.enrolment.pk])

    refused = as_manager.post(target, {"assignee": colleague.pk}, content_type="application/json")
    done = as_manager.post(
        target, {"assignee": colleague.pk, "reason": "Holiday"}, content_type="application/json"
    )

    assert refused.status_code == 400 and "reason" in refused.json()
    assert done.status_code == 200 and done.json()["assignee"] == colleague.pk
    change = AssignmentChange.objects.get()
    assert (change.source, change.reason, change.changed_by) == ("api", "Holiday", manager)


def test_api_auto_split_get_proposes_and_post_applies(world, employee, colleague, as_manager):
    blocked = monopolised(world, employee)
    factories.EnrolmentFactory.create_batch(3, programme=world.programme)
    url = reverse("api-programme-auto-split", args=[world.programme.pk])

    proposal = as_manager.get(url).json()
    response = as_manager.post(
        url, {"assignments": proposal["assignments"]}, content_type="application/json"
    )

    rows = {row["enrolment"]: row["assignee"] for row in proposal["assignments"]}
    assert rows[blocked.pk] == colleague.pk
    assert sum(person["count"] for person in proposal["people"]) == 4
    assert response.status_code == 200 and response.json() == {"assigned": 4}
    assert AssignmentChange.objects.filter(source="auto_split").count() == 4


def test_api_auto_split_post_refuses_a_broken_row_and_changes_nothing(world, employee, as_manager):
    blocked = monopolised(world, employee)
    free = factories.EnrolmentFactory(programme=world.programme)

    response = as_manager.post(
        reverse("api-programme-auto-split", args=[world.programme.pk]),
        {
            "assignments": [
                {"enrolment": free.pk, "assignee": employee.pk},
                {"enrolment": blocked.pk, "assignee": employee.pk},
            ]
        },
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "Gamma Oil is monopolised" in str(response.json())
    assert Enrolment.objects.get(pk=free.pk).assignee is None


def test_api_staff_lists_load_and_adds(world, as_manager):
    url = reverse("api-programme-staff", args=[world.programme.pk])
    newcomer = factories.staff_user()

    pool = as_manager.get(url).json()
    added = as_manager.post(
        url, {"employee": newcomer.pk, "kind": "shared"}, content_type="application/json"
    )
    duplicate = as_manager.post(
        url, {"employee": newcomer.pk, "kind": "shared"}, content_type="application/json"
    )

    assert sorted((p["held_count"], p["held_weight"], p["capacity"]) for p in pool) == [
        (1, 2, 0.5),
        (1, 2, 1.0),
    ]
    assert added.status_code == 201
    assert duplicate.status_code == 400 and "already in the staff pool" in str(duplicate.json())
    assert StaffMember.objects.filter(programme=world.programme).count() == 3


def test_api_enrolments_filter_by_programme_and_assignee(world, employee, as_manager):
    factories.EnrolmentFactory()  # another manager's programme

    response = as_manager.get(
        reverse("api-enrolment-list") + f"?programme={world.programme.pk}&assignee={employee.pk}"
    )

    assert [row["id"] for row in response.json()["results"]] == [world.enrolment.pk]


def test_api_enrolments_refuse_a_programme_id_beyond_the_database_s(world, as_employee):
    url = reverse("api-enrolment-list")
    response = as_employee.get(url, {"programme": "-62545012973557794049765130618535936"})
    assert response.status_code == 400
    assert list(response.json()) == ["programme"]
    assert as_employee.get(url, {"programme": str(2**63)}).status_code == 400
    assert as_employee.get(url, {"programme": world.programme.pk}).status_code == 200


def test_api_employee_sees_only_their_personal_list(world, as_employee):
    response = as_employee.get(reverse("api-enrolment-list"))

    assert [row["id"] for row in response.json()["results"]] == [world.enrolment.pk]


def test_api_programme_create_refuses_a_deadline_before_start(as_manager):
    response = as_manager.post(
        reverse("api-programme-list"),
        {"name": "Bad", "starts_on": "2027-06-01", "deadline": "2027-01-01"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "The deadline cannot be before the start." in str(response.json())
    assert not Programme.objects.filter(name="Bad").exists()


def test_api_close_needs_a_reason_while_clients_are_open(world, as_manager):
    response = as_manager.post(
        reverse("api-programme-close", args=[world.programme.pk]),
        {},
        content_type="application/json",
    )

    assert response.status_code == 400 and "reason" in response.json()
    assert Programme.objects.get(pk=world.programme.pk).status == "active"


def test_api_assign_refuses_someone_outside_the_pool(world, as_manager):
    outsider = factories.staff_user()

    response = as_manager.post(
        reverse("api-enrolment-assign", args=[world.colleague_enrolment.pk]),
        {"assignee": outsider.pk, "reason": "Try"},
        content_type="application/json",
    )

    assert response.status_code == 400 and "staff pool" in str(response.json())
    assert Enrolment.objects.get(pk=world.colleague_enrolment.pk).assignee != outsider
