"""The follow-ups API: the same services and rules as the pages, and constant query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients.models import Client
from tests import factories

JSON = "application/json"


def later(days):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_follow_up_done_and_reschedule(world, employee, as_employee):
    follow_up = factories.FollowUpFactory(client=world.client, owner=employee)
    body = as_employee.post(f"/api/v1/follow-ups/{follow_up.pk}/reschedule/", {}, JSON).json()
    assert body == {"due_on": ["This field is required."], "reason": ["This field is required."]}
    answer = as_employee.post(
        f"/api/v1/follow-ups/{follow_up.pk}/reschedule/",
        {"due_on": later(10), "reason": "Away"},
        JSON,
    ).json()
    assert (answer["due_on"], answer["reschedule_reason"]) == (later(10), "Away")
    answer = as_employee.post(f"/api/v1/follow-ups/{follow_up.pk}/done/", {}, JSON).json()
    assert answer["done_by"] == employee.pk and answer["done_at"]
    refused = as_employee.post(
        f"/api/v1/follow-ups/{follow_up.pk}/reschedule/",
        {"due_on": later(12), "reason": "Again"},
        JSON,
    )
    assert refused.status_code == 400
    assert refused.json() == {"detail": ["This follow-up is already done."]}


def test_corrective_action_move_through_the_api(world, employee, as_manager):
    action = factories.CorrectiveActionFactory(
        client=world.client, owner=employee, programme=world.programme
    )
    url = f"/api/v1/corrective-actions/{action.pk}/move/"
    bad = as_manager.post(url, {"status": "resolved"}, JSON)
    assert bad.status_code == 400
    assert bad.json() == {"detail": ["The next step of this corrective action is “In progress”."]}
    for status in ("in_progress", "resolved", "client_informed"):
        answer = as_manager.post(url, {"status": status, "note": status}, JSON).json()
    assert answer["status"] == "client_informed"
    assert [step["status"] for step in answer["steps"]] == [
        "in_progress",
        "resolved",
        "client_informed",
    ]


def test_opportunity_win_lose_and_totals(world, employee, as_employee):
    won = factories.OpportunityFactory(client=world.client, owner=employee, expected_value=10)
    lost = factories.OpportunityFactory(client=world.client, owner=employee, expected_value=20)
    negative = as_employee.post(f"/api/v1/opportunities/{won.pk}/win/", {"value": "-5"}, JSON)
    assert negative.status_code == 400
    as_employee.post(f"/api/v1/opportunities/{won.pk}/win/", {"value": "15.50"}, JSON)
    as_employee.post(f"/api/v1/opportunities/{lost.pk}/lose/", {"reason": "Price"}, JSON)
    totals = as_employee.get("/api/v1/opportunities/totals/").json()
    assert (totals["count"], totals["won_count"], totals["lost_count"]) == (2, 1, 1)
    assert float(totals["won_value"]) == 15.5


def test_referral_convert_creates_one_client_and_is_refused_twice(world, employee, as_employee):
    referral = factories.ReferralFactory(
        referring_client=world.client, owner=employee, person_name="Nina"
    )
    url = f"/api/v1/referrals/{referral.pk}/convert/"
    created = as_employee.post(url, {"client_name": "Gamma Trade"}, JSON)
    assert created.status_code == 201
    body = created.json()
    assert body["client"]["name"] == "Gamma Trade"
    assert body["referral"]["status"] == "converted"
    assert body["referral"]["became_client"] == body["client"]["id"]
    again = as_employee.post(url, {"client_name": "Gamma again"}, JSON)
    assert again.status_code == 400
    assert again.json() == {"detail": ["This referral has already become a client."]}
    assert Client.objects.filter(name__startswith="Gamma").count() == 1


def test_referral_move_refuses_an_unknown_step(world, employee, as_employee):
    referral = factories.ReferralFactory(referring_client=world.client, owner=employee)
    answer = as_employee.post(f"/api/v1/referrals/{referral.pk}/move/", {"status": "won"}, JSON)
    assert answer.status_code == 400 and "status" in answer.json()


def test_notifications_are_only_mine_and_marked_read(world, employee, colleague, as_employee):
    mine = factories.NotificationFactory(recipient=employee)
    factories.NotificationFactory(recipient=colleague)
    listed = as_employee.get("/api/v1/notifications/").json()["results"]
    assert [row["id"] for row in listed] == [mine.pk]
    answer = as_employee.post(f"/api/v1/notifications/{mine.pk}/read/", {}, JSON).json()
    assert answer["read_at"]
    assert as_employee.get("/api/v1/notifications/?unread=1").json()["results"] == []


@pytest.mark.parametrize(
    ("url", "make"),
    [
        (
            "/api/v1/follow-ups/",
            lambda w, u: factories.FollowUpFactory(client=w.client, owner=u),
        ),
        (
            "/api/v1/corrective-actions/",
            lambda w, u: factories.CorrectiveActionFactory(client=w.client, owner=u),
        ),
        (
            "/api/v1/opportunities/",
            lambda w, u: factories.OpportunityFactory(client=w.client, owner=u),
        ),
        (
            "/api/v1/referrals/",
            lambda w, u: factories.ReferralFactory(referring_client=w.client, owner=u),
        ),
        ("/api/v1/notifications/", lambda w, u: factories.NotificationFactory(recipient=u)),
    ],
)
def test_api_list_query_count_is_constant(world, employee, as_employee, url, make):
    make(world, employee)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert as_employee.get(url).status_code == 200
        return len(captured)

    one = count()
    for _ in range(6):
        make(world, employee)
    assert count() == one
