"""Audit history: an employee adds a key contact on the client card, then reads the client's
history of changes (who, when, field by field), in English and in Russian; a director reads it."""

from tests.browser.conftest import log_in


def test_employee_changes_a_contact_and_reads_the_history(demo, page):
    log_in(page, "employee")
    page.goto("/my/list/")
    page.get_by_test_id("my-list-row").first.locator("a.fw-semibold").click()
    page.wait_for_url("**/clients/*/")
    card_url = page.url

    page.get_by_role("link", name="Add a key contact").click()
    page.get_by_label("Full name").fill("Irina Auditova")
    page.get_by_label("Role").select_option("gatekeeper")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(card_url)

    page.get_by_test_id("history-link").click()
    page.wait_for_url("**/history/")
    newest = page.get_by_test_id("history-entry").first
    assert "Created" in newest.inner_text() and "Irina Auditova" in newest.inner_text()
    assert "Gatekeeper" in newest.inner_text()
    who = newest.get_by_test_id("history-user").inner_text()
    assert who and who != "System"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    history_url = page.url

    # Management reads the same page.
    page.context.clear_cookies()
    log_in(page, "director")
    page.goto(history_url)
    assert "Irina Auditova" in page.get_by_test_id("history-entry").first.inner_text()

    # And in Russian.
    page.get_by_test_id("language-switcher").get_by_role("button", name="Русский").click()
    page.wait_for_selector("html[lang=ru]")
    page.goto(history_url)
    newest = page.get_by_test_id("history-entry").first.inner_text()
    assert "Создано" in newest and "Irina Auditova" in newest
