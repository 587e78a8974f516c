"""The Redis cache rides out Redis being away: pages keep working."""

import pytest
from django.core.cache import caches

# A port nothing listens on: Redis "restarting".
DOWN = {
    "default": {
        "BACKEND": "vipcrm.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:6399/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def redis_down(settings):
    # Django swaps the cache handlers when CACHES changes in a test.
    settings.CACHES = DOWN
    return caches["default"]


def test_reads_miss_and_writes_are_dropped_while_redis_is_away(redis_down):
    assert redis_down.set("k", 1) is None
    assert redis_down.get("k", "fallback") == "fallback"
    assert redis_down.get_many(["a", "b"]) == {}
    assert redis_down.add("k", 1) is False
    assert redis_down.delete("k") is False


def test_pages_keep_working_while_redis_is_away(redis_down, as_employee, world):
    response = as_employee.get("/clients/")

    assert response.status_code == 200
    assert "Alfa Steel" in response.content.decode()
