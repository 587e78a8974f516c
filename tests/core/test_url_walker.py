"""The permission walker: every URL pattern, every named user, the expected answer."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.url_cases import DENIED, LOGIN, ROLES, all_cases

# The Django admin has its own login and permission checks (see test_admin.py).
SKIPPED_NAMESPACES = {"admin"}


def url_pattern_names():
    def walk(resolver, prefix):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in SKIPPED_NAMESPACES:
                    continue
                namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
                yield from walk(pattern, namespace)
            elif isinstance(pattern, URLPattern):
                yield f"{prefix}{pattern.name}" if pattern.name else f"<unnamed {pattern.pattern}>"

    return sorted(set(walk(get_resolver(), "")))


CASES = all_cases()


def test_every_url_pattern_has_a_permission_case():
    missing = [name for name in url_pattern_names() if name not in CASES]
    assert missing == [], f"URL patterns without a case in tests/*/url_cases.py: {missing}"


def test_no_case_for_a_pattern_that_does_not_exist():
    names = set(url_pattern_names())
    assert sorted(set(CASES) - names) == []


PARAMS = [
    pytest.param(name, index, role, id=f"{name}[{index}]-{role}")
    for name, cases in sorted(CASES.items())
    for index, case in enumerate(cases)
    for role in ROLES
    if role in case.expect
]


@pytest.mark.parametrize(("name", "index", "role"), PARAMS)
def test_url_answers_each_user_as_expected(name, index, role, world, request, client):
    case = CASES[name][index]
    http = client if role == "anonymous" else request.getfixturevalue(f"as_{role}")
    if role == "other_manager":
        request.getfixturevalue("other_manager")
    url = reverse(name, kwargs=case.kwargs(world)) + case.query
    send = getattr(http, case.method)
    if case.content_type:
        response = send(url, data=case.data(world), content_type=case.content_type)
    else:
        response = send(url, data=case.data(world))
    expected = case.expect[role]
    if expected == LOGIN:
        assert response.status_code == 302, response
        assert response["Location"].startswith(reverse("login")), response["Location"]
    elif expected == DENIED:
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == expected, (
            f"{role} {case.method.upper()} {url}: {response.status_code}, expected {expected}"
        )
