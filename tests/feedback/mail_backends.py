"""Mail backends that misbehave on purpose, for the delivery guarantees' tests."""

import os
import pathlib
import time

from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.core.mail.backends.locmem import EmailBackend as LocMemBackend


class FlakyBackend(LocMemBackend):
    """Fails ``failures_left`` times (a mail server down), then delivers to ``mail.outbox``."""

    failures_left = 0
    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).failures_left > 0:
            type(self).failures_left -= 1
            raise ConnectionRefusedError("the mail server is down")
        return super().send_messages(messages)


class HangOnceBackend(FileBackend):
    """The first send hangs (so the test can SIGKILL the worker process mid-task, whose pid it
    writes to the marker file); later sends write the message to EMAIL_FILE_PATH."""

    def send_messages(self, messages):
        marker = pathlib.Path(os.environ["VIPCRM_TEST_HANG_MARKER"])
        if not marker.exists():
            marker.write_text(str(os.getpid()))
            time.sleep(300)
        return super().send_messages(messages)
