import pytest
from django.db import IntegrityError, transaction

from feedback.models import Notification
from tests import factories


@pytest.mark.parametrize(
    "scores",
    [
        {"score_goods": 0},
        {"score_services": 6},
        {"score_service": 9},
        {"recommendation_score": 11},
    ],
)
def test_report_scores_out_of_range_are_refused_by_the_database(db, scores):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.VisitReportFactory(**scores)


def test_finished_report_needs_its_time(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.VisitReportFactory(status="finished", finished_at=None)


def test_a_notification_is_sent_once_per_event_and_recipient(db, employee):
    factories.NotificationFactory(recipient=employee, key="meeting_today:visit:1")

    with pytest.raises(IntegrityError), transaction.atomic():
        factories.NotificationFactory(recipient=employee, key="meeting_today:visit:1")

    assert Notification.objects.filter(recipient=employee).count() == 1


@pytest.mark.parametrize(
    ("fields", "ok"),
    [
        ({"status": "won", "won_value": None}, False),
        ({"status": "won", "won_value": 1000}, True),
        ({"status": "lost", "lost_reason": ""}, False),
        ({"status": "lost", "lost_reason": "Budget cut"}, True),
        ({"kind": "upsell", "client_position": None}, False),
        ({"kind": "cross_sell", "topic": "", "position": None}, False),
    ],
)
def test_opportunity_constraints(db, fields, ok):
    if ok:
        assert factories.OpportunityFactory(**fields).pk
    else:
        with pytest.raises(IntegrityError), transaction.atomic():
            factories.OpportunityFactory(**fields)


def test_referral_converted_iff_it_became_a_client(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ReferralFactory(status="converted")
    client = factories.ClientFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ReferralFactory(status="contacted", became_client=client)

    assert factories.ReferralFactory(status="converted", became_client=client).pk


def test_cancelled_visit_needs_a_reason(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.VisitFactory(status="cancelled", cancel_reason="")


def test_one_active_calendar_feed_per_user(db, employee):
    from django.utils import timezone

    from feedback.models import CalendarFeed

    CalendarFeed.objects.create(user=employee)
    CalendarFeed.objects.create(user=employee, revoked_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarFeed.objects.create(user=employee)
