"""The programme manager's pages: what they show and what their forms do."""

import datetime as dt

from django.urls import reverse

from programme.models import AssignmentChange, Enrolment, Programme, ProgrammeJob, StaffMember
from tests import factories


def url(name, **kwargs):
    return reverse(f"programme:{name}", kwargs=kwargs)


def text(response):
    return response.content.decode()


def test_programme_list_shows_only_own_programmes(world, as_manager, other_manager):
    factories.ProgrammeFactory(manager=other_manager, name="Someone else's")

    response = as_manager.get(url("programme_list"))

    assert "VIP 2026" in text(response)
    assert "Someone else" not in text(response)


def test_programme_list_shows_management_every_programme(world, as_director, other_manager):
    factories.ProgrammeFactory(manager=other_manager, name="Someone else's")

    response = as_director.get(url("programme_list"))

    assert "VIP 2026" in text(response) and "Someone else" in text(response)
    assert "New programme" not in text(response)


def test_create_programme_opens_a_draft(as_manager, manager):
    response = as_manager.post(
        url("programme_create"),
        {
            "name": "VIP 2027",
            "manager": manager.pk,
            "starts_on": "2027-01-10",
            "deadline": "2027-06-30",
        },
    )

    programme = Programme.objects.get(name="VIP 2027")
    assert response["Location"] == url("programme_detail", pk=programme.pk)
    assert (programme.status, programme.manager, programme.deadline) == (
        "draft",
        manager,
        dt.date(2027, 6, 30),
    )


def test_create_programme_shows_a_deadline_before_start(as_manager, manager):
    response = as_manager.post(
        url("programme_create"),
        {"name": "Bad", "manager": manager.pk, "starts_on": "2027-06-10", "deadline": "2027-01-30"},
    )

    assert "The deadline cannot be before the start." in text(response)
    assert not Programme.objects.filter(name="Bad").exists()


def test_close_page_asks_for_a_reason_while_clients_are_open(world, as_manager):
    response = as_manager.post(url("programme_close", pk=world.programme.pk), {"reason": ""})

    assert "2 clients are not worked through yet" in text(response)
    assert Programme.objects.get(pk=world.programme.pk).status == "active"


def test_next_run_from_a_closed_programme(world, as_manager):
    Programme.objects.filter(pk=world.programme.pk).update(status="closed")

    response = as_manager.post(
        url("programme_next_run", pk=world.programme.pk),
        {"name": "VIP 2027", "starts_on": "2027-01-01", "deadline": "2027-12-01"},
    )

    nxt = Programme.objects.get(name="VIP 2027")
    assert response["Location"] == url("programme_detail", pk=nxt.pk)
    assert nxt.enrolments.count() == 2


def test_add_corporate_clients_page(world, as_manager):
    segment = factories.SegmentFactory(name="Retail")
    factories.ClientFactory(name="Shop", segment=segment)
    factories.ClientFactory(name="Plant")

    response = as_manager.post(
        url("enrolment_add_corporate", pk=world.programme.pk),
        {"exclude_segments": [segment.pk], "exclude_statuses": ["lost"]},
    )

    assert response["Location"] == url("enrolment_list", pk=world.programme.pk)
    names = set(world.programme.enrolments.values_list("client__name", flat=True))
    assert "Plant" in names and "Shop" not in names
    assert ProgrammeJob.objects.get().result == {"added": 1}


def test_add_private_clients_page(world, as_manager):
    private = factories.ClientFactory(name="Mr Rich", kind="private")

    page = as_manager.get(url("enrolment_add_private", pk=world.programme.pk))
    response = as_manager.post(
        url("enrolment_add_private", pk=world.programme.pk), {"clients": [private.pk]}
    )

    assert "Mr Rich" in text(page)
    assert response.status_code == 302
    assert world.programme.enrolments.filter(client=private).exists()


def test_client_list_filters_by_assignee_and_shows_signals(world, as_manager, employee):
    factories.VisitFactory(client=world.client, employee=employee, status="held")
    factories.KeyContactFactory(client=world.client, added_by=employee)
    from clients.models import KeyContact

    KeyContact.objects.filter(client=world.client).update(added_by=employee)

    response = as_manager.get(
        url("enrolment_list", pk=world.programme.pk) + f"?assignee={employee.pk}"
    )

    assert "Alfa Steel" in text(response) and "Beta Foods" not in text(response)
    assert "Only one of our people ever met this client" in text(response)
    assert "All key contacts were added by one person" in text(response)


def test_client_list_filters_unassigned_and_search(world, as_manager):
    factories.EnrolmentFactory(programme=world.programme, client__name="Zeta Unassigned")

    response = as_manager.get(url("enrolment_list", pk=world.programme.pk) + "?assignee=null")
    searched = as_manager.get(url("enrolment_list", pk=world.programme.pk) + "?q=beta")

    assert "Zeta Unassigned" in text(response) and "Alfa Steel" not in text(response)
    assert "Beta Foods" in text(searched) and "Alfa Steel" not in text(searched)


def test_bulk_assign_page_refuses_monopolised_with_message(world, as_manager, employee):
    client = factories.ClientFactory(name="Gamma Oil", original_salesperson=employee)
    blocked = factories.EnrolmentFactory(
        programme=world.programme, client=client, assessment="monopolised"
    )

    response = as_manager.post(
        url("enrolment_bulk_assign", pk=world.programme.pk),
        {"enrolment": [blocked.pk], "assignee": employee.pk},
        follow=True,
    )

    assert "Gamma Oil is monopolised and cannot go to its original salesperson" in text(response)
    assert Enrolment.objects.get(pk=blocked.pk).assignee is None


def test_reassign_needs_a_reason_and_writes_history(world, as_manager, colleague, manager):
    target = url("enrolment_assign", pk=world.programme.pk, enrolment_pk=world.enrolment.pk)

    refused = as_manager.post(target, {"assignee": colleague.pk, "reason": ""})
    done = as_manager.post(target, {"assignee": colleague.pk, "reason": "Moved to Kazan"})

    assert "Say why the client is reassigned." in text(refused)
    assert done.status_code == 302
    change = AssignmentChange.objects.get(enrolment=world.enrolment)
    assert (change.to_user, change.reason, change.changed_by) == (
        colleague,
        "Moved to Kazan",
        manager,
    )
    page = as_manager.get(done["Location"])
    assert "Moved to Kazan" in text(page)


def test_assess_page_shows_the_rule(world, as_manager, employee):
    Enrolment.objects.filter(pk=world.enrolment.pk).update(original_salesperson=employee)

    response = as_manager.post(
        url("enrolment_assess", pk=world.programme.pk, enrolment_pk=world.enrolment.pk),
        {"assessment": "monopolised", "note": "Hides the client"},
    )

    assert "A monopolised client must be worked by someone else" in text(response)
    assert Enrolment.objects.get(pk=world.enrolment.pk).assessment == ""


def test_staff_page_shows_load_against_capacity(world, as_manager):
    response = as_manager.get(url("staff_list", pk=world.programme.pk))

    body = text(response)
    assert "Ivan Petrov" in body and "Olga Sidorova" in body
    # 2 clients of tier B (weight 2 each): total weight 4, capacity 1.5.
    assert "<td>4</td>" in body


def test_staff_add_and_remove(world, as_manager, manager):
    newcomer = factories.staff_user(username="newcomer", first_name="Nina", last_name="Ko")

    as_manager.post(
        url("staff_add", pk=world.programme.pk), {"employee": newcomer.pk, "kind": "shared"}
    )
    member = StaffMember.objects.get(programme=world.programme, employee=newcomer)
    as_manager.post(url("staff_remove", pk=world.programme.pk, member_pk=member.pk))

    assert not StaffMember.objects.filter(pk=member.pk).exists()


def test_split_page_proposes_changes_and_applies(world, as_manager, employee, colleague):
    client = factories.ClientFactory(name="Gamma Oil", original_salesperson=employee)
    blocked = factories.EnrolmentFactory(
        programme=world.programme, client=client, assessment="monopolised"
    )
    free = factories.EnrolmentFactory(programme=world.programme, client__name="Delta")

    as_manager.post(url("split_start", pk=world.programme.pk))
    page = as_manager.get(url("split_detail", pk=world.programme.pk))
    job = ProgrammeJob.objects.get(kind="split")
    refused = as_manager.post(
        url("split_change", pk=world.programme.pk, job_pk=job.pk),
        {"enrolment": blocked.pk, "assignee": employee.pk},
        follow=True,
    )
    as_manager.post(
        url("split_change", pk=world.programme.pk, job_pk=job.pk),
        {"enrolment": free.pk, "assignee": employee.pk},
    )
    applied = as_manager.post(url("split_apply", pk=world.programme.pk, job_pk=job.pk))

    assert "Gamma Oil" in text(page) and "Proposal per person" in text(page)
    assert "someone other than its original salesperson" in text(refused)
    assert applied["Location"] == url("enrolment_list", pk=world.programme.pk)
    assert Enrolment.objects.get(pk=blocked.pk).assignee == colleague
    assert Enrolment.objects.get(pk=free.pk).assignee == employee
    assert AssignmentChange.objects.filter(source="auto_split").count() == 2


def test_job_page_polls_until_finished(world, as_manager):
    job = ProgrammeJob.objects.create(
        programme=world.programme, kind="add_clients", status="running", done=5, total=10
    )

    running = as_manager.get(
        url("job_detail", pk=world.programme.pk, job_pk=job.pk), HTTP_HX_REQUEST="true"
    )
    ProgrammeJob.objects.filter(pk=job.pk).update(status="ready", result={"added": 10})
    done = as_manager.get(
        url("job_detail", pk=world.programme.pk, job_pk=job.pk), HTTP_HX_REQUEST="true"
    )

    assert 'hx-trigger="every 2s"' in text(running) and "5 of 10" in text(running)
    assert done["HX-Refresh"] == "true" and "10 clients added" in text(done)


def test_progress_page_shows_coverage_and_forecast(world, as_manager):
    Programme.objects.filter(pk=world.programme.pk).update(
        starts_on=dt.date.today() - dt.timedelta(days=14), activated_at=None
    )
    Enrolment.objects.filter(pk=world.enrolment.pk).update(stage="visited")

    response = as_manager.get(url("progress", pk=world.programme.pk))

    body = text(response)
    assert "50%" in body  # one of two clients visited
    assert "on time for the deadline" in body


def test_home_card_lists_open_programmes(world, as_manager):
    response = as_manager.get(reverse("home"))

    assert "VIP 2026" in text(response)
    assert reverse("programme:programme_list") in text(response)


def test_nav_link_for_managers_not_employees(world, as_manager, as_employee):
    assert 'data-testid="nav-programmes"' in text(as_manager.get(reverse("home")))
    assert 'data-testid="nav-programmes"' not in text(as_employee.get(reverse("home")))


def _add_rows(world, employee, count, start=0):
    for index in range(start, start + count):
        client = factories.ClientFactory(name=f"Row {index}")
        factories.EnrolmentFactory(programme=world.programme, client=client, assignee=employee)
        factories.VisitFactory(client=client, employee=employee, status="held")
        factories.KeyContactFactory(client=client, added_by=employee)
        factories.AssignmentChangeFactory(enrolment=world.enrolment)
        factories.StaffMemberFactory(programme=world.programme)
        factories.EnrolmentFactory(programme=world.programme, client__name=f"Open {index}")


def test_list_pool_split_and_progress_pages_query_counts_are_constant(
    world, as_manager, django_assert_num_queries, employee, manager
):
    """Measured with 1 row of everything, then the same count with 30: no query per row. (The
    count itself includes what base.html loads, which other apps' navigation may change.)"""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from programme import services

    names = ["enrolment_list", "staff_list", "progress", "split_detail", "enrolment_detail"]

    def get(name):
        kwargs = {"pk": world.programme.pk}
        if name == "enrolment_detail":
            kwargs["enrolment_pk"] = world.enrolment.pk
        response = as_manager.get(url(name, **kwargs))
        assert response.status_code == 200
        return response

    _add_rows(world, employee, 1)
    services.split_start(programme=world.programme, by=manager)
    counts = {}
    for name in names:
        with CaptureQueriesContext(connection) as queries:
            get(name)
        counts[name] = len(queries)

    _add_rows(world, employee, 29, start=1)
    services.split_start(programme=world.programme, by=manager)
    for name in names:
        with django_assert_num_queries(counts[name]):
            response = get(name)
        if name == "enrolment_list":
            assert text(response).count('data-testid="enrolment-row"') == 50
        if name == "staff_list":
            assert text(response).count('data-testid="staff-row"') == 32
        if name == "split_detail":
            assert text(response).count('data-testid="split-row"') == 30


def test_pages_show_a_client_without_original_salesperson(world, as_manager):
    orphan = factories.EnrolmentFactory(
        programme=world.programme, client__name="Orphan Ltd", client__original_salesperson=None
    )
    as_manager.post(url("split_start", pk=world.programme.pk))

    for target in (
        url("enrolment_list", pk=world.programme.pk),
        url("enrolment_detail", pk=world.programme.pk, enrolment_pk=orphan.pk),
        url("split_detail", pk=world.programme.pk),
    ):
        assert "Orphan Ltd" in text(as_manager.get(target))


def test_bad_filter_and_page_values_do_not_break_the_pages(world, as_manager):
    response = as_manager.get(
        url("enrolment_list", pk=world.programme.pk) + "?assignee=abc&tier=Z&stage=x&page=zz"
    )
    split = as_manager.get(url("split_detail", pk=world.programme.pk) + "?page=-3")
    bulk = as_manager.post(
        url("enrolment_bulk_assign", pk=world.programme.pk),
        {"enrolment": ["x"], "assignee": "nobody"},
        follow=True,
    )

    assert response.status_code == 200 and "Select a valid choice" in text(response)
    assert split.status_code == 200
    assert "Select clients from the list." in text(bulk)
    assert Enrolment.objects.filter(assignee__isnull=True).count() == 0


def test_client_list_rows_are_complete_and_escaped(world, as_manager, employee):
    """Rows written in Python (programme.views.client_list.enrolment_rows): every cell, escaped
    as the template did; the checkbox only for the programme's manager."""
    from clients.models import KeyContact

    employee.first_name, employee.last_name = "Eve <E>", ""
    employee.save()
    factories.VisitFactory(client=world.client, employee=employee, status="held")
    KeyContact.objects.filter(client=world.client).update(added_by=employee)
    private = factories.EnrolmentFactory(
        programme=world.programme,
        client=factories.ClientFactory(name="Ivan & <Co>", kind="private", segment=None),
    )
    html = text(as_manager.get(url("enrolment_list", pk=world.programme.pk)))
    detail = reverse("programme:enrolment_detail", args=[world.programme.pk, world.enrolment.pk])
    enrolment = world.enrolment
    assert (
        f'<td><input class="form-check-input" type="checkbox" name="enrolment" '
        f'value="{enrolment.pk}" aria-label="Select Alfa Steel"></td>\n'
        f'      <td><a href="{detail}">Alfa Steel</a></td>\n'
    ) in html
    assert (
        '<span class="badge text-bg-warning me-1" data-testid="signal" '
        'title="Monopolisation signal"><i class="bi bi-exclamation-triangle" aria-hidden="true">'
        "</i> Only one of our people ever met this client</span>"
    ) in html
    assert "<td>Eve &lt;E&gt;</td>" in html
    detail = reverse("programme:enrolment_detail", args=[world.programme.pk, private.pk])
    assert (
        f'<td><a href="{detail}">Ivan &amp; &lt;Co&gt;</a> '
        '<span class="badge text-bg-light">private</span></td>'
    ) in html
    assert '<td><span class="text-muted">unassigned</span></td>' in html
    assert 'aria-label="Select Ivan &amp; &lt;Co&gt;"' in html
