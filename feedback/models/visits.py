from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clients.models import Client, KeyContact
from programme.models import Enrolment

from ..enums import (
    ContactCheckOutcome,
    MarketOutlook,
    RelationshipAfterVisit,
    ReportStatus,
    VisitStatus,
)
from ..querysets import VisitQuerySet, VisitReportQuerySet


class Visit(models.Model):
    """A VIP visit: a meeting with the client's key people."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="visits"
    )
    # The programme run the visit belongs to; a visit outside a programme has none.
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
    )
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("our employee"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    contacts = models.ManyToManyField(
        KeyContact, verbose_name=_("key contacts"), blank=True, related_name="visits"
    )
    scheduled_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    reschedule_reason = models.TextField(_("reason for the last reschedule"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("VIP visit")
        verbose_name_plural = _("VIP visits")
        ordering = ["-scheduled_at", "-id"]
        indexes = [
            models.Index(fields=["client", "-scheduled_at"], name="visit_client_when_idx"),
            # How many of our people held visits with a client (a programme list's
            # monopolisation signal, per row shown): read from the index alone.
            models.Index(
                fields=["client", "status", "employee"], name="visit_client_status_emp_idx"
            ),
            models.Index(fields=["employee", "status", "scheduled_at"], name="visit_emp_idx"),
            models.Index(fields=["status", "scheduled_at"], name="visit_status_when_idx"),
            # The meetings reminder reads the planned visits of a day in (scheduled_at, id)
            # batches: many meetings share one hour.
            models.Index(
                fields=["scheduled_at", "id"],
                name="visit_planned_when_idx",
                condition=Q(status=VisitStatus.PLANNED),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=VisitStatus.CANCELLED) | ~Q(cancel_reason=""),
                name="visit_cancel_needs_reason",
                violation_error_message=_("Say why the meeting is cancelled."),
            ),
        ]

    def __str__(self):
        return f"{self.client} — {self.scheduled_at:%Y-%m-%d %H:%M}"


class VisitReport(models.Model):
    """The record of a VIP visit: the seven goals of the programme in one report."""

    visit = models.OneToOneField(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="report"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="visit_reports",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    # 1. Relationship
    met_contacts = models.ManyToManyField(
        KeyContact, verbose_name=_("who was met"), blank=True, related_name="+"
    )
    relationship_after = models.CharField(
        _("relationship after the visit"),
        max_length=10,
        choices=RelationshipAfterVisit.choices,
        blank=True,
    )
    relationship_notes = models.TextField(_("notes on the relationship"), blank=True)
    # 3. Market
    market_position = models.TextField(_("position on its market"), blank=True)
    prospects = models.TextField(_("prospects and plans"), blank=True)
    outlook = models.CharField(
        _("outlook"), max_length=10, choices=MarketOutlook.choices, blank=True
    )
    # 4. Quality
    score_goods = models.PositiveSmallIntegerField(
        _("quality of goods"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    score_services = models.PositiveSmallIntegerField(
        _("quality of services"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    score_service = models.PositiveSmallIntegerField(
        _("quality of service"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    recommendation_score = models.PositiveSmallIntegerField(
        _("would recommend us (0–10)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    quality_comments = models.TextField(_("comments on quality"), blank=True)
    # 2, 5, 6, 7 and the follow-ups are rows of their own that point back at the report:
    # ContactCheck, Opportunity, Referral, CorrectiveAction and FollowUp.
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Everything typed into the report so far, as typed (also what failed validation), so a
    # draft loses nothing; the rows above are written from it when the report is finished.
    draft = models.JSONField(_("draft"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = VisitReportQuerySet.as_manager()
    # The draft is what was typed so far (saved as one types): the audit records the report's
    # fields, not every keystroke of the draft.
    history = HistoricalRecords(
        verbose_name=_("historical visit report"), excluded_fields=["draft"]
    )

    class Meta:
        verbose_name = _("visit report")
        verbose_name_plural = _("visit reports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "finished_at"], name="report_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(score_goods__isnull=True) | Q(score_goods__range=(1, 5)),
                name="report_score_goods_1_5",
            ),
            models.CheckConstraint(
                condition=Q(score_services__isnull=True) | Q(score_services__range=(1, 5)),
                name="report_score_services_1_5",
            ),
            models.CheckConstraint(
                condition=Q(score_service__isnull=True) | Q(score_service__range=(1, 5)),
                name="report_score_service_1_5",
            ),
            models.CheckConstraint(
                condition=Q(recommendation_score__isnull=True)
                | Q(recommendation_score__range=(0, 10)),
                name="report_recommendation_0_10",
            ),
            models.CheckConstraint(
                condition=Q(status=ReportStatus.DRAFT) | Q(finished_at__isnull=False),
                name="report_finished_has_time",
            ),
        ]

    def __str__(self):
        return str(_("Report on %(visit)s") % {"visit": self.visit})


class ContactCheck(models.Model):
    """Goal 2: what the visit found out about one key contact."""

    report = models.ForeignKey(
        VisitReport,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="contact_checks",
    )
    contact = models.ForeignKey(
        KeyContact, verbose_name=_("key contact"), on_delete=models.CASCADE, related_name="checks"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=ContactCheckOutcome.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("contact check")
        verbose_name_plural = _("contact checks")
        constraints = [
            models.UniqueConstraint(fields=["report", "contact"], name="contact_check_unique")
        ]

    def __str__(self):
        return f"{self.contact}: {self.get_outcome_display()}"


class VisitReportRevision(models.Model):
    """A correction of a finished report by its author: what changed, kept for the history."""

    report = models.ForeignKey(
        VisitReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="revisions"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    changes = models.JSONField(_("changes"), default=dict)

    class Meta:
        verbose_name = _("report correction")
        verbose_name_plural = _("report corrections")
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.report} @ {self.changed_at:%Y-%m-%d %H:%M}"
