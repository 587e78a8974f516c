import functools

import django_filters
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from clients import lookups
from clients.enums import ImportanceTier
from clients.filters import SEARCH_IDS_CAP, NamedChoiceFilter
from clients.models import Client, Region, Segment

from .enums import Assessment, Stage
from .models import Enrolment


class EnrolmentFilter(django_filters.FilterSet):
    """The client list of one programme: ``programme`` narrows the assignee choices to the pool."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    segment = NamedChoiceFilter(
        label=_("Segment"),
        field_name="client__segment",
        queryset=Segment.objects.all(),
        names=lookups.segment_choices,
    )
    region = NamedChoiceFilter(
        label=_("Region"),
        field_name="client__region",
        queryset=Region.objects.all(),
        names=lookups.region_choices,
    )
    tier = django_filters.ChoiceFilter(
        label=_("Importance tier"), field_name="client__tier", choices=ImportanceTier.choices
    )
    assessment = django_filters.ChoiceFilter(
        label=_("Assessment"),
        choices=Assessment.choices,
        null_label=_("Not assessed"),
        null_value="none",
        method="filter_assessment",
    )
    assignee = django_filters.ModelChoiceFilter(
        label=_("Assignee"),
        queryset=get_user_model().objects.none(),
        null_label=_("Unassigned"),
    )
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=Stage.choices)
    # Bounded to the database's ids: a larger number is a 400, not an overflow in the query.
    programme = django_filters.NumberFilter(
        label=_("Programme"),
        field_name="programme",
        min_value=1,
        max_value=2**63 - 1,
        decimal_places=0,
    )

    def __init__(self, *args, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        # How many of the list's clients the search matched, when it read their ids (``None``:
        # no search, or one matching too many clients to read).
        self.matched_on_list = None
        if programme is not None:
            # On a programme's page: its pool, and no programme filter (the page is one).
            users = get_user_model().objects.filter(programme_memberships__programme=programme)
            # Only what the select's labels need: the list page renders the whole pool.
            self.filters["assignee"].queryset = users.only(
                "pk", "username", "first_name", "last_name"
            ).order_by("last_name", "username")
            del self.filters["programme"]
            self.form.fields["assignee"].label_from_instance = lambda user: (
                user.get_full_name() or user.get_username()
            )
        else:
            self.filters["assignee"].queryset = get_user_model().objects.all()

    def filter_assessment(self, queryset, name, value):
        if value == "none":
            return queryset.filter(assessment="")
        return queryset.filter(assessment=value)

    def search(self, queryset, name, value):
        """The enrolments of the clients whose name, legal name or tax number matches. The
        matching clients' ids are read first (the trigram indexes, as the client base's search,
        ``clients.filters.SEARCH_IDS_CAP``): joined to the list instead, PostgreSQL's estimate
        of a LIKE decided the plan, and with a high one it walked the name index of all
        100,000 clients (140 ms)."""
        value = value.strip()
        if not value:
            return queryset
        matching = (
            Client.objects.filter(
                Q(name__icontains=value) | Q(legal_name__icontains=value) | Q(tax_number=value)
            )
            .order_by()
            .values_list("pk", flat=True)
        )
        if self.programme is None:
            ids = list(matching[: SEARCH_IDS_CAP + 1])
            too_many = len(ids) > SEARCH_IDS_CAP
        else:
            # On a programme's page, whether each matching client is on its list, by a probe of
            # the (programme, client) index per client in the select list: the list's rows are
            # read by those ids, and their number is the count the page shows
            # (``matched_on_list``), with no count of its own over the same ids.
            like = f"%{connection.ops.prep_for_like_query(value)}%"
            with connection.cursor() as cursor:
                cursor.execute(
                    _matching_on_list_sql(),
                    [self.programme.pk, like, like, value, SEARCH_IDS_CAP + 1],
                )
                found = cursor.fetchall()
            ids = [pk for pk, enrolment in found if enrolment is not None]
            too_many = len(found) > SEARCH_IDS_CAP
            if not too_many:
                self.matched_on_list = len(ids)
        if too_many:
            return queryset.filter(client__in=matching)
        return queryset.filter(client_id__in=ids)


@functools.cache
def _matching_on_list_sql() -> str:
    """The programme list's search: the ids of the clients matching a text, each with its
    enrolment on the programme's list or NULL (parameters: the programme, the text as a LIKE
    pattern twice, the text, the limit). Written by the ORM once per process: building and
    compiling it took longer than PostgreSQL takes to run it.

    The enrolment is a LIMIT 1 subquery, not an EXISTS: PostgreSQL plans an EXISTS in the
    select list with a hashed alternative, and after an ANALYZE that estimated a LIKE at 1,000
    clients it hashed all 100,000 enrolments for 97 matches (150 ms, against 1)."""
    sql, params = (
        Client.objects.filter(
            Q(name__icontains="-") | Q(legal_name__icontains="-") | Q(tax_number="-")
        )
        .order_by()
        .values_list(
            "pk",
            Subquery(
                Enrolment.objects.filter(programme=0, client=OuterRef("pk"))
                .order_by()
                .values("pk")[:1]
            ),
        )
        .query.sql_with_params()
    )
    # The order of the parameters above; the limit is added here.
    assert params == (0, "%-%", "%-%", "-"), params  # noqa: S101 - a Django upgrade would show
    return f"{sql} LIMIT %s"
