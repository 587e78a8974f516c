"""The employee's personal list across the active programmes: what My list and
/api/v1/me/enrolments/ show. Everything is counted in the database, one query per page."""

import datetime as dt

import django_filters
from django.db import connection
from django.db.models import DateTimeField, F, Field, IntegerField, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.enums import Stage
from programme.models import Enrolment, Programme
from vipcrm.expressions import InIds

from .enums import CLOSED_ACTION_STATUSES
from .models import CorrectiveAction, FollowUp, Visit
from .paging import rows_page

# A client assigned this long ago without a meeting booked is marked overdue.
BOOK_WITHIN_DAYS = 14


def personal_list(user, *, figures=True):
    """The person's enrolments in active programmes, each with what My list shows of it
    (``figures``), or with its client's name to sort by only (``figures=False``: what My list
    pages by when neither its filter nor its order needs the figures, see ``needs_figures``)."""
    # Per-row subqueries, no join to the visits and no GROUP BY: the count of a page reads the
    # enrolments only, and PostgreSQL evaluates the subqueries for the 50 rows shown.
    # The employee's enrolments as an array of ids read first (InIds): PostgreSQL then joins
    # their few hundred clients by primary key, where it expected thousands of rows and read
    # all 100,000 clients in a hash join, for the rows and again for the count (35 ms).
    if not figures:
        # Only the sort key: the person's enrolments read once, by the index of (programme,
        # assignee), the active programmes' ids as an array (InIds) — not their ids first and
        # then each enrolment again by its primary key (4,000 buffers → 2,000; 7 → 4 ms).
        active = Programme.objects.filter(status="active").order_by().values("pk")
        return Enrolment.objects.filter(InIds("programme", active), assignee=user).annotate(
            client_sort=Lower("client__name")
        )
    mine = Enrolment.objects.filter(assignee=user, programme__status="active").values("pk")
    enrolments = Enrolment.objects.filter(InIds("pk", mine.order_by()))
    return _with_figures(enrolments).select_related("client", "programme")


def needs_figures(data) -> bool:
    """Whether My list's filter or order (``PersonalListFilter``'s ``data``) reads the per-row
    figures: the overdue filter and the order by next meeting do."""
    return data.get("overdue") == "1" or "next_meeting" in (data.get("ordering") or "")


def personal_page(rows, number, per_page: int, *, figures: bool):
    """The page ``number`` of ``rows`` (a person's list as ``personal_list`` gives it, filtered
    and ordered; ``figures`` as it was asked for), with what My list shows of each row, read
    in one query with the count of the list (``feedback.paging.rows_page``).

    Without the figures in the list (its filter and order do not need them), they are asked
    for the page only: PostgreSQL sorts the person's few hundred rows by the name, keeps the
    page, and only then runs the figures' subqueries, for its 25 rows. (The sorted ids first,
    then the page's rows by their ids, took two queries, 500 ids sent back, and the planning
    of the figures all the same.)"""
    paired = not figures and connection.vendor == "postgresql"
    if figures:
        expressions = {}
    elif paired:
        expressions = _paired_figures()
    else:
        expressions = _figures()
    # Read as values, not as an enrolment with its client and programme: the page shows a few
    # of their columns, and three model instances a row cost more than the row's markup.
    page = rows_page(
        rows,
        number,
        per_page,
        "pk",
        "client_id",
        "stage",
        "assigned_at",
        *(FIGURES if figures else ()),
        client_name=F("client__name"),
        programme_name=F("programme__name"),
        **expressions,
    )
    if paired:
        for row in page.object_list:
            row.next_visit_id, row.unreported_visits = row.__dict__.pop("planned_visits")
            row.open_follow_ups, row.overdue_follow_ups = row.__dict__.pop("pending_follow_ups")
    return page


def _paired_figures() -> dict:
    """The figures of a page on PostgreSQL, those read from the same rows in pairs: the next
    planned visit and the planned visits past, the follow-ups pending and overdue, each pair
    one subquery giving an array of the two (four subqueries instead of six: 0.8 ms less of a
    page of 25 at 100,000 clients). The same counts as ``_figures``' (a test compares them)."""
    today = timezone.localdate()
    tables = {
        "enrolment": Enrolment._meta.db_table,
        "visit": Visit._meta.db_table,
        "follow_up": FollowUp._meta.db_table,
    }
    figures = _figures()
    return dict(
        next_meeting=figures["next_meeting"],
        overdue_actions=figures["overdue_actions"],
        planned_visits=RawSQL(
            "(SELECT ARRAY[(ARRAY_AGG(v.id ORDER BY v.scheduled_at, v.id))[1],"
            " COUNT(*) FILTER (WHERE v.scheduled_at < %s)] FROM {visit} v"
            " WHERE v.enrolment_id = {enrolment}.id AND v.status = 'planned')".format(**tables),
            (timezone.now(),),
            output_field=Field(),
        ),
        pending_follow_ups=RawSQL(
            "(SELECT ARRAY[COUNT(*), COUNT(*) FILTER (WHERE f.due_on < %s)] FROM {follow_up} f"
            " WHERE f.client_id = {enrolment}.client_id AND f.done_at IS NULL)".format(**tables),
            (today,),
            output_field=Field(),
        ),
    )


# What ``_with_figures`` annotates, besides the sort key.
FIGURES = (
    "next_meeting",
    "next_visit_id",
    "open_follow_ups",
    "overdue_follow_ups",
    "overdue_actions",
    "unreported_visits",
)


# The per-row figures as correlated subqueries written out (RawSQL), each on an index of the
# counted table (the visits' enrolment and time, the follow-ups' and actions' client). The same
# six as ORM subqueries cost 5 ms of Python a page to build and compile — more than PostgreSQL
# took to plan and run them — for SQL that never changes shape. ``{enrolment}`` is the outer
# table by its name: these annotate a query on the enrolments themselves, not a subquery.
_FIRST_PLANNED = (
    "(SELECT v.{column} FROM {visit} v WHERE v.enrolment_id = {enrolment}.id"
    " AND v.status = 'planned' ORDER BY v.scheduled_at, v.id LIMIT 1)"
)
_FIGURES_SQL = {
    "next_meeting": _FIRST_PLANNED.replace("{column}", "scheduled_at"),
    "next_visit_id": _FIRST_PLANNED.replace("{column}", "id"),
    "open_follow_ups": (
        "(SELECT COUNT(*) FROM {follow_up} f WHERE f.client_id = {enrolment}.client_id"
        " AND f.done_at IS NULL)"
    ),
    "overdue_follow_ups": (
        "(SELECT COUNT(*) FROM {follow_up} f WHERE f.client_id = {enrolment}.client_id"
        " AND f.done_at IS NULL AND f.due_on < %s)"
    ),
    # Open: CorrectiveActionQuerySet.open(), not in CLOSED_ACTION_STATUSES (its params).
    "overdue_actions": (
        "(SELECT COUNT(*) FROM {action} a WHERE a.client_id = {enrolment}.client_id"
        " AND a.status NOT IN (%s, %s) AND a.due_on < %s)"
    ),
    "unreported_visits": (
        "(SELECT COUNT(*) FROM {visit} v WHERE v.enrolment_id = {enrolment}.id"
        " AND v.status = 'planned' AND v.scheduled_at < %s)"
    ),
}


def _figure(name, params=(), output_field=None):
    tables = {
        "enrolment": Enrolment._meta.db_table,
        "visit": Visit._meta.db_table,
        "follow_up": FollowUp._meta.db_table,
        "action": CorrectiveAction._meta.db_table,
    }
    return RawSQL(
        _FIGURES_SQL[name].format(**tables), params, output_field=output_field or IntegerField()
    )


def _figures() -> dict:
    """The per-row figures (``FIGURES``) as expressions."""
    # Adapted as the ORM adapts a date and a time for the database (SQLite stores text).
    today = connection.ops.adapt_datefield_value(timezone.localdate())
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    return dict(
        next_meeting=_figure("next_meeting", output_field=DateTimeField()),
        next_visit_id=_figure("next_visit_id"),
        open_follow_ups=_figure("open_follow_ups"),
        overdue_follow_ups=_figure("overdue_follow_ups", (today,)),
        overdue_actions=_figure(
            "overdue_actions", (*(str(status) for status in CLOSED_ACTION_STATUSES), today)
        ),
        unreported_visits=_figure("unreported_visits", (now,)),
    )


def _with_figures(enrolments):
    return enrolments.annotate(
        # Sorting by an expression, not the indexed column: PostgreSQL then sorts the
        # employee's few hundred rows instead of walking the name index of every client.
        client_sort=Lower("client__name"),
        **_figures(),
    )


def with_marks(enrolments):
    """Adds what the page shows per row and cannot be said in SQL once: days since assignment
    and the overdue marks."""
    now = timezone.now()
    for enrolment in enrolments:
        enrolment.days_assigned = (
            (now - enrolment.assigned_at).days if enrolment.assigned_at else None
        )
        enrolment.no_meeting_yet = (
            enrolment.stage == Stage.NOT_CONTACTED
            and enrolment.days_assigned is not None
            and enrolment.days_assigned >= BOOK_WITHIN_DAYS
        )
        enrolment.is_overdue = bool(
            enrolment.overdue_follow_ups
            or enrolment.overdue_actions
            or enrolment.unreported_visits
            or enrolment.no_meeting_yet
        )
        yield enrolment


class PersonalListFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Client"), method="search")
    stage = django_filters.ChoiceFilter(
        label=_("Stage"), choices=Stage.choices, empty_label=_("All stages")
    )
    programme = django_filters.NumberFilter(label=_("Programme"), field_name="programme_id")
    overdue = django_filters.ChoiceFilter(
        label=_("Overdue"),
        choices=[("1", _("Only overdue"))],
        empty_label=_("All clients"),
        method="only_overdue",
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=_("Client name"),
        fields=(
            ("client_sort", "client"),
            ("stage", "stage"),
            ("next_meeting", "next_meeting"),
            ("assigned_at", "assigned"),
        ),
        field_labels={
            "client_sort": _("Client"),
            "stage": _("Stage"),
            "next_meeting": _("Next meeting"),
            "assigned_at": _("Assigned"),
        },
    )

    class Meta:
        model = Enrolment
        fields = ["q", "stage", "programme", "overdue"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(client__name__icontains=value) if value else queryset

    def only_overdue(self, queryset, name, value):
        if value != "1":
            return queryset
        cutoff = timezone.now() - dt.timedelta(days=BOOK_WITHIN_DAYS)
        return queryset.filter(
            Q(overdue_follow_ups__gt=0)
            | Q(overdue_actions__gt=0)
            | Q(unreported_visits__gt=0)
            | Q(stage=Stage.NOT_CONTACTED, assigned_at__lte=cutoff)
        )
