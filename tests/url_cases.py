"""What each user may do at each URL pattern: the permission walker's table.

Each app's cases live beside its tests (``tests/<app>/url_cases.py``); the walker in
``tests/core/test_url_walker.py`` enumerates the URL resolver and fails on a pattern that has no
case here. A case maps each named user to the status they get:

- ``LOGIN``: redirected to the login page (pages) — the API answers 401/403 instead (``DENIED``);
- an int: that status code, e.g. 404 for a colleague's object, 403 for management writing.

``kwargs(world)`` builds the URL's arguments from the ``world`` fixture (tests/conftest.py), where
the object under test belongs to ``employee`` and is on ``manager``'s programme.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

LOGIN = "login"
DENIED = "denied"  # API: 401 or 403 for anonymous
ROLES = ("anonymous", "employee", "colleague", "manager", "other_manager", "director")


@dataclass(frozen=True)
class UrlCase:
    expect: dict
    kwargs: Callable = field(default=lambda world: {})
    method: str = "get"
    data: Callable = field(default=lambda world: {})
    content_type: str | None = None  # "application/json" for API writes
    query: str = ""


def page(**expect):
    """A page everyone with a role may read (override per role)."""
    base = dict(
        anonymous=LOGIN, employee=200, colleague=200, manager=200, other_manager=200, director=200
    )
    base.update(expect)
    return base


def api(**expect):
    base = dict(
        anonymous=DENIED, employee=200, colleague=200, manager=200, other_manager=200, director=200
    )
    base.update(expect)
    return base


def all_cases():
    from tests.clients.url_cases import CASES as clients
    from tests.core.url_cases import CASES as core
    from tests.feedback.url_cases import CASES as feedback
    from tests.programme.url_cases import CASES as programme

    merged = {}
    for cases in (core, clients, programme, feedback):
        for name, case in cases.items():
            assert name not in merged, f"{name} has cases in two modules"
            merged[name] = case if isinstance(case, list | tuple) else [case]
    return merged
