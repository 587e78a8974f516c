"""Follow-ups in the browser: the bell rises after a reminder scan, the employee opens the
notification and keeps the promise; the manager closes the quality loop of a corrective action."""

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from feedback.models import Notification
from feedback.services import reminders

from .conftest import log_in


def unread_count(page) -> int:
    bell = page.get_by_test_id("notification-bell")
    badge = bell.get_by_test_id("unread-count")
    if badge.count() == 0:
        return 0
    return int(re.search(r"\d+", badge.inner_text()).group())


def test_employee_sees_the_bell_rise_opens_the_reminder_and_marks_the_follow_up_done(page, demo):
    log_in(page, "employee")
    before = unread_count(page)

    created = reminders.scan_follow_ups()  # what beat runs every morning
    assert created >= 1
    due_today = Notification.objects.filter(
        recipient__username="employee", kind="follow_up_due"
    ).first()
    assert due_today is not None

    page.reload()
    after = unread_count(page)
    assert after > before

    page.get_by_test_id("notification-bell").click()
    page.wait_for_url("**/notifications/")
    notification = page.locator(f"#notification-{due_today.pk}")
    expect(notification).to_contain_text("Follow-up due today")
    notification.get_by_role("link").click()
    page.wait_for_url(re.compile(r".*/follow-ups/\d+/$"))
    expect(page.get_by_test_id("follow-up-status")).to_have_text("To do")
    assert unread_count(page) == after - 1

    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_text("Follow-up marked done")).to_be_visible()
    page.goto(due_today.link)
    expect(page.get_by_test_id("follow-up-status")).to_contain_text("Done on")


def test_manager_moves_a_corrective_action_through_to_client_informed(page, demo):
    log_in(page, "manager")
    page.get_by_test_id("nav-follow-ups").click()
    page.get_by_role("link", name="Corrective actions").click()
    page.wait_for_url("**/corrective-actions/")
    # Past-due ones come first; open the first that is still open.
    page.locator("tr.table-danger a").first.click()
    page.wait_for_url(re.compile(r".*/corrective-actions/\d+/$"))

    # Open or in progress: each step is one more "Move to …" with a note, until the end.
    notes = ["Carrier changed", "Deliveries on time for two weeks", "Called the buyer"]
    last_note = None
    for note in notes:
        form = page.get_by_test_id("ca-move-form")
        if form.count() == 0:
            break
        form.get_by_label("Note").fill(note)
        form.get_by_role("button", name=re.compile("^Move to")).click()
        page.wait_for_load_state()
        last_note = note
    assert last_note is not None
    expect(page.get_by_test_id("ca-status")).to_have_text("Client informed")
    expect(page.get_by_text("Closed: the client was informed of the fix.")).to_be_visible()
    steps = page.get_by_test_id("ca-steps").locator("li")
    expect(steps.last).to_contain_text("Client informed")
    expect(steps.last).to_contain_text(last_note)
    manager = get_user_model().objects.get(username="manager")
    expect(steps.last).to_contain_text(manager.get_full_name())
