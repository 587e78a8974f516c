"""The automatic split (stage 4) and the programme's long jobs."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vipcrm.queue import enqueue_on_commit

from ..enums import AssignmentSource
from ..models import (
    Enrolment,
    Programme,
    ProgrammeJob,
    StaffMember,
)
from .assignment import check_assignment_allowed, check_in_pool, check_open, enrolments_assign_many
from .programmes import LARGE_LIST, client_list_add_corporate, corporate_clients_to_add

# The automatic split (stage 4) -----------------------------------------------------------------


def _split_inputs(programme: Programme, on_progress=None):
    from ..split import SplitClient, SplitPerson

    weights = _tier_weights()
    pool = [
        SplitPerson(id=member.employee_id, capacity=member.capacity, load=member.held_weight or 0)
        for member in _pool_with_load(programme)
    ]
    unassigned = programme.enrolments.filter(assignee__isnull=True).order_by("pk")
    total = unassigned.count()
    clients = []
    rows = unassigned.values_list("pk", "client__tier", "original_salesperson_id", "assessment")
    for index, (pk, tier, salesperson_id, assessment) in enumerate(rows.iterator(chunk_size=5000)):
        clients.append(SplitClient(pk, weights[tier], salesperson_id, assessment))
        if on_progress and index % 5000 == 4999:
            on_progress(done=index + 1, total=total)
    return clients, pool


def _tier_weights():
    from clients.enums import TIER_WEIGHTS

    return {str(tier): weight for tier, weight in TIER_WEIGHTS.items()}


def _pool_with_load(programme: Programme):
    from ..selectors import staff_with_load

    return staff_with_load(programme)


def split_propose(*, programme: Programme, on_progress=None) -> dict:
    """Computes a proposal for every unassigned client: ``{"rows": {enrolment_id: [assignee_id,
    weight]}, "unplaced": [enrolment_id, …]}``. Reads only."""
    from ..split import propose

    clients, pool = _split_inputs(programme, on_progress)
    if not pool:
        raise ValidationError(_("The staff pool is empty. Add employees to the pool first."))
    result = propose(clients, pool)
    weight = {client.id: client.weight for client in clients}
    return {
        "rows": {str(pk): [person, weight[pk]] for pk, person in result.assignments.items()},
        "unplaced": result.unplaced,
    }


def split_start(*, programme: Programme, by) -> ProgrammeJob:
    """Starts computing a proposal: at once for a short list, in a Celery task for a long one.

    Side effects: a ProgrammeJob (kind split); an older proposal not applied yet is dropped."""
    check_open(programme)
    if not StaffMember.objects.filter(programme=programme).exists():
        raise ValidationError(_("The staff pool is empty. Add employees to the pool first."))
    total = programme.enrolments.filter(assignee__isnull=True).count()
    if not total:
        raise ValidationError(_("Every client on the list is assigned: there is nothing to split."))
    ProgrammeJob.objects.filter(
        programme=programme, kind=ProgrammeJob.Kind.SPLIT, status=ProgrammeJob.Status.READY
    ).delete()
    job = ProgrammeJob.objects.create(
        programme=programme, kind=ProgrammeJob.Kind.SPLIT, total=total, created_by=by
    )
    if total <= LARGE_LIST:
        job_run(job=job)
        job.refresh_from_db()
    else:
        from ..tasks import run_programme_job

        enqueue_on_commit(run_programme_job, job_id=job.pk)
    return job


def client_list_add_corporate_start(*, programme: Programme, by, **exclude) -> ProgrammeJob:
    """Adds the corporate clients at once when few, in a Celery task with progress when many."""
    check_open(programme)
    total = corporate_clients_to_add(programme=programme, **exclude).count()
    params = {
        name: [str(value.pk if hasattr(value, "pk") else value) for value in values]
        for name, values in exclude.items()
    }
    job = ProgrammeJob.objects.create(
        programme=programme,
        kind=ProgrammeJob.Kind.ADD_CLIENTS,
        total=total,
        params=params,
        created_by=by,
    )
    if total <= LARGE_LIST:
        job_run(job=job)
        job.refresh_from_db()
    else:
        from ..tasks import run_programme_job

        enqueue_on_commit(run_programme_job, job_id=job.pk)
    return job


def job_run(*, job: ProgrammeJob) -> None:
    """Runs a job and records its progress and outcome (called in-process or by the task)."""

    def progress(*, done, total):
        ProgrammeJob.objects.filter(pk=job.pk).update(done=done, total=total)

    ProgrammeJob.objects.filter(pk=job.pk).update(status=ProgrammeJob.Status.RUNNING)
    try:
        if job.kind == ProgrammeJob.Kind.SPLIT:
            result = split_propose(programme=job.programme, on_progress=progress)
        else:
            added = client_list_add_corporate(
                programme=job.programme, by=job.created_by, on_progress=progress, **job.params
            )
            result = {"added": added}
    except ValidationError as error:
        ProgrammeJob.objects.filter(pk=job.pk).update(
            status=ProgrammeJob.Status.FAILED,
            error=" ".join(error.messages),
            finished_at=timezone.now(),
        )
        return
    except Exception:
        # The page must not wait forever on a job that died; the worker logs the traceback.
        ProgrammeJob.objects.filter(pk=job.pk).update(
            status=ProgrammeJob.Status.FAILED,
            error=_("The job failed. Try again; if it fails again, tell an administrator."),
            finished_at=timezone.now(),
        )
        raise
    ProgrammeJob.objects.filter(pk=job.pk).update(
        status=ProgrammeJob.Status.READY,
        result=result,
        done=job.total,
        finished_at=timezone.now(),
    )


@transaction.atomic
def split_change_row(*, job: ProgrammeJob, enrolment: Enrolment, assignee, by) -> ProgrammeJob:
    """The manager changes one row of a proposal before applying it; the rules are checked now."""
    job = ProgrammeJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ProgrammeJob.Status.READY:
        raise ValidationError(_("This proposal was already applied or is not ready."))
    key = str(enrolment.pk)
    if key not in job.result.get("rows", {}):
        raise ValidationError(_("This client is not part of the proposal."))
    check_assignment_allowed(enrolment=enrolment, assignee=assignee)
    check_in_pool(programme=job.programme, assignee=assignee)
    job.result["rows"][key][0] = assignee.pk
    job.save(update_fields=["result"])
    return job


def split_apply_start(*, job: ProgrammeJob, by) -> int | None:
    """Applies a short proposal at once (returns the count); a long one in a Celery task
    (returns None; the job shows "applying" until done, or the reason it was refused)."""
    job = ProgrammeJob.objects.get(pk=job.pk)
    if job.status != ProgrammeJob.Status.READY or job.kind != ProgrammeJob.Kind.SPLIT:
        raise ValidationError(_("This proposal was already applied or is not ready."))
    if len(job.result.get("rows", {})) <= LARGE_LIST:
        return split_apply(job=job, by=by)
    updated = ProgrammeJob.objects.filter(pk=job.pk, status=ProgrammeJob.Status.READY).update(
        status=ProgrammeJob.Status.APPLYING, error="", created_by=by
    )
    if updated:
        from ..tasks import run_programme_job

        enqueue_on_commit(run_programme_job, job_id=job.pk)
    return None


def split_apply_run(*, job: ProgrammeJob) -> None:
    """The task's half of ``split_apply_start``: a refusal puts the proposal back for review."""
    try:
        split_apply(job=job, by=job.created_by)
    except ValidationError as error:
        ProgrammeJob.objects.filter(pk=job.pk).update(
            status=ProgrammeJob.Status.READY, error=" ".join(error.messages)
        )
    except Exception:
        ProgrammeJob.objects.filter(pk=job.pk).update(
            status=ProgrammeJob.Status.READY,
            error=_("Applying the split failed; nothing was changed. Try again."),
        )
        raise


@transaction.atomic
def split_apply(*, job: ProgrammeJob, by) -> int:
    """Applies a proposal: every row, or (if the list changed or a row breaks a rule) none.

    Side effects: the assignees; one AssignmentChange (source auto_split) per client."""
    job = ProgrammeJob.objects.select_for_update().select_related("programme").get(pk=job.pk)
    applicable = (ProgrammeJob.Status.READY, ProgrammeJob.Status.APPLYING)
    if job.status not in applicable or job.kind != ProgrammeJob.Kind.SPLIT:
        raise ValidationError(_("This proposal was already applied or is not ready."))
    wanted = {int(pk): row[0] for pk, row in job.result.get("rows", {}).items()}
    count = split_apply_assignments(programme=job.programme, assignments=wanted, by=by)
    job.status = ProgrammeJob.Status.APPLIED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at"])
    return count


@transaction.atomic
def split_apply_assignments(*, programme: Programme, assignments: dict, by) -> int:
    """Applies ``{enrolment_id: assignee_id}`` of a split to clients that are still unassigned."""
    taken = Enrolment.objects.filter(
        programme=programme, pk__in=list(assignments), assignee__isnull=False
    ).count()
    if taken:
        raise ValidationError(
            ngettext(
                "%(count)d client of the proposal was assigned meanwhile. Compute a new "
                "proposal. Nothing was changed.",
                "%(count)d clients of the proposal were assigned meanwhile. Compute a new "
                "proposal. Nothing was changed.",
                taken,
            )
            % {"count": taken}
        )
    return enrolments_assign_many(
        programme=programme,
        assignments=assignments,
        by=by,
        reason=_("Automatic split"),
        source=AssignmentSource.AUTO_SPLIT,
    )
