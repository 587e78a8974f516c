import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clients.models import Client

from .enums import (
    STAFF_CAPACITY,
    Assessment,
    AssignmentSource,
    ProgrammeStatus,
    StaffKind,
    Stage,
)
from .querysets import EnrolmentQuerySet, ProgrammeQuerySet

MONOPOLISED_RULE_MESSAGE = _(
    "A monopolised client must be worked by someone other than its original salesperson."
)


class Programme(models.Model):
    """One run of the VIP programme over a client list."""

    name = models.CharField(_("name"), max_length=200)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("programme manager"),
        on_delete=models.PROTECT,
        related_name="managed_programmes",
    )
    starts_on = models.DateField(_("start"))
    deadline = models.DateField(
        _("deadline"), help_text=_("Every client on the list is worked through by this date.")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ProgrammeStatus.choices,
        default=ProgrammeStatus.DRAFT,
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous run"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_runs",
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.TextField(_("reason for closing early"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Names the cached load of the list (``selectors.list_load``): every write that changes who
    # holds which client, or a client's weight, sets a new one (``load.load_changed``). Random
    # rather than a counter: a counter restarts at the same values when a database is rebuilt
    # or a test rolls back, and the cache outlives both.
    load_token = models.UUIDField(_("load token"), default=uuid.uuid4, editable=False)
    # Names the kept counts of the list by stage and tier (``selectors.kept_list_count``) and by
    # assignee and stage (``selectors.progress``): every write that adds or removes a client,
    # moves one to another stage or changes a client's tier sets a new one
    # (``load.counts_changed``, and ``load.load_changed`` sets both).
    counts_token = models.UUIDField(_("counts token"), default=uuid.uuid4, editable=False)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=F("starts_on")),
                name="programme_deadline_after_start",
                violation_error_message=_("The deadline cannot be before the start."),
            ),
            models.CheckConstraint(
                condition=Q(status=ProgrammeStatus.CLOSED) | Q(closed_at__isnull=True),
                name="programme_closed_at_only_if_closed",
            ),
        ]

    def __str__(self):
        return self.name


class StaffMember(models.Model):
    """An employee placed in a programme's staff pool."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="staff"
    )
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="programme_memberships",
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=StaffKind.choices, default=StaffKind.DEDICATED
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff pool member")
        verbose_name_plural = _("staff pool")
        ordering = ["programme", "employee__last_name", "employee__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "employee"],
                name="staff_member_unique",
                violation_error_message=_("This employee is already in the staff pool."),
            ),
        ]

    def __str__(self):
        return f"{self.employee} ({self.get_kind_display()})"

    @property
    def capacity(self) -> float:
        """A shared employee counts as half a dedicated one."""
        return STAFF_CAPACITY[StaffKind(self.kind)]


class Enrolment(models.Model):
    """A client on a programme's list, with its assessment, assignee and stage.

    Its indexes are paid on every assignment (the automatic split rewrites 100,000 rows): the
    programme and the assignee have no index of their own, the composite ones below begin with
    them."""

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="enrolments",
        db_index=False,  # (programme, client) is unique; (programme, …) indexes below
    )
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="enrolments"
    )
    assessment = models.CharField(
        _("relationship assessment"),
        max_length=12,
        choices=Assessment.choices,
        blank=True,
    )
    assessment_note = models.TextField(_("assessment note"), blank=True)
    # The client's original salesperson when it was enrolled: the monopolised rule is checked
    # against it in the database, which cannot look across tables.
    original_salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("original salesperson"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
        db_index=False,  # (assignee, stage, client) below
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.NOT_CONTACTED
    )
    stage_changed_at = models.DateTimeField(_("stage changed at"), default=timezone.now)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    # Incremented on every change; a save that started from an older version is refused.
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = EnrolmentQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("historical enrolment"))

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["programme", "client__name", "id"]
        indexes = [
            models.Index(fields=["programme", "assignee", "stage"], name="enrol_prog_assignee_idx"),
            # A person's list by stage; and their clients' ids (what they may see:
            # ``visible_to``), read from the index alone rather than from 500 table blocks.
            models.Index(
                fields=["assignee", "stage", "client"], name="enrol_assignee_stage_cl_idx"
            ),
            models.Index(fields=["programme", "stage"], name="enrol_prog_stage_idx"),
            models.Index(fields=["stage", "assigned_at"], name="enrol_stage_assigned_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "client"],
                name="enrolment_unique_client",
                violation_error_message=_("This client is already on the programme's list."),
            ),
            models.CheckConstraint(
                condition=~(
                    Q(assessment=Assessment.MONOPOLISED) & Q(assignee=F("original_salesperson"))
                ),
                name="enrolment_monopolised_not_to_salesperson",
                violation_error_message=MONOPOLISED_RULE_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(assignee__isnull=True) | Q(assigned_at__isnull=False),
                name="enrolment_assigned_at_with_assignee",
            ),
        ]

    def __str__(self):
        return f"{self.client} @ {self.programme}"

    def clean(self):
        super().clean()
        if (
            self.assessment == Assessment.MONOPOLISED
            and self.assignee_id is not None
            and self.assignee_id == self.original_salesperson_id
        ):
            raise ValidationError({"assignee": MONOPOLISED_RULE_MESSAGE})

    @property
    def weight(self) -> int:
        return self.client.weight

    def get_manager_url(self):
        """The client's page in the programme manager's list."""
        from django.urls import reverse

        return reverse(
            "programme:enrolment_detail",
            kwargs={"pk": self.programme_id, "enrolment_pk": self.pk},
        )


class AssignmentChange(models.Model):
    """One assignment or reassignment of an enrolment: from, to, by, when and why."""

    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="assignment_changes",
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)
    source = models.CharField(
        _("made in"),
        max_length=20,
        choices=AssignmentSource.choices,
        default=AssignmentSource.FORM,
    )

    class Meta:
        verbose_name = _("assignment change")
        verbose_name_plural = _("assignment history")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["enrolment", "-changed_at"], name="assign_enrol_at_idx")]

    def __str__(self):
        return f"{self.enrolment}: {self.from_user} → {self.to_user}"


class ProgrammeJob(models.Model):
    """A long piece of work on a programme (adding clients, computing a split), with its progress.

    A split proposal's rows are ``SplitProposalRow``s of the job, until the manager applies or
    discards it; its ``result`` holds the proposal's totals: ``{"proposed": n, "unplaced": m,
    "people": {employee_id: [clients, weight]}, "held": {employee_id: [clients, weight]},
    "total_weight": w}`` — the per-person summary as computed, kept up to date when a row is
    changed, so that the page never adds up 100,000 rows.
    """

    class Kind(models.TextChoices):
        ADD_CLIENTS = "add_clients", _("Add corporate clients")
        SPLIT = "split", _("Automatic split")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready")
        APPLYING = "applying", _("Applying")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed")

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="jobs"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("programme job")
        verbose_name_plural = _("programme jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.programme}"

    @property
    def percent(self) -> int:
        if self.status in (self.Status.READY, self.Status.APPLIED):
            return 100
        if self.status == self.Status.APPLYING:
            return 0  # one transaction: all or nothing, shown as "applying"
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status not in (self.Status.PENDING, self.Status.RUNNING, self.Status.APPLYING)


class SplitProposalRow(models.Model):
    """One client of a split proposal and the employee proposed for it.

    The client's name is copied here when the proposal is computed: the page reads the proposal
    50 rows at a time by keyset on ``(job, client_name, client)`` — one index, whatever the size
    of the proposal or of the client base — and shows that name (a client renamed meanwhile
    keeps its place and name in this proposal; the next one has the new name)."""

    job = models.ForeignKey(
        ProgrammeJob,
        verbose_name=_("job"),
        on_delete=models.CASCADE,
        related_name="proposal_rows",
        db_index=False,  # split_row_page_idx begins with it
    )
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="+"
    )
    client = models.ForeignKey(
        "clients.Client",
        verbose_name=_("client"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    client_name = models.CharField(_("client name"), max_length=255)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed employee"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    weight = models.PositiveSmallIntegerField(_("weight"))

    class Meta:
        verbose_name = _("split proposal row")
        verbose_name_plural = _("split proposal rows")
        indexes = [
            models.Index(fields=["job", "client_name", "client"], name="split_row_page_idx"),
            models.Index(fields=["assignee"], name="split_row_assignee_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["job", "enrolment"], name="split_row_unique_enrolment"),
        ]

    def __str__(self):
        return f"{self.client_name} → {self.assignee_id}"


class DashboardSnapshot(models.Model):
    """A dashboard built once for one scope, period and language, served to every page view
    until it is older than ``VIPCRM_DASHBOARD_MAX_AGE`` (``programme.dashboards.snapshots``).

    ``key`` identifies what was asked for: the dashboard, the language, the filters and whose
    programmes "no programme" means (management shares one snapshot; a programme manager has
    their own). ``data`` keeps the last good build while a refresh runs or after one failed.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    key = models.CharField(_("key"), max_length=64, unique=True)
    name = models.CharField(_("dashboard"), max_length=40)
    language = models.CharField(_("language"), max_length=10)
    params = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    data = models.JSONField(_("data"), null=True, blank=True)
    # Each table's body rows as HTML, drawn with the build (in its language): formatting
    # thousands of cells is most of what a page would otherwise spend.
    rows_html = models.JSONField(_("table rows as HTML"), default=dict, blank=True)
    built_at = models.DateTimeField(_("figures as of"), null=True, blank=True)
    build_seconds = models.FloatField(_("build seconds"), null=True, blank=True)
    requested_at = models.DateTimeField(_("last requested at"))
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")
        indexes = [models.Index(fields=["requested_at"], name="programme_snapshot_requested")]

    def __str__(self):
        return f"{self.name} ({self.language}) {self.params.get('filters', {})}"


class DashboardExport(models.Model):
    """A dashboard table as a CSV or XLSX file with every row, prepared in the background for
    the person who asked (``programme.dashboards.exports``).

    Private: only ``user`` reads it (anyone else's id answers 404), and it is deleted after a
    day by the beat. ``params`` is the scope as the dashboard snapshots store it (whose
    programmes "no programme" means, and the filters).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # What was asked for (dashboard, table, format, language, scope) as one hash: the same
    # request of the same person reuses a recent export instead of building another.
    key = models.CharField(_("key"), max_length=64)
    name = models.CharField(_("dashboard"), max_length=40)
    table = models.CharField(_("table"), max_length=40)
    file_format = models.CharField(_("file format"), max_length=10)
    language = models.CharField(_("language"), max_length=10)
    params = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(_("rows written"), default=0)
    total = models.PositiveIntegerField(_("rows"), default=0)
    # The file itself, in the database: the web server and the worker may run on different
    # hosts, and the database is what they share (no shared disk is assumed). A day's exports
    # are a few megabytes each.
    content = models.BinaryField(_("file"), null=True, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # When the status URL sent the browser to the download: later polls show the link instead
    # of sending it again (the page stays open under a download, and would download it anew).
    delivered_at = models.DateTimeField(_("sent to the browser at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dashboard export")
        verbose_name_plural = _("dashboard exports")
        indexes = [
            models.Index(fields=["user", "key"], name="programme_export_asked"),
            models.Index(fields=["created_at"], name="programme_export_created"),
        ]

    def __str__(self):
        return f"{self.name}/{self.table}.{self.file_format} ({self.user_id})"
