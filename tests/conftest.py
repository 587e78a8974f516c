"""Named users and a small programme that most tests start from.

The cast: ``employee`` and ``colleague`` (programme staff, each with their own client on the
personal list), ``manager`` (runs the programme), ``other_manager`` (runs another one),
``director`` (management, read-only) and anonymous.
"""

import os
from dataclasses import dataclass

import pytest
from django.test import Client as HttpClient

from clients import lookups
from feedback import people
from vipcrm.celery import app as celery_app

from . import factories

# Playwright's sync API runs an event loop in the test thread; Django's ORM is still used
# synchronously there (live_server, factories), which is safe in tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _is_transactional(item):
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(
        {"transactional_db", "live_server"} & fixtures
        or (marker is not None and marker.kwargs.get("transaction"))
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (a browser journey, a real worker) ends by emptying every table,
    including the groups, permissions and content types that migrations wrote. Once all its
    fixtures are torn down (the flush among them), put the roles back for the tests after it."""
    result = yield
    # After the session's last test the test database is gone already (its session fixture was
    # torn down with this item), and no test needs the roles any more.
    if _is_transactional(item) and nextitem is not None:
        from importlib import import_module

        from django.apps import apps
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            import_module("programme.migrations.0002_roles").create_roles(apps, None)
    return result


@pytest.fixture(scope="session", autouse=True)
def _test_queue(tmp_path_factory):
    """Without Redis, tasks sent by tests go to a queue folder of the test session's own, so a
    worker of `make run` never takes them (and tests never take its tasks)."""
    from django.conf import settings

    if not settings.REDIS_URL:
        folder = tmp_path_factory.mktemp("celery-queue")
        celery_app.conf.broker_transport_options = {
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "control_folder": str(tmp_path_factory.mktemp("celery-control")),
            "store_processed": False,
        }


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Tasks run in-process unless a test starts a real worker (see tests/core/test_worker.py)."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.LANGUAGE_CODE = "en"
    # Every dashboard view rebuilds its snapshot (eagerly, in the request): the exact-figure
    # tests read the data they just wrote. tests/programme/dashboards/test_snapshots.py sets a
    # positive age to test the snapshots themselves.
    settings.VIPCRM_DASHBOARD_MAX_AGE = 0
    # Likewise every export is built anew (test_export_jobs.py tests the reuse).
    settings.VIPCRM_DASHBOARD_EXPORT_REUSE = 0
    # Hashing passwords properly is slow by design; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The cached segments and regions (clients.lookups) may be an earlier test's, whose rows
    # its rollback removed without a signal.
    lookups.forget()
    people.forget()


@pytest.fixture
def employee(db):
    return factories.staff_user(username="employee", first_name="Ivan", last_name="Petrov")


@pytest.fixture
def colleague(db):
    return factories.staff_user(username="colleague", first_name="Olga", last_name="Sidorova")


@pytest.fixture
def manager(db):
    return factories.manager_user(username="manager", first_name="Anna", last_name="Smirnova")


@pytest.fixture
def other_manager(db):
    return factories.manager_user(username="other_manager")


@pytest.fixture
def director(db):
    return factories.management_user(username="director", first_name="Boris", last_name="Orlov")


@dataclass
class ProgrammeWorld:
    programme: object
    client: object  # on the employee's personal list
    enrolment: object
    colleague_client: object  # on the colleague's personal list
    colleague_enrolment: object
    contact: object
    colleague_contact: object


@pytest.fixture
def world(employee, colleague, manager):
    programme = factories.ProgrammeFactory(manager=manager, name="VIP 2026")
    factories.StaffMemberFactory(programme=programme, employee=employee)
    factories.StaffMemberFactory(programme=programme, employee=colleague, kind="shared")
    client = factories.ClientFactory(name="Alfa Steel")
    colleague_client = factories.ClientFactory(name="Beta Foods")
    enrolment = factories.EnrolmentFactory(programme=programme, client=client, assignee=employee)
    colleague_enrolment = factories.EnrolmentFactory(
        programme=programme, client=colleague_client, assignee=colleague
    )
    return ProgrammeWorld(
        programme=programme,
        client=client,
        enrolment=enrolment,
        colleague_client=colleague_client,
        colleague_enrolment=colleague_enrolment,
        contact=factories.KeyContactFactory(client=client, full_name="Pavel Ivanov"),
        colleague_contact=factories.KeyContactFactory(client=colleague_client),
    )


def _logged_in(user):
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def as_employee(employee):
    return _logged_in(employee)


@pytest.fixture
def as_colleague(colleague):
    return _logged_in(colleague)


@pytest.fixture
def as_manager(manager):
    return _logged_in(manager)


@pytest.fixture
def as_other_manager(other_manager):
    return _logged_in(other_manager)


@pytest.fixture
def as_director(director):
    return _logged_in(director)


@pytest.fixture
def logged_in():
    """``logged_in(user)`` gives a test client with that user logged in."""
    return _logged_in


@pytest.fixture
def postgresql(db):
    """For a test that needs PostgreSQL (EXPLAIN plans): skipped on SQLite, except in CI (which
    runs on PostgreSQL), where it fails."""
    from django.db import connection

    if connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI runs on PostgreSQL; this test must run there")
        pytest.skip("needs PostgreSQL (DATABASE_URL); CI runs it")
