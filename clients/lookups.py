"""Segments and regions as the filter bars list them, ``[(pk, name), …]`` in name order, kept in
the cache rather than read on every view of a list.

They are short reference lists that change through the admin now and then, and every client
list, programme list and dashboard filter shows them: two queries per view. Each is stored under
a key of its database and deleted when a segment or region is saved or deleted (signals, below;
the cache is shared by every web process and worker). A write that bypasses the signals
(``bulk_create``, raw SQL such as the benchmark's data set) calls ``forget``.
"""

from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_delete, post_save

# A safety net, not the way changes arrive: the signals delete the entries.
TIMEOUT = 3600
NAMES = ("segments", "regions")


def _key(name: str) -> str:
    return f"clients:lookups:{connection.settings_dict['NAME']}:{name}"


def _cached(name: str, read) -> list:
    key = _key(name)
    rows = cache.get(key)
    if rows is None:
        rows = list(read())
        cache.set(key, rows, timeout=TIMEOUT)
    return rows


def segment_choices() -> list:
    from .models import Segment

    return _cached("segments", lambda: Segment.objects.values_list("pk", "name"))


def region_choices() -> list:
    from .models import Region

    return _cached("regions", lambda: Region.objects.values_list("pk", "name"))


def forget() -> None:
    cache.delete_many([_key(name) for name in NAMES])


def _changed(sender, **kwargs) -> None:
    forget()


def connect() -> None:
    from .models import Region, Segment

    for model in (Segment, Region):
        post_save.connect(_changed, sender=model, dispatch_uid=f"lookups_saved_{model.__name__}")
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"lookups_deleted_{model.__name__}"
        )
