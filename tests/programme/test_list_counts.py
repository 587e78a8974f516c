"""The programme's list's count filtered by stage and tier, and its progress by assignee and stage:
kept in the cache under the programme's counts token (programme.load), exact right after every
write that changes them, read with no query of the list in between.

The benchmark measures the time: pages ``programme_clients_filtered`` and
``dashboard_programme_progress``."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.models import Client
from clients.paging import keyset_page
from programme import services
from programme.models import Enrolment, Programme
from programme.selectors import kept_list_count, progress
from tests import factories
from tests.explain import plan

pytestmark = pytest.mark.django_db


def shown_count(http, programme, query=""):
    """The count the list's page shows (``None``: no row, no count)."""
    response = http.get(reverse("programme:enrolment_list", args=[programme.pk]) + query)
    assert response.status_code == 200
    found = re.search(r'data-testid="enrolment-count">([^<]*)<', response.content.decode())
    return found and found.group(1)


def fresh(programme, **filters):
    return Enrolment.objects.filter(programme=programme, **filters).count()


def enrolment_queries(queries):
    return [q["sql"] for q in queries.captured_queries if "programme_enrolment" in q["sql"]]


def rows_queries(queries):
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "programme_enrolment"."id"')
    ]


@pytest.fixture
def listed(world, employee):
    """Tier B: the world's two clients, not contacted, and three visited; tier A: one visited."""
    for index in range(3):
        factories.EnrolmentFactory(
            programme=world.programme,
            client__name=f"Visited {index}",
            client__tier="B",
            stage="visited",
            assignee=employee,
        )
    factories.EnrolmentFactory(
        programme=world.programme,
        client__name="Top client",
        client__tier="A",
        stage="visited",
        assignee=employee,
    )
    Client.objects.filter(pk__in=[world.client.pk, world.colleague_client.pk]).update(tier="B")
    return world


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", "6 clients"),
        ("?tier=B", "5 clients"),
        ("?stage=visited", "4 clients"),
        ("?tier=B&stage=visited", "3 clients"),
        ("?tier=A&stage=visited", "1 client"),
        ("?tier=C&stage=visited", None),
        ("?tier=B&stage=not_contacted", "2 clients"),
    ],
)
def test_the_list_filtered_by_stage_and_tier_shows_its_exact_count(
    listed, as_manager, query, expected
):
    assert shown_count(as_manager, listed.programme, query) == expected


def test_the_first_view_counts_with_its_rows_and_keeps_the_count(listed, as_manager):
    with CaptureQueriesContext(connection) as queries:
        assert shown_count(as_manager, listed.programme, "?tier=B&stage=visited") == "3 clients"

    (rows,) = enrolment_queries(queries)
    assert re.search(r"SELECT COUNT\(\*\) FROM \(SELECT .* LIMIT 1001\) _capped", rows)
    assert "GROUP BY" not in rows
    programme = Programme.objects.get(pk=listed.programme.pk)
    assert kept_list_count(programme, stage="visited", tier="B") == 3
    assert kept_list_count(programme, stage="", tier="B") is None


def test_the_count_is_read_from_the_cache_after_no_write(listed, as_manager):
    shown_count(as_manager, listed.programme, "?tier=B&stage=visited")

    with CaptureQueriesContext(connection) as queries:
        assert shown_count(as_manager, listed.programme, "?tier=B&stage=visited") == "3 clients"

    # The rows only, with no count of their own: no GROUP BY, no capped count.
    (rows,) = enrolment_queries(queries)
    assert "_capped" not in rows and "GROUP BY" not in rows


def test_other_filters_count_the_rows_up_to_the_cap(listed, as_manager, employee):
    with CaptureQueriesContext(connection) as queries:
        shown = shown_count(as_manager, listed.programme, f"?tier=B&assignee={employee.pk}")

    assert shown == "4 clients"
    (rows,) = enrolment_queries(queries)
    assert re.search(r"SELECT COUNT\(\*\) FROM \(SELECT .* LIMIT 1001\) _capped", rows)


def test_a_known_total_over_the_cap_is_shown_capped(listed):
    from django.http import QueryDict

    rows = Enrolment.objects.filter(programme=listed.programme).values("pk", "client__name")
    page = keyset_page(rows, None, QueryDict(), name="client__name", total=1500)

    assert (page.count, page.count_is_capped) == (1000, True)
    assert len(page) == 6


def test_an_invalid_filter_is_ignored_by_the_count_as_by_the_rows(listed, as_manager):
    response = as_manager.get(
        reverse("programme:enrolment_list", args=[listed.programme.pk]) + "?tier=Z&stage=visited"
    )
    rows = response.context["page_obj"].object_list

    assert shown_count(as_manager, listed.programme, "?tier=Z&stage=visited") == (
        f"{len(rows)} clients"
    )


# Every write that changes the counts ---------------------------------------------------------


@pytest.fixture
def primed(listed, as_manager):
    assert shown_count(as_manager, listed.programme, "?tier=B&stage=visited") == "3 clients"
    return listed


def test_a_stage_change_shows_at_once(primed, as_manager):
    services.enrolment_set_stage(enrolment=primed.enrolment, stage="meeting_booked")
    services.enrolment_set_stage(enrolment=primed.enrolment, stage="visited")

    assert shown_count(as_manager, primed.programme, "?tier=B&stage=visited") == "4 clients"
    assert fresh(primed.programme, stage="visited", client__tier="B") == 4


def test_a_visit_booked_and_reported_shows_at_once(primed, as_manager, employee):
    """Booking a visit and finishing its report move the client to "meeting booked", then
    "visited" (feedback's services call ``enrolment_set_stage``)."""
    import datetime as dt

    from django.utils import timezone

    from feedback.services import reports
    from feedback.services.visits import visit_book

    visit = visit_book(
        enrolment=primed.enrolment,
        by=employee,
        scheduled_at=timezone.now() + dt.timedelta(hours=2),
        contacts=[primed.contact],
    )
    assert shown_count(as_manager, primed.programme, "?stage=meeting_booked") == "1 client"

    report = reports.visit_report_start(visit=visit, by=employee)
    essentials = {
        "met_contacts": [str(primed.contact.pk)],
        "score_goods": "4",
        "score_services": "5",
        "score_service": "3",
    }
    reports.visit_report_finish(report=report, by=employee, data=essentials)

    assert Enrolment.objects.get(pk=primed.enrolment.pk).stage == "visited"
    assert shown_count(as_manager, primed.programme, "?tier=B&stage=visited") == "4 clients"
    assert shown_count(as_manager, primed.programme, "?stage=meeting_booked") is None


def test_a_client_added_or_removed_shows_at_once(primed, as_manager):
    factories.EnrolmentFactory(programme=primed.programme, client__tier="B", stage="visited")
    assert shown_count(as_manager, primed.programme, "?tier=B&stage=visited") == "4 clients"
    assert shown_count(as_manager, primed.programme, "?tier=B") == "6 clients"

    services.enrolment_remove(enrolment=primed.colleague_enrolment, by=primed.programme.manager)
    assert shown_count(as_manager, primed.programme, "?tier=B") == "5 clients"

    Client.objects.get(name="Visited 0").delete()
    assert shown_count(as_manager, primed.programme, "?tier=B&stage=visited") == "3 clients"


def test_a_clients_tier_changed_shows_at_once(primed, as_manager):
    client = Client.objects.get(name="Visited 0")
    client.tier = "A"
    client.save()

    assert shown_count(as_manager, primed.programme, "?tier=B&stage=visited") == "2 clients"
    assert shown_count(as_manager, primed.programme, "?tier=A&stage=visited") == "2 clients"


def test_writes_that_do_not_change_the_counts_keep_the_cache(primed, employee, manager):
    token = Programme.objects.get(pk=primed.programme.pk).counts_token

    services.enrolment_assess(
        enrolment=primed.enrolment, assessment="excellent", note="", by=employee
    )
    services.programme_update(programme=primed.programme, by=manager, name="VIP 2027")

    programme = Programme.objects.get(pk=primed.programme.pk)
    assert programme.counts_token == token
    assert kept_list_count(programme, stage="visited", tier="B") == 3
    assert kept_list_count(programme, stage="visited", tier="A") is None  # not viewed yet


def test_a_programme_saved_meanwhile_keeps_the_new_token(primed, manager):
    """``programme_update`` writes its fields only: the programme read before a stage change
    does not write its old token back over the new one."""
    programme = Programme.objects.get(pk=primed.programme.pk)
    services.enrolment_set_stage(enrolment=primed.enrolment, stage="meeting_booked")
    token = Programme.objects.get(pk=primed.programme.pk).counts_token

    services.programme_update(programme=programme, by=manager, name="VIP 2027")

    assert Programme.objects.get(pk=primed.programme.pk).counts_token == token


# Progress -------------------------------------------------------------------------------------


def test_progress_is_read_from_the_cache_and_exact_after_a_stage_change(
    primed, as_manager, employee
):
    url = reverse("programme:progress", args=[primed.programme.pk])
    as_manager.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert as_manager.get(url).status_code == 200
    assert enrolment_queries(queries) == []

    services.enrolment_set_stage(enrolment=primed.enrolment, stage="meeting_booked")
    services.enrolment_set_stage(enrolment=primed.enrolment, stage="visited")
    figures = progress(Programme.objects.get(pk=primed.programme.pk))

    assert (figures.total, figures.visited, figures.unassigned) == (6, 5, 0)
    mine = next(row for row in figures.rows if row["employee"] == employee)
    assert (mine["assigned"], mine["visited"]) == (5, 5)


# Searched -------------------------------------------------------------------------------------


def test_a_search_alone_shows_the_clients_it_found_on_the_list(listed, as_manager):
    """The search reads which of the matching clients are on the list with their ids: the rows
    query counts nothing; a client off the list is not counted."""
    factories.ClientFactory(name="Visited elsewhere")  # matches, not on the list
    with CaptureQueriesContext(connection) as queries:
        shown = shown_count(as_manager, listed.programme, "?q=visited")

    assert shown == "3 clients"
    (ids,) = [q["sql"] for q in queries.captured_queries if "LIKE" in q["sql"]]
    assert re.search(r'\(SELECT U0\."id" .* LIMIT 1\) AS', ids), ids
    (rows,) = rows_queries(queries)
    assert "_capped" not in rows


def test_a_search_with_another_filter_counts_the_rows_up_to_the_cap(listed, as_manager):
    with CaptureQueriesContext(connection) as queries:
        assert shown_count(as_manager, listed.programme, "?q=visited&tier=B") == "3 clients"

    (rows,) = rows_queries(queries)
    assert "_capped" in rows


def test_a_search_matching_too_many_clients_counts_the_rows_up_to_the_cap(
    listed, as_manager, monkeypatch
):
    monkeypatch.setattr("programme.filters.SEARCH_IDS_CAP", 2)

    with CaptureQueriesContext(connection) as queries:
        assert shown_count(as_manager, listed.programme, "?q=visited") == "3 clients"

    (rows,) = rows_queries(queries)
    assert "_capped" in rows


def test_the_search_probes_the_list_by_its_programme_client_index(postgresql, listed, as_manager):
    with CaptureQueriesContext(connection) as queries:
        as_manager.get(reverse("programme:enrolment_list", args=[listed.programme.pk]) + "?q=vis")
    (ids,) = [q["sql"] for q in queries.captured_queries if "LIKE" in q["sql"]]

    explained = plan(ids)

    # Per matching client, in the select list: a SubPlan, not a join, and not an EXISTS,
    # which PostgreSQL may run as a hash of the whole list.
    assert "EXISTS" not in ids
    # The enrolment read alone: not joined to its client and programme for an order it has
    # no use for (Enrolment's default ordering).
    assert "JOIN" not in ids
    assert "SubPlan" in explained and "enrolment_unique_client" in explained, explained
    assert "hashed" not in explained
    assert "Seq Scan on programme_enrolment" not in explained
    assert "client_name_trgm_idx" in explained


def test_the_search_finds_what_the_client_base_search_finds(world, as_manager):
    """The same matches as the ORM's ``icontains`` (case, ``%`` and ``_`` taken literally) and
    the exact tax number."""
    for name in ("Rate 50% Ltd", "Rate 500 Ltd", "Snake_case Ltd", "Snakecase Ltd"):
        factories.EnrolmentFactory(programme=world.programme, client__name=name)
    factories.EnrolmentFactory(
        programme=world.programme, client__name="Taxed Ltd", client__tax_number="7701234567"
    )

    def found(query):
        response = as_manager.get(
            reverse("programme:enrolment_list", args=[world.programme.pk]) + query
        )
        return sorted(row["client_name"] for row in response.context["page_obj"].object_list)

    assert found("?q=50%25") == ["Rate 50% Ltd"]
    assert found("?q=SNAKE_") == ["Snake_case Ltd"]
    assert found("?q=7701234567") == ["Taxed Ltd"]
    assert found("?q=alfa") == ["Alfa Steel"]
