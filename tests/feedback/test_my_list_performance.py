"""My list at two sizes: a page of 25 rows costs the same queries with 3 clients and with 61,
and the sort by next meeting and the filters still apply across pages."""

import datetime as dt

from django.db import connection
from django.db.models.functions import Lower
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from programme.models import Enrolment
from tests import factories


def _rows(n, employee, programme):
    enrolments = []
    for i in range(n):
        enrolment = factories.EnrolmentFactory(programme=programme, assignee=employee)
        factories.VisitFactory(
            enrolment=enrolment,
            status="planned",
            scheduled_at=timezone.now() + dt.timedelta(days=1 + i),
        )
        factories.FollowUpFactory(client=enrolment.client, owner=employee)
        enrolments.append(enrolment)
    return enrolments


def test_my_list_pages_cost_the_same_with_few_and_many_clients(
    world, employee, as_employee, django_assert_num_queries
):
    url = reverse("feedback:my_list") + "?ordering=next_meeting"
    _rows(2, employee, world.programme)
    as_employee.get(url)  # warm up the session
    with CaptureQueriesContext(connection) as few:
        response = as_employee.get(url)
    assert response.content.decode().count('data-testid="my-list-row"') == 3

    _rows(58, employee, world.programme)
    with django_assert_num_queries(len(few)):
        response = as_employee.get(url)
    assert response.content.decode().count('data-testid="my-list-row"') == 25
    with django_assert_num_queries(len(few)):
        response = as_employee.get(url + "&page=3")
    assert response.content.decode().count('data-testid="my-list-row"') == 11


def test_my_list_sorts_by_next_meeting_before_paging(world, employee, as_employee):
    enrolments = _rows(30, employee, world.programme)
    soonest = enrolments[0].client.name
    latest = enrolments[-1].client.name
    first = as_employee.get(reverse("feedback:my_list") + "?ordering=next_meeting")
    assert soonest in first.content.decode()
    assert latest not in first.content.decode()
    last = as_employee.get(reverse("feedback:my_list") + "?ordering=-next_meeting")
    assert latest in last.content.decode()
    assert soonest not in last.content.decode()


def test_my_list_by_name_reads_the_page_and_the_count_in_one_query(
    world, employee, colleague, as_employee, django_assert_num_queries
):
    """The default order (client name): the page's rows, their figures and the count of the
    list in one read (feedback.my_list.personal_page); names in order across pages, no
    colleague's client, and the same queries with 1 client and with 31."""
    url = reverse("feedback:my_list")
    as_employee.get(url)  # warm up the session
    with CaptureQueriesContext(connection) as one:
        response = as_employee.get(url)
    assert response.content.decode().count('data-testid="my-list-row"') == 1

    _rows(30, employee, world.programme)
    factories.EnrolmentFactory(programme=world.programme, assignee=colleague)
    with django_assert_num_queries(len(one)):
        first = as_employee.get(url).content.decode()
    with django_assert_num_queries(len(one)):
        second = as_employee.get(url + "?page=2").content.decode()
    mine = list(
        Enrolment.objects.filter(assignee=employee)
        .order_by(Lower("client__name"), "client__name", "id")
        .values_list("client__name", flat=True)
    )
    assert len(mine) == 31
    assert first.count('data-testid="my-list-row"') == 25
    assert second.count('data-testid="my-list-row"') == 6
    shown = [
        html.split('data-testid="my-list-row"')[n].split('">', 2)[2].split("</a>")[0]
        for html, count in ((first, 25), (second, 6))
        for n in range(1, count + 1)
    ]
    assert shown == [escape(name) for name in mine]


def test_my_list_figures_are_computed_for_the_page_only(postgresql, world, employee, as_employee):
    """By name, PostgreSQL sorts the person's rows, keeps the page, and only then runs the
    figures' subqueries: once per row shown, not per row of the list; the figures read from
    the same rows are read in pairs."""
    _rows(30, employee, world.programme)
    url = reverse("feedback:my_list")
    as_employee.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert as_employee.get(url).status_code == 200
    (sql,) = [q["sql"] for q in captured.captured_queries if "_total_count" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql)
        plan = [row[0] for row in cursor.fetchall()]
    subplans = [line for line in plan if line.strip().startswith("SubPlan")]
    # Six figures in four subqueries (feedback.my_list._paired_figures).
    assert len(subplans) == 4, plan
    loops = [int(line.split("loops=")[1].rstrip(")")) for line in plan if "loops=" in line]
    first_of_each = [
        int(plan[plan.index(line) + 1].split("loops=")[1].rstrip(")")) for line in subplans
    ]
    assert first_of_each == [25] * 4, plan
    assert 31 in loops  # the list itself, sorted
