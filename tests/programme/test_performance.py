"""A programme's client list at scale: keyset pages by the client's (name, id), a capped count,
the same queries on every page and at every size, and (EXPLAIN on PostgreSQL) no OFFSET.

The benchmark (``make bench``) measures the times: pages ``programme_clients`` (first),
``programme_clients_filtered``, ``programme_clients_search`` and ``programme_clients_last``.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tests.explain import plan


@pytest.fixture
def programme(world):
    return world.programme


def list_url(programme, query=""):
    return reverse("programme:enrolment_list", args=[programme.pk]) + query


def enrol(programme, count, prefix="Client"):
    for i in range(count):
        factories.EnrolmentFactory(programme=programme, client__name=f"{prefix} {i:04d}")


def names(response):
    return [row["client_name"] for row in response.context["page_obj"].object_list]


def everyone(programme):
    return sorted(programme.enrolments.values_list("client__name", flat=True))


def test_walking_next_visits_every_client_of_the_list_once_in_order(as_manager, programme):
    enrol(programme, 121)
    seen, query, pages = [], "", 0
    while query is not None:
        response = as_manager.get(list_url(programme, query))
        page = response.context["page_obj"]
        seen += names(response)
        pages += 1
        query = page.links["next"] if page.has_next else None
    assert pages == 3
    assert seen == everyone(programme)
    assert "123 clients" in response.content.decode()


def test_the_last_page_and_the_page_before_it(as_manager, programme):
    enrol(programme, 121)
    names_in_order = everyone(programme)

    last = as_manager.get(list_url(programme, "?page=last"))
    assert names(last) == names_in_order[-50:]
    assert last.context["page_obj"].has_previous and not last.context["page_obj"].has_next

    before = as_manager.get(list_url(programme, last.context["page_obj"].links["previous"]))
    assert names(before) == names_in_order[-100:-50]


def test_clients_of_the_same_name_are_each_listed_once(as_manager, programme):
    for _ in range(60):
        factories.EnrolmentFactory(programme=programme, client__name="Same Name")
    first = as_manager.get(list_url(programme))
    second = as_manager.get(list_url(programme, first.context["page_obj"].links["next"]))
    ids = [row["pk"] for row in first.context["page_obj"]]
    ids += [row["pk"] for row in second.context["page_obj"]]
    assert len(ids) == len(set(ids)) == 62


def test_filters_are_kept_in_the_page_links_and_by_the_bulk_form(as_manager, programme):
    enrol(programme, 60)
    response = as_manager.get(list_url(programme, "?stage=not_contacted"))
    page = response.context["page_obj"]
    assert page.links["next"].startswith("?stage=not_contacted&after=")
    following = as_manager.get(list_url(programme, page.links["next"]))
    html = following.content.decode()
    # The bulk assignment returns to this very page: its filters and its cursor.
    cursor = page.links["next"].lstrip("?").replace("&", "&amp;")
    assert f'name="next" value="?{cursor}"' in html


def test_a_cursor_that_points_nowhere_shows_the_first_page(as_manager, programme):
    enrol(programme, 3)
    response = as_manager.get(list_url(programme, "?after=999999"))
    assert names(response) == everyone(programme)


def count_queries(browser, url):
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("query", ["", "?page=last", "?q=client", "?tier=B&stage=visited"])
def test_the_query_count_is_the_same_with_one_client_and_with_many(as_manager, programme, query):
    enrol(programme, 1)
    with_few = count_queries(as_manager, list_url(programme, query))
    enrol(programme, 120, prefix="More client")
    with_many = count_queries(as_manager, list_url(programme, query))
    assert with_few == with_many


def test_a_next_page_costs_the_same_queries_as_the_first(as_manager, programme):
    enrol(programme, 60)
    first_url = list_url(programme)
    first = as_manager.get(first_url)
    next_url = list_url(programme, first.context["page_obj"].links["next"])
    assert count_queries(as_manager, next_url) == count_queries(as_manager, first_url)


# --- EXPLAIN on PostgreSQL -------------------------------------------------------------------


def rows_query(browser, url):
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(url).status_code == 200
    return next(
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith('SELECT "programme_enrolment"."id"')
    )


def test_the_last_page_reads_the_client_name_index_backwards(postgresql, as_manager, programme):
    enrol(programme, 60)
    sql = rows_query(as_manager, list_url(programme, "?page=last"))
    assert "OFFSET" not in sql
    # The rows are values: the tiebreak, a selected column, is ordered by its position.
    assert re.search(r'ORDER BY .*"name" DESC, (.*"client_id"|3) DESC LIMIT 51', sql)
    explained = plan(sql, sorts=False)
    assert "Index Scan Backward using client_name_idx on clients_client" in explained, explained
    assert "Seq Scan on programme_enrolment" not in explained


def test_the_count_is_capped(postgresql, as_manager, programme):
    """Counted up to 1,001 in a column of the rows' query (no query of its own)."""
    with CaptureQueriesContext(connection) as captured:
        as_manager.get(list_url(programme))
    enrolment_queries = [
        q["sql"] for q in captured.captured_queries if '"programme_enrolment"' in q["sql"]
    ]
    assert len(enrolment_queries) == 1
    assert re.search(
        r"SELECT COUNT\(\*\) FROM \(SELECT .* LIMIT 1001\) _capped", enrolment_queries[0]
    )


def test_the_search_reads_the_matching_clients_by_trigram_indexes_first(
    postgresql,
    as_manager,
    programme,
):
    """The matching clients' ids are read first, by the trigram indexes (as the client base's
    search), then the list's rows by those ids: the plan no longer hangs on PostgreSQL's
    estimate of a LIKE."""
    enrol(programme, 5)
    with CaptureQueriesContext(connection) as captured:
        assert as_manager.get(list_url(programme, "?q=client 0001")).status_code == 200
    statements = [q["sql"] for q in captured.captured_queries]
    ids = next(s for s in statements if "LIKE" in s)
    assert re.search(r'UPPER\(\(?"clients_client"\."name"\)?::text\) LIKE UPPER', ids), ids
    assert re.search(r'UPPER\(\(?"clients_client"\."legal_name"\)?::text\) LIKE UPPER', ids)
    explained = plan(ids)
    assert "client_name_trgm_idx" in explained and "client_legal_name_trgm_idx" in explained
    assert "Seq Scan on clients_client" not in explained
    rows = next(s for s in statements if s.startswith('SELECT "programme_enrolment"."id"'))
    assert "LIKE" not in rows and '"client_id" IN (' in rows
    assert "Seq Scan on programme_enrolment" not in plan(rows)
