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

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from clients import services as contact_services
from clients.models import KeyContact
from programme.enums import VISITED_STAGES, Stage
from programme.services import enrolment_set_stage
from vipcrm.conflicts import FieldChange, check_version, shown

from ..enums import ContactCheckOutcome, ReportStatus, VisitStatus
from ..models import ContactCheck, Visit, VisitReport, VisitReportRevision
from . import followups
from .report_data import (
    CHOICE_FIELDS,
    ROW_PARTS,
    SCALAR_FIELDS,
    CleanReport,
    clean_report_data,
    normalise,
)

# --- The draft/finish cycle ---------------------------------------------------------------------


def _check_author(*, report: VisitReport, by) -> None:
    if report.author_id != by.pk:
        raise ValidationError(_("Only the author of the report may change it."))


PART_LABELS = {
    "contacts": _lazy("Key contacts"),
    "new_contacts": _lazy("New key persons"),
    "complaints": _lazy("Complaints"),
    "upsells": _lazy("Upsell"),
    "cross_sells": _lazy("Cross-sell"),
    "referrals": _lazy("Referrals"),
    "follow_ups": _lazy("Follow-ups promised"),
}


def _label(name: str) -> str:
    if name in PART_LABELS:
        return str(PART_LABELS[name])
    return str(VisitReport._meta.get_field(name).verbose_name)


def _shown(name: str, value) -> str:
    if name in CHOICE_FIELDS and value not in (None, ""):
        try:
            return str(CHOICE_FIELDS[name](value).label)
        except ValueError:
            return shown(value)
    if name == "met_contacts" and value:
        ids = [int(pk) for pk in value if str(pk).isdigit()]
        names = dict(KeyContact.objects.filter(pk__in=ids).values_list("pk", "full_name"))
        return ", ".join(sorted(names.get(pk, str(pk)) for pk in ids))
    return shown(value)


def _changes(pairs) -> list[FieldChange]:
    """``(name, yours, saved)`` → the fields that differ, as a person reads them."""
    return [
        FieldChange(
            field=name, label=_label(name), yours=_shown(name, yours), saved=_shown(name, saved)
        )
        for name, yours, saved in pairs
        if _shown(name, yours) != _shown(name, saved)
    ]


def _draft_changes(*, report: VisitReport, data: dict) -> list[FieldChange]:
    saved = report.draft or {}
    names = [*SCALAR_FIELDS, "met_contacts", *ROW_PARTS]
    return _changes((name, data.get(name), saved.get(name)) for name in names)


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
    check_version(
        current=report.version,
        sent=version,
        changes=lambda: _draft_changes(report=report, data=data),
    )
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
    check_version(
        current=report.version,
        sent=version,
        changes=lambda: _changes(
            (name, change["to"], change["from"]) for name, change in changes.items()
        ),
    )
    report.version += 1
    report.save()
    if "met_contacts" in changes:
        report.met_contacts.set(clean.met_contacts)
    VisitReportRevision.objects.create(report=report, changed_by=by, changes=changes)
    return report
