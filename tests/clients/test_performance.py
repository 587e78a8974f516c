"""The client list at scale: keyset pages, a capped count, indexed search (EXPLAIN on PostgreSQL).

The benchmark (``make bench``, bench/README.md) measures the times; these tests pin the shapes that
make them: no OFFSET, no full COUNT, the same queries on every page and at every size, and the
indexes the planner can use.
"""

import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.models import Client
from clients.paging import keyset_page
from tests import factories
from tests.explain import plan

URL = reverse("clients:client_list")


@pytest.fixture
def base(db):
    return {
        "segment": factories.SegmentFactory(name="Metals"),
        "region": factories.RegionFactory(name="Volga"),
        "original_salesperson": factories.UserFactory(username="seller"),
    }


def make_clients(base, count, **extra):
    return [factories.ClientFactory(name=f"Client {i:04d}", **base, **extra) for i in range(count)]


def names(response):
    return [row["name"] for row in response.context["page_obj"].object_list]


def test_walking_next_visits_every_client_once_in_order(as_manager, base):
    make_clients(base, 123)
    seen, url, pages = [], URL, 0
    while url:
        response = as_manager.get(url)
        page = response.context["page_obj"]
        seen += names(response)
        pages += 1
        url = URL + page.links["next"] if page.has_next else None
    assert pages == 3
    assert seen == sorted(Client.objects.values_list("name", flat=True))
    assert "123 clients" in response.content.decode()


def test_the_last_page_and_the_page_before_it(as_manager, base):
    make_clients(base, 123)
    everyone = sorted(Client.objects.values_list("name", flat=True))

    last = as_manager.get(URL, {"page": "last"})
    assert names(last) == everyone[-50:]
    page = last.context["page_obj"]
    assert page.has_previous and not page.has_next

    before = as_manager.get(URL + page.links["previous"])
    assert names(before) == everyone[-100:-50]
    assert before.context["page_obj"].has_next and before.context["page_obj"].has_previous

    first = as_manager.get(URL + page.links["first"])
    assert names(first) == everyone[:50]
    assert not first.context["page_obj"].has_previous


def test_filters_are_kept_in_the_page_links(as_manager, base):
    make_clients(base, 60, tier="A")
    make_clients({**base, "segment": factories.SegmentFactory(name="Food")}, 5)
    response = as_manager.get(URL, {"tier": "A"})
    links = response.context["page_obj"].links
    assert links["next"].startswith("?tier=A&after=")
    assert links["last"] == "?tier=A&page=last"
    following = as_manager.get(URL + links["next"])
    assert len(names(following)) == 10
    assert all(row["tier"] == "A" for row in following.context["page_obj"].object_list)


def test_a_cursor_that_points_nowhere_shows_the_first_page(as_manager, base):
    make_clients(base, 3)
    for query in ({"after": "999999"}, {"before": "abc"}, {"after": "-4"}):
        response = as_manager.get(URL, query)
        assert response.status_code == 200
        assert names(response) == ["Client 0000", "Client 0001", "Client 0002"]


def test_the_count_stops_at_the_cap(base):
    make_clients(base, 12)
    clients, params = Client.objects.all(), QueryDict()
    page = keyset_page(clients, clients, params, size=5, count_cap=10)
    assert (page.count, page.count_is_capped, len(page)) == (10, True, 5)
    page = keyset_page(clients, clients, params, size=5, count_cap=12)
    assert (page.count, page.count_is_capped) == (12, False)


def test_the_employee_pages_only_through_their_own_clients(as_employee, world):
    response = as_employee.get(URL, {"page": "last"})
    assert names(response) == ["Alfa Steel"]


def test_search_finds_clients_by_name_tax_number_and_key_contact(as_manager, base):
    alfa, beta, gamma = (
        factories.ClientFactory(name=name, **base) for name in ("Alfa Steel", "Beta", "Gamma")
    )
    factories.KeyContactFactory(client=gamma, full_name="Pavel Steelman")
    assert names(as_manager.get(URL, {"q": "steel"})) == ["Alfa Steel", "Gamma"]
    assert names(as_manager.get(URL, {"q": beta.tax_number})) == ["Beta"]


def count_queries(browser, url):
    """The queries of ``url`` once the filter bar's segments and regions are in the cache
    (``clients.lookups``, read on the first view after a change)."""
    browser.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(url).status_code == 200
    return len(captured.captured_queries)


def layout_queries(browser):
    return count_queries(browser, reverse("bare"))


@pytest.mark.parametrize("query", ["", "?page=last", "?q=client", "?tier=B"])
def test_the_query_count_is_the_same_with_one_client_and_with_many(as_manager, base, query):
    make_clients(base, 1)
    with_one = count_queries(as_manager, URL + query)
    for i in range(120):
        client = factories.ClientFactory(name=f"More {i:03d}", **base)
        factories.KeyContactFactory(client=client)
    with_many = count_queries(as_manager, URL + query)
    # The layout's own (session, user, roles…); the rows with their capped count (the filter
    # form's segments and regions come from the cache); a search reads its matching ids first.
    searching = 1 if "q=" in query else 0
    assert with_one == with_many == layout_queries(as_manager) + 1 + searching


def test_a_search_matching_more_than_the_id_cap_is_a_subquery(as_manager, base, monkeypatch):
    """Past SEARCH_IDS_CAP matches the search filters by a subquery: same rows, same count,
    same number of queries."""
    from clients import filters

    make_clients(base, 7)
    factories.KeyContactFactory(
        client=factories.ClientFactory(name="Zeta", **base), full_name="Client Friend"
    )
    as_list = as_manager.get(URL, {"q": "client"})
    monkeypatch.setattr(filters, "SEARCH_IDS_CAP", 3)
    with CaptureQueriesContext(connection) as captured:
        as_subquery = as_manager.get(URL, {"q": "client"})
    expected = [f"Client {i:04d}" for i in range(7)] + ["Zeta"]
    assert names(as_list) == names(as_subquery) == expected
    assert as_list.context["page_obj"].count == as_subquery.context["page_obj"].count == 8
    assert len(captured.captured_queries) == count_queries(as_manager, URL + "?q=client")


def test_a_next_page_costs_the_same_queries_as_the_first(as_manager, base):
    make_clients(base, 60)
    first = as_manager.get(URL)
    following = count_queries(as_manager, URL + first.context["page_obj"].links["next"])
    assert following == layout_queries(as_manager) + 1


def test_the_employees_list_costs_the_same_with_one_client_and_with_many(
    as_employee, employee, world
):
    """The employee sees the clients of their personal list only, at the same query count."""
    with_one = count_queries(as_employee, URL)
    for i in range(60):
        factories.EnrolmentFactory(
            programme=world.programme,
            client=factories.ClientFactory(name=f"Listed {i:03d}"),
            assignee=employee,
        )
    factories.ClientFactory(name="Not on the list")
    response = as_employee.get(URL)
    assert len(names(response)) == 50 and "Not on the list" not in names(response)
    assert count_queries(as_employee, URL) == with_one == layout_queries(as_employee) + 1


@pytest.mark.parametrize("role", ["manager", "employee"])
@pytest.mark.parametrize("name", ["api-client-list", "api-contact-list"])
def test_the_api_lists_cost_the_same_with_one_row_and_with_many(request, world, role, name):
    browser, user = request.getfixturevalue(f"as_{role}"), request.getfixturevalue(role)
    url = reverse(name)
    one = count_queries(browser, url)
    for i in range(30):
        client = factories.ClientFactory(name=f"More {i:03d}")
        factories.KeyContactFactory(client=client)
        factories.EnrolmentFactory(programme=world.programme, client=client, assignee=user)
    # The world's two clients (one on the employee's list), each with a contact, and 30 more.
    assert len(browser.get(url).json()["results"]) == (32 if role == "manager" else 31)
    assert count_queries(browser, url) == one


# --- EXPLAIN on PostgreSQL -------------------------------------------------------------------


def captured_sql(browser, url):
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def rows_query(statements):
    return next(s for s in statements if s.startswith('SELECT "clients_client"."id"'))


def test_the_last_page_reads_the_name_index_backwards_without_offset(postgresql, as_manager, base):
    make_clients(base, 60)
    statements = captured_sql(as_manager, URL + "?page=last")
    sql = rows_query(statements)
    assert "OFFSET" not in sql
    # The rows are values (pk, name, …): the ORM orders by their column positions.
    assert sql.startswith('SELECT "clients_client"."id" AS "pk", "clients_client"."name" AS')
    assert sql.endswith("ORDER BY 2 DESC, 1 DESC LIMIT 51")
    explained = plan(sql, sorts=False)
    assert "Index Scan Backward using client_name_idx on clients_client" in explained, explained
    assert "Seq Scan on clients_client" not in explained


def test_segments_and_tiers_have_statistics_of_how_they_go_together(postgresql):
    """Migration 0007: without them PostgreSQL took a segment and a tier for independent, and
    sorted a whole segment by name rather than walk an index to the page's 51st row."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stxkind::text FROM pg_statistic_ext WHERE stxname = 'client_segment_tier_stats'"
        )
        assert cursor.fetchall() == [("{m}",)]


def test_the_count_is_capped_not_a_full_count(postgresql, as_manager, base):
    """Counted up to 1,001, in a column of the rows' query (no query of its own)."""
    make_clients(base, 3)
    statements = captured_sql(as_manager, URL)
    client_queries = [s for s in statements if '"clients_client"' in s]
    assert len(client_queries) == 1
    assert re.search(r"SELECT COUNT\(\*\) FROM \(SELECT .* LIMIT 1001\) _capped", client_queries[0])


def test_a_next_page_starts_from_its_cursor_in_the_index(postgresql, as_manager, base):
    make_clients(base, 60)
    first = as_manager.get(URL)
    sql = rows_query(captured_sql(as_manager, URL + first.context["page_obj"].links["next"]))
    assert "OFFSET" not in sql
    explained = plan(sql, sorts=False)
    # An index scan on a big table, a bitmap scan on the test's few rows: either starts at the
    # cursor's name in the index.
    assert re.search(r"Index Scan (using|on) client_name_idx\b", explained), explained
    assert re.search(r"Index Cond: \(\(?name\)?::text >= ", explained), explained


def test_the_text_search_uses_trigram_indexes_on_clients_and_contacts(postgresql, as_manager, base):
    make_clients(base, 5)
    # The search's matching ids, read once before the page's rows and count.
    sql = next(s for s in captured_sql(as_manager, URL + "?q=steel") if "LIKE" in s)
    explained = plan(sql)
    assert "client_name_trgm_idx" in explained
    assert "client_legal_name_trgm_idx" in explained
    assert "contact_full_name_trgm_idx" in explained
    assert "Seq Scan on clients_client" not in explained
    assert "Seq Scan on clients_keycontact" not in explained


def test_a_segment_filter_pages_through_its_own_index(postgresql, as_manager, base):
    make_clients(base, 30)
    segment = base["segment"].pk
    sql = rows_query(captured_sql(as_manager, URL + f"?segment={segment}&page=last"))
    explained = plan(sql, sorts=False)
    assert "Index Scan Backward using client_segment_name_idx on clients_client" in explained
    assert "Seq Scan on clients_client" not in explained


def test_a_segment_and_region_filter_costs_no_query_more(as_manager, base):
    """The segments and regions are read once each for the filter bar: its options, the check
    of the chosen ones and the rows' names all come from that read."""
    make_clients(base, 3)
    chosen = {"segment": base["segment"].pk, "region": base["region"].pk}
    plain = count_queries(as_manager, URL)
    assert count_queries(as_manager, URL + f"?segment={chosen['segment']}") == plain
    response = as_manager.get(URL, chosen)
    html = response.content.decode()
    assert f'<option value="{chosen["segment"]}" selected>Metals</option>' in html
    assert f'<option value="{chosen["region"]}" selected>Volga</option>' in html
    assert len(names(response)) == 3


@pytest.mark.parametrize("value", ["999999", "abc", "1.5", "-1", "9" * 30])
def test_a_segment_not_on_the_list_is_a_form_error(as_manager, base, value):
    make_clients(base, 2)
    response = as_manager.get(URL, {"segment": value})
    assert response.status_code == 200
    assert response.context["filter"].form.errors["segment"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]


def test_the_rows_show_kind_and_status_in_words(as_manager, base):
    factories.ClientFactory(name="Gone Ltd", status="lost", lost_on="2026-01-31", **base)
    factories.ClientFactory(name="Ivan Private", kind="private", **base)
    html = as_manager.get(URL).content.decode()
    assert re.search(r"Gone Ltd</a></td>\s*<td>Corporate client</td>", html)
    assert re.search(r"<td>Lost</td>", html)
    assert re.search(r"Ivan Private</a></td>\s*<td>Private client</td>", html)


def test_the_employees_clients_are_read_by_primary_key(postgresql, as_employee, world):
    """The employee's client ids are an array read first (vipcrm.expressions.InIds): the rows
    and the count read those clients by primary key, not every client to probe its
    enrolment."""
    statements = captured_sql(as_employee, URL)
    sql = rows_query(statements)
    assert "= ANY(ARRAY(SELECT" in sql
    explained = plan(sql)
    assert "Index Cond: (id = ANY ($" in explained, explained
    assert "Seq Scan on clients_client" not in explained  # the count's, in the same query


def test_a_row_shows_every_cell_escaped(as_manager, base):
    """The rows are written in Python (clients.views.client_rows): each cell as the template
    wrote it, escaped."""
    seller = factories.UserFactory(username="s<1>", first_name="Anna & Co", last_name="")
    client = factories.ClientFactory(
        name="Alfa <Steel> & Sons",
        segment=None,
        region=base["region"],
        city="Kazan'",
        tier="B",
        original_salesperson=seller,
    )
    factories.KeyContactFactory(client=client)
    factories.KeyContactFactory(client=client, left_company=True)
    bare = factories.ClientFactory(
        name="Bare", segment=base["segment"], region=None, city="", original_salesperson=None
    )
    html = as_manager.get(URL).content.decode()
    url = reverse("clients:client_detail", args=[client.pk])
    assert (
        f'<tr>\n      <td><a href="{url}">Alfa &lt;Steel&gt; &amp; Sons</a></td>\n'
        "      <td>Corporate client</td>\n      <td>—</td>\n      <td>Volga, Kazan&#x27;</td>\n"
        "      <td>B</td>\n      <td>Active</td>\n      <td>1</td>\n"
        "      <td>Anna &amp; Co</td>\n    </tr>"
    ) in html
    url = reverse("clients:client_detail", args=[bare.pk])
    assert (
        f'<td><a href="{url}">Bare</a></td>\n      <td>Corporate client</td>\n'
        "      <td>Metals</td>\n      <td>—</td>\n"
    ) in html
    assert "<td>0</td>\n      <td>—</td>\n    </tr>" in html
