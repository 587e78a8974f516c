"""The programme employee's day on a phone: My list → book a meeting → the visit report →
the client card, then the key screens in Russian."""

import datetime as dt
import os

from django.utils import timezone

from tests.browser.conftest import log_in

# Screenshots of each screen, while developing: VIPCRM_SHOTS=/some/folder
SHOTS = os.environ.get("VIPCRM_SHOTS")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_employee_books_a_meeting_and_records_a_full_visit_report(demo, phone_page):
    page = phone_page
    log_in(page, "employee")
    page.get_by_test_id("home-staff").get_by_role("link", name="My list").click()
    page.wait_for_url("**/my/list/")
    # The clients still to book: filter My list by stage.
    page.get_by_label("Stage").select_option("not_contacted")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/my/list/?*")
    _shot(page, "1-my-list")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    row = page.get_by_test_id("my-list-row").filter(has=page.get_by_test_id("book-meeting")).first
    client_name = row.locator("a.fw-semibold").inner_text().strip()
    row.get_by_test_id("book-meeting").click()

    # Book: tomorrow at 10:00, with the first key contact if the client has one.
    when = timezone.localtime() + dt.timedelta(days=1)
    page.get_by_label("Date and time").fill(when.strftime("%Y-%m-%dT10:00"))
    page.get_by_label("Place").fill("Client's office, room 301")
    contacts = page.locator("input[name=contacts]")
    if contacts.count():
        contacts.first.check()
    _shot(page, "2-book")
    page.get_by_role("button", name="Book the meeting").click()
    page.wait_for_url("**/visits/*/")
    assert "The meeting with" in page.locator(".messages").inner_text()
    assert page.get_by_test_id("visit-status").inner_text() == "Planned"

    # The report: one new key person (met), scores, a complaint, an upsell, a cross-sell, a
    # referral (two rows, through "add another") and a follow-up; saved as a draft first.
    page.get_by_test_id("write-report").click()
    page.wait_for_url("**/report/")
    page.locator("#id_new_contacts-0-full_name").fill("Nina Novikova")
    page.locator("#id_new_contacts-0-role").select_option("influencer")
    page.locator("#id_new_contacts-0-phone").fill("+7 900 123-45-67")
    page.locator("#id_new_contacts-0-met").check()
    page.get_by_label("Relationship after the visit").select_option("good")
    page.get_by_label("Position on its market").fill("Second in the region, growing")
    page.get_by_label("Outlook").select_option("growing")
    page.get_by_label("Quality of goods (1–5)").fill("4")
    page.get_by_label("Quality of services (1–5)").fill("5")
    page.get_by_label("Quality of service (1–5)").fill("3")
    page.get_by_label("Would recommend us (0–10)").fill("8")
    page.locator("#id_complaints-0-area").select_option("service")
    page.locator("#id_complaints-0-complaint").fill("Invoices arrive late")
    due = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    page.locator("#id_complaints-0-due_on").fill(due)
    upsell = page.locator("#id_upsells-0-client_position")
    upsell.select_option(index=1)
    upsell_position = upsell.locator("option:checked").inner_text().strip()
    page.locator("#id_upsells-0-expected_value").fill("150000")
    page.locator("#id_cross_sells-0-topic").fill("Staff training programme")
    page.locator("#id_referrals-0-person_name").fill("Oleg Referov")
    page.locator("#id_referrals-0-company_name").fill("Gamma Build")
    page.locator("#id_referrals-0-phone").fill("+7 812 555-00-11")
    page.get_by_role("button", name="Add another referral").click()
    page.locator("#id_referrals-1-person_name").fill("Irina Second")
    page.locator("#id_referrals-1-email").fill("irina@delta.example")
    page.locator("#id_follow_ups-0-title").fill("Send the training offer")
    page.locator("#id_follow_ups-0-due_on").fill(due)
    _shot(page, "3-report")
    page.get_by_test_id("save-draft").click()
    page.wait_for_url("**/report/")
    assert "The draft is saved" in page.locator(".messages").inner_text()
    assert page.locator("#id_referrals-1-person_name").input_value() == "Irina Second"

    page.get_by_test_id("finish-report").click()
    page.wait_for_url("**/visits/*/")
    assert "The report is finished" in page.locator(".messages").inner_text()
    summary = page.get_by_test_id("report-summary").inner_text()
    assert "Nina Novikova" in summary and "Invoices arrive late" in summary
    _shot(page, "4-visit")

    # The client card shows it all.
    page.get_by_role("link", name=client_name).first.click()
    page.wait_for_url("**/clients/*/")
    assert page.get_by_test_id("my-enrolment").get_by_test_id("stage").inner_text() == "Visited"
    assert "Nina Novikova" in page.get_by_test_id("contacts").inner_text()
    assert "Invoices arrive late" in page.get_by_test_id("corrective-actions").inner_text()
    opportunities = page.get_by_test_id("opportunities").inner_text()
    assert f"Upsell: {upsell_position}" in opportunities
    assert "Cross-sell: Staff training programme" in opportunities
    referrals = page.get_by_test_id("referrals").inner_text()
    assert "Oleg Referov, Gamma Build" in referrals and "Irina Second" in referrals
    assert "Send the training offer" in page.get_by_test_id("follow-ups").inner_text()
    assert "Report: Finished" in page.get_by_test_id("visits").inner_text()
    _shot(page, "5-card")

    # The same screens in Russian.
    page.get_by_test_id("language-switcher").get_by_role("button", name="Русский").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("my-enrolment").get_by_test_id("stage").inner_text() == (
        "Визит проведён"
    )
    assert page.get_by_role("heading", name="Ключевые лица").is_visible()
    assert page.get_by_role("heading", name="Открытые корректирующие мероприятия").is_visible()
    _shot(page, "6-card-ru")
    page.goto("/my/list/")
    assert page.get_by_role("heading", name="Мой список").is_visible()
    assert "Визит проведён" in page.get_by_test_id("my-list").inner_text()
    # Long Russian labels still fit the phone: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _shot(page, "7-my-list-ru")
    page.get_by_test_id("my-list-row").filter(
        has=page.get_by_test_id("book-meeting")
    ).first.get_by_test_id("book-meeting").click()
    assert page.get_by_role("heading", name="Назначить встречу").first.is_visible()
    assert page.get_by_label("Дата и время").is_visible()
    _shot(page, "8-book-ru")
    page.get_by_label("Дата и время").fill(when.strftime("%Y-%m-%dT15:00"))
    page.get_by_role("button", name="Назначить встречу").click()
    page.wait_for_url("**/visits/*/")
    assert "назначена" in page.locator(".messages").inner_text()
    assert page.get_by_test_id("visit-status").inner_text() == "Запланирован"
    page.get_by_role("link", name="Написать отчёт о визите").click()
    page.wait_for_url("**/report/")
    assert page.get_by_role("heading", name="1. Отношения").is_visible()
    assert page.get_by_label("Качество товаров (1–5)").is_visible()
    page.get_by_test_id("finish-report").click()  # nothing filled: refused, with the reason
    refusal = page.locator(".messages").inner_text()
    assert "Отчёт не завершён" in refusal and "Укажите, с кем встречались" in refusal
    assert page.locator(".invalid-feedback", has_text="Поставьте оценку качества").count() == 3
    _shot(page, "9-report-ru")
