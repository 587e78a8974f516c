"""Settings of a real Celery worker subprocess started by test_reminder_guarantees: the project's
settings on the test database, with a mail backend that hangs on the first message."""

import os

from vipcrm.settings import *  # noqa: F403 - the project's settings, then the test's changes

DATABASES["default"]["NAME"] = os.environ["VIPCRM_TEST_DB_NAME"]  # noqa: F405
EMAIL_BACKEND = "tests.feedback.mail_backends.HangOnceBackend"
EMAIL_FILE_PATH = os.environ["VIPCRM_TEST_MAIL_DIR"]
