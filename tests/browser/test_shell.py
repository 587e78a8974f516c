"""Journeys through the web shell: each demo user logs in and sees their navigation; the
interface switches to Russian."""

import pytest

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

NAV = {
    "manager": {"Programmes", "Clients"},
    "employee": {"My list"},
    "director": {"Dashboards"},
}


@pytest.mark.parametrize(
    ("username", "card"),
    [
        ("manager", "home-manager"),
        ("employee", "home-staff"),
        ("employee2", "home-staff"),
        ("director", "home-management"),
        ("admin", "home-manager"),
    ],
)
def test_demo_user_logs_in_and_sees_their_home(page, demo, username, card):
    log_in(page, username)

    assert page.get_by_test_id(card).is_visible()
    nav = page.get_by_test_id("main-nav").inner_text()
    for label in NAV.get(username, set()):
        assert label in nav


def test_employee_does_not_see_manager_navigation(page, demo):
    log_in(page, "employee")

    nav = page.get_by_test_id("main-nav").inner_text()
    assert "Programmes" not in nav
    assert "Administration" not in nav


def test_wrong_password_is_refused_with_a_message(page, demo):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("employee")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()

    assert "Please enter a correct username and password" in page.content()


def test_user_switches_the_interface_to_russian(page, demo):
    log_in(page, "manager")

    page.get_by_test_id("language-switcher").get_by_role("button", name="Русский").click()

    page.wait_for_selector("html[lang=ru]")
    assert page.get_by_role("button", name="Выйти").is_visible()
    assert "Руководитель VIP-программы" in page.get_by_test_id("home-manager").inner_text()
