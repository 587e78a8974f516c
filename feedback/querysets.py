from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Q

from vipcrm import roles
from vipcrm.expressions import InIds

from .enums import CLOSED_ACTION_STATUSES


def _visible_clients(user):
    from clients.models import Client

    return Client.objects.visible_to(user).values("pk")


def visible_programmes(user) -> list[tuple[int, str, int]]:
    """The programmes the user may see (``Programme.objects.visible_to``) as ``(pk, name,
    manager_id)``, newest first then by name, read once per user object (as their roles): the
    options of the follow-up lists' programme filter, and the programmes the user runs (those
    are among them: a manager sees what they run)."""
    cached = getattr(user, "_vipcrm_visible_programmes", None)
    if cached is None:
        cached = _read_visible_programmes(user)
        user._vipcrm_visible_programmes = cached
    return cached


# The SQL of ``visible_programmes`` by database and kind of user, kept once compiled: building
# and compiling the query cost ten times what running it did (1 ms of a follow-up list's
# Python). See ``_read_visible_programmes``.
_VISIBLE_PROGRAMMES_SQL: dict = {}


def _read_visible_programmes(user) -> list[tuple[int, str, int]]:
    from programme.models import Programme

    connection = connections[Programme.objects.db]
    # What ``Programme.objects.visible_to`` decides by: whether one is logged in, and the
    # roles (as a superuser) — then the user's id, its only parameter. The SQL is kept only
    # when its parameters are the user's id and nothing else: a rule that one day asks for
    # another value is compiled each time, never run with a stale value.
    kind = (connection.alias, user.is_authenticated, user.is_superuser, roles.role_names(user))
    compiled = _VISIBLE_PROGRAMMES_SQL.get(kind)
    if compiled is not None:
        sql, count = compiled
        with connection.cursor() as cursor:
            cursor.execute(sql, [user.pk] * count)
            return [tuple(row) for row in cursor.fetchall()]
    queryset = (
        Programme.objects.visible_to(user)
        .order_by("-starts_on", "name")
        .values_list("pk", "name", "manager_id")
    )
    try:
        sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    except EmptyResultSet:  # nobody logged in: no programme
        return []
    if user.pk is not None and all(type(p) is int and p == user.pk for p in params):
        _VISIBLE_PROGRAMMES_SQL[kind] = (sql, len(params))
    return list(queryset)


def _managed_programme_ids(user) -> list[int]:
    """The ids of the programmes the user runs, from the programmes they may see: one read of
    the programmes a request, which also gives the programme filter its options."""
    return [pk for pk, _name, manager_id in visible_programmes(user) if manager_id == user.pk]


class ClientScopedQuerySet(models.QuerySet):
    """Anything that hangs off a client is visible to whoever may see the client."""

    client_field = "client"

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if roles.sees_everything(user) or roles.is_programme_manager(user):
            return self
        return self.filter(**{f"{self.client_field}__in": _visible_clients(user)})


class VisitQuerySet(ClientScopedQuerySet):
    def upcoming(self):
        return self.filter(status="planned")


class VisitReportQuerySet(ClientScopedQuerySet):
    client_field = "visit__client"


class WorkItemQuerySet(ClientScopedQuerySet):
    """Follow-ups, corrective actions, opportunities and referrals: management sees all; anyone
    else what they own, what hangs off a client on their personal list, and (as a programme
    manager) what belongs to a programme they run or to a client on its list. A manager of another
    programme does not see them, although every manager may read the client base."""

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if roles.sees_everything(user):
            return self
        from programme.models import Enrolment

        # Each way of seeing an item is read by its own index: as one OR of joins PostgreSQL
        # could use an index for none of them, and at 100,000 clients it joined every item to
        # its client before filtering (50-100 ms a list).
        def ids(**lookups):
            return self.model._base_manager.filter(**lookups).order_by().values("pk")

        def clients(**lookups):
            return Enrolment.objects.filter(**lookups).order_by().values("client_id")

        # The user's own clients as an array read first (InIds): each item is then found by
        # the client's index, in a bitmap OR with the owner's, instead of a semi-join that
        # read every item (9 ms → 2.5 ms for an employee's 500 opportunities). Where
        # PostgreSQL scans the whole table instead (a tenth of the scale: 2,000 opportunities,
        # a quarter of them the employee's), it would compare each item with every id of the
        # array (an array from a subquery is not hashed; 9 ms): so the same clients are asked
        # first as ``IN (subquery)``, which a scan probes in a hash of them (``hashed``; 1.4
        # ms). The index path is the same as before.
        own_list = InIds(self.client_field, clients(assignee=user), hashed=True)
        # The programmes the user runs, looked up first (once per request): a branch for them
        # only when there are some, so that PostgreSQL's estimate of an employee's items is
        # theirs, not every item of the programme (which made it read all items anyway).
        managed = _managed_programme_ids(user)
        if not managed:
            return self.filter(Q(owner=user) | own_list)
        client_in = f"{self.client_field}__in"
        return self.filter(
            pk__in=ids(owner=user).union(
                self.model._base_manager.filter(own_list).order_by().values("pk"),
                ids(**{client_in: clients(programme__in=managed)}),
                ids(programme__in=managed),
            )
        )


class CorrectiveActionQuerySet(WorkItemQuerySet):
    # The owner of a corrective action may be from quality or logistics, not the client's
    # assignee: they see what they own.

    def open(self):
        return self.exclude(status__in=CLOSED_ACTION_STATUSES)


class OpportunityQuerySet(WorkItemQuerySet):
    pass


class ReferralQuerySet(WorkItemQuerySet):
    client_field = "referring_client"

    def open(self):
        return self.filter(status__in=("new", "contacted", "meeting"))


class FollowUpQuerySet(WorkItemQuerySet):
    def pending(self):
        return self.filter(done_at__isnull=True)


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)
