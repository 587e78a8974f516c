"""Journey of the programme manager through stages 1–4: open a programme, compose the list,
build the pool, assess, split automatically, reassign, and watch progress."""

import datetime as dt

import pytest

from programme.models import AssignmentChange, Enrolment, Programme

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_opens_a_programme_and_splits_it_into_personal_lists(page, demo):
    log_in(page, "manager")
    today = dt.date.today()

    # Stage 1: open the programme.
    page.get_by_test_id("nav-programmes").click()
    page.get_by_role("link", name="New programme").click()
    page.get_by_label("Name").fill("VIP journey")
    page.get_by_label("Start").fill(today.isoformat())
    page.get_by_label("Deadline").fill((today + dt.timedelta(days=120)).isoformat())
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Programme opened as a draft")
    programme = Programme.objects.get(name="VIP journey")

    # Stage 2: every corporate client, in one action.
    page.get_by_role("link", name="2. Client list").click()
    page.get_by_text("The list is empty").wait_for()
    page.get_by_role("link", name="Add all corporate clients").click()
    page.get_by_role("button", name="Add the clients").click()
    page.wait_for_selector("text=corporate clients added to the list")
    added = programme.enrolments.count()
    assert added > 100
    assert not programme.enrolments.filter(client__kind="private").exists()

    # Stage 3: two dedicated employees and one shared.
    page.get_by_role("link", name="3. Staff pool").click()
    for name, kind in [
        ("Иван Петров", "Dedicated"),
        ("Ольга Сидорова", "Dedicated"),
        ("Дмитрий Козлов", "Shared"),
    ]:
        form = page.get_by_test_id("staff-add")
        form.get_by_label("Employee").select_option(label=name)
        form.get_by_label("Kind").select_option(label=kind)
        form.get_by_role("button", name="Add to the pool").click()
        page.wait_for_selector(f"text={name} joined the staff pool.")
    assert page.get_by_test_id("staff-row").count() == 3
    assert "0.5" in page.get_by_test_id("staff-table").inner_text()

    # Stage 4: a client won by Ivan is monopolised — it must go to someone else.
    blocked = programme.enrolments.filter(original_salesperson__username="employee").first()
    page.get_by_role("link", name="2. Client list").click()
    page.get_by_label("Search").fill(blocked.client.name)
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name=blocked.client.name).click()
    assess = page.get_by_test_id("assess-form")
    assess.get_by_label("Relationship assessment").select_option(label="Monopolised")
    assess.get_by_label("Assessment note").fill("Keeps colleagues away from the client")
    assess.get_by_role("button", name="Save the assessment").click()
    page.wait_for_selector("text=Assessment saved.")
    # The rule holds on the form too, with a clear message.
    assign = page.get_by_test_id("assign-form")
    assign.get_by_label("Assignee").select_option(label="Иван Петров")
    assign.get_by_role("button", name="Assign").click()
    page.wait_for_selector("text=someone other than its original salesperson")
    assert Enrolment.objects.get(pk=blocked.pk).assignee is None

    # The automatic split: review the proposal per person, then apply it.
    page.get_by_role("link", name="4. Automatic split").click()
    page.get_by_test_id("split-start").click()
    page.get_by_test_id("split-summary").wait_for()
    assert page.get_by_test_id("split-person").count() == 3
    page.get_by_test_id("split-apply").click()
    page.wait_for_selector(f"text=Split applied: {added} clients assigned.")
    blocked.refresh_from_db()
    assert blocked.assignee is not None
    assert blocked.assignee.username != "employee"
    assert not programme.enrolments.filter(assignee__isnull=True).exists()
    assert (
        AssignmentChange.objects.filter(enrolment__programme=programme, source="auto_split").count()
        == added
    )

    # Reassign one client with a reason; the history shows it.
    page.get_by_label("Search").fill(blocked.client.name)
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name=blocked.client.name).click()
    other = "Дмитрий Козлов" if blocked.assignee.username != "kozlov" else "Ольга Сидорова"
    assign = page.get_by_test_id("assign-form")
    assign.get_by_label("Assignee").select_option(label=other)
    assign.get_by_label("Reason").fill("Closer to the client's office")
    assign.get_by_role("button", name="Reassign").click()
    page.wait_for_selector("text=Assignment saved.")
    history = page.get_by_test_id("history").inner_text()
    assert "Closer to the client's office" in history
    assert "Automatic split" in history
    assert page.get_by_test_id("assignee").inner_text() == other

    # Progress: coverage, the per-employee table and the forecast.
    page.get_by_role("link", name="Progress").click()
    assert page.get_by_test_id("coverage").inner_text() == "0%"
    assert page.get_by_test_id("progress-row").count() == 3
    assert "No visit yet" in page.get_by_test_id("forecast").inner_text()
