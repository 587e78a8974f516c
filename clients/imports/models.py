"""An uploaded spreadsheet between its preview and its commit.

The file is read once on upload; its rows are kept here (as JSON) with each row's outcome, so that
the preview, the commit and a background worker all see the same rows. Nothing of the domain is
written until the commit, which is one transaction.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vipcrm import roles


class ImportKind(models.TextChoices):
    CLIENTS = "clients", _("Clients and key contacts")
    VOLUMES = "volumes", _("Client volumes")


class ImportStatus(models.TextChoices):
    VALIDATING = "validating", _("Checking the rows")
    READY = "ready", _("Preview ready")
    COMMITTING = "committing", _("Importing")
    COMMITTED = "committed", _("Imported")
    FAILED = "failed", _("Failed")


RUNNING_STATUSES = (ImportStatus.VALIDATING, ImportStatus.COMMITTING)


class ImportBatchQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An uploader sees their own imports; administrators see all. Nobody else imports."""
        if not user.is_authenticated or not roles.is_programme_manager(user):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(uploaded_by=user)


class ImportBatch(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=ImportKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.VALIDATING
    )
    file_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.CASCADE,
        related_name="import_batches",
    )
    # Clients imported for a programme are also put on its list (and assessed/assigned).
    programme = models.ForeignKey(
        "programme.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="import_batches",
    )
    # The language the uploader used: row messages are written in it, even by a worker.
    language = models.CharField(_("language"), max_length=10, default="en")
    # [[line number, {column: text}], ...] as read from the file.
    rows = models.JSONField(_("rows"), default=list)
    # [{"line", "action": new|update|error, "label", "errors": [{"column", "message"}], "notes"}]
    outcomes = models.JSONField(_("row outcomes"), default=list)
    ignored_columns = models.JSONField(_("ignored columns"), default=list)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    new_count = models.PositiveIntegerField(_("new"), default=0)
    update_count = models.PositiveIntegerField(_("updates"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    committed_at = models.DateTimeField(_("committed at"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        app_label = "clients"
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.file_name}"

    def get_absolute_url(self):
        return reverse("clients:import_batch_detail", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES

    @property
    def may_commit(self) -> bool:
        return self.status == ImportStatus.READY and self.error_count == 0 and self.total_rows > 0
