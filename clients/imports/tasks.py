"""Background steps of a big import: each takes the batch's id and calls one service."""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _


@shared_task(name="clients.imports.validate_import_batch")
def validate_import_batch(*, batch_id: int) -> None:
    from .models import ImportBatch, ImportStatus
    from .services import import_batch_fail, import_batch_validate

    batch = ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.VALIDATING).first()
    if batch is None:
        return
    try:
        import_batch_validate(batch=batch)
    except Exception:
        with translation.override(batch.language):
            import_batch_fail(batch_id=batch_id, message=_("The rows could not be checked."))
        raise


@shared_task(name="clients.imports.commit_import_batch")
def commit_import_batch(*, batch_id: int, user_id: int) -> None:
    from .models import ImportBatch, ImportStatus
    from .services import import_batch_commit, import_batch_fail

    batch = ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.COMMITTING).first()
    user = get_user_model().objects.filter(pk=user_id).first()
    if batch is None or user is None:
        return
    try:
        import_batch_commit(batch=batch, by=user)
    except ValidationError as error:
        # Nothing was written; the batch goes back to its preview with the reason.
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportStatus.READY, message=" ".join(error.messages)
        )
    except Exception:
        with translation.override(batch.language):
            import_batch_fail(
                batch_id=batch_id, message=_("The import broke off; nothing was imported.")
            )
        raise
