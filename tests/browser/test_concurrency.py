"""Two tabs edit the same client on the list: the second save is refused, shows what differs,
and keeps what was typed there."""

import pytest
from django.urls import reverse

from programme.models import Enrolment

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_second_tab_saving_an_old_assessment_sees_the_conflict_and_keeps_its_note(page, demo):
    log_in(page, "manager")
    enrolment = Enrolment.objects.filter(
        programme__manager__username="manager", programme__status="active"
    ).first()
    url = reverse("programme:enrolment_detail", args=[enrolment.programme_id, enrolment.pk])
    other_tab = page.context.new_page()
    page.goto(url)
    other_tab.goto(url)

    first = page.get_by_test_id("assess-form")
    first.get_by_label("Relationship assessment").select_option("excellent")
    first.get_by_label("Assessment note").fill("Saved in the first tab")
    first.get_by_role("button", name="Save the assessment").click()
    page.wait_for_selector("text=Assessment saved.")

    second = other_tab.get_by_test_id("assess-form")
    second.get_by_label("Relationship assessment").select_option("uncertain")
    second.get_by_label("Assessment note").fill("Typed in the second tab")
    second.get_by_role("button", name="Save the assessment").click()

    conflict = other_tab.get_by_test_id("version-conflict")
    conflict.wait_for()
    assert "Someone else saved a change meanwhile" in conflict.inner_text()
    note_row = other_tab.get_by_test_id("conflict-assessment_note").inner_text()
    assert "Typed in the second tab" in note_row and "Saved in the first tab" in note_row
    assert (
        other_tab.get_by_test_id("assess-form").get_by_label("Assessment note").input_value()
        == "Typed in the second tab"
    )
    enrolment.refresh_from_db()
    assert (enrolment.assessment, enrolment.assessment_note) == (
        "excellent",
        "Saved in the first tab",
    )

    # Having compared, the second tab saves again: now deliberately.
    other_tab.get_by_test_id("assess-form").get_by_role(
        "button", name="Save the assessment"
    ).click()
    other_tab.wait_for_selector("text=Assessment saved.")
    enrolment.refresh_from_db()
    assert enrolment.assessment_note == "Typed in the second tab"
