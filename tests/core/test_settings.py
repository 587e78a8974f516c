"""Settings read from the environment; production refuses unsafe defaults."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k" * 20 + "-production-secret-for-tests-" + "x" * 20


def run_manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "EMAIL_"))
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_check_deploy_passes_with_secrets_set(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=STRONG_KEY,
        DJANGO_ALLOWED_HOSTS="crm.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_the_default_secret_key():
    result = run_manage("check", DJANGO_ENV="production", DJANGO_ALLOWED_HOSTS="crm.example.com")
    assert result.returncode != 0
    assert "Production needs DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = run_manage(
        "check",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=STRONG_KEY,
        DJANGO_DEBUG="true",
        DJANGO_ALLOWED_HOSTS="crm.example.com",
    )
    assert result.returncode != 0
    assert "must not run with DJANGO_DEBUG on" in result.stderr


def test_unknown_environment_name_is_refused():
    result = run_manage("check", DJANGO_ENV="staging")
    assert result.returncode != 0
    assert "DJANGO_ENV must be" in result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "filesystem://"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/9"}, "redis://127.0.0.1:6379/9"),
    ],
)
def test_celery_broker_follows_redis_url(env, expected):
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.CELERY_BROKER_URL)", **env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_database_url_selects_postgresql():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/nowhere",
    )
    # The shell itself needs no connection; only the engine is read.
    assert "django.db.backends.postgresql" in result.stdout


def test_email_defaults_to_a_folder_and_follows_email_url():
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    default = run_manage("shell", "-c", code)
    smtp = run_manage("shell", "-c", code, EMAIL_URL="smtp://user:pw@mail.example.com:587")
    assert default.stdout.strip().splitlines()[-1].endswith("filebased.EmailBackend")
    assert smtp.stdout.strip().splitlines()[-1].endswith("smtp.EmailBackend")
