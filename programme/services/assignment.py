"""Assessment and assignment of the clients on a list, and their stage moves."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import DateTimeField, F, IntegerField, TextField, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vipcrm.audit import history_record_setwise
from vipcrm.conflicts import FieldChange, check_version, shown

from ..enums import Assessment, AssignmentSource, ProgrammeStatus, Stage
from ..load import load_changed
from ..models import (
    MONOPOLISED_RULE_MESSAGE,
    AssignmentChange,
    Enrolment,
    Programme,
    StaffMember,
)

INSERT_BATCH = 5000

# Which stage may follow which: the client's progress through one run.
STAGE_MOVES = {
    Stage.NOT_CONTACTED: {Stage.MEETING_BOOKED, Stage.DECLINED, Stage.UNREACHABLE},
    Stage.MEETING_BOOKED: {Stage.NOT_CONTACTED, Stage.VISITED, Stage.DECLINED, Stage.UNREACHABLE},
    Stage.VISITED: {Stage.FOLLOW_UPS_DONE, Stage.MEETING_BOOKED},
    Stage.FOLLOW_UPS_DONE: {Stage.VISITED, Stage.MEETING_BOOKED},
    Stage.DECLINED: {Stage.NOT_CONTACTED, Stage.MEETING_BOOKED},
    Stage.UNREACHABLE: {Stage.NOT_CONTACTED, Stage.MEETING_BOOKED},
}


def check_open(programme: Programme) -> None:
    """A closed programme is a record: its list, pool and assignments no longer change."""
    if programme.status == ProgrammeStatus.CLOSED:
        raise ValidationError(
            _("This programme is closed and can no longer be changed. Start the next run instead.")
        )


def monopolised_message(client_name: str) -> str:
    return _("%(client)s: %(rule)s") % {"client": client_name, "rule": MONOPOLISED_RULE_MESSAGE}


def check_assignment_allowed(*, enrolment: Enrolment, assignee) -> None:
    """Raises ValidationError when the programme's rules forbid this assignee.

    A monopolised client never goes to its original salesperson.
    """
    if (
        assignee is not None
        and enrolment.assessment == Assessment.MONOPOLISED
        and enrolment.original_salesperson_id == assignee.pk
    ):
        raise ValidationError({"assignee": MONOPOLISED_RULE_MESSAGE})


def check_in_pool(*, programme: Programme, assignee) -> None:
    """Personal lists are made only from the programme's staff pool."""
    if (
        assignee is not None
        and not StaffMember.objects.filter(programme=programme, employee=assignee).exists()
    ):
        raise ValidationError(
            {
                "assignee": _(
                    "%(name)s is not in this programme's staff pool. Add them to the pool first."
                )
                % {"name": assignee.get_full_name() or assignee.get_username()}
            }
        )


@transaction.atomic
def enrolment_assign(
    *,
    enrolment: Enrolment,
    assignee,
    by,
    reason: str = "",
    source: str = AssignmentSource.FORM,
    version: int | None = None,
) -> Enrolment:
    """Assigns (or unassigns, with ``assignee=None``) a client on a programme's list.

    Refuses a monopolised client to its original salesperson, an assignee outside the
    programme's staff pool and any change to a closed programme — for every caller alike (the
    manager's pages, the API, the admin, the import and the automatic split).

    Side effects: writes an AssignmentChange row; bumps the enrolment's version. Re-assigning to
    the current assignee changes nothing and writes no history. With ``version`` (the one the
    user started from), a change made meanwhile by someone else refuses the save
    (VersionConflict, naming the assignee saved now).
    """
    # The assignee is read after the lock, never joined into the locking query: a row waited for
    # is re-read by PostgreSQL, but an outer-joined row can come from the older snapshot, and the
    # history would then name the wrong "from" person (the concurrent-assign test shows it).
    enrolment = (
        Enrolment.objects.select_for_update().select_related("programme").get(pk=enrolment.pk)
    )
    if enrolment.assignee_id == (assignee.pk if assignee else None):
        return enrolment
    check_version(
        current=enrolment.version,
        sent=version,
        changes=lambda: [
            FieldChange(
                field="assignee",
                label=str(Enrolment._meta.get_field("assignee").verbose_name),
                yours=_person(assignee),
                saved=_person(enrolment.assignee),
            )
        ],
    )
    check_open(enrolment.programme)
    check_assignment_allowed(enrolment=enrolment, assignee=assignee)
    check_in_pool(programme=enrolment.programme, assignee=assignee)
    previous = enrolment.assignee
    enrolment.assignee = assignee
    enrolment.assigned_at = timezone.now() if assignee else None
    enrolment.version += 1
    # The audit's "who" and "why", also outside a request (the import runs in a task).
    enrolment._history_user = by
    enrolment._change_reason = source
    enrolment.save(update_fields=["assignee", "assigned_at", "version"])
    AssignmentChange.objects.create(
        enrolment=enrolment,
        from_user=previous,
        to_user=assignee,
        changed_by=by,
        reason=reason,
        source=source,
    )
    return enrolment


@transaction.atomic
def enrolment_assess(
    *, enrolment: Enrolment, assessment: str, note: str = "", by, version: int | None = None
) -> Enrolment:
    """Records the relationship assessment of a client on the list. Saving what is saved
    changes nothing; with ``version``, a change made meanwhile refuses the save
    (VersionConflict).

    Marking a client monopolised while its original salesperson works it is refused: reassign
    the client first, so that the rule holds at every moment.
    """
    enrolment = (
        Enrolment.objects.select_for_update()
        .select_related("programme", "client")
        .get(pk=enrolment.pk)
    )
    check_open(enrolment.programme)
    if assessment not in Assessment.values and assessment != "":
        raise ValidationError({"assessment": _("Choose a valid relationship assessment.")})
    if enrolment.assessment == assessment and enrolment.assessment_note == note:
        return enrolment
    check_version(
        current=enrolment.version,
        sent=version,
        changes=lambda: _assessment_changes(enrolment=enrolment, assessment=assessment, note=note),
    )
    if (
        assessment == Assessment.MONOPOLISED
        and enrolment.assignee_id is not None
        and enrolment.assignee_id == enrolment.original_salesperson_id
    ):
        raise ValidationError(
            {
                "assessment": _(
                    "%(client)s is worked by its original salesperson. A monopolised client must "
                    "be worked by someone else: reassign it first."
                )
                % {"client": enrolment.client.name}
            }
        )
    enrolment.assessment = assessment
    enrolment.assessment_note = note
    enrolment.version += 1
    enrolment._history_user = by
    enrolment.save(update_fields=["assessment", "assessment_note", "version"])
    return enrolment


def _person(user) -> str:
    if user is None:
        return shown(None)
    return user.get_full_name() or user.get_username()


def _assessment_changes(*, enrolment: Enrolment, assessment: str, note: str) -> list:
    labels = dict(Assessment.choices)
    pairs = [
        ("assessment", shown(labels.get(assessment)), shown(enrolment.get_assessment_display())),
        ("assessment_note", shown(note), shown(enrolment.assessment_note)),
    ]
    return [
        FieldChange(
            field=name,
            label=str(Enrolment._meta.get_field(name).verbose_name),
            yours=yours,
            saved=saved,
        )
        for name, yours, saved in pairs
        if yours != saved
    ]


def _insert_history(*, ids, to_user_id, by, now, reason: str, source: str) -> None:
    """INSERT … SELECT of one history row per enrolment (its current assignee as "from"), run
    before the UPDATE: 100,000 rows cost one statement per batch, not 100,000 objects."""
    select = (
        Enrolment.objects.filter(pk__in=ids)
        .order_by()
        .annotate(
            h_enrolment=F("pk"),
            h_from=F("assignee_id"),
            h_to=Value(to_user_id, output_field=IntegerField()),
            h_by=Value(by.pk if by else None, output_field=IntegerField()),
            h_at=Value(now, output_field=DateTimeField()),
            h_reason=Value(reason, output_field=TextField()),
            h_source=Value(source, output_field=TextField()),
        )
        .values_list("h_enrolment", "h_from", "h_to", "h_by", "h_at", "h_reason", "h_source")
    )
    sql, params = select.query.sql_with_params()
    meta = AssignmentChange._meta
    columns = ", ".join(
        connection.ops.quote_name(meta.get_field(name).column)
        for name in (
            "enrolment",
            "from_user",
            "to_user",
            "changed_by",
            "changed_at",
            "reason",
            "source",
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) {sql}",  # noqa: S608 (our SQL)
            params,
        )


def _write_assignments(*, rows, by, reason: str, source: str) -> int:
    """Applies already-checked ``(enrolment_id, previous_assignee_id, assignee_id)`` rows
    set-wise: per assignee and batch, one INSERT … SELECT of history and one UPDATE."""
    now = timezone.now()
    by_assignee = defaultdict(list)
    for enrolment_id, _previous, assignee_id in rows:
        by_assignee[assignee_id].append(enrolment_id)
    for assignee_id, ids in by_assignee.items():
        for start in range(0, len(ids), INSERT_BATCH):
            batch = ids[start : start + INSERT_BATCH]
            _insert_history(
                ids=batch, to_user_id=assignee_id, by=by, now=now, reason=reason, source=source
            )
            Enrolment.objects.filter(pk__in=batch).update(
                assignee_id=assignee_id,
                assigned_at=now if assignee_id else None,
                version=F("version") + 1,
            )
            history_record_setwise(
                Enrolment, Enrolment.objects.filter(pk__in=batch), user=by, reason=source
            )
    return len(rows)


def _check_rows(*, programme: Programme, wanted: dict) -> list:
    """Checks ``{enrolment_id: assignee_id}`` against the rules, all at once, and returns the
    rows to write. Raises ValidationError naming the clients that break a rule."""
    check_open(programme)
    pool = set(
        StaffMember.objects.filter(programme=programme).values_list("employee_id", flat=True)
    )
    outside = {pk for pk in wanted.values() if pk is not None and pk not in pool}
    if outside:
        raise ValidationError(
            _("Only employees in this programme's staff pool can be assigned clients.")
        )
    # Lock the enrolments (not their clients) so that no one assigns them meanwhile. A long
    # list is read whole rather than sent as 100,000 ids.
    current = Enrolment.objects.select_for_update(of=("self",)).filter(programme=programme)
    if len(wanted) <= INSERT_BATCH:
        current = current.filter(pk__in=list(wanted))
    rows, broken, found = [], [], 0
    for pk, assessment, salesperson_id, assignee_id in current.values_list(
        "pk", "assessment", "original_salesperson_id", "assignee_id"
    ).iterator(chunk_size=INSERT_BATCH):
        if pk not in wanted:
            continue
        found += 1
        target = wanted[pk]
        if assessment == Assessment.MONOPOLISED and target is not None and target == salesperson_id:
            broken.append(pk)
        elif target != assignee_id:
            rows.append((pk, assignee_id, target))
    if found != len(wanted):
        raise ValidationError(_("Some of these clients are not on this programme's list."))
    if broken:
        names = sorted(
            Enrolment.objects.filter(pk__in=broken[:100]).values_list("client__name", flat=True)
        )
        names = ", ".join(names[:5]) + ("…" if len(broken) > 5 else "")
        raise ValidationError(
            ngettext(
                "%(names)s is monopolised and cannot go to its original salesperson. "
                "Nothing was changed.",
                "%(names)s are monopolised and cannot go to their original salesperson. "
                "Nothing was changed.",
                len(broken),
            )
            % {"names": names}
        )
    return rows


@transaction.atomic
def enrolments_assign_bulk(
    *,
    programme: Programme,
    enrolment_ids,
    assignee,
    by,
    reason: str = "",
    source: str = AssignmentSource.BULK,
) -> int:
    """Assigns many clients of one list to one person: all of them, or (if one breaks a rule)
    none. Side effects: one AssignmentChange per client that changes hands. Returns that count."""
    ids = {int(pk) for pk in enrolment_ids}
    if not ids:
        raise ValidationError(_("Select at least one client."))
    target = assignee.pk if assignee else None
    rows = _check_rows(programme=programme, wanted=dict.fromkeys(ids, target))
    load_changed(programme_ids=[programme.pk])
    return _write_assignments(rows=rows, by=by, reason=reason, source=source)


@transaction.atomic
def enrolments_assign_many(
    *, programme: Programme, assignments: dict, by, reason: str = "", source: str
) -> int:
    """Applies ``{enrolment_id: assignee_id}`` (e.g. a split proposal): all of it or nothing."""
    if not assignments:
        raise ValidationError(_("There is nothing to assign."))
    rows = _check_rows(programme=programme, wanted=assignments)
    load_changed(programme_ids=[programme.pk])
    return _write_assignments(rows=rows, by=by, reason=reason, source=source)


@transaction.atomic
def enrolment_set_stage(*, enrolment: Enrolment, stage: str) -> Enrolment:
    """Moves a client to another stage of the run, refusing moves the programme does not know."""
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.stage == stage:
        return enrolment
    if Stage(stage) not in STAGE_MOVES[Stage(enrolment.stage)]:
        raise ValidationError(
            _("A client cannot go from “%(from)s” to “%(to)s”.")
            % {"from": enrolment.get_stage_display(), "to": Stage(stage).label}
        )
    enrolment.stage = stage
    enrolment.stage_changed_at = timezone.now()
    enrolment.version += 1
    enrolment.save(update_fields=["stage", "stage_changed_at", "version"])
    return enrolment
