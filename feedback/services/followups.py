"""Opening the items a visit leads to. Their lifecycles (steps, won/lost, conversion) are added
here too; the visit report, the pages and the API all create them through these functions."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.enums import ClientKind, ContactRole
from clients.models import Client, KeyContact
from programme.models import Enrolment, Programme

from ..enums import CorrectiveActionStatus, OpportunityStatus, ReferralStatus
from ..models import CorrectiveAction, CorrectiveActionStep, FollowUp, Opportunity, Referral


@transaction.atomic
def corrective_action_open(
    *,
    client,
    complaint: str,
    owner,
    due_on: dt.date,
    opened_by,
    area: str = "service",
    action: str = "",
    programme=None,
    report=None,
) -> CorrectiveAction:
    """Opens a corrective action from a complaint. Side effect: its first step (open)."""
    corrective_action = CorrectiveAction(
        client=client,
        complaint=complaint,
        owner=owner,
        due_on=due_on,
        opened_by=opened_by,
        area=area,
        action=action,
        programme=programme,
        report=report,
    )
    corrective_action.full_clean()
    corrective_action.save()
    CorrectiveActionStep.objects.create(action=corrective_action, status="open", by=opened_by)
    return corrective_action


def opportunity_open(
    *,
    client,
    kind: str,
    owner,
    client_position=None,
    position=None,
    topic: str = "",
    description: str = "",
    expected_value: Decimal | None = None,
    programme=None,
    report=None,
) -> Opportunity:
    if client_position is not None and client_position.client_id != client.pk:
        raise ValidationError(_("That position is not one this client buys."))
    opportunity = Opportunity(
        client=client,
        kind=kind,
        owner=owner,
        client_position=client_position,
        position=position,
        topic=topic,
        description=description,
        expected_value=expected_value,
        programme=programme,
        report=report,
    )
    opportunity.full_clean()
    opportunity.save()
    return opportunity


def referral_add(
    *,
    referring_client,
    person_name: str,
    owner,
    referring_contact=None,
    company_name: str = "",
    phone: str = "",
    email: str = "",
    notes: str = "",
    programme=None,
    report=None,
) -> Referral:
    if referring_contact is not None and referring_contact.client_id != referring_client.pk:
        raise ValidationError(_("The referring contact works at another client."))
    referral = Referral(
        referring_client=referring_client,
        referring_contact=referring_contact,
        person_name=person_name,
        company_name=company_name,
        phone=phone,
        email=email,
        notes=notes,
        owner=owner,
        programme=programme,
        report=report,
    )
    referral.full_clean()
    referral.save()
    return referral


def follow_up_create(
    *, client, title: str, owner, due_on: dt.date, created_by, programme=None, report=None
) -> FollowUp:
    follow_up = FollowUp(
        client=client,
        title=title,
        owner=owner,
        due_on=due_on,
        created_by=created_by,
        programme=programme,
        report=report,
    )
    follow_up.full_clean()
    follow_up.save()
    return follow_up


# --- Follow-ups ---------------------------------------------------------------------------------


@transaction.atomic
def follow_up_mark_done(*, follow_up: FollowUp, by) -> FollowUp:
    """Marks a promise kept. Marking it again (a double click) changes nothing."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.done_at is not None:
        return follow_up
    follow_up.done_at = timezone.now()
    follow_up.done_by = by
    follow_up.save(update_fields=["done_at", "done_by"])
    return follow_up


@transaction.atomic
def follow_up_reschedule(*, follow_up: FollowUp, due_on: dt.date, reason: str, by) -> FollowUp:
    """Moves a pending follow-up to another day; the reason is kept on the follow-up.

    A new due date is a new event for the reminders (their key carries the due date)."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.done_at is not None:
        raise ValidationError(_("This follow-up is already done."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the follow-up is rescheduled.")})
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("The new due date cannot be in the past.")})
    if due_on == follow_up.due_on:
        raise ValidationError({"due_on": _("Pick a date other than the current due date.")})
    follow_up.due_on = due_on
    follow_up.reschedule_reason = reason
    follow_up.save(update_fields=["due_on", "reschedule_reason"])
    return follow_up


# --- Corrective actions -------------------------------------------------------------------------

# The quality loop runs one way, one step at a time.
CORRECTIVE_ACTION_NEXT = {
    CorrectiveActionStatus.OPEN: CorrectiveActionStatus.IN_PROGRESS,
    CorrectiveActionStatus.IN_PROGRESS: CorrectiveActionStatus.RESOLVED,
    CorrectiveActionStatus.RESOLVED: CorrectiveActionStatus.CLIENT_INFORMED,
}


@transaction.atomic
def corrective_action_move(
    *, corrective_action: CorrectiveAction, status: str, by, note: str = ""
) -> CorrectiveAction:
    """Moves a corrective action to its next step (open → in progress → resolved → client
    informed). Side effects: a CorrectiveActionStep with who, when and the note; the resolved and
    client-informed times."""
    corrective_action = CorrectiveAction.objects.select_for_update().get(pk=corrective_action.pk)
    expected = CORRECTIVE_ACTION_NEXT.get(CorrectiveActionStatus(corrective_action.status))
    if expected is None:
        raise ValidationError(_("This corrective action is closed: the client was informed."))
    if status != expected:
        raise ValidationError(
            _("The next step of this corrective action is “%(next)s”.") % {"next": expected.label}
        )
    now = timezone.now()
    corrective_action.status = status
    if status == CorrectiveActionStatus.RESOLVED:
        corrective_action.resolved_at = now
    if status == CorrectiveActionStatus.CLIENT_INFORMED:
        corrective_action.client_informed_at = now
    corrective_action.save(update_fields=["status", "resolved_at", "client_informed_at"])
    CorrectiveActionStep.objects.create(
        action=corrective_action, status=status, by=by, at=now, note=(note or "").strip()
    )
    return corrective_action


@transaction.atomic
def corrective_action_hand_over(
    *, corrective_action: CorrectiveAction, owner, due_on: dt.date, by, note: str = ""
) -> CorrectiveAction:
    """Gives a corrective action to another owner (anyone: quality, logistics, sales) or another
    due date. Side effect: a step recording the hand-over in the history."""
    corrective_action = CorrectiveAction.objects.select_for_update().get(pk=corrective_action.pk)
    if corrective_action.status == CorrectiveActionStatus.CLIENT_INFORMED:
        raise ValidationError(_("This corrective action is closed: the client was informed."))
    if not owner.is_active:
        raise ValidationError({"owner": _("This person can no longer log in.")})
    changes = []
    if owner.pk != corrective_action.owner_id:
        changes.append(
            _("Owner: %(name)s") % {"name": owner.get_full_name() or owner.get_username()}
        )
    if due_on != corrective_action.due_on:
        changes.append(_("Due: %(date)s") % {"date": due_on.isoformat()})
    if not changes:
        return corrective_action
    corrective_action.owner = owner
    corrective_action.due_on = due_on
    corrective_action.save(update_fields=["owner", "due_on"])
    text = "; ".join(str(change) for change in changes)
    if note.strip():
        text = f"{text}. {note.strip()}"
    CorrectiveActionStep.objects.create(
        action=corrective_action, status=corrective_action.status, by=by, note=text
    )
    return corrective_action


# --- Opportunities ------------------------------------------------------------------------------


def _open_opportunity(opportunity: Opportunity) -> Opportunity:
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if opportunity.status != OpportunityStatus.OPEN:
        raise ValidationError(
            _("This opportunity is already closed (%(status)s).")
            % {"status": opportunity.get_status_display()}
        )
    return opportunity


@transaction.atomic
def opportunity_win(*, opportunity: Opportunity, value: Decimal, by) -> Opportunity:
    """Closes an opportunity as won with the value won."""
    opportunity = _open_opportunity(opportunity)
    if value is None or value < 0:
        raise ValidationError({"value": _("Give the value won (zero or more).")})
    opportunity.status = OpportunityStatus.WON
    opportunity.won_value = value
    opportunity.closed_at = timezone.now()
    opportunity.save(update_fields=["status", "won_value", "closed_at"])
    return opportunity


@transaction.atomic
def opportunity_lose(*, opportunity: Opportunity, reason: str, by) -> Opportunity:
    """Closes an opportunity as lost, with the reason."""
    opportunity = _open_opportunity(opportunity)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the opportunity was lost.")})
    opportunity.status = OpportunityStatus.LOST
    opportunity.lost_reason = reason
    opportunity.closed_at = timezone.now()
    opportunity.save(update_fields=["status", "lost_reason", "closed_at"])
    return opportunity


# --- Referrals ----------------------------------------------------------------------------------

REFERRAL_MOVES = {
    ReferralStatus.NEW: {ReferralStatus.CONTACTED},
    ReferralStatus.CONTACTED: {ReferralStatus.MEETING},
}
OPEN_REFERRAL_STATUSES = (ReferralStatus.NEW, ReferralStatus.CONTACTED, ReferralStatus.MEETING)


def _locked_open_referral(referral: Referral) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status not in OPEN_REFERRAL_STATUSES:
        raise ValidationError(
            _("This referral is already closed (%(status)s).")
            % {"status": referral.get_status_display()}
        )
    return referral


@transaction.atomic
def referral_move(*, referral: Referral, status: str, by) -> Referral:
    """Moves a referral on: new → contacted → meeting. Side effect: the contacted time."""
    referral = _locked_open_referral(referral)
    if status not in REFERRAL_MOVES.get(ReferralStatus(referral.status), set()):
        raise ValidationError(
            _("A referral cannot go from “%(from)s” to “%(to)s”.")
            % {"from": referral.get_status_display(), "to": ReferralStatus(status).label}
        )
    referral.status = status
    if status == ReferralStatus.CONTACTED:
        referral.contacted_at = timezone.now()
    referral.save(update_fields=["status", "contacted_at"])
    return referral


@transaction.atomic
def referral_drop(*, referral: Referral, reason: str, by) -> Referral:
    referral = _locked_open_referral(referral)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the referral was dropped.")})
    referral.status = ReferralStatus.DROPPED
    referral.drop_reason = reason
    referral.closed_at = timezone.now()
    referral.save(update_fields=["status", "drop_reason", "closed_at"])
    return referral


def programmes_for_new_client(*, user):
    """The programmes whose list a converted referral may join: active ones the user runs."""
    return Programme.objects.active().managed_by(user)


@transaction.atomic
def referral_convert(
    *,
    referral: Referral,
    by,
    client_name: str,
    client_kind: str = ClientKind.CORPORATE,
    contact_name: str = "",
    contact_role: str = ContactRole.DECISION_MAKER,
    contact_phone: str = "",
    contact_email: str = "",
    programme: Programme | None = None,
) -> Client:
    """The referral became a client.

    Side effects: a new Client (its original salesperson is the referral's owner, its notes name
    who referred it), its first KeyContact, the referral linked to it (``became_client``) and
    closed, which credits the referring client and contact; optionally the client put on a
    programme's list (an Enrolment with the referral's owner as the original salesperson).
    Converting a referral twice is refused.
    """
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status == ReferralStatus.CONVERTED:
        raise ValidationError(_("This referral has already become a client."))
    if referral.status == ReferralStatus.DROPPED:
        raise ValidationError(_("This referral was dropped; it cannot become a client."))
    client_name = (client_name or "").strip()
    if not client_name:
        raise ValidationError({"client_name": _("Give the new client's name.")})
    if (
        programme is not None
        and not programmes_for_new_client(user=by).filter(pk=programme.pk).exists()
    ):
        raise ValidationError(
            {"programme": _("You can put the client only on an active programme you run.")}
        )
    referrer = str(referral.referring_client)
    if referral.referring_contact_id:
        referrer = f"{referral.referring_contact.full_name}, {referrer}"
    client = Client(
        name=client_name,
        kind=client_kind,
        original_salesperson=referral.owner,
        notes=_("Referred by %(referrer)s.") % {"referrer": referrer},
    )
    client.full_clean()
    client.save()
    contact_name = (contact_name or referral.person_name).strip()
    contact = KeyContact(
        client=client,
        full_name=contact_name,
        role=contact_role,
        phone=contact_phone or referral.phone,
        email=contact_email or referral.email,
        added_by=by,
    )
    contact.full_clean()
    contact.save()
    referral.status = ReferralStatus.CONVERTED
    referral.became_client = client
    referral.closed_at = timezone.now()
    referral.save(update_fields=["status", "became_client", "closed_at"])
    if programme is not None:
        Enrolment.objects.create(
            programme=programme, client=client, original_salesperson=referral.owner
        )
    return client
