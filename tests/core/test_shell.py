"""The web shell: navigation by role, the home page, the language switch, the security headers."""

import pytest
from django.apps import apps
from django.contrib import admin


def test_home_shows_each_role_its_card(as_employee, as_manager, as_director):
    employee_page = as_employee.get("/").content.decode()
    manager_page = as_manager.get("/").content.decode()
    director_page = as_director.get("/").content.decode()

    assert 'data-testid="home-staff"' in employee_page
    assert 'data-testid="home-manager"' not in employee_page
    assert 'data-testid="home-manager"' in manager_page
    assert 'data-testid="home-management"' in director_page
    assert "Your roles: Management" in director_page


def test_a_user_without_role_is_told_to_ask_for_one(logged_in, db):
    from tests.factories import UserFactory

    page = logged_in(UserFactory()).get("/").content.decode()

    assert "You have no role in the VIP programme yet" in page


def test_switching_to_russian_translates_the_page(as_employee):
    as_employee.post("/i18n/setlang/", {"language": "ru", "next": "/"})

    page = as_employee.get("/").content.decode()

    assert 'lang="ru"' in page
    assert "Выйти" in page  # "Log out"


def test_every_html_page_carries_a_content_security_policy(as_employee):
    response = as_employee.get("/")

    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script>" not in response.content.decode()


def test_health_answers_without_login(client, db):
    assert client.get("/health/").json() == {"status": "ok"}


@pytest.mark.parametrize(
    "model",
    [m for m in apps.get_models() if m._meta.app_label in ("clients", "programme", "feedback")],
    ids=lambda m: m.__name__,
)
def test_every_model_is_in_the_admin(model):
    assert admin.site.is_registered(model)


def test_admin_lists_open_for_a_superuser(db, logged_in):
    from django.contrib.auth import get_user_model

    superuser = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456")
    http = logged_in(superuser)
    for model in admin.site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert http.get(url).status_code == 200, url


def test_admin_sends_anonymous_users_to_its_login(client, db):
    response = client.get("/admin/clients/client/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_missing_page_answers_a_friendly_404_without_details(as_employee, settings):
    settings.DEBUG = False

    response = as_employee.get("/clients/999999/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "belongs to someone else's list" in body
    assert "Traceback" not in body


def test_a_server_error_shows_no_stack_trace(client, settings, db, monkeypatch):
    settings.DEBUG = False
    client.raise_request_exception = False
    # The health view then fails inside, as a broken database connection would.
    monkeypatch.setattr("vipcrm.views.connection", None)

    response = client.get("/health/")

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert "NoneType" not in response.content.decode()
