"""Optimistic locking of an enrolment (assessment and assignment): a stale version is refused
with what differs; pages keep the input, the API answers 409."""

import pytest
from django.urls import reverse

from programme import services
from programme.models import AssignmentChange, Enrolment
from vipcrm.conflicts import VersionConflict


def test_a_stale_assignment_is_refused_naming_the_assignee_saved_now(
    world, employee, colleague, manager
):
    enrolment = world.enrolment
    started_from = enrolment.version
    services.enrolment_assess(
        enrolment=enrolment, assessment="uncertain", by=manager, version=started_from
    )

    with pytest.raises(VersionConflict) as caught:
        services.enrolment_assign(
            enrolment=enrolment, assignee=colleague, by=manager, version=started_from
        )

    [change] = caught.value.changes
    assert (change.field, change.yours, change.saved) == (
        "assignee",
        colleague.get_full_name() or colleague.username,
        employee.get_full_name() or employee.username,
    )
    assert Enrolment.objects.get(pk=enrolment.pk).assignee == employee
    assert not AssignmentChange.objects.exists()


def test_a_stale_assessment_is_refused_but_saving_what_is_saved_is_a_no_op(world, manager):
    enrolment = world.enrolment
    started_from = enrolment.version
    services.enrolment_assess(
        enrolment=enrolment, assessment="excellent", note="Long friends", by=manager
    )

    same = services.enrolment_assess(
        enrolment=enrolment,
        assessment="excellent",
        note="Long friends",
        by=manager,
        version=started_from,
    )
    with pytest.raises(VersionConflict) as caught:
        services.enrolment_assess(
            enrolment=enrolment, assessment="uncertain", note="", by=manager, version=started_from
        )

    assert same.version == started_from + 1
    assert {c.field: (c.yours, c.saved) for c in caught.value.changes} == {
        "assessment": ("Uncertain", "Excellent"),
        "assessment_note": ("—", "Long friends"),
    }
    assert Enrolment.objects.get(pk=enrolment.pk).assessment == "excellent"


def test_assign_page_from_an_old_page_keeps_the_input_and_shows_both_values(
    world, colleague, manager, as_manager
):
    enrolment = world.enrolment
    old = str(enrolment.version)
    detail = reverse("programme:enrolment_detail", args=[world.programme.pk, enrolment.pk])
    page = as_manager.get(detail).content.decode()
    assert f'name="version" value="{old}"' in page
    services.enrolment_assess(enrolment=enrolment, assessment="excellent", by=manager)

    response = as_manager.post(
        reverse("programme:enrolment_assign", args=[world.programme.pk, enrolment.pk]),
        {"assignee": colleague.pk, "reason": "Holiday cover, typed carefully", "version": old},
    )

    text = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this record while you were editing it" in text
    assert "Holiday cover, typed carefully</textarea>" in text
    assert 'data-testid="conflict-assignee"' in text
    saved = Enrolment.objects.get(pk=enrolment.pk)
    assert saved.assignee == world.enrolment.assignee and not AssignmentChange.objects.exists()
    assert f'name="version" value="{saved.version}"' in text

    again = as_manager.post(
        reverse("programme:enrolment_assign", args=[world.programme.pk, enrolment.pk]),
        {"assignee": colleague.pk, "reason": "Holiday cover", "version": str(saved.version)},
    )
    assert again.status_code == 302
    assert Enrolment.objects.get(pk=enrolment.pk).assignee == colleague


def test_assess_page_from_an_old_page_is_refused_and_keeps_the_note(world, manager, as_manager):
    enrolment = world.enrolment
    old = str(enrolment.version)
    services.enrolment_assess(enrolment=enrolment, assessment="excellent", by=manager)

    response = as_manager.post(
        reverse("programme:enrolment_assess", args=[world.programme.pk, enrolment.pk]),
        {"assessment": "uncertain", "note": "My long note", "version": old},
    )

    text = response.content.decode()
    assert response.status_code == 409
    row = text.split('data-testid="conflict-assessment"')[1].split("</tr>")[0]
    assert "Uncertain" in row and "Excellent" in row
    assert "My long note</textarea>" in text
    assert Enrolment.objects.get(pk=enrolment.pk).assessment == "excellent"


def test_api_assign_with_a_stale_version_answers_409_and_changes_nothing(
    world, employee, colleague, manager, as_manager
):
    url = reverse("api-enrolment-assign", args=[world.enrolment.pk])
    read = as_manager.get(reverse("api-enrolment-detail", args=[world.enrolment.pk])).json()
    services.enrolment_assign(
        enrolment=world.enrolment, assignee=None, by=manager, reason="Back to the pool"
    )

    response = as_manager.post(
        url,
        {"assignee": colleague.pk, "reason": "Cover", "version": read["version"]},
        content_type="application/json",
    )

    assert response.status_code == 409
    body = response.json()
    assert body["version"] == read["version"] + 1
    assert body["changes"] == [
        {
            "field": "assignee",
            "label": "assignee",
            "yours": colleague.get_full_name() or colleague.username,
            "saved": "—",
        }
    ]
    assert Enrolment.objects.get(pk=world.enrolment.pk).assignee is None
    assert AssignmentChange.objects.count() == 1


def test_api_assign_with_the_current_version_saves(world, colleague, as_manager):
    read = as_manager.get(reverse("api-enrolment-detail", args=[world.enrolment.pk])).json()
    response = as_manager.post(
        reverse("api-enrolment-assign", args=[world.enrolment.pk]),
        {"assignee": colleague.pk, "reason": "Cover", "version": read["version"]},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["version"] == read["version"] + 1
