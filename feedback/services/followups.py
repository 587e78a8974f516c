"""Opening the items a visit leads to. Their lifecycles (steps, won/lost, conversion) are added
here too; the visit report, the pages and the API all create them through these functions."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

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
