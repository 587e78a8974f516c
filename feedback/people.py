"""Everyone a follow-up list can be filtered by — the active users, ``[(pk, name), …]`` by last
name and username, a name being the full name, else the username — kept in the cache rather
than read on every view of the corrective actions, opportunities and referrals (a select of 200
people on each).

Stored under a key of its database and deleted when a user is created, deleted, or saved with a
change that can touch the list (a name, the username, being active); a login (``last_login``)
keeps it. A write that bypasses the signals (``bulk_create``, a queryset ``update()``, raw SQL
such as the benchmark's data set) calls ``forget``.
"""

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_delete, post_save

from vipcrm.lists import names_of_people, person_name

TIMEOUT = 3600
# What a person's entry is made of.
LISTED_FIELDS = {"first_name", "last_name", "username", "is_active"}


def _key() -> str:
    return f"feedback:people:{connection.settings_dict['NAME']}"


def people_choices() -> list:
    key = _key()
    people = cache.get(key)
    if people is None:
        people = [
            (pk, person_name(first_name, last_name, username))
            for pk, first_name, last_name, username in get_user_model()
            .objects.filter(is_active=True)
            .order_by("last_name", "username")
            .values_list("pk", "first_name", "last_name", "username")
        ]
        cache.set(key, people, timeout=TIMEOUT)
    return people


def set_names(rows, field: str = "owner_id", name: str = "owner_name") -> None:
    """Gives each of ``rows`` (a page of a list, read as values) the name of the person its
    ``field`` holds, as ``name``: from the cached list of everyone active (``people_choices``,
    which the page's owner filter reads anyway), instead of a join to the users in the rows'
    query; the few not on it (someone who has left) read by their ids."""
    names = dict(people_choices())
    names.update(names_of_people({getattr(row, field) for row in rows} - names.keys()))
    for row in rows:
        setattr(row, name, names.get(getattr(row, field), ""))


def forget() -> None:
    cache.delete(_key())


def _saved(sender, instance, created, update_fields=None, **kwargs):
    if created or update_fields is None or LISTED_FIELDS & set(update_fields):
        forget()


def _deleted(sender, instance, **kwargs):
    forget()


def connect() -> None:
    user = get_user_model()
    post_save.connect(_saved, sender=user, dispatch_uid="feedback_people_saved")
    post_delete.connect(_deleted, sender=user, dispatch_uid="feedback_people_deleted")
