"""The programme's services: lifecycle, client list, staff pool, assessment and assignment."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from programme import services
from programme.models import AssignmentChange, Enrolment, Programme, ProgrammeJob, StaffMember
from tests import factories


def monopolised_enrolment(world, employee):
    """A client won by ``employee``, on the list, monopolised, unassigned."""
    client = factories.ClientFactory(name="Gamma Oil", original_salesperson=employee)
    return factories.EnrolmentFactory(
        programme=world.programme, client=client, assessment="monopolised"
    )


# Assignment ------------------------------------------------------------------------------------


def test_assign_refuses_a_monopolised_client_to_its_salesperson(world, employee, manager):
    enrolment = monopolised_enrolment(world, employee)

    with pytest.raises(ValidationError, match="someone other than its original salesperson"):
        services.enrolment_assign(enrolment=enrolment, assignee=employee, by=manager)

    enrolment.refresh_from_db()
    assert enrolment.assignee is None
    assert not AssignmentChange.objects.filter(enrolment=enrolment).exists()


def test_assign_writes_history_with_reason(world, colleague, manager):
    services.enrolment_assign(
        enrolment=world.enrolment, assignee=colleague, by=manager, reason="Holiday"
    )

    change = AssignmentChange.objects.get(enrolment=world.enrolment)
    assert (change.from_user, change.to_user, change.changed_by, change.reason) == (
        world.enrolment.assignee,
        colleague,
        manager,
        "Holiday",
    )


def test_assign_refuses_someone_outside_the_pool(world, manager):
    outsider = factories.staff_user(username="outsider")

    with pytest.raises(ValidationError, match="not in this programme's staff pool"):
        services.enrolment_assign(enrolment=world.enrolment, assignee=outsider, by=manager)


def test_assign_refuses_changes_to_a_closed_programme(world, colleague, manager):
    Programme.objects.filter(pk=world.programme.pk).update(status="closed")

    with pytest.raises(ValidationError, match="closed"):
        services.enrolment_assign(enrolment=world.enrolment, assignee=colleague, by=manager)


def test_assess_refuses_monopolised_while_the_salesperson_works_the_client(world, manager):
    enrolment = world.enrolment
    Enrolment.objects.filter(pk=enrolment.pk).update(original_salesperson=enrolment.assignee)

    with pytest.raises(ValidationError, match="reassign it first"):
        services.enrolment_assess(enrolment=enrolment, assessment="monopolised", by=manager)

    enrolment.refresh_from_db()
    assert enrolment.assessment == ""


def test_assess_records_the_assessment_and_note(world, manager):
    services.enrolment_assess(
        enrolment=world.enrolment, assessment="uncertain", note="Rarely calls", by=manager
    )

    world.enrolment.refresh_from_db()
    assert (world.enrolment.assessment, world.enrolment.assessment_note) == (
        "uncertain",
        "Rarely calls",
    )


def test_bulk_assign_changes_nothing_when_one_client_breaks_the_rule(world, employee, manager):
    blocked = monopolised_enrolment(world, employee)
    free = factories.EnrolmentFactory(programme=world.programme)

    with pytest.raises(ValidationError, match="Gamma Oil is monopolised"):
        services.enrolments_assign_bulk(
            programme=world.programme,
            enrolment_ids=[blocked.pk, free.pk],
            assignee=employee,
            by=manager,
        )

    assert Enrolment.objects.get(pk=free.pk).assignee is None
    assert AssignmentChange.objects.count() == 0


def test_bulk_assign_assigns_every_selected_client_with_history(world, colleague, manager):
    first = factories.EnrolmentFactory(programme=world.programme)
    second = factories.EnrolmentFactory(programme=world.programme)

    count = services.enrolments_assign_bulk(
        programme=world.programme,
        enrolment_ids=[first.pk, second.pk, world.colleague_enrolment.pk],
        assignee=colleague,
        by=manager,
        reason="Region north",
    )

    assert count == 2  # the colleague already had the third
    assert set(Enrolment.objects.filter(assignee=colleague).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
        world.colleague_enrolment.pk,
    }
    assert set(
        AssignmentChange.objects.filter(source="bulk", reason="Region north").values_list(
            "enrolment_id", flat=True
        )
    ) == {first.pk, second.pk}


def test_bulk_assign_refuses_enrolments_of_another_programme(world, colleague, manager):
    elsewhere = factories.EnrolmentFactory()

    with pytest.raises(ValidationError, match="not on this programme's list"):
        services.enrolments_assign_bulk(
            programme=world.programme, enrolment_ids=[elsewhere.pk], assignee=colleague, by=manager
        )


# The client list -------------------------------------------------------------------------------


def test_add_corporate_clients_leaves_out_the_excluded_and_the_private(world, manager):
    north = factories.RegionFactory(name="North")
    kept = factories.ClientFactory(name="Kept", tier="A")
    factories.ClientFactory(name="Northern", region=north)
    factories.ClientFactory(name="Tier C", tier="C")
    factories.ClientFactory(name="Private", kind="private")
    lost = factories.ClientFactory(name="Lost", status="lost", lost_on=dt.date(2025, 1, 1))

    added = services.client_list_add_corporate(
        programme=world.programme,
        by=manager,
        exclude_regions=[north.pk],
        exclude_tiers=["C"],
        exclude_statuses=["lost"],
    )

    assert added == 1
    enrolment = Enrolment.objects.get(programme=world.programme, client=kept)
    assert enrolment.original_salesperson == kept.original_salesperson
    assert enrolment.stage == "not_contacted"
    assert not Enrolment.objects.filter(client=lost).exists()
    assert Enrolment.objects.filter(programme=world.programme).count() == 3


def test_add_corporate_clients_in_batches_reports_progress(world, manager, monkeypatch):
    monkeypatch.setattr("programme.services.programmes.INSERT_BATCH", 2)
    factories.ClientFactory.create_batch(5)
    seen = []

    added = services.client_list_add_corporate(
        programme=world.programme,
        by=manager,
        on_progress=lambda done, total: seen.append((done, total)),
    )

    assert added == 5
    assert seen == [(2, 5), (4, 5), (5, 5)]


def test_add_corporate_start_runs_a_large_list_as_a_task(
    world, manager, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("programme.services.splitting.LARGE_LIST", 2)
    factories.ClientFactory.create_batch(3)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = services.client_list_add_corporate_start(programme=world.programme, by=manager)
        assert ProgrammeJob.objects.get(pk=job.pk).status == "pending"

    assert len(callbacks) == 1

    job.refresh_from_db()
    assert (job.status, job.result, job.done, job.total) == ("ready", {"added": 3}, 3, 3)


def test_add_private_clients(world, manager):
    private = factories.ClientFactory(kind="private")

    assert services.client_list_add(programme=world.programme, clients=[private], by=manager) == 1
    assert Enrolment.objects.filter(programme=world.programme, client=private).exists()


def test_remove_refuses_a_client_already_worked(world, manager):
    Enrolment.objects.filter(pk=world.enrolment.pk).update(stage="meeting_booked")

    with pytest.raises(ValidationError, match="already being worked"):
        services.enrolment_remove(enrolment=world.enrolment, by=manager)

    fresh = factories.EnrolmentFactory(programme=world.programme)
    services.enrolment_remove(enrolment=fresh, by=manager)
    assert not Enrolment.objects.filter(pk=fresh.pk).exists()


# The lifecycle ---------------------------------------------------------------------------------


def test_create_refuses_a_manager_without_the_role(manager, employee):
    with pytest.raises(ValidationError, match="programme manager role"):
        services.programme_create(
            name="X",
            manager=employee,
            starts_on=dt.date(2026, 1, 1),
            deadline=dt.date(2026, 6, 1),
            by=manager,
        )


def test_create_refuses_a_deadline_before_the_start(manager):
    with pytest.raises(ValidationError, match="deadline cannot be before the start"):
        services.programme_create(
            name="X",
            manager=manager,
            starts_on=dt.date(2026, 6, 1),
            deadline=dt.date(2026, 1, 1),
            by=manager,
        )


def test_activate_only_a_draft(manager):
    programme = factories.ProgrammeFactory(manager=manager, status="draft")

    services.programme_activate(programme=programme, by=manager)

    programme.refresh_from_db()
    assert programme.status == "active" and programme.activated_at is not None
    with pytest.raises(ValidationError, match="Only a draft"):
        services.programme_activate(programme=programme, by=manager)


def test_close_needs_a_reason_while_clients_are_not_worked_through(world, manager):
    with pytest.raises(ValidationError, match="2 clients are not worked through"):
        services.programme_close(programme=world.programme, by=manager)

    services.programme_close(programme=world.programme, by=manager, reason="Budget cut")

    world.programme.refresh_from_db()
    assert (world.programme.status, world.programme.close_reason) == ("closed", "Budget cut")


def test_close_without_reason_when_every_client_is_worked_through(world, manager):
    Enrolment.objects.filter(programme=world.programme).update(stage="visited")

    services.programme_close(programme=world.programme, by=manager)

    assert Programme.objects.get(pk=world.programme.pk).status == "closed"


def test_next_run_copies_the_client_list(world, manager):
    services.programme_close(programme=world.programme, by=manager, reason="Year over")
    world.programme.refresh_from_db()

    nxt = services.programme_start_next_run(
        previous=world.programme,
        name="VIP 2027",
        starts_on=dt.date(2027, 1, 1),
        deadline=dt.date(2027, 6, 1),
        by=manager,
    )

    assert nxt.previous == world.programme and nxt.status == "draft"
    assert set(nxt.enrolments.values_list("client_id", "assignee_id", "assessment")) == {
        (world.client.pk, None, ""),
        (world.colleague_client.pk, None, ""),
    }


def test_next_run_only_from_a_closed_programme(world, manager):
    with pytest.raises(ValidationError, match="closed programme"):
        services.programme_start_next_run(
            previous=world.programme,
            name="X",
            starts_on=dt.date(2027, 1, 1),
            deadline=dt.date(2027, 6, 1),
            by=manager,
        )


# The staff pool --------------------------------------------------------------------------------


def test_staff_remove_refuses_someone_with_clients(world, employee, manager):
    member = StaffMember.objects.get(programme=world.programme, employee=employee)

    with pytest.raises(ValidationError, match="still works 1 client"):
        services.staff_remove(member=member, by=manager)


def test_staff_add_refuses_a_duplicate(world, employee, manager):
    with pytest.raises(ValidationError, match="already in the staff pool"):
        services.staff_add(programme=world.programme, employee=employee, kind="shared", by=manager)


# The automatic split ---------------------------------------------------------------------------


def test_split_applies_with_auto_split_history_and_never_monopolised_to_salesperson(
    world, employee, colleague, manager
):
    blocked = monopolised_enrolment(world, employee)
    others = factories.EnrolmentFactory.create_batch(4, programme=world.programme)

    job = services.split_start(programme=world.programme, by=manager)
    assert job.status == "ready"
    assert job.proposal_rows.get(enrolment=blocked).assignee == colleague
    count = services.split_apply(job=job, by=manager)

    assert count == 5
    blocked.refresh_from_db()
    assert blocked.assignee == colleague
    assert Enrolment.objects.filter(programme=world.programme, assignee__isnull=True).count() == 0
    assert AssignmentChange.objects.filter(source="auto_split").count() == 5
    assert {e.pk for e in others} <= set(
        AssignmentChange.objects.values_list("enrolment_id", flat=True)
    )
    assert ProgrammeJob.objects.get(pk=job.pk).status == "applied"


def test_split_change_row_refuses_the_monopolised_rule(world, employee, manager):
    blocked = monopolised_enrolment(world, employee)
    job = services.split_start(programme=world.programme, by=manager)

    with pytest.raises(ValidationError, match="someone other than its original salesperson"):
        services.split_change_row(job=job, enrolment=blocked, assignee=employee, by=manager)


def test_split_apply_refuses_when_a_client_was_assigned_meanwhile(world, colleague, manager):
    extra = factories.EnrolmentFactory(programme=world.programme)
    job = services.split_start(programme=world.programme, by=manager)
    services.enrolment_assign(enrolment=extra, assignee=colleague, by=manager)

    with pytest.raises(ValidationError, match="assigned meanwhile"):
        services.split_apply(job=job, by=manager)

    assert AssignmentChange.objects.filter(source="auto_split").count() == 0


def test_split_start_runs_a_large_list_in_a_task_with_progress(
    world, manager, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("programme.services.splitting.LARGE_LIST", 2)
    factories.EnrolmentFactory.create_batch(3, programme=world.programme)

    with django_capture_on_commit_callbacks(execute=True):
        job = services.split_start(programme=world.programme, by=manager)

    job.refresh_from_db()
    assert job.status == "ready" and job.proposal_rows.count() == 3 and job.percent == 100


def test_split_start_refuses_an_empty_pool(manager):
    programme = factories.ProgrammeFactory(manager=manager)
    factories.EnrolmentFactory(programme=programme)

    with pytest.raises(ValidationError, match="staff pool is empty"):
        services.split_start(programme=programme, by=manager)


def test_split_apply_of_a_large_proposal_runs_in_a_task(
    world, manager, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("programme.services.splitting.LARGE_LIST", 2)
    factories.EnrolmentFactory.create_batch(3, programme=world.programme)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.split_start(programme=world.programme, by=manager)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert services.split_apply_start(job=job, by=manager) is None
        assert ProgrammeJob.objects.get(pk=job.pk).status == "applying"

    assert len(callbacks) == 1
    assert ProgrammeJob.objects.get(pk=job.pk).status == "applied"
    assert AssignmentChange.objects.filter(source="auto_split", changed_by=manager).count() == 3


def test_split_apply_in_a_task_puts_a_refused_proposal_back(
    world, colleague, manager, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("programme.services.splitting.LARGE_LIST", 2)
    extra = factories.EnrolmentFactory.create_batch(3, programme=world.programme)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.split_start(programme=world.programme, by=manager)
    services.enrolment_assign(enrolment=extra[0], assignee=colleague, by=manager)

    with django_capture_on_commit_callbacks(execute=True):
        services.split_apply_start(job=job, by=manager)

    job.refresh_from_db()
    assert job.status == "ready" and "assigned meanwhile" in job.error
    assert AssignmentChange.objects.filter(source="auto_split").count() == 0


def test_a_job_that_crashes_is_marked_failed(world, manager, monkeypatch):
    def crash(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("programme.services.splitting._propose", crash)
    job = ProgrammeJob.objects.create(programme=world.programme, kind="split", total=1)

    with pytest.raises(RuntimeError):
        services.job_run(job=job)

    job.refresh_from_db()
    assert job.status == "failed" and "The job failed" in job.error
