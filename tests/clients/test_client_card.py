import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories


def _fill(world, employee, count):
    """``count`` rows in every section of the card."""
    offset = world.client.volumes.count()
    for index in range(count):
        month = offset + index
        contact = factories.KeyContactFactory(client=world.client)
        factories.ClientPositionFactory(client=world.client)
        factories.ClientVolumeFactory(
            client=world.client, period=dt.date(2025 - month // 12, 1 + month % 12, 1)
        )
        visit = factories.VisitFactory(enrolment=world.enrolment, status="held")
        visit.contacts.add(contact)
        factories.VisitReportFactory(visit=visit, status="finished", finished_at=timezone.now())
        factories.CorrectiveActionFactory(client=world.client, complaint=f"Complaint {index}")
        factories.OpportunityFactory(client=world.client, topic=f"Topic {index}")
        factories.ReferralFactory(referring_client=world.client, referring_contact=contact)
        factories.FollowUpFactory(client=world.client, title=f"Promise {index}")
        factories.AssignmentChangeFactory(enrolment=world.enrolment)


def test_client_card_shows_everything_about_the_client(world, employee, as_employee):
    _fill(world, employee, 1)
    left = factories.KeyContactFactory(
        client=world.client, full_name="Gone Person", left_company=True, left_on=dt.date(2026, 2, 1)
    )
    response = as_employee.get(reverse("clients:client_detail", args=[world.client.pk]))
    text = response.content.decode()
    for expected in (
        "Pavel Ivanov",
        "Decision maker",
        "+7 495 000-00-00",
        "Gone Person",
        "Left the company",
        "Complaint 0",
        "Topic 0",
        "Promise 0",
        "Referred company",
        "VIP 2026",
        "Initial split",
        "Report: Finished",
        "Book a meeting",
        "January 2025",
    ):
        assert expected in text, expected
    assert left.pk


def test_client_card_of_a_colleagues_client_is_404(world, as_colleague):
    response = as_colleague.get(reverse("clients:client_detail", args=[world.client.pk]))
    assert response.status_code == 404


def test_client_card_query_count_is_the_same_for_one_and_many_rows(
    world, employee, as_employee, django_assert_num_queries
):
    url = reverse("clients:client_detail", args=[world.client.pk])
    _fill(world, employee, 1)
    as_employee.get(url)
    with CaptureQueriesContext(connection) as one:
        as_employee.get(url)
    _fill(world, employee, 6)
    with django_assert_num_queries(len(one)):
        response = as_employee.get(url)
    assert response.content.decode().count('data-testid="visit"') == 7


def test_client_card_shows_the_latest_visits_with_a_link_to_all(
    world, employee, as_employee, django_assert_num_queries
):
    url = reverse("clients:client_detail", args=[world.client.pk])
    _fill(world, employee, 1)
    as_employee.get(url)
    with CaptureQueriesContext(connection) as one:
        response = as_employee.get(url)
    assert 'data-testid="all-visits"' not in response.content.decode()
    assert len(one) <= 15

    _fill(world, employee, 11)
    newest = factories.VisitFactory(
        enrolment=world.enrolment, scheduled_at=timezone.now() + dt.timedelta(days=30)
    )
    newest.contacts.add(factories.KeyContactFactory(client=world.client, full_name="Ann Newest"))
    newest.contacts.add(factories.KeyContactFactory(client=world.client, full_name="Bob Newest"))
    with django_assert_num_queries(len(one)):
        response = as_employee.get(url)
    page = response.content.decode()
    assert page.count('data-testid="visit"') == 10
    assert 'data-testid="all-visits"' in page
    assert "Ann Newest" in page and "Bob Newest" in page

    with django_assert_num_queries(len(one)):
        response = as_employee.get(url + "?visits=all")
    assert response.content.decode().count('data-testid="visit"') == 13
    assert 'data-testid="all-visits"' not in response.content.decode()
