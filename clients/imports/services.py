"""Imports: upload (read and check the file), preview (each row's outcome), commit (all or nothing).

Every path — the pages, the API and the background worker — goes through these functions.
Small files are checked and committed while the user waits; bigger ones (more than
``IMPORT_INLINE_ROWS`` rows) by a Celery task, with progress kept in the cache.
"""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from programme.enums import Assessment, AssignmentSource, ProgrammeStatus
from programme.load import load_changed
from programme.models import Enrolment, Programme
from programme.services import enrolment_assign
from vipcrm.audit import history_record_setwise
from vipcrm.queue import enqueue_on_commit

from ..models import Client, ClientVolume, KeyContact, Region, Segment
from .columns import CLIENT_COLUMNS, PROGRAMME_COLUMNS, VOLUME_COLUMNS
from .models import ImportBatch, ImportKind, ImportStatus
from .reading import limit, read_table
from .validation import check_client_rows, check_volume_rows

PROGRESS_TIMEOUT = 60 * 60


def columns_for(kind: str, programme=None):
    if kind == ImportKind.VOLUMES:
        return VOLUME_COLUMNS
    return CLIENT_COLUMNS + (PROGRAMME_COLUMNS if programme is not None else ())


# --- Progress -----------------------------------------------------------------------------------


def _progress_key(batch_id) -> str:
    return f"vipcrm:import:{batch_id}:progress"


def progress_set(batch_id, done: int) -> None:
    # The cache, not the batch row: a commit runs in one transaction, invisible until it ends.
    cache.set(_progress_key(batch_id), done, timeout=PROGRESS_TIMEOUT)


def progress_of(batch: ImportBatch) -> int:
    """Rows done by the running step, as a percentage."""
    if not batch.total_rows:
        return 0
    done = cache.get(_progress_key(batch.pk), 0)
    return min(100, round(100 * done / batch.total_rows))


# --- Upload and preview -------------------------------------------------------------------------


def import_batch_create(
    *, kind: str, content: bytes, file_name: str, by, programme: Programme | None = None
) -> ImportBatch:
    """Reads an uploaded file and checks its rows (now, or in the background when it is big).

    A bad file raises ValidationError and stores nothing. Side effects: an ImportBatch row; for a
    big file, a Celery task enqueued once the batch is saved.
    """
    if programme is not None:
        if kind != ImportKind.CLIENTS:
            raise ValidationError(_("Only clients are imported into a programme."))
        if not Programme.objects.managed_by(by).filter(pk=programme.pk).exists():
            raise ValidationError(_("Only the programme's manager imports clients into it."))
        if programme.status == ProgrammeStatus.CLOSED:
            raise ValidationError(_("This programme is closed; its list no longer changes."))
    table = read_table(
        content=content,
        file_name=file_name,
        columns=columns_for(kind, programme),
        one_of=("tax_number", "name") if kind == ImportKind.VOLUMES else (),
    )
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=kind,
            file_name=file_name[:255],
            uploaded_by=by,
            programme=programme,
            language=translation.get_language() or "en",
            rows=[[line, values] for line, values in table.rows],
            ignored_columns=table.ignored_columns,
            total_rows=len(table.rows),
            status=ImportStatus.VALIDATING,
        )
        progress_set(batch.pk, 0)
        if batch.total_rows > limit("IMPORT_INLINE_ROWS"):
            from .tasks import validate_import_batch

            enqueue_on_commit(validate_import_batch, batch_id=batch.pk)
            return batch
    try:
        return import_batch_validate(batch=batch)
    except Exception:
        # Never leave a batch "checking" forever with no worker on it.
        import_batch_fail(batch_id=batch.pk, message=_("The rows could not be checked."))
        raise


def _check_rows(batch: ImportBatch, progress=None):
    rows = [(line, values) for line, values in batch.rows]
    with translation.override(batch.language):
        if batch.kind == ImportKind.VOLUMES:
            return check_volume_rows(rows, progress=progress)
        return check_client_rows(rows, programme=batch.programme, progress=progress)


def _store_outcomes(batch: ImportBatch, results) -> None:
    batch.outcomes = [outcome for outcome, _plan in results]
    batch.new_count = sum(1 for o in batch.outcomes if o["action"] == "new")
    batch.update_count = sum(1 for o in batch.outcomes if o["action"] == "update")
    batch.error_count = sum(1 for o in batch.outcomes if o["action"] == "error")


def import_batch_validate(*, batch: ImportBatch) -> ImportBatch:
    """Works out each row's outcome for the preview. Writes only the batch."""
    progress_set(batch.pk, 0)
    results = _check_rows(batch, progress=lambda done: progress_set(batch.pk, done))
    _store_outcomes(batch, results)
    batch.status = ImportStatus.READY
    batch.save(update_fields=["outcomes", "new_count", "update_count", "error_count", "status"])
    progress_set(batch.pk, batch.total_rows)
    return batch


# --- Commit -------------------------------------------------------------------------------------


class _StaleRows(Exception):
    def __init__(self, results):
        self.results = results


def import_batch_request_commit(*, batch: ImportBatch, by) -> ImportBatch:
    """Commits now, or hands a big batch to the worker (status "importing")."""
    _check_committable(batch, by)
    if batch.total_rows <= limit("IMPORT_INLINE_ROWS"):
        return import_batch_commit(batch=batch, by=by)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        _check_committable(locked, by)
        locked.status = ImportStatus.COMMITTING
        locked.message = ""
        locked.save(update_fields=["status", "message"])
        progress_set(locked.pk, 0)
        from .tasks import commit_import_batch

        enqueue_on_commit(commit_import_batch, batch_id=locked.pk, user_id=by.pk)
    return locked


def _check_committable(batch: ImportBatch, by, *, allowed=(ImportStatus.READY,)) -> None:
    if batch.uploaded_by_id != by.pk and not by.is_superuser:
        raise ValidationError(_("Only the person who uploaded the file commits it."))
    if batch.status == ImportStatus.COMMITTED:
        raise ValidationError(_("This file has already been imported."))
    if batch.status not in allowed:
        raise ValidationError(_("This import is still running; wait until it is done."))
    if batch.error_count:
        raise ValidationError(
            _("Fix the rows with errors in the file and upload it again; nothing was imported.")
        )


def import_batch_commit(*, batch: ImportBatch, by) -> ImportBatch:
    """Writes every row of the batch in one transaction, or nothing.

    The rows are checked again first (the database may have changed since the preview); if any
    fails now, nothing is written, the preview is refreshed and ValidationError is raised.
    Side effects: clients, key contacts, segments, regions, (programme) enrolments and their
    assignment history, or client volumes; the batch is marked imported.
    """
    try:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            _check_committable(locked, by, allowed=(ImportStatus.READY, ImportStatus.COMMITTING))
            results = _check_rows(locked)
            if any(plan is None for _outcome, plan in results):
                raise _StaleRows(results)
            with translation.override(locked.language):
                if locked.kind == ImportKind.VOLUMES:
                    _apply_volumes(locked, results)
                else:
                    _apply_clients(locked, results, by)
            _store_outcomes(locked, results)
            locked.status = ImportStatus.COMMITTED
            locked.committed_at = timezone.now()
            locked.message = ""
            locked.rows = []  # the domain holds them now; no need to keep a copy
            locked.save()
            progress_set(locked.pk, locked.total_rows)
            return locked
    except _StaleRows as stale:
        _store_outcomes(batch, stale.results)
        batch.status = ImportStatus.READY
        batch.message = _(
            "Some rows no longer pass the checks (the data changed since the preview). "
            "Nothing was imported; see the rows marked as errors."
        )
        batch.save(
            update_fields=[
                "outcomes",
                "new_count",
                "update_count",
                "error_count",
                "status",
                "message",
            ]
        )
        raise ValidationError(batch.message) from None
    except IntegrityError as error:
        # Someone wrote a clashing row between the check and the write.
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.READY)
        raise ValidationError(
            _("The import clashed with a change made meanwhile; nothing was imported. Try again.")
        ) from error


def import_batch_fail(*, batch_id: int, message: str) -> None:
    """Marks a batch whose background step broke, so the page stops waiting."""
    ImportBatch.objects.filter(pk=batch_id).update(status=ImportStatus.FAILED, message=message)


def _lookup_or_create(model, cache_by_name: dict, name: str):
    if not name:
        return None
    key = name.lower()
    if key not in cache_by_name:
        found = model.objects.filter(name__iexact=name).first()
        cache_by_name[key] = found or model.objects.create(name=name)
    return cache_by_name[key]


# The audit history's reason for every change an import makes (vipcrm/audit.py shows it).
AUDIT_REASON = "import"


def _audited_by(instance, by) -> None:
    """The import runs in a Celery task, without a request: name the importing user."""
    instance._history_user = by
    instance._change_reason = AUDIT_REASON


CONTACT_UPDATE_FIELDS = ["full_name", "role", "job_title", "phone", "email", "updated_at"]
BULK_SIZE = 500


def _apply_clients(batch: ImportBatch, results, by) -> None:
    """Writes in bulk (a 20,000-row file in seconds, not minutes); assignments go one by one
    through the programme's service so its rules and history hold."""
    segments, regions = {}, {}
    now = timezone.now()
    plans = [plan for _outcome, plan in results]
    for plan in plans:
        client = plan["client"]
        if plan["segment"]:
            client.segment = _lookup_or_create(Segment, segments, plan["segment"])
        if plan["region"]:
            client.region = _lookup_or_create(Region, regions, plan["region"])
        if client.pk is not None:
            client.updated_at = now
    updates = [plan for plan in plans if plan["client"].pk is not None and plan["changes"]]
    new_clients = [plan["client"] for plan in plans if plan["client"].pk is None]
    for start in range(0, len(new_clients), BULK_SIZE):
        progress_set(batch.pk, start // 2)
        # Sets the primary keys (PostgreSQL, SQLite 3.35+), which the contacts need.
        # With their audit history (one more INSERT per chunk), by the importing user.
        bulk_create_with_history(
            new_clients[start : start + BULK_SIZE],
            Client,
            default_user=by,
            default_change_reason=AUDIT_REASON,
        )
    # Only the fields that change, row by row: bulk_update's CASE over many fields is far
    # slower on big batches, and a re-imported unchanged row costs nothing.
    for index, plan in enumerate(updates):
        _audited_by(plan["client"], by)
        plan["client"].save(update_fields=[*plan["changes"], "updated_at"])
        if index % 100 == 0:
            progress_set(batch.pk, (len(new_clients) + index) // 2)
    progress_set(batch.pk, len(plans) // 2)

    new_contacts = []
    for plan in plans:
        contact = plan["contact"]
        if contact is None:
            continue
        contact.client = plan["client"]
        if contact.pk is None:
            contact.added_by = by
            new_contacts.append(contact)
        elif contact.import_changed:
            _audited_by(contact, by)
            contact.save(update_fields=CONTACT_UPDATE_FIELDS)
    bulk_create_with_history(
        new_contacts,
        KeyContact,
        batch_size=BULK_SIZE,
        default_user=by,
        default_change_reason=AUDIT_REASON,
    )

    programme = batch.programme
    if programme is None:
        return
    reason = _("Imported from %(file)s") % {"file": batch.file_name}
    enrolled = {}
    client_ids = [plan["client"].pk for plan in plans]
    for start in range(0, len(client_ids), BULK_SIZE):
        chunk = client_ids[start : start + BULK_SIZE]
        for enrolment in Enrolment.objects.filter(programme=programme, client_id__in=chunk):
            enrolled[enrolment.client_id] = enrolment
    missing = [
        Enrolment(
            programme=programme,
            client=plan["client"],
            original_salesperson_id=plan["client"].original_salesperson_id,
        )
        for plan in plans
        if plan["client"].pk not in enrolled
    ]
    created = bulk_create_with_history(
        missing,
        Enrolment,
        batch_size=BULK_SIZE,
        default_user=by,
        default_change_reason=AUDIT_REASON,
    )
    if created:
        load_changed(programme_ids=[programme.pk])
    for enrolment in created:
        enrolled[enrolment.client_id] = enrolment
    for index, plan in enumerate(plans):
        if index % 100 == 0:
            progress_set(batch.pk, (len(plans) + index) // 2)
        if plan["enrolment"]["assessment"] or plan["enrolment"]["assignee"]:
            _apply_enrolment(enrolled[plan["client"].pk], plan["enrolment"], by, reason)


def _apply_enrolment(enrolment, plan, by, reason) -> None:
    assessment, assignee = plan["assessment"], plan["assignee"]

    def assess():
        if assessment and enrolment.assessment != assessment:
            Enrolment.objects.filter(pk=enrolment.pk).update(
                assessment=assessment, version=F("version") + 1
            )
            history_record_setwise(
                Enrolment, Enrolment.objects.filter(pk=enrolment.pk), user=by, reason=AUDIT_REASON
            )
            enrolment.assessment = assessment

    # Going monopolised, the client must first leave its salesperson; otherwise the assessment
    # comes first so the assignment is checked against it.
    if assessment == Assessment.MONOPOLISED:
        if assignee is not None:
            enrolment_assign(
                enrolment=enrolment,
                assignee=assignee,
                by=by,
                reason=reason,
                source=AssignmentSource.IMPORT,
            )
        assess()
    else:
        assess()
        if assignee is not None:
            enrolment_assign(
                enrolment=enrolment,
                assignee=assignee,
                by=by,
                reason=reason,
                source=AssignmentSource.IMPORT,
            )


def _apply_volumes(batch: ImportBatch, results) -> None:
    volumes = [
        ClientVolume(client_id=plan["client_id"], period=plan["period"], amount=plan["amount"])
        for _outcome, plan in results
    ]
    for start in range(0, len(volumes), 1000):
        progress_set(batch.pk, start)
        ClientVolume.objects.bulk_create(
            volumes[start : start + 1000],
            update_conflicts=True,
            unique_fields=["client", "period"],
            update_fields=["amount"],
        )
