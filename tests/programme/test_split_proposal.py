"""The split proposal at scale: its rows in a table (``SplitProposalRow``), read 50 at a time by
keyset on the client's (name, id), the summary per person kept on the job — the same queries
with one row and with many, and (EXPLAIN on PostgreSQL) no OFFSET.

The benchmark measures the page (``split_proposal``) on a proposal of 100,000 clients.
"""

import re

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programme import services
from programme.models import AssignmentChange, ProgrammeJob, SplitProposalRow
from tests import factories
from tests.explain import plan


def split_url(programme, query=""):
    return reverse("programme:split_detail", args=[programme.pk]) + query


def unassigned(programme, count, prefix="Client"):
    return [
        factories.EnrolmentFactory(programme=programme, client__name=f"{prefix} {i:04d}")
        for i in range(count)
    ]


def proposed(manager, programme):
    job = services.split_start(programme=programme, by=manager)
    assert job.status == ProgrammeJob.Status.READY
    return job


def names(response):
    return [row["client_name"] for row in response.context["rows"]]


def summed(job):
    """The summary per person added up from the rows, as the job should keep it."""
    return {
        str(row["assignee"]): [row["count"], row["weight"]]
        for row in SplitProposalRow.objects.filter(job=job)
        .values("assignee")
        .annotate(count=Count("pk"), weight=Sum("weight"))
    }


def count_queries(browser, url):
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_proposal_is_written_as_rows_with_its_summary_on_the_job(world, manager):
    clients = unassigned(world.programme, 5)

    job = proposed(manager, world.programme)

    rows = SplitProposalRow.objects.filter(job=job)
    assert sorted(rows.values_list("enrolment_id", flat=True)) == sorted(e.pk for e in clients)
    assert {row.client_name for row in rows} == {e.client.name for e in clients}
    assert job.result["proposed"] == 5 and job.result["unplaced"] == 0
    assert job.result["people"] == summed(job)
    # What each person held when the proposal was computed, and the list's whole weight.
    assert job.result["held"] == {
        str(world.enrolment.assignee_id): [1, world.client.weight],
        str(world.colleague_enrolment.assignee_id): [1, world.colleague_client.weight],
    }
    assert job.result["total_weight"] == sum(
        e.client.weight for e in world.programme.enrolments.select_related("client")
    )


def test_the_split_page_queries_are_the_same_with_one_row_and_many(world, manager, as_manager):
    unassigned(world.programme, 1)
    proposed(manager, world.programme)
    with_one = count_queries(as_manager, split_url(world.programme))

    unassigned(world.programme, 120, prefix="More client")
    proposed(manager, world.programme)
    response = as_manager.get(split_url(world.programme))
    with_many = count_queries(as_manager, split_url(world.programme))
    next_page = count_queries(
        as_manager, split_url(world.programme, response.context["page_obj"].links["next"])
    )
    last_page = count_queries(as_manager, split_url(world.programme, "?page=last"))

    assert with_one == with_many == next_page == last_page <= 15
    assert response.content.decode().count('data-testid="split-row"') == 50
    assert response.content.decode().count('data-testid="split-person"') == 2


def test_walking_the_proposal_shows_every_row_once_in_client_name_order(world, manager, as_manager):
    clients = unassigned(world.programme, 121)
    proposed(manager, world.programme)

    seen, query, pages = [], "", 0
    while query is not None:
        response = as_manager.get(split_url(world.programme, query))
        page = response.context["page_obj"]
        seen += names(response)
        pages += 1
        query = page.links["next"] if page.has_next else None
    last = as_manager.get(split_url(world.programme, "?page=last"))

    assert pages == 3
    assert seen == sorted(e.client.name for e in clients)
    assert names(last) == seen[-50:]


def test_changing_a_row_changes_that_row_and_the_summary_only(
    world, manager, employee, colleague, as_manager
):
    clients = unassigned(world.programme, 4)
    job = proposed(manager, world.programme)
    row = SplitProposalRow.objects.filter(job=job, assignee=colleague).first()
    others = dict(
        SplitProposalRow.objects.filter(job=job).exclude(pk=row.pk).values_list("pk", "assignee")
    )

    response = as_manager.post(
        reverse("programme:split_change", args=[world.programme.pk, job.pk]),
        {"enrolment": row.enrolment_id, "assignee": employee.pk, "next": "?page=last"},
    )

    job.refresh_from_db()
    assert response["Location"] == split_url(world.programme, "?page=last")
    assert SplitProposalRow.objects.get(pk=row.pk).assignee == employee
    assert (
        dict(
            SplitProposalRow.objects.filter(job=job)
            .exclude(pk=row.pk)
            .values_list("pk", "assignee")
        )
        == others
    )
    assert job.result["people"] == summed(job)
    assert sum(count for count, _weight in job.result["people"].values()) == len(clients)


def test_a_client_taken_off_the_list_leaves_the_proposal_and_its_summary(world, manager, employee):
    clients = unassigned(world.programme, 3)
    job = proposed(manager, world.programme)

    services.enrolment_remove(enrolment=clients[0], by=manager)

    job.refresh_from_db()
    assert job.proposal_rows.count() == 2
    assert job.result["people"] == summed(job) and job.result["proposed"] == 2
    # Applying the rest assigns the two clients still on the list.
    assert services.split_apply(job=job, by=manager) == 2


def test_applying_reads_the_rows_and_keeps_only_the_history(world, manager):
    clients = unassigned(world.programme, 3)
    job = proposed(manager, world.programme)
    wanted = dict(job.proposal_rows.values_list("enrolment_id", "assignee_id"))

    assert services.split_apply(job=job, by=manager) == 3

    assert {e.pk: e.assignee_id for e in world.programme.enrolments.filter(pk__in=wanted)} == wanted
    assert set(
        AssignmentChange.objects.filter(source="auto_split").values_list("enrolment", "to_user")
    ) == set(wanted.items())
    assert not SplitProposalRow.objects.filter(job=job).exists()
    assert {e.pk for e in clients} == set(wanted)


def test_the_unassigned_count_is_capped(world, manager, as_manager, monkeypatch):
    monkeypatch.setattr("programme.views.split.UNASSIGNED_CAP", 3)
    unassigned(world.programme, 5)

    body = as_manager.get(split_url(world.programme)).content.decode()

    assert "More than 3 clients are not assigned." in body


# --- EXPLAIN on PostgreSQL -------------------------------------------------------------------


def rows_query(browser, url):
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(url).status_code == 200
    return next(
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith('SELECT "programme_splitproposalrow"."id"')
    )


@pytest.mark.parametrize("query", ["", "?page=last", "next"])
def test_a_page_of_the_proposal_reads_its_index_without_offset(
    postgresql,
    world,
    manager,
    as_manager,
    query,
):
    unassigned(world.programme, 60)
    proposed(manager, world.programme)
    if query == "next":
        query = as_manager.get(split_url(world.programme)).context["page_obj"].links["next"]

    sql = rows_query(as_manager, split_url(world.programme, query))

    assert "OFFSET" not in sql
    # The rows are values: the ORM orders by their columns' positions (client_name, client_id).
    assert re.search(r"ORDER BY 4 (DESC|ASC), 5 (DESC|ASC) LIMIT 51", sql)
    explained = plan(sql, sorts=False)
    assert "using split_row_page_idx on programme_splitproposalrow" in explained, explained
    assert "Seq Scan on programme_splitproposalrow" not in explained
