"""The employee's personal list across the active programmes: what My list and
/api/v1/me/enrolments/ show. Everything is counted in the database, one query per page."""

import datetime as dt
from types import SimpleNamespace

import django_filters
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.enums import Stage
from programme.models import Enrolment
from vipcrm.expressions import InIds

from .models import CorrectiveAction, FollowUp, Visit

# A client assigned this long ago without a meeting booked is marked overdue.
BOOK_WITHIN_DAYS = 14


def _count(queryset):
    counted = queryset.order_by().values("client_id").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def personal_list(user, *, figures=True):
    """The person's enrolments in active programmes, each with what My list shows of it
    (``figures``), or with its client's name to sort by only (``figures=False``: what My list
    pages by when neither its filter nor its order needs the figures, see ``needs_figures``)."""
    # Per-row subqueries, no join to the visits and no GROUP BY: the count of a page reads the
    # enrolments only, and PostgreSQL evaluates the subqueries for the 50 rows shown.
    # The employee's enrolments as an array of ids read first (InIds): PostgreSQL then joins
    # their few hundred clients by primary key, where it expected thousands of rows and read
    # all 100,000 clients in a hash join, for the rows and again for the count (35 ms).
    mine = Enrolment.objects.filter(assignee=user, programme__status="active").values("pk")
    enrolments = Enrolment.objects.filter(InIds("pk", mine.order_by()))
    if not figures:
        return enrolments.annotate(client_sort=Lower("client__name"))
    return _with_figures(enrolments)


def needs_figures(data) -> bool:
    """Whether My list's filter or order (``PersonalListFilter``'s ``data``) reads the per-row
    figures: the overdue filter and the order by next meeting do."""
    return data.get("overdue") == "1" or "next_meeting" in (data.get("ordering") or "")


def personal_rows(ids):
    """The enrolments ``ids`` (a page of a person's list, read from ``personal_list``) with
    what My list shows of them, in the order of ``ids``."""
    if not ids:
        return []
    # Read as values, not as an enrolment with its client and programme: the page shows a few
    # of their columns, and three model instances a row cost more than the row's markup.
    values = _with_figures(Enrolment.objects.filter(pk__in=ids).order_by()).values(
        "pk",
        "client_id",
        "stage",
        "assigned_at",
        *FIGURES,
        client_name=F("client__name"),
        programme_name=F("programme__name"),
    )
    by_id = {row["pk"]: SimpleNamespace(**row) for row in values}
    return [by_id[pk] for pk in ids if pk in by_id]


# What ``_with_figures`` annotates, besides the sort key.
FIGURES = (
    "next_meeting",
    "next_visit_id",
    "open_follow_ups",
    "overdue_follow_ups",
    "overdue_actions",
    "unreported_visits",
)


def _with_figures(enrolments):
    today = timezone.localdate()
    pending = FollowUp.objects.filter(client_id=OuterRef("client_id"), done_at__isnull=True)
    open_actions = CorrectiveAction.objects.filter(client_id=OuterRef("client_id")).open()
    first_planned = Visit.objects.filter(enrolment_id=OuterRef("pk"), status="planned").order_by(
        "scheduled_at", "pk"
    )
    return enrolments.select_related("client", "programme").annotate(
        # Sorting by an expression, not the indexed column: PostgreSQL then sorts the
        # employee's few hundred rows instead of walking the name index of every client.
        client_sort=Lower("client__name"),
        next_meeting=Subquery(first_planned.values("scheduled_at")[:1]),
        next_visit_id=Subquery(first_planned.values("pk")[:1]),
        open_follow_ups=_count(pending),
        overdue_follow_ups=_count(pending.filter(due_on__lt=today)),
        overdue_actions=_count(open_actions.filter(due_on__lt=today)),
        unreported_visits=_count(
            Visit.objects.filter(
                enrolment_id=OuterRef("pk"), status="planned", scheduled_at__lt=timezone.now()
            ).values("pk", "client_id")
        ),
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
