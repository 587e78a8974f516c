"""The automatic split (stage 4) and the programme's long jobs."""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vipcrm.queue import enqueue_on_commit

from ..enums import AssignmentSource
from ..models import (
    Enrolment,
    Programme,
    ProgrammeJob,
    SplitProposalRow,
    StaffMember,
)
from .assignment import check_assignment_allowed, check_in_pool, check_open, enrolments_assign_many
from .programmes import LARGE_LIST, client_list_add_corporate, corporate_clients_to_add

# The automatic split (stage 4) -----------------------------------------------------------------

PROPOSAL_BATCH = 5000


def _split_inputs(programme: Programme, on_progress=None):
    """The unassigned clients, the pool's members with their load, and each client's
    ``(client_id, name)``."""
    from ..selectors import list_load, staff_with_load
    from ..split import SplitClient

    weights = _tier_weights()
    load = list_load(programme, fresh=True)  # the job reads the list itself
    members = staff_with_load(programme, load)
    total_weight = sum(weight for _count, weight in load.values())
    unassigned = programme.enrolments.filter(assignee__isnull=True).order_by("pk")
    total = unassigned.count()
    clients, names = [], {}
    rows = unassigned.values_list(
        "pk", "client__tier", "original_salesperson_id", "assessment", "client_id", "client__name"
    )
    for index, (pk, tier, salesperson_id, assessment, client_id, name) in enumerate(
        rows.iterator(chunk_size=5000)
    ):
        clients.append(SplitClient(pk, weights[tier], salesperson_id, assessment))
        names[pk] = (client_id, name)
        if on_progress and index % 5000 == 4999:
            on_progress(done=index + 1, total=total)
    return clients, members, names, total_weight


def _tier_weights():
    from clients.enums import TIER_WEIGHTS

    return {str(tier): weight for tier, weight in TIER_WEIGHTS.items()}


def _propose(*, programme: Programme, on_progress=None):
    from ..split import SplitPerson, propose

    clients, members, names, total_weight = _split_inputs(programme, on_progress)
    pool = [
        SplitPerson(id=member.employee_id, capacity=member.capacity, load=member.held_weight or 0)
        for member in members
    ]
    if not pool:
        raise ValidationError(_("The staff pool is empty. Add employees to the pool first."))
    result = propose(clients, pool)
    weight = {client.id: client.weight for client in clients}
    proposal = {
        "rows": {pk: (person, weight[pk]) for pk, person in result.assignments.items()},
        "unplaced": result.unplaced,
    }
    return proposal, members, names, total_weight


def split_propose(*, programme: Programme, on_progress=None) -> dict:
    """Computes a proposal for every unassigned client: ``{"rows": {enrolment_id: (assignee_id,
    weight)}, "unplaced": [enrolment_id, …]}``. Reads only."""
    return _propose(programme=programme, on_progress=on_progress)[0]


def split_proposal_compute(*, job: ProgrammeJob, on_progress=None) -> dict:
    """Computes the proposal of the job's programme and writes its rows set-wise
    (``bulk_create`` in batches); returns the job's ``result``: the proposal's totals and its
    summary per person (added up in SQL once, then kept up to date by ``split_change_row``)."""
    programme = job.programme
    proposal, members, names, total_weight = _propose(programme=programme, on_progress=on_progress)
    rows = proposal["rows"]
    batch = []
    for pk, (person, weight) in rows.items():
        client_id, name = names[pk]
        batch.append(
            SplitProposalRow(
                job=job,
                enrolment_id=pk,
                client_id=client_id,
                client_name=name,
                assignee_id=person,
                weight=weight,
            )
        )
        if len(batch) == PROPOSAL_BATCH:
            SplitProposalRow.objects.bulk_create(batch)
            batch = []
    SplitProposalRow.objects.bulk_create(batch)
    _analyze_proposal_rows()
    people = {
        str(row["assignee"]): [row["count"], row["weight"]]
        for row in job.proposal_rows.order_by()
        .values("assignee")
        .annotate(count=Count("pk"), weight=Sum("weight"))
    }
    return {
        "proposed": len(rows),
        "unplaced": len(proposal["unplaced"]),
        "people": people,
        "held": {str(m.employee_id): [m.held_count, m.held_weight] for m in members},
        "total_weight": total_weight,
    }


def _analyze_proposal_rows() -> None:
    """Refreshes the table's statistics once a proposal's rows are written (PostgreSQL counts a
    transaction's own new rows): the manager opens the page seconds later, before autovacuum
    would, and a planner that still believes the table empty joins all the proposal's rows
    and sorts them (35 ms at 10,000 rows) instead of reading 51 from the page's index."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(SplitProposalRow._meta.db_table)}")


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
            # The rows and the "ready" status together: a proposal is whole or absent.
            with transaction.atomic():
                _job_ready(job, split_proposal_compute(job=job, on_progress=progress))
            return
        added = client_list_add_corporate(
            programme=job.programme, by=job.created_by, on_progress=progress, **job.params
        )
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
    _job_ready(job, {"added": added})


def _job_ready(job: ProgrammeJob, result: dict) -> None:
    ProgrammeJob.objects.filter(pk=job.pk).update(
        status=ProgrammeJob.Status.READY,
        result=result,
        done=job.total,
        finished_at=timezone.now(),
    )


@transaction.atomic
def split_change_row(*, job: ProgrammeJob, enrolment: Enrolment, assignee, by) -> ProgrammeJob:
    """The manager changes one row of a proposal before applying it; the rules are checked now.
    The row and the summary per person on the job change together (the job is locked)."""
    job = ProgrammeJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ProgrammeJob.Status.READY:
        raise ValidationError(_("This proposal was already applied or is not ready."))
    row = SplitProposalRow.objects.filter(job=job, enrolment=enrolment).first()
    if row is None:
        raise ValidationError(_("This client is not part of the proposal."))
    check_assignment_allowed(enrolment=enrolment, assignee=assignee)
    check_in_pool(programme=job.programme, assignee=assignee)
    if row.assignee_id == assignee.pk:
        return job
    _summary_move(job, row.assignee_id, -1, -row.weight)
    _summary_move(job, assignee.pk, 1, row.weight)
    SplitProposalRow.objects.filter(pk=row.pk).update(assignee=assignee)
    job.save(update_fields=["result"])
    return job


def _summary_move(job: ProgrammeJob, person_id: int, count: int, weight: int) -> None:
    people = job.result.setdefault("people", {})
    row = people.setdefault(str(person_id), [0, 0])
    row[0] += count
    row[1] += weight
    if row == [0, 0]:
        del people[str(person_id)]


def split_proposal_row_removed(*, enrolment: Enrolment) -> None:
    """A client taken off the list leaves the proposals it was in: their summaries follow (the
    rows go with the enrolment)."""
    for row in SplitProposalRow.objects.filter(enrolment=enrolment):
        job = ProgrammeJob.objects.select_for_update().get(pk=row.job_id)
        _summary_move(job, row.assignee_id, -1, -row.weight)
        job.result["proposed"] = job.result.get("proposed", 1) - 1
        job.save(update_fields=["result"])


def split_apply_start(*, job: ProgrammeJob, by) -> int | None:
    """Applies a short proposal at once (returns the count); a long one in a Celery task
    (returns None; the job shows "applying" until done, or the reason it was refused)."""
    job = ProgrammeJob.objects.get(pk=job.pk)
    if job.status != ProgrammeJob.Status.READY or job.kind != ProgrammeJob.Kind.SPLIT:
        raise ValidationError(_("This proposal was already applied or is not ready."))
    if job.result.get("proposed", 0) <= LARGE_LIST:
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
    wanted = dict(
        job.proposal_rows.order_by()
        .values_list("enrolment_id", "assignee_id")
        .iterator(chunk_size=PROPOSAL_BATCH)
    )
    count = split_apply_assignments(programme=job.programme, assignments=wanted, by=by)
    # The applied proposal lives on in the history (AssignmentChange) and the job's totals.
    job.proposal_rows.all().delete()
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
