"""The VIP visit report (stage 6): a draft that keeps everything typed, finishing it, and
corrections of a finished report.

The report's data travels as one plain dict (the page's forms and the API both produce it):

    met_contacts: [contact ids]; relationship_after, relationship_notes;
    market_position, prospects, outlook;
    score_goods, score_services, score_service (1–5), recommendation_score (0–10),
    quality_comments;
    contacts:     [{contact, outcome (confirmed|updated|left|""), role, job_title, phone,
                    email, note}]
    new_contacts: [{full_name, role, job_title, phone, email, met}]
    complaints:   [{area, complaint, action, owner, due_on}]
    upsells:      [{client_position, expected_value, description}]
    cross_sells:  [{position, topic, expected_value, description}]
    referrals:    [{person_name, company_name, phone, email, notes, referring_contact}]
    follow_ups:   [{title, due_on, owner}]

A draft stores the dict as typed; finishing validates it and writes the rows (contact checks,
corrective actions, opportunities, referrals, follow-ups) through their own services.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import services as contact_services
from clients.enums import ContactRole
from clients.models import ClientPosition, KeyContact, Position
from programme.enums import VISITED_STAGES, Stage
from programme.services import enrolment_set_stage

from ..enums import (
    ContactCheckOutcome,
    MarketOutlook,
    QualityArea,
    RelationshipAfterVisit,
    ReportStatus,
    VisitStatus,
)
from ..models import ContactCheck, Visit, VisitReport, VisitReportRevision
from . import followups

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


# --- The draft/finish cycle ---------------------------------------------------------------------


def _check_author(*, report: VisitReport, by) -> None:
    if report.author_id != by.pk:
        raise ValidationError(_("Only the author of the report may change it."))


def _check_version(*, report: VisitReport, version) -> None:
    if version in (None, ""):
        return
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise ValidationError(_("The report's version is a whole number.")) from None
    if version != report.version:
        raise ValidationError(
            _(
                "The report was changed meanwhile (in another tab or by a double submit). "
                "Reload it to see the latest version."
            )
        )


@transaction.atomic
def visit_report_start(*, visit: Visit, by) -> VisitReport:
    """The visit's report; an empty draft the first time. Only the visit's employee writes it."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.employee_id != by.pk:
        raise ValidationError(_("Only the employee who met the client writes the visit report."))
    if visit.status == VisitStatus.CANCELLED:
        raise ValidationError(_("The meeting was cancelled; there is nothing to report."))
    report, _created = VisitReport.objects.get_or_create(visit=visit, defaults={"author": by})
    return report


@transaction.atomic
def visit_report_save_draft(
    *, report: VisitReport, by, data: dict, version: int | None = None
) -> VisitReport:
    """Keeps everything typed, valid or not. Saving what is already saved is a no-op (a double
    submit); saving from an older version than the stored one is refused.

    Side effect: bumps the report's version.
    """
    report = VisitReport.objects.select_for_update().get(pk=report.pk)
    _check_author(report=report, by=by)
    if report.status == ReportStatus.FINISHED:
        raise ValidationError(_("The report is finished; correct it instead."))
    data = normalise(data)
    if data == report.draft:
        return report
    _check_version(report=report, version=version)
    report.draft = data
    report.version += 1
    report.save(update_fields=["draft", "version", "updated_at"])
    return report


def visit_report_finish(
    *, report: VisitReport, by, data: dict | None = None, version: int | None = None
) -> VisitReport:
    """Finishes the report: checks the essentials and writes the seven goals.

    Side effects: contact checks (confirm → verified on, updated details, left, new key
    persons); corrective actions, upsell and cross-sell opportunities, referrals and
    follow-ups through feedback.services.followups; the visit becomes held; the enrolment
    moves to "visited". ``data``, when given, is saved into the draft first, in its own
    transaction, so that a refused finish keeps what was typed. Finishing a finished report
    is a no-op (a double click).
    """
    report = VisitReport.objects.get(pk=report.pk)
    _check_author(report=report, by=by)
    if report.status == ReportStatus.FINISHED:
        return report
    if data is not None:
        visit_report_save_draft(report=report, by=by, data=data, version=version)
    return _finish(report=report, by=by)


@transaction.atomic
def _finish(*, report: VisitReport, by) -> VisitReport:
    report = (
        VisitReport.objects.select_for_update(of=("self",))
        .select_related("visit__client", "visit__enrolment__programme")
        .get(pk=report.pk)
    )
    if report.status == ReportStatus.FINISHED:
        return report
    clean = clean_report_data(report=report, data=report.draft, by=by)
    _write_report(report=report, clean=clean, by=by)
    return report


def _write_report(*, report: VisitReport, clean: CleanReport, by) -> None:
    visit = report.visit
    client = visit.client
    programme = visit.enrolment.programme if visit.enrolment_id else None
    today = timezone.localdate()
    for name, value in clean.scalars.items():
        setattr(report, name, value)
    met = list(clean.met_contacts)

    for contact, outcome, details, note in clean.contact_checks:
        if outcome == ContactCheckOutcome.LEFT:
            contact_services.contact_mark_left(contact=contact, by=by)
        else:
            if details:
                contact_services.contact_update(contact=contact, by=by, **details)
            contact_services.contact_confirm(contact=contact, by=by, on=today)
        ContactCheck.objects.create(report=report, contact=contact, outcome=outcome, note=note)
    for details, was_met in clean.new_contacts:
        contact = contact_services.contact_create(
            client=client, by=by, verified_on=today, **details
        )
        ContactCheck.objects.create(report=report, contact=contact, outcome="added")
        if was_met:
            met.append(contact)

    for row in clean.complaints:
        followups.corrective_action_open(
            client=client, opened_by=by, programme=programme, report=report, **row
        )
    for row in clean.upsells:
        followups.opportunity_open(
            client=client, kind="upsell", owner=by, programme=programme, report=report, **row
        )
    for row in clean.cross_sells:
        followups.opportunity_open(
            client=client, kind="cross_sell", owner=by, programme=programme, report=report, **row
        )
    for row in clean.referrals:
        followups.referral_add(
            referring_client=client, owner=by, programme=programme, report=report, **row
        )
    for row in clean.follow_ups:
        followups.follow_up_create(
            client=client, created_by=by, programme=programme, report=report, **row
        )

    report.status = ReportStatus.FINISHED
    report.finished_at = timezone.now()
    report.version += 1
    report.full_clean(exclude=["visit", "author"])
    report.save()
    report.met_contacts.set(met)

    if visit.status != VisitStatus.HELD:
        Visit.objects.filter(pk=visit.pk).update(status=VisitStatus.HELD, updated_at=timezone.now())
        visit.status = VisitStatus.HELD
    if visit.enrolment_id and visit.enrolment.stage not in VISITED_STAGES:
        enrolment = visit.enrolment
        if enrolment.stage != Stage.MEETING_BOOKED:
            enrolment = enrolment_set_stage(enrolment=enrolment, stage=Stage.MEETING_BOOKED)
        enrolment_set_stage(enrolment=enrolment, stage=Stage.VISITED)


@transaction.atomic
def visit_report_correct(
    *, report: VisitReport, by, data: dict, version: int | None = None
) -> VisitReport:
    """Corrects a finished report's own fields (relationship, market, quality, who was met).

    Side effect: a VisitReportRevision with each changed field's old and new value. The items
    the report opened live their own lives (see followups) and are not corrected here.
    Submitting the same correction twice changes nothing the second time.
    """
    report = (
        VisitReport.objects.select_for_update(of=("self",))
        .select_related("visit__client")
        .get(pk=report.pk)
    )
    _check_author(report=report, by=by)
    if report.status != ReportStatus.FINISHED:
        raise ValidationError(_("Only a finished report is corrected; a draft is simply saved."))
    merged = {name: getattr(report, name) for name in SCALAR_FIELDS}
    merged["met_contacts"] = list(report.met_contacts.values_list("pk", flat=True))
    merged.update({key: value for key, value in normalise(data).items() if key not in ROW_PARTS})
    clean = clean_report_data(report=report, data=merged, by=by)
    changes = {}
    for name, value in clean.scalars.items():
        old = getattr(report, name)
        if old != value:
            changes[name] = {"from": old, "to": value}
            setattr(report, name, value)
    old_met = sorted(report.met_contacts.values_list("pk", flat=True))
    new_met = sorted(contact.pk for contact in clean.met_contacts)
    if old_met != new_met:
        changes["met_contacts"] = {"from": old_met, "to": new_met}
    if not changes:
        return report
    _check_version(report=report, version=version)
    report.version += 1
    report.save()
    if "met_contacts" in changes:
        report.met_contacts.set(clean.met_contacts)
    VisitReportRevision.objects.create(report=report, changed_by=by, changes=changes)
    return report
