"""Settings of a real Celery worker subprocess started by test_reminder_guarantees: the project's
settings on the test database, with a mail backend that hangs on the first message."""

import os

from vipcrm.settings import *  # noqa: F403 - the project's settings, then the test's changes

DATABASES["default"]["NAME"] = os.environ["VIPCRM_TEST_DB_NAME"]  # noqa: F405
EMAIL_BACKEND = "tests.feedback.mail_backends.HangOnceBackend"
EMAIL_FILE_PATH = os.environ["VIPCRM_TEST_MAIL_DIR"]

# Without Redis, the test session's own queue folder (tests/conftest.py), named by the test.
if os.environ.get("VIPCRM_TEST_BROKER_OPTIONS"):
    import json

    CELERY_BROKER_TRANSPORT_OPTIONS = json.loads(os.environ["VIPCRM_TEST_BROKER_OPTIONS"])
