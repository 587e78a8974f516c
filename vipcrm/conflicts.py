"""Optimistic locking: a save made from an older version of a record than the stored one is
refused with the fields that differ, so that nobody silently overwrites a colleague's work.

Each guarded model has a ``version`` integer that its services bump on every write. A page sends
the version it showed as a hidden field, an API client the ``version`` it read; the service
compares it under its row lock and raises ``VersionConflict``. It is a ValidationError, so every
path that already shows a service's refusal keeps working; pages show ``changes`` beside the
user's input (templates/_version_conflict.html) and the API answers 409 with them.
"""

import dataclasses

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclasses.dataclass(frozen=True)
class FieldChange:
    """One field where what the user sent differs from what is saved now."""

    field: str
    label: str
    yours: str
    saved: str


class VersionConflict(ValidationError):
    def __init__(self, *, version: int, sent: int, changes: list[FieldChange]):
        super().__init__(
            _(
                "Someone else saved this record while you were editing it (you started from "
                "version %(sent)s, the saved one is version %(version)s). Nothing was "
                "overwritten and your input is kept: compare it with the saved values and save "
                "again to keep yours."
            )
            % {"sent": sent, "version": version},
            code="conflict",
        )
        self.version = version
        self.sent = sent
        self.changes = changes

    def as_dict(self) -> dict:
        return {
            "detail": self.messages[0],
            "code": "conflict",
            "version": self.version,
            "changes": [dataclasses.asdict(change) for change in self.changes],
        }


def parse_version(version) -> int | None:
    """The version a client sent: None when it sent none (no check), else a whole number."""
    if version in (None, ""):
        return None
    if isinstance(version, list | tuple) and len(version) == 1:
        version = version[0]
    try:
        return int(version)
    except (TypeError, ValueError):
        raise ValidationError({"version": _("The version is a whole number.")}) from None


def shown(value) -> str:
    """A value as a person reads it in the comparison."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, dict):
        return ", ".join(shown(item) for item in value.values() if item not in (None, ""))
    if isinstance(value, list | tuple):
        return "; ".join(shown(item) for item in value)
    return str(value)


def check_version(*, current: int, sent, changes) -> None:
    """Raises VersionConflict when ``sent`` (a version, or None for "not checked") is not the
    ``current`` one. ``changes`` is a callable returning the FieldChange list, computed only on a
    conflict."""
    sent = parse_version(sent)
    if sent is None or sent == current:
        return
    raise VersionConflict(version=current, sent=sent, changes=list(changes()))
