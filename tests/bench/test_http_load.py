"""The HTTP run's machinery: gunicorn on loopback, a logged-in session cookie, wrk's figures.

It serves a stand-in site (tests/bench/wsgi_stub.py) so that it needs no shared database; the
real site is driven by ``make bench``.
"""

import os
import shutil

import pytest

from bench import http_load

STUB = "tests.bench.wsgi_stub:application"


@pytest.fixture
def wrk():
    if shutil.which("wrk") is None:
        assert http_load.run(["/a/"], seconds=1, app=STUB) == {
            "status": "not available",
            "reason": "wrk is not installed (make bench installs it)",
        }
        if os.environ.get("CI"):
            pytest.fail("CI installs wrk (.ci/run); this test must run there")
        pytest.skip("wrk is not installed (make bench installs it)")


def test_the_employee_s_pages_are_driven_with_the_session_cookie(db, world, wrk):
    result = http_load.run(["/a/", "/b/"], seconds=2, connections=2, workers=1, app=STUB)
    assert result["status"] == "ok", result
    assert result["errors"] == 0
    assert result["paths"] == ["/a/", "/b/"]
    assert result["requests"] > 10 and result["rps"] > 5
    assert result["p95_ms"] >= result["p50_ms"] > 0


def test_a_page_that_does_not_answer_200_stops_the_run_before_wrk(db, world, wrk):
    result = http_load.run(["/a/", "/missing/"], seconds=2, workers=1, app=STUB)
    assert result == {"status": "failed", "reason": "/missing/ answered 404", "errors": 1}


def test_the_session_cookie_logs_the_employee_in(db, world):
    from django.contrib.sessions.models import Session

    cookie = http_load.employee_session_cookie()
    name, _, key = cookie.partition("=")
    assert name == "sessionid"
    assert Session.objects.get(session_key=key).get_decoded()["_auth_user_id"] == str(
        world.enrolment.assignee.pk
    )
