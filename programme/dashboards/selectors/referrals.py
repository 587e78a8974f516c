"""Referrals: the funnel, the conversion rate, the new clients and their volume, the top
referring clients."""

from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Sum, Value
from django.db.models.functions import Concat, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import ClientVolume
from feedback.models import Referral

from ..base import (
    DATE,
    INT,
    MONEY,
    PERCENT,
    Chart,
    Column,
    Dashboard,
    Figure,
    Table,
    money,
    month_label,
    months,
    percent,
)
from ..health import subquery_sum
from .quality import _month

TOP_REFERRERS = 10

DEFINITIONS = [
    (_("Referrals received"), _("Referrals recorded in the period (by the day recorded).")),
    (
        _("Funnel"),
        _(
            "How far the referrals of the period got: contacted (a contact date, or a later "
            "status), a meeting (at “meeting” or “became a client”), became a client. Dropped "
            "ones are counted apart."
        ),
    ),
    (_("Conversion rate"), _("Referrals that became a client, against referrals received.")),
    (
        _("Volume of a new client"),
        _("Everything recorded as the new client's volume, in all months."),
    ),
    (
        _("Top referring clients"),
        _(
            "The clients whose referrals of the period became the most clients (then the most "
            "referrals); at most 10."
        ),
    ),
]


def referrals(scope, *, limit="page") -> Dashboard:
    """Every table is short (bounded by months, stages or people): ``limit`` changes nothing."""
    refs = scope.restrict(
        Referral.objects.filter(**scope.in_period("created_at")), "referring_client"
    )
    contacted = Q(contacted_at__isnull=False) | Q(status__in=("contacted", "meeting", "converted"))
    totals = refs.aggregate(
        received=Count("pk"),
        contacted=Count("pk", filter=contacted),
        meeting=Count("pk", filter=Q(status__in=("meeting", "converted"))),
        converted=Count("pk", filter=Q(status="converted")),
        dropped=Count("pk", filter=Q(status="dropped")),
    )
    received = totals["received"]
    funnel_rows = [
        {"step": str(label), "referrals": totals[key], "share": percent(totals[key], received)}
        for key, label in (
            ("received", _("Received")),
            ("contacted", _("Contacted")),
            ("meeting", _("Meeting")),
            ("converted", _("Became a client")),
            ("dropped", _("Dropped")),
        )
    ]

    new_clients = list(
        refs.filter(status="converted")
        .annotate(
            volume=subquery_sum(
                ClientVolume.objects.filter(client=OuterRef("became_client_id")), "amount"
            )
        )
        .order_by("-closed_at", "-id")
        .values(
            "became_client_id",
            "became_client__name",
            "referring_client_id",
            "referring_client__name",
            "closed_at",
            "volume",
        )
    )
    new_rows = [
        {
            "client": row["became_client__name"],
            "client_url": reverse("clients:client_detail", args=[row["became_client_id"]]),
            "referrer": row["referring_client__name"],
            "referrer_url": reverse("clients:client_detail", args=[row["referring_client_id"]]),
            "converted_on": timezone.localtime(row["closed_at"]).date()
            if row["closed_at"]
            else None,
            "volume": money(row["volume"]),
        }
        for row in new_clients
    ]

    top = list(
        refs.order_by()
        .values("referring_client_id", "referring_client__name")
        .annotate(given=Count("pk"), converted=Count("pk", filter=Q(status="converted")))
        .order_by("-converted", "-given", "referring_client__name")[:TOP_REFERRERS]
    )
    # The volume the referrers brought: one grouped query over the new clients' volumes.
    brought = dict(
        ClientVolume.objects.filter(
            client__referral__in=refs.filter(
                referring_client_id__in=[row["referring_client_id"] for row in top]
            )
        )
        .order_by()
        .values_list("client__referral__referring_client_id")
        .annotate(total=Sum("amount"))
        .values_list("client__referral__referring_client_id", "total")
    )
    top_rows = [
        {
            "client": row["referring_client__name"],
            "client_url": reverse("clients:client_detail", args=[row["referring_client_id"]]),
            "given": row["given"],
            "converted": row["converted"],
            "conversion": percent(row["converted"], row["given"]),
            "volume": money(brought.get(row["referring_client_id"])),
        }
        for row in top
    ]

    by_month = {
        _month(row["month"]): row
        for row in refs.annotate(month=TruncMonth("created_at"))
        .order_by()
        .values("month")
        .annotate(received=Count("pk"), converted=Count("pk", filter=Q(status="converted")))
    }
    month_rows = [
        {
            "month": month_label(month),
            "received": by_month.get(month, {}).get("received", 0),
            "converted": by_month.get(month, {}).get("converted", 0),
        }
        for month in months(scope.start, scope.end)
    ]
    by_owner = [
        {
            "employee": row["person"].strip() or row["owner__username"],
            "received": row["received"],
            "converted": row["converted"],
            "conversion": percent(row["converted"], row["received"]),
        }
        for row in refs.order_by()
        .values("owner_id", "owner__username")
        .annotate(
            person=Concat("owner__first_name", Value(" "), "owner__last_name"),
            received=Count("pk"),
            converted=Count("pk", filter=Q(status="converted")),
        )
        .order_by("owner__last_name", "owner__first_name", "owner__username")
    ]

    figures = [
        Figure("received", _("Referrals received"), received),
        Figure("converted", _("Became clients"), totals["converted"]),
        Figure("conversion", _("Conversion rate"), percent(totals["converted"], received), PERCENT),
        Figure("dropped", _("Dropped"), totals["dropped"]),
        Figure(
            "new_volume",
            _("Volume of the new clients"),
            money(sum((row["volume"] for row in new_rows), Decimal(0))),
            MONEY,
        ),
    ]
    empty = _("No referral was recorded in this period: referrals come from visit reports.")
    return Dashboard(
        name="referrals",
        title=_("Referrals"),
        figures=figures,
        definitions=DEFINITIONS,
        tables=[
            Table(
                "funnel",
                _("Funnel"),
                [
                    Column("step", _("Step")),
                    Column("referrals", _("Referrals"), INT),
                    Column("share", _("Share of received"), PERCENT),
                ],
                funnel_rows if received else [],
                chart=Chart("bar", "step", ["referrals"]),
                empty=empty,
            ),
            Table(
                "months",
                _("Referrals per month"),
                [
                    Column("month", _("Month")),
                    Column("received", _("Received"), INT),
                    Column("converted", _("Became clients"), INT),
                ],
                month_rows if received else [],
                chart=Chart("bar", "month", ["received", "converted"]),
                empty=empty,
            ),
            Table(
                "new_clients",
                _("New clients from referrals"),
                [
                    Column("client", _("New client"), link="client_url"),
                    Column("referrer", _("Referred by"), link="referrer_url"),
                    Column("converted_on", _("Became a client on"), DATE),
                    Column("volume", _("Volume"), MONEY),
                ],
                new_rows,
                empty=_("No referral of this period has become a client yet."),
            ),
            Table(
                "top_referrers",
                _("Top referring clients"),
                [
                    Column("client", _("Client"), link="client_url"),
                    Column("given", _("Referrals"), INT),
                    Column("converted", _("Became clients"), INT),
                    Column("conversion", _("Conversion rate"), PERCENT),
                    Column("volume", _("Volume brought"), MONEY),
                ],
                top_rows,
                chart=Chart("bar", "client", ["given", "converted"]),
                empty=empty,
            ),
            Table(
                "employees",
                _("By employee"),
                [
                    Column("employee", _("Employee")),
                    Column("received", _("Referrals"), INT),
                    Column("converted", _("Became clients"), INT),
                    Column("conversion", _("Conversion rate"), PERCENT),
                ],
                by_owner,
                empty=empty,
            ),
        ],
    )
