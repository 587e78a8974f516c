"""Login throttling (django-axes) and session settings."""

from django.conf import settings

from tests import factories


def test_login_locks_out_after_repeated_wrong_passwords(client, db):
    user = factories.staff_user(username="victim")
    user.set_password("right-password-1")
    user.save()

    answers = [
        client.post("/accounts/login/", {"username": "victim", "password": "wrong"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    locked = client.post("/accounts/login/", {"username": "victim", "password": "right-password-1"})

    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_works_and_a_wrong_password_says_so(client, db):
    user = factories.staff_user(username="ivan")
    user.set_password("right-password-1")
    user.save()

    wrong = client.post("/accounts/login/", {"username": "ivan", "password": "nope"})
    right = client.post("/accounts/login/", {"username": "ivan", "password": "right-password-1"})

    assert "Please enter a correct username and password" in wrong.content.decode()
    assert right.status_code == 302 and right["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sessions_expire(settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 60 * 60 * 12
