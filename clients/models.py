from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .enums import TIER_WEIGHTS, ClientKind, ClientStatus, ContactRole, ImportanceTier
from .querysets import ClientQuerySet, KeyContactQuerySet


class Segment(models.Model):
    """An industry or market segment, used to filter lists and split dashboards."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Region(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Client(models.Model):
    kind = models.CharField(
        _("kind"), max_length=20, choices=ClientKind.choices, default=ClientKind.CORPORATE
    )
    name = models.CharField(_("name"), max_length=255)
    legal_name = models.CharField(_("legal name"), max_length=255, blank=True)
    # INN in Russia. Optional, but no two clients share one: imports match on it.
    tax_number = models.CharField(
        _("tax number"), max_length=20, unique=True, null=True, blank=True
    )
    registration_number = models.CharField(_("registration number"), max_length=20, blank=True)
    legal_address = models.CharField(_("legal address"), max_length=255, blank=True)
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clients",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clients",
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    tier = models.CharField(
        _("importance tier"), max_length=1, choices=ImportanceTier.choices, default="C"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ClientStatus.choices, default=ClientStatus.ACTIVE
    )
    lost_on = models.DateField(_("lost on"), null=True, blank=True)
    original_salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("original salesperson"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="won_clients",
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ClientQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("historical client"))

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="client_name_idx"),
            models.Index(fields=["kind", "status"], name="client_kind_status_idx"),
            # The client list filtered by segment, a page at a time in name order.
            models.Index(fields=["segment", "name", "id"], name="client_segment_name_idx"),
            # A programme's client list filtered by tier, a page at a time in name order, and
            # its capped count: both stop after the rows they need.
            models.Index(fields=["tier", "name", "id"], name="client_tier_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status=ClientStatus.LOST) & Q(lost_on__isnull=False))
                | (Q(status=ClientStatus.ACTIVE) & Q(lost_on__isnull=True)),
                name="client_lost_on_iff_lost",
                violation_error_message=_(
                    "A lost client needs the date it was lost, and only a lost client has one."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(tax_number=""),
                name="client_tax_number_not_empty",
                violation_error_message=_("Leave the tax number empty rather than blank."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.tax_number is not None:
            self.tax_number = self.tax_number.strip() or None
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("clients:client_detail", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        client = super().from_db(db, field_names, values)
        # The tier as read, so that a save can tell whether it changed (the programmes' cached
        # load weighs clients by tier: programme.load).
        client._loaded_tier = client.__dict__.get("tier")
        return client

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if fields is None or "tier" in fields:
            self._loaded_tier = self.__dict__.get("tier")

    @property
    def weight(self) -> int:
        return TIER_WEIGHTS[ImportanceTier(self.tier)]


class KeyContact(models.Model):
    """A person at the client who matters for the relationship."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="contacts"
    )
    full_name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=ContactRole.choices)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    left_company = models.BooleanField(_("left the company"), default=False)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = KeyContactQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("historical key contact"))

    class Meta:
        verbose_name = _("key contact")
        verbose_name_plural = _("key contacts")
        ordering = ["left_company", "full_name", "id"]
        indexes = [
            # A client's current contacts, and who added them (a programme list's "all key
            # contacts added by one person" signal, per row shown): read from the index alone.
            models.Index(
                fields=["client", "left_company", "added_by"], name="contact_client_adder_idx"
            ),
            models.Index(fields=["verified_on"], name="contact_verified_on_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_company=True),
                name="contact_left_on_only_if_left",
                violation_error_message=_("Only a contact who left has a date of leaving."),
            ),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.client})"


class Position(models.Model):
    """A product or service line of the company's catalogue."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.CharField(_("code"), max_length=50, unique=True, null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ClientPosition(models.Model):
    """A position a client buys, with its usual volume (a year's amount)."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="positions"
    )
    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="buyers"
    )
    annual_volume = models.DecimalField(
        _("annual volume"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    since = models.DateField(_("buys since"), null=True, blank=True)

    class Meta:
        verbose_name = _("position bought")
        verbose_name_plural = _("positions bought")
        ordering = ["client", "position__name"]
        constraints = [
            models.UniqueConstraint(fields=["client", "position"], name="client_position_unique"),
            models.CheckConstraint(
                condition=Q(annual_volume__gte=0), name="client_position_volume_gte_0"
            ),
        ]

    def __str__(self):
        return f"{self.client} — {self.position}"


class ClientVolume(models.Model):
    """What a client bought in one month (from accounting), the basis of retention."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="volumes"
    )
    period = models.DateField(_("period"), help_text=_("The first day of the month."))
    amount = models.DecimalField(
        _("amount"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = _("client volume")
        verbose_name_plural = _("client volumes")
        ordering = ["client", "-period"]
        indexes = [models.Index(fields=["period", "client"], name="volume_period_client_idx")]
        constraints = [
            models.UniqueConstraint(fields=["client", "period"], name="client_volume_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="client_volume_amount_gte_0"),
            models.CheckConstraint(
                condition=Q(period__day=1),
                name="client_volume_period_first_day",
                violation_error_message=_("A period is a month: use its first day."),
            ),
        ]

    def __str__(self):
        return f"{self.client} {self.period:%Y-%m}: {self.amount}"


# The import's working table lives with the import code; imported here so Django registers it.
from .imports.models import ImportBatch  # noqa: E402, F401
