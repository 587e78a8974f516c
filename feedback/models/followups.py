from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clients.models import Client, ClientPosition, KeyContact, Position
from programme.models import Programme

from ..enums import (
    CorrectiveActionStatus,
    OpportunityKind,
    OpportunityStatus,
    QualityArea,
    ReferralStatus,
)
from ..querysets import (
    CorrectiveActionQuerySet,
    FollowUpQuerySet,
    OpportunityQuerySet,
    ReferralQuerySet,
)
from .visits import VisitReport


class CorrectiveAction(models.Model):
    """A quality-improvement measure opened from a client's feedback (a complaint)."""

    client = models.ForeignKey(
        Client,
        verbose_name=_("client"),
        on_delete=models.CASCADE,
        related_name="corrective_actions",
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="corrective_actions",
    )
    report = models.ForeignKey(
        VisitReport,
        verbose_name=_("visit report"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="corrective_actions",
    )
    area = models.CharField(
        _("area"), max_length=10, choices=QualityArea.choices, default=QualityArea.SERVICE
    )
    complaint = models.TextField(_("complaint"))
    action = models.TextField(_("what will be done"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="corrective_actions",
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CorrectiveActionStatus.choices,
        default=CorrectiveActionStatus.OPEN,
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    client_informed_at = models.DateTimeField(_("client informed at"), null=True, blank=True)

    objects = CorrectiveActionQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("historical corrective action"))

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="ca_status_due_idx"),
            models.Index(fields=["owner", "status"], name="ca_owner_status_idx"),
            models.Index(fields=["programme", "status"], name="ca_programme_status_idx"),
            # The past-due scan reads the open ones by (due date, id).
            models.Index(
                fields=["due_on", "id"],
                name="ca_open_due_idx",
                condition=Q(status__in=("open", "in_progress")),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=("open", "in_progress")) | Q(resolved_at__isnull=False),
                name="ca_resolved_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="client_informed") | Q(client_informed_at__isnull=False),
                name="ca_informed_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.client}: {self.complaint[:60]}"


class CorrectiveActionStep(models.Model):
    """One move of a corrective action along open → in progress → resolved → client informed."""

    action = models.ForeignKey(
        CorrectiveAction,
        verbose_name=_("corrective action"),
        on_delete=models.CASCADE,
        related_name="steps",
    )
    status = models.CharField(_("status"), max_length=20, choices=CorrectiveActionStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("corrective action step")
        verbose_name_plural = _("corrective action steps")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.action_id}: {self.get_status_display()}"


class Opportunity(models.Model):
    """An upsell (more of a position the client buys) or a cross-sell (a new position/topic)."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="opportunities"
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
    )
    report = models.ForeignKey(
        VisitReport,
        verbose_name=_("visit report"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=OpportunityKind.choices)
    # Upsell: the position the client already buys. Cross-sell: a new position, or a topic.
    client_position = models.ForeignKey(
        ClientPosition,
        verbose_name=_("position the client buys"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
    )
    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opportunities",
    )
    topic = models.CharField(_("topic"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    expected_value = models.DecimalField(
        _("expected value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OpportunityStatus.choices, default="open"
    )
    won_value = models.DecimalField(
        _("value won"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    lost_reason = models.TextField(_("reason lost"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = OpportunityQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("historical opportunity"))

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["programme", "status", "kind"], name="opp_prog_status_idx"),
            models.Index(fields=["owner", "status"], name="opp_owner_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="upsell") | Q(client_position__isnull=False),
                name="opp_upsell_needs_client_position",
                violation_error_message=_("An upsell is on a position the client already buys."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="cross_sell") | Q(position__isnull=False) | ~Q(topic=""),
                name="opp_cross_sell_needs_position_or_topic",
                violation_error_message=_("A cross-sell names a new position or a topic."),
            ),
            models.CheckConstraint(
                condition=~Q(status="won") | Q(won_value__isnull=False, won_value__gte=0),
                name="opp_won_has_value",
                violation_error_message=_("A won opportunity needs the value won."),
            ),
            models.CheckConstraint(
                condition=~Q(status="lost") | ~Q(lost_reason=""),
                name="opp_lost_has_reason",
                violation_error_message=_("Say why the opportunity was lost."),
            ),
        ]

    def __str__(self):
        subject = self.position or self.client_position or self.topic
        return f"{self.get_kind_display()}: {self.client} — {subject}"


class Referral(models.Model):
    """A contact of the client's acquaintance who may want the company's goods."""

    referring_client = models.ForeignKey(
        Client,
        verbose_name=_("referring client"),
        on_delete=models.CASCADE,
        related_name="referrals_given",
    )
    referring_contact = models.ForeignKey(
        KeyContact,
        verbose_name=_("referring contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals_given",
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
    )
    report = models.ForeignKey(
        VisitReport,
        verbose_name=_("visit report"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
    )
    person_name = models.CharField(_("person"), max_length=200)
    company_name = models.CharField(_("company"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReferralStatus.choices, default="new"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    became_client = models.OneToOneField(
        Client,
        verbose_name=_("became the client"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referral",
    )
    drop_reason = models.TextField(_("reason dropped"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    contacted_at = models.DateTimeField(_("contacted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ReferralQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("historical referral"))

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="referral_status_idx"),
            models.Index(fields=["owner", "status"], name="referral_owner_idx"),
            # The not-contacted scan reads the new ones by (created, id).
            models.Index(
                fields=["created_at", "id"],
                name="referral_new_created_idx",
                condition=Q(status="new"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="converted") & Q(became_client__isnull=False))
                | (~Q(status="converted") & Q(became_client__isnull=True)),
                name="referral_converted_iff_client",
            ),
            models.CheckConstraint(
                condition=~Q(status="dropped") | ~Q(drop_reason=""),
                name="referral_dropped_has_reason",
                violation_error_message=_("Say why the referral was dropped."),
            ),
        ]

    def __str__(self):
        company = f" ({self.company_name})" if self.company_name else ""
        return f"{self.person_name}{company}"


class FollowUp(models.Model):
    """A promise from a visit, turned into a task with an owner and a due date."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    report = models.ForeignKey(
        VisitReport,
        verbose_name=_("visit report"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    title = models.CharField(_("what was promised"), max_length=255)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    due_on = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reschedule_reason = models.TextField(_("reason for the last reschedule"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["owner", "done_at", "due_on"], name="followup_owner_idx"),
            # Reminder scans read only the pending rows by due date.
            models.Index(
                fields=["due_on", "id"],
                name="followup_pending_due_idx",
                condition=Q(done_at__isnull=True),
            ),
            # My work: one person's pending follow-ups by due date (without it PostgreSQL walks
            # the pending index of everyone's 200,000 to find one person's 19: 0.2-0.5 s).
            models.Index(
                fields=["owner", "due_on", "id"],
                name="followup_owner_pending_idx",
                condition=Q(done_at__isnull=True),
            ),
        ]

    def __str__(self):
        return self.title
