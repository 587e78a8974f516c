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
    """Every ``CASES`` of every ``tests/**/url_cases*.py`` module, one list of cases per name."""
    import importlib
    import pathlib

    tests_dir = pathlib.Path(__file__).parent
    merged = {}
    for path in sorted(tests_dir.rglob("url_cases*.py")):
        if path.parent == tests_dir:
            continue
        module_name = ".".join(path.relative_to(tests_dir.parent).with_suffix("").parts)
        for name, case in importlib.import_module(module_name).CASES.items():
            assert name not in merged, f"{name} has cases in two modules"
            merged[name] = list(case) if isinstance(case, list | tuple) else [case]
    return merged
