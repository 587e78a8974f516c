"""Each dashboard aggregates in the database: its query count is the same for 10 clients and
for 1,000."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients.models import Client, ClientVolume, KeyContact
from feedback.models import CorrectiveAction, Opportunity, Referral, Visit, VisitReport
from programme.dashboards.base import add_months, month_start
from programme.dashboards.selectors import DASHBOARDS
from programme.models import Enrolment
from tests import factories

STAGES = ["not_contacted", "meeting_booked", "visited", "follow_ups_done", "declined"]


def add_clients(count, *, programme, employees, segments, start):
    """``count`` clients with everything the dashboards read, in a handful of bulk inserts."""
    now = timezone.now()
    this_month = month_start(timezone.localdate())
    clients = Client.objects.bulk_create(
        Client(
            name=f"Bulk {start + i:05d}",
            segment=segments[i % len(segments)],
            tier="ABC"[i % 3],
            status="lost" if i % 10 == 9 else "active",
            lost_on=timezone.localdate() if i % 10 == 9 else None,
        )
        for i in range(count)
    )
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(
            programme=programme,
            client=client,
            assignee=employees[i % len(employees)],
            assigned_at=now,
            stage=STAGES[i % len(STAGES)],
            stage_changed_at=now - dt.timedelta(days=i % 40),
            assessment="monopolised" if i % 7 == 0 else "excellent",
        )
        for i, client in enumerate(clients)
    )
    ClientVolume.objects.bulk_create(
        ClientVolume(client=client, period=add_months(this_month, -months), amount=Decimal(i % 5))
        for i, client in enumerate(clients)
        for months in (0, 1, 4, 12, 13)
    )
    KeyContact.objects.bulk_create(
        KeyContact(client=client, full_name=f"Contact {i}", role="user")
        for i, client in enumerate(clients)
        if i % 3
    )
    visits = Visit.objects.bulk_create(
        Visit(
            client=enrolment.client,
            enrolment=enrolment,
            employee=enrolment.assignee,
            scheduled_at=now - dt.timedelta(days=i % 200),
            status="held",
        )
        for i, enrolment in enumerate(enrolments)
    )
    VisitReport.objects.bulk_create(
        VisitReport(
            visit=visit,
            author=visit.employee,
            status="finished",
            finished_at=visit.scheduled_at,
            score_goods=1 + i % 5,
            score_services=1 + (i + 1) % 5,
            score_service=1 + (i + 2) % 5,
            recommendation_score=i % 11,
        )
        for i, visit in enumerate(visits)
    )
    CorrectiveAction.objects.bulk_create(
        CorrectiveAction(
            client=client,
            complaint="Late",
            owner=employees[0],
            due_on=timezone.localdate() + dt.timedelta(days=i % 20 - 10),
            opened_at=now - dt.timedelta(days=20),
            status="resolved" if i % 2 else "open",
            resolved_at=now - dt.timedelta(days=i % 15) if i % 2 else None,
        )
        for i, client in enumerate(clients)
    )
    Opportunity.objects.bulk_create(
        Opportunity(
            client=client,
            kind="cross_sell",
            topic="Service",
            expected_value=Decimal(100 + i),
            status=("open", "won", "lost")[i % 3],
            won_value=Decimal(50) if i % 3 == 1 else None,
            lost_reason="Price" if i % 3 == 2 else "",
            owner=employees[i % len(employees)],
            closed_at=now if i % 3 else None,
        )
        for i, client in enumerate(clients)
    )
    Referral.objects.bulk_create(
        Referral(
            referring_client=client,
            person_name=f"Referral {i}",
            owner=employees[i % len(employees)],
            status=("new", "contacted", "meeting", "dropped")[i % 4],
            drop_reason="No" if i % 4 == 3 else "",
        )
        for i, client in enumerate(clients)
    )


def count_queries(http, url):
    with CaptureQueriesContext(connection) as context:
        response = http.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("user", ["director", "manager"])
def test_query_count_is_constant_in_the_number_of_clients(user, request, employee, colleague):
    http = request.getfixturevalue(f"as_{user}")
    manager = request.getfixturevalue("manager")
    programme = factories.ProgrammeFactory(manager=manager, starts_on=dt.date(2026, 1, 5))
    segments = [factories.SegmentFactory(name="Industry"), factories.SegmentFactory(name="Retail")]

    # Referrals that became clients, so that the new-client table has rows too.
    def convert_some():
        for referral in Referral.objects.filter(status="meeting", became_client=None)[:3]:
            new = factories.ClientFactory(segment=segments[0])
            Referral.objects.filter(pk=referral.pk).update(
                status="converted", became_client=new, closed_at=timezone.now()
            )
            factories.EnrolmentFactory(programme=programme, client=new, assignee=employee)

    kwargs = dict(programme=programme, employees=[employee, colleague], segments=segments)
    add_clients(10, start=0, **kwargs)
    convert_some()
    urls = [reverse("dashboards:dashboard", args=[name]) for name in DASHBOARDS]
    urls += [reverse("api-dashboard", args=[name]) for name in DASHBOARDS]
    urls += [reverse("dashboards:export", args=["at-risk", "clients", "xlsx"])]
    few = {url: count_queries(http, url) for url in urls}
    add_clients(990, start=10, **kwargs)
    convert_some()
    assert Client.objects.count() == 1005
    many = {url: count_queries(http, url) for url in urls}
    assert many == few
    # A sanity check that the pages did see the thousand clients.
    board = http.get(reverse("dashboards:dashboard", args=["progress"])).context["board"]
    assert board.figure("listed") == 1005
