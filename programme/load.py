"""The weighted load of a programme's list per assignee, and its pool as the selects list it,
kept in the cache under the programme's ``load_token``.

Reading it from the list is a GROUP BY over every enrolment joined to its client (40–80 ms at
100,000 clients), and the staff pool page shows it on every view. So it is computed once per
change: every write that changes who holds which client, or a client's tier, calls
``load_changed`` in its transaction, which sets a new token; the next view misses the cache,
computes the load once and stores it under the new token. A view that read the old token before
the write committed may store the figures it saw under the old token, which no one asks for
again.

The writes: enrolments created, saved with their assignee or deleted (``Enrolment`` post_save and
post_delete, below: the services, the admin, a referral converted into a client on a list, a
client deleted with its enrolments); the set-wise ones call it themselves (the bulk and split
assignments, ``programmes._insert_enrolments`` for the list's add jobs and the next run, the
import's ``bulk_create``); a client's tier changing (``Client`` post_save, below: its form, API,
admin and import all save the client).

The list's count filtered by stage and tier (the count its page shows when filtered by them
alone, which joined the list to its clients on each view; kept as the page counted it) and its
counts by assignee and stage (programme progress) are kept the same way under a second token,
``counts_token``: every write above sets it too, and so does a client moving to another stage
(``Enrolment`` saved with its ``stage``: the ``enrolment_set_stage`` service, which visits and
reports call), which leaves the load alone."""

import uuid

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

# A day: a list nobody looks at does not keep its entry; the next view recomputes it.
TIMEOUT = 24 * 3600


def load_changed(*, programme_ids=None, client_id=None) -> None:
    """Sets a new load token on the given programmes, or on every programme ``client_id`` is
    on: one UPDATE."""
    from .models import Enrolment, Programme

    programmes = Programme.objects.all()
    if client_id is not None:
        programmes = programmes.filter(
            pk__in=Enrolment.objects.filter(client_id=client_id).values("programme_id")
        )
    else:
        programmes = programmes.filter(pk__in=list(programme_ids))
    # Who holds which client, or its weight, changing may change the counts by stage and tier
    # too (a client added, removed, its tier changed): both tokens, in one UPDATE.
    programmes.update(load_token=uuid.uuid4(), counts_token=uuid.uuid4())


def counts_changed(*, programme_ids) -> None:
    """Sets a new counts token on the given programmes (a client moved to another stage)."""
    from .models import Programme

    Programme.objects.filter(pk__in=list(programme_ids)).update(counts_token=uuid.uuid4())


def cache_key(programme) -> str:
    return f"programme:load:{programme.pk}:{programme.load_token}"


def cached_load(programme, compute) -> dict:
    """``compute(programme)`` (``selectors.list_load``'s dict) from the cache, computed and
    stored when the programme's token has none."""
    key = cache_key(programme)
    load = cache.get(key)
    if load is None:
        load = compute(programme)
        cache.set(key, load, timeout=TIMEOUT)
    return load


def _counts_key(programme, name: str) -> str:
    return f"programme:counts:{name}:{programme.pk}:{programme.counts_token}"


def cached_counts(programme, name: str, compute) -> dict:
    """``compute(programme)``, counts of the list's clients by ``name`` (``selectors.progress``),
    from the cache under the programme's counts token, computed and stored when it has none."""
    counts = kept_count(programme, name)
    if counts is None:
        counts = compute(programme)
        keep_count(programme, name, counts)
    return counts


def kept_count(programme, name: str):
    """What ``keep_count`` kept under ``name`` for the programme's counts token, or None."""
    return cache.get(_counts_key(programme, name))


def keep_count(programme, name: str, value) -> None:
    cache.set(_counts_key(programme, name), value, timeout=TIMEOUT)


def _pool_key(programme_id, load_token) -> str:
    return f"programme:pool:{programme_id}:{load_token}"


def cached_pool(programme, compute) -> list:
    """``compute(programme)``, the programme's pool as its selects list it, from the cache.
    Stored under the programme's token too (a list changed meanwhile reads it again, which is
    cheap), and deleted when a member joins or leaves the pool or a member's name changes
    (``_member_changed``, ``_person_renamed``) — which leaves the load's entry alone."""
    key = _pool_key(programme.pk, programme.load_token)
    pool = cache.get(key)
    if pool is None:
        pool = compute(programme)
        cache.set(key, pool, timeout=TIMEOUT)
    return pool


def forget_pool(programme_ids) -> None:
    from .models import Programme

    tokens = Programme.objects.filter(pk__in=list(programme_ids)).values_list("pk", "load_token")
    cache.delete_many([_pool_key(pk, token) for pk, token in tokens])


def _member_changed(sender, instance, created=True, **kwargs):
    if created:  # a member's kind changing does not change the pool's people
        forget_pool([instance.programme_id])


# A person's label in the pool's selects is made of these.
NAME_FIELDS = {"first_name", "last_name", "username"}


def _person_renamed(sender, instance, created, update_fields=None, **kwargs):
    if created or kwargs.get("raw"):
        return
    if update_fields is not None and not NAME_FIELDS & set(update_fields):
        return  # a login (last_login), a new password: not the name
    from .models import StaffMember

    forget_pool(
        StaffMember.objects.filter(employee=instance).values_list("programme_id", flat=True)
    )


def _enrolment_saved(sender, instance, created, update_fields=None, **kwargs):
    if kwargs.get("raw"):
        return
    if created or update_fields is None or "assignee" in update_fields:
        load_changed(programme_ids=[instance.programme_id])
    elif "stage" in update_fields:
        counts_changed(programme_ids=[instance.programme_id])


def _enrolment_deleted(sender, instance, origin=None, **kwargs):
    from .models import Programme

    if isinstance(origin, Programme):
        return  # the list goes with its programme
    load_changed(programme_ids=[instance.programme_id])


def _client_saved(sender, instance, created, update_fields=None, **kwargs):
    if created or kwargs.get("raw"):
        return
    if update_fields is not None and "tier" not in update_fields:
        return
    if getattr(instance, "_loaded_tier", None) == instance.tier:
        return
    load_changed(client_id=instance.pk)
    instance._loaded_tier = instance.tier


def connect() -> None:
    from django.contrib.auth import get_user_model

    from clients.models import Client

    from .models import Enrolment, StaffMember

    post_save.connect(_member_changed, sender=StaffMember, dispatch_uid="programme_pool_member")
    post_delete.connect(
        _member_changed, sender=StaffMember, dispatch_uid="programme_pool_member_deleted"
    )
    post_save.connect(
        _person_renamed, sender=get_user_model(), dispatch_uid="programme_pool_person"
    )

    post_save.connect(_enrolment_saved, sender=Enrolment, dispatch_uid="programme_load_enrolment")
    post_delete.connect(
        _enrolment_deleted, sender=Enrolment, dispatch_uid="programme_load_enrolment_deleted"
    )
    post_save.connect(_client_saved, sender=Client, dispatch_uid="programme_load_client")
