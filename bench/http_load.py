"""The HTTP run: the site under gunicorn on loopback, driven by ``wrk`` with the employee's pages.

The employee is logged in by a session made in the database (the session cookie is passed to
wrk), every page of the mix is checked to answer 200 first, then wrk drives them round-robin
for ``BENCH_HTTP_SECONDS`` (60 by default). A Lua ``done`` hook prints requests, p95 and errors
(connection, read, write, timeouts and statuses ≥ 400) as one JSON line.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LUA = r"""
local paths = {%(paths)s}
local counter = 0
wrk.headers["Cookie"] = "%(cookie)s"
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, ' ..
    '"errors": %%d, "errors_detail": {"connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    e.connect + e.read + e.write + e.status + e.timeout,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def employee_session_cookie(username: str = "employee") -> str:
    """A logged-in session for the user, stored in the database the server reads."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    browser = Client()
    browser.force_login(get_user_model().objects.get(username=username))
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={browser.cookies[name].value}"


def _wait_until_up(base: str, process, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(base + "/health/", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /health/ in time")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def check_pages(base: str, paths: list[str], cookie: str) -> list[str]:
    """Each path answers 200 to the logged-in employee (not a redirect to the login)."""
    opener = urllib.request.build_opener(_NoRedirect)
    problems = []
    for path in paths:
        request = urllib.request.Request(base + path, headers={"Cookie": cookie})
        try:
            with opener.open(request, timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != 200:
            problems.append(f"{path} answered {status}")
    return problems


def run(
    paths: list[str],
    seconds: int,
    connections: int = 4,
    workers: int = 2,
    app: str = "vipcrm.wsgi:application",
) -> dict:
    """Starts gunicorn, drives ``paths`` with wrk, stops gunicorn; returns rps, p95, errors."""
    wrk = shutil.which("wrk")
    if wrk is None:
        reason = "wrk is not installed (make bench installs it)"
        return {"status": "not available", "reason": reason}
    if not paths:
        return {"status": "not available", "reason": "no page in the mix"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "DJANGO_DEBUG": "false",
        "PYTHONUNBUFFERED": "1",
        # whitenoise warns once per worker that collectstatic has not run: pages only here.
        "PYTHONWARNINGS": "ignore:No directory at",
    }
    gunicorn = [
        sys.executable, "-m", "gunicorn", app,
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--log-level", "warning", "--timeout", "60",
    ]  # fmt: skip
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=env)
    try:
        try:
            _wait_until_up(base, server)
        except RuntimeError as error:
            return {"status": "failed", "reason": str(error)}
        cookie = employee_session_cookie()
        problems = check_pages(base, paths, cookie)
        if problems:
            return {"status": "failed", "reason": "; ".join(problems), "errors": len(problems)}
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA % {"paths": ", ".join(json.dumps(p) for p in paths), "cookie": cookie})
        threads = max(1, min(2, connections))
        command = [
            wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
            "-s", script.name, base,
        ]  # fmt: skip
        finished = subprocess.run(command, capture_output=True, text=True, check=False)
        os.unlink(script.name)
        line = next((x for x in finished.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
        if line is None:
            return {"status": "failed", "reason": finished.stderr.strip() or finished.stdout}
        data = json.loads(line.removeprefix("BENCH_JSON "))
        duration = data["duration_us"] / 1e6
        return {
            "status": "ok",
            "seconds": seconds,
            "connections": connections,
            "workers": workers,
            "paths": paths,
            "requests": data["requests"],
            "rps": round(data["requests"] / duration, 1) if duration else 0.0,
            "p50_ms": round(data["p50_us"] / 1000, 1),
            "p95_ms": round(data["p95_us"] / 1000, 1),
            "errors": data["errors"],
            "errors_detail": data["errors_detail"],
        }
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
