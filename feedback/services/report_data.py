"""The visit report's data: the plain dict a draft stores, and the one check of what a finished
report needs (used by feedback.services.reports for the pages and the API alike)."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.enums import ContactRole
from clients.models import ClientPosition, KeyContact, Position

from ..enums import ContactCheckOutcome, MarketOutlook, QualityArea, RelationshipAfterVisit
from ..models import VisitReport

TEXT_FIELDS = ("relationship_notes", "market_position", "prospects", "quality_comments")
CHOICE_FIELDS = {"relationship_after": RelationshipAfterVisit, "outlook": MarketOutlook}
SCORE_FIELDS = {
    "score_goods": (1, 5),
    "score_services": (1, 5),
    "score_service": (1, 5),
    "recommendation_score": (0, 10),
}
SCALAR_FIELDS = (*TEXT_FIELDS, *CHOICE_FIELDS, *SCORE_FIELDS)
ROW_PARTS = ("contacts", "new_contacts", "complaints", "upsells", "cross_sells", "referrals")
ROW_PARTS += ("follow_ups",)
CHECK_OUTCOMES = (
    ContactCheckOutcome.CONFIRMED,
    ContactCheckOutcome.UPDATED,
    ContactCheckOutcome.LEFT,
)
CONTACT_DETAIL_FIELDS = ("role", "job_title", "phone", "email")


def normalise(data) -> dict:
    """Keeps the known keys only: a draft stores what the report has, nothing else."""
    data = dict(data or {})
    out = {name: data.get(name) for name in SCALAR_FIELDS if name in data}
    if "met_contacts" in data:
        met = data.get("met_contacts") or []
        out["met_contacts"] = [met] if isinstance(met, str | int) else list(met)
    for part in ROW_PARTS:
        rows = data.get(part)
        if rows:
            out[part] = [dict(row) for row in rows if isinstance(row, dict)]
    return out


# --- Validation: the one place that decides what a finished report needs -----------------------


@dataclass
class _Errors:
    by_field: dict = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(message)

    def row(self, part: str, index: int, message: str) -> None:
        self.add(part, _("Row %(n)s: %(message)s") % {"n": index + 1, "message": message})

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _int(value):
    if value is None or _text(value) == "":
        return None
    try:
        return int(str(value).strip())
    except ValueError as exc:
        raise ValueError from exc


def _date(value):
    if isinstance(value, dt.date):
        return value
    if not _text(value):
        return None
    return dt.date.fromisoformat(_text(value))


def _decimal(value):
    if value is None or _text(value) == "":
        return None
    try:
        number = Decimal(_text(value).replace(",", ".").replace(" ", ""))
    except InvalidOperation as exc:
        raise ValueError from exc
    if number < 0 or not number.is_finite():
        raise ValueError
    return number


def _by_id(queryset, value):
    pk = _int(value)
    return None if pk is None else queryset.filter(pk=pk).first()


@dataclass
class CleanReport:
    scalars: dict
    met_contacts: list
    contact_checks: list  # (contact, outcome, details, note)
    new_contacts: list  # (details, met)
    complaints: list
    upsells: list
    cross_sells: list
    referrals: list
    follow_ups: list


def clean_report_data(*, report: VisitReport, data: dict, by) -> CleanReport:  # noqa: C901 — one checklist, read top to bottom
    """Validates the report's data for this client; raises ValidationError listing every
    problem (field → messages), including the missing essentials."""
    client = report.visit.client
    errors = _Errors()
    today = timezone.localdate()
    users = get_user_model().objects.filter(is_active=True)
    client_contacts = KeyContact.objects.filter(client=client)

    scalars = {}
    for name in TEXT_FIELDS:
        scalars[name] = _text(data.get(name))
    for name, choices in CHOICE_FIELDS.items():
        value = _text(data.get(name))
        if value and value not in choices.values:
            errors.add(name, _("Choose one of the offered values."))
        scalars[name] = value
    for name, (low, high) in SCORE_FIELDS.items():
        try:
            value = _int(data.get(name))
        except ValueError:
            value = "bad"
        if value is not None and (value == "bad" or not low <= value <= high):
            errors.add(
                name,
                _("A score is a whole number from %(low)s to %(high)s.")
                % {"low": low, "high": high},
            )
            value = None
        scalars[name] = value

    met_contacts = []
    for value in data.get("met_contacts") or []:
        try:
            contact = _by_id(KeyContact.objects.all(), value)
        except ValueError:
            contact = None
        if contact is None or contact.client_id != client.pk:
            errors.add("met_contacts", _("A person met must be a key contact of this client."))
        else:
            met_contacts.append(contact)

    contact_checks, seen = [], set()
    for index, row in enumerate(data.get("contacts") or []):
        outcome = _text(row.get("outcome"))
        if not outcome:
            continue
        try:
            contact = _by_id(KeyContact.objects.all(), row.get("contact"))
        except ValueError:
            contact = None
        if contact is None or contact.client_id != client.pk:
            errors.row("contacts", index, _("That person is a contact of another client."))
            continue
        if outcome not in CHECK_OUTCOMES:
            errors.row("contacts", index, _("Choose what the visit found out."))
            continue
        if contact.pk in seen:
            continue
        seen.add(contact.pk)
        details = {}
        if outcome == ContactCheckOutcome.UPDATED:
            details = {name: _text(row.get(name)) for name in CONTACT_DETAIL_FIELDS if name in row}
            if details.get("role") == "":
                details.pop("role")
            if "role" in details and details["role"] not in ContactRole.values:
                errors.row("contacts", index, _("Choose the contact's role."))
            if details.get("email"):
                try:
                    validate_email(details["email"])
                except ValidationError:
                    errors.row("contacts", index, _("Enter a valid e-mail address."))
        if outcome == ContactCheckOutcome.LEFT and contact.left_company:
            continue
        contact_checks.append((contact, outcome, details, _text(row.get("note"))[:255]))

    new_contacts = []
    for index, row in enumerate(data.get("new_contacts") or []):
        details = {
            "full_name": _text(row.get("full_name")),
            "role": _text(row.get("role")),
            "job_title": _text(row.get("job_title")),
            "phone": _text(row.get("phone")),
            "email": _text(row.get("email")),
        }
        if not any(details.values()):
            continue
        if not details["full_name"]:
            errors.row("new_contacts", index, _("Give the new key person's name."))
        if details["role"] not in ContactRole.values:
            errors.row("new_contacts", index, _("Choose the new key person's role."))
        if details["email"]:
            try:
                validate_email(details["email"])
            except ValidationError:
                errors.row("new_contacts", index, _("Enter a valid e-mail address."))
        new_contacts.append((details, bool(row.get("met"))))

    def owner_of(part, index, row):
        try:
            owner = _by_id(users, row.get("owner")) if _text(row.get("owner")) else by
        except ValueError:
            owner = None
        if owner is None:
            errors.row(part, index, _("Choose an owner."))
        return owner

    def due_of(part, index, row):
        try:
            due_on = _date(row.get("due_on"))
        except ValueError:
            due_on = "bad"
        if due_on is None or due_on == "bad":
            errors.row(part, index, _("Give a due date (YYYY-MM-DD)."))
            return None
        if due_on < today:
            errors.row(part, index, _("The due date is in the past."))
        return due_on

    complaints = []
    for index, row in enumerate(data.get("complaints") or []):
        text = _text(row.get("complaint"))
        if not text and not _text(row.get("action")):
            continue
        if not text:
            errors.row("complaints", index, _("Describe the complaint."))
        area = _text(row.get("area")) or QualityArea.SERVICE
        if area not in QualityArea.values:
            errors.row("complaints", index, _("Choose the area of the complaint."))
        complaints.append(
            {
                "complaint": text,
                "action": _text(row.get("action")),
                "area": area,
                "owner": owner_of("complaints", index, row),
                "due_on": due_of("complaints", index, row),
            }
        )

    def value_of(part, index, row):
        try:
            return _decimal(row.get("expected_value"))
        except ValueError:
            errors.row(part, index, _("The expected value is a positive number."))
            return None

    upsells = []
    for index, row in enumerate(data.get("upsells") or []):
        if not _text(row.get("client_position")) and not _text(row.get("description")):
            continue
        try:
            client_position = _by_id(ClientPosition.objects.all(), row.get("client_position"))
        except ValueError:
            client_position = None
        if client_position is None or client_position.client_id != client.pk:
            errors.row("upsells", index, _("An upsell is on a position the client already buys."))
        upsells.append(
            {
                "client_position": client_position,
                "description": _text(row.get("description")),
                "expected_value": value_of("upsells", index, row),
            }
        )

    cross_sells = []
    for index, row in enumerate(data.get("cross_sells") or []):
        topic = _text(row.get("topic"))
        if not _text(row.get("position")) and not topic and not _text(row.get("description")):
            continue
        try:
            position = _by_id(Position.objects.all(), row.get("position"))
        except ValueError:
            position = None
        if position is None and not topic:
            errors.row("cross_sells", index, _("A cross-sell names a new position or a topic."))
        cross_sells.append(
            {
                "position": position,
                "topic": topic[:255],
                "description": _text(row.get("description")),
                "expected_value": value_of("cross_sells", index, row),
            }
        )

    referrals = []
    for index, row in enumerate(data.get("referrals") or []):
        details = {
            name: _text(row.get(name))
            for name in ("person_name", "company_name", "phone", "email", "notes")
        }
        if not any(details.values()):
            continue
        if not details["person_name"]:
            errors.row("referrals", index, _("Give the referred person's name."))
        if not details["phone"] and not details["email"]:
            errors.row("referrals", index, _("Give a phone or an e-mail to reach them."))
        if details["email"]:
            try:
                validate_email(details["email"])
            except ValidationError:
                errors.row("referrals", index, _("Enter a valid e-mail address."))
        referring_contact = None
        if _text(row.get("referring_contact")):
            try:
                referring_contact = _by_id(client_contacts, row.get("referring_contact"))
            except ValueError:
                referring_contact = None
            if referring_contact is None:
                errors.row("referrals", index, _("The referring contact works at another client."))
        details["referring_contact"] = referring_contact
        referrals.append(details)

    follow_ups = []
    for index, row in enumerate(data.get("follow_ups") or []):
        title = _text(row.get("title"))
        if not title and not _text(row.get("due_on")):
            continue
        if not title:
            errors.row("follow_ups", index, _("Say what was promised."))
        follow_ups.append(
            {
                "title": title[:255],
                "due_on": due_of("follow_ups", index, row),
                "owner": owner_of("follow_ups", index, row),
            }
        )

    # The essentials a finished report cannot do without.
    if not met_contacts and not any(met for _details, met in new_contacts):
        errors.add("met_contacts", _("Say who was met: tick at least one key person."))
    for name in ("score_goods", "score_services", "score_service"):
        if scalars[name] is None and name not in errors.by_field:
            errors.add(name, _("Give the quality score (1–5)."))
    errors.raise_if_any()
    return CleanReport(
        scalars=scalars,
        met_contacts=met_contacts,
        contact_checks=contact_checks,
        new_contacts=new_contacts,
        complaints=complaints,
        upsells=upsells,
        cross_sells=cross_sells,
        referrals=referrals,
        follow_ups=follow_ups,
    )
