"""The programme's lifecycle, its client list (stage 2) and its staff pool (stage 3)."""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import DateTimeField, F, IntegerField, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clients.models import Client
from vipcrm import roles
from vipcrm.audit import history_record_setwise

from ..enums import WORKED_THROUGH_STAGES, ProgrammeStatus, Stage
from ..load import load_changed
from ..models import (
    Enrolment,
    Programme,
    StaffMember,
)
from .assignment import check_open

# Lists longer than this are worked in a Celery task with visible progress.
LARGE_LIST = 2000
INSERT_BATCH = 5000


# The programme's lifecycle ---------------------------------------------------------------------


def _check_manager(manager) -> None:
    if not roles.is_programme_manager(manager):
        raise ValidationError(
            {"manager": _("The programme's manager must hold the programme manager role.")}
        )


@transaction.atomic
def programme_create(*, name: str, manager, starts_on, deadline, by, previous=None) -> Programme:
    """Opens a programme as a draft (stage 1: appoint the manager)."""
    _check_manager(manager)
    programme = Programme(
        name=name, manager=manager, starts_on=starts_on, deadline=deadline, previous=previous
    )
    programme.full_clean()
    programme.save()
    return programme


@transaction.atomic
def programme_update(*, programme: Programme, by, **fields) -> Programme:
    """Changes the name, manager, start or deadline of an open programme."""
    check_open(programme)
    unknown = set(fields) - {"name", "manager", "starts_on", "deadline"}
    if unknown:
        raise ValueError(f"programme_update cannot change {sorted(unknown)}")
    if "manager" in fields:
        _check_manager(fields["manager"])
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.full_clean()
    # These fields only: a whole row written back would restore the cache tokens as this
    # request read them, over a new one a write set meanwhile (``programme.load``).
    programme.save(update_fields=list(fields))
    return programme


@transaction.atomic
def programme_activate(*, programme: Programme, by) -> Programme:
    """Starts the run: from here the employees see their personal lists."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.status != ProgrammeStatus.DRAFT:
        raise ValidationError(_("Only a draft programme can be activated."))
    programme.status = ProgrammeStatus.ACTIVE
    programme.activated_at = timezone.now()
    programme.save(update_fields=["status", "activated_at"])
    return programme


def unfinished_count(programme: Programme) -> int:
    return programme.enrolments.exclude(stage__in=WORKED_THROUGH_STAGES).count()


@transaction.atomic
def programme_close(*, programme: Programme, by, reason: str = "") -> Programme:
    """Closes the run. Allowed when every client is worked through, or with an explicit reason."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    check_open(programme)
    reason = reason.strip()
    left = unfinished_count(programme)
    if left and not reason:
        raise ValidationError(
            {
                "reason": ngettext(
                    "%(count)d client is not worked through yet. Give a reason to close early.",
                    "%(count)d clients are not worked through yet. Give a reason to close early.",
                    left,
                )
                % {"count": left}
            }
        )
    programme.status = ProgrammeStatus.CLOSED
    programme.closed_at = timezone.now()
    programme.close_reason = reason
    programme.save(update_fields=["status", "closed_at", "close_reason"])
    return programme


@transaction.atomic
def programme_start_next_run(
    *, previous: Programme, name: str, starts_on, deadline, by
) -> Programme:
    """Opens the next run over the closed programme's client list (assessments and assignees
    start afresh: the new run reassesses every relationship). Side effect: the copied list."""
    if previous.status != ProgrammeStatus.CLOSED:
        raise ValidationError(_("The next run starts from a closed programme."))
    programme = programme_create(
        name=name,
        manager=previous.manager,
        starts_on=starts_on,
        deadline=deadline,
        by=by,
        previous=previous,
    )
    clients = Client.objects.filter(enrolments__programme=previous).order_by()
    _insert_enrolments(programme=programme, clients=clients, by=by)
    return programme


# The client list (stage 2) ---------------------------------------------------------------------


def _insert_enrolments(*, programme: Programme, clients, by) -> int:
    """INSERT … SELECT of the given clients that are not on the list yet: one statement, no
    rows through Python, so 100,000 clients take a second rather than minutes."""
    now = timezone.now()
    select = (
        clients.exclude(pk__in=Enrolment.objects.filter(programme=programme).values("client_id"))
        .order_by()
        .annotate(
            e_programme=Value(programme.pk, output_field=IntegerField()),
            e_client=F("pk"),
            e_salesperson=F("original_salesperson_id"),
            e_assessment=Value(""),
            e_note=Value(""),
            e_stage=Value(Stage.NOT_CONTACTED.value),
            e_changed=Value(now, output_field=DateTimeField()),
            e_added=Value(now, output_field=DateTimeField()),
            e_version=Value(1, output_field=IntegerField()),
        )
        .values_list(
            "e_programme",
            "e_client",
            "e_salesperson",
            "e_assessment",
            "e_note",
            "e_stage",
            "e_changed",
            "e_added",
            "e_version",
        )
    )
    sql, params = select.query.sql_with_params()
    table = connection.ops.quote_name(Enrolment._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(Enrolment._meta.get_field(name).column)
        for name in (
            "programme",
            "client",
            "original_salesperson",
            "assessment",
            "assessment_note",
            "stage",
            "stage_changed_at",
            "added_at",
            "version",
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)  # noqa: S608 (our SQL)
        added = cursor.rowcount
    load_changed(programme_ids=[programme.pk])
    # The audit history of the new rows, set-wise too (they are the rows added just now).
    history_record_setwise(
        Enrolment,
        Enrolment.objects.filter(programme=programme, added_at=now),
        user=by,
        reason="added_to_list",
        history_type="+",
    )
    return added


def corporate_clients_to_add(
    *,
    programme: Programme,
    exclude_segments=(),
    exclude_regions=(),
    exclude_tiers=(),
    exclude_statuses=(),
):
    """The corporate clients the "add all" action would put on the list."""
    clients = Client.objects.corporate().exclude(
        pk__in=Enrolment.objects.filter(programme=programme).values("client_id")
    )
    if exclude_segments:
        clients = clients.exclude(segment__in=list(exclude_segments))
    if exclude_regions:
        clients = clients.exclude(region__in=list(exclude_regions))
    if exclude_tiers:
        clients = clients.exclude(tier__in=list(exclude_tiers))
    if exclude_statuses:
        clients = clients.exclude(status__in=list(exclude_statuses))
    return clients


def client_list_add_corporate(*, programme: Programme, by, on_progress=None, **exclude) -> int:
    """Adds every corporate client (but the excluded segments, regions, tiers and statuses) to
    the list, in batches of client ids so that a long run shows progress and a re-run after an
    interruption finishes the job (clients already on the list are skipped).

    Side effects: Enrolment rows, each with the client's current original salesperson.
    Returns the number of clients added."""
    check_open(programme)
    clients = corporate_clients_to_add(programme=programme, **exclude).order_by("pk")
    ids = list(clients.values_list("pk", flat=True))
    added = 0
    for start in range(0, len(ids), INSERT_BATCH):
        batch = ids[start : start + INSERT_BATCH]
        with transaction.atomic():
            added += _insert_enrolments(
                programme=programme,
                clients=clients.filter(pk__gte=batch[0], pk__lte=batch[-1]),
                by=by,
            )
        if on_progress:
            on_progress(done=start + len(batch), total=len(ids))
    return added


@transaction.atomic
def client_list_add(*, programme: Programme, clients, by) -> int:
    """Adds chosen clients (e.g. the most important private clients) to the list."""
    check_open(programme)
    ids = [client.pk for client in clients]
    if not ids:
        raise ValidationError(_("Choose at least one client to add."))
    return _insert_enrolments(programme=programme, clients=Client.objects.filter(pk__in=ids), by=by)


@transaction.atomic
def enrolment_remove(*, enrolment: Enrolment, by) -> None:
    """Takes a client off the list, as long as no one has started working it."""
    enrolment = (
        Enrolment.objects.select_for_update()
        .select_related("programme", "client")
        .get(pk=enrolment.pk)
    )
    check_open(enrolment.programme)
    if enrolment.stage != Stage.NOT_CONTACTED:
        raise ValidationError(
            _("%(client)s is already being worked (%(stage)s) and stays on the list.")
            % {"client": enrolment.client.name, "stage": enrolment.get_stage_display()}
        )
    from .splitting import split_proposal_row_removed

    split_proposal_row_removed(enrolment=enrolment)
    enrolment.delete()  # the load changes with it: programme.load


# The staff pool (stage 3) ----------------------------------------------------------------------


@transaction.atomic
def staff_add(*, programme: Programme, employee, kind: str, by) -> StaffMember:
    """Places an employee in the staff pool, dedicated or shared."""
    check_open(programme)
    if not employee.is_active:
        raise ValidationError({"employee": _("This user account is inactive.")})
    member = StaffMember(programme=programme, employee=employee, kind=kind)
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def staff_set_kind(*, member: StaffMember, kind: str, by) -> StaffMember:
    check_open(member.programme)
    member.kind = kind
    member.full_clean()
    member.save(update_fields=["kind"])
    return member


@transaction.atomic
def staff_remove(*, member: StaffMember, by) -> None:
    """Takes an employee out of the pool once their personal list is empty."""
    check_open(member.programme)
    held = Enrolment.objects.filter(programme=member.programme, assignee=member.employee).count()
    if held:
        raise ValidationError(
            ngettext(
                "%(name)s still works %(count)d client of this programme. Reassign it first.",
                "%(name)s still works %(count)d clients of this programme. Reassign them first.",
                held,
            )
            % {
                "name": member.employee.get_full_name() or member.employee.get_username(),
                "count": held,
            }
        )
    member.delete()
