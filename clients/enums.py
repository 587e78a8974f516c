from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ClientKind(models.TextChoices):
    CORPORATE = "corporate", _("Corporate client")
    PRIVATE = "private", _("Private client")


class ClientStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("client status", "Active")
    LOST = "lost", pgettext_lazy("client status", "Lost")


class ImportanceTier(models.TextChoices):
    """How much a client matters; the automatic split weighs load by it."""

    A = "A", _("A — key client")
    B = "B", _("B — important client")
    C = "C", _("C — regular client")


TIER_WEIGHTS = {ImportanceTier.A: 3, ImportanceTier.B: 2, ImportanceTier.C: 1}


class ContactRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    USER = "user", _("User")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")
