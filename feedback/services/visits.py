"""Booking VIP visits (stage 5) and the employee's calendar feed.

A visit belongs to its employee: only they book, move or cancel it. Every path (pages, API)
calls these functions, which also move the client along the programme's stages.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import KeyContact
from programme.enums import Stage
from programme.models import Enrolment
from programme.services import enrolment_set_stage

from ..enums import VisitStatus
from ..models import CalendarFeed, Visit

# Stages from which booking a meeting moves the client to "meeting booked".
_BOOKABLE_FROM = {Stage.NOT_CONTACTED, Stage.DECLINED, Stage.UNREACHABLE}


def check_may_book(*, enrolment: Enrolment, by) -> None:
    if enrolment.assignee_id != by.pk:
        raise ValidationError(_("Only the employee this client is assigned to books its meetings."))
    if enrolment.programme.status != "active":
        raise ValidationError(_("Meetings are booked only in an active programme."))


def _check_future(scheduled_at: dt.datetime) -> None:
    if scheduled_at is None:
        raise ValidationError({"scheduled_at": _("Give the date and time of the meeting.")})
    if scheduled_at <= timezone.now():
        raise ValidationError(
            {"scheduled_at": _("The meeting is in the past: choose a time that is still ahead.")}
        )


def _checked_contacts(*, client, contacts) -> list[KeyContact]:
    contacts = list(contacts or ())
    for contact in contacts:
        if contact.client_id != client.pk:
            raise ValidationError(
                {"contacts": _("A chosen person is a contact of another client.")}
            )
        if contact.left_company:
            raise ValidationError(
                {"contacts": _("%(name)s has left the company.") % {"name": contact.full_name}}
            )
    return contacts


def _check_employee(*, visit: Visit, by) -> None:
    if visit.employee_id != by.pk:
        raise ValidationError(_("Only the employee of the meeting may change it."))


@transaction.atomic
def visit_book(
    *,
    enrolment: Enrolment,
    by,
    scheduled_at: dt.datetime,
    place: str = "",
    contacts=(),
) -> Visit:
    """Books a VIP visit for a client on the employee's personal list.

    Side effects: moves the enrolment to "meeting booked" (from not contacted, declined or
    unreachable). Booking the same time twice (a double click) returns the first visit.
    """
    # Locked, so two clicks at once still make one visit.
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("programme", "client")
        .get(pk=enrolment.pk)
    )
    check_may_book(enrolment=enrolment, by=by)
    _check_future(scheduled_at)
    contacts = _checked_contacts(client=enrolment.client, contacts=contacts)
    existing = Visit.objects.filter(
        enrolment=enrolment, employee=by, scheduled_at=scheduled_at, status=VisitStatus.PLANNED
    ).first()
    if existing is not None:
        return existing
    visit = Visit(
        client=enrolment.client,
        enrolment=enrolment,
        employee=by,
        scheduled_at=scheduled_at,
        place=place,
        created_by=by,
    )
    visit.full_clean()
    visit.save()
    visit.contacts.set(contacts)
    if Stage(enrolment.stage) in _BOOKABLE_FROM:
        enrolment_set_stage(enrolment=enrolment, stage=Stage.MEETING_BOOKED)
    return visit


@transaction.atomic
def visit_reschedule(
    *,
    visit: Visit,
    by,
    scheduled_at: dt.datetime,
    reason: str,
    place: str | None = None,
    contacts=None,
) -> Visit:
    """Moves a planned meeting to another time (with the reason, kept), or changes its place or
    the key contacts to meet. A change to what it already has writes nothing."""
    visit = Visit.objects.select_for_update(of=("self",)).select_related("client").get(pk=visit.pk)
    _check_employee(visit=visit, by=by)
    if visit.status != VisitStatus.PLANNED:
        raise ValidationError(_("Only a planned meeting can be rescheduled."))
    if contacts is not None:
        contacts = _checked_contacts(client=visit.client, contacts=contacts)
    time_changed = scheduled_at != visit.scheduled_at
    place_changed = place is not None and place != visit.place
    contacts_changed = contacts is not None and {c.pk for c in contacts} != set(
        visit.contacts.values_list("pk", flat=True)
    )
    if not (time_changed or place_changed or contacts_changed):
        return visit
    fields = ["updated_at"]
    if time_changed:
        _check_future(scheduled_at)
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Say why the meeting is moved.")})
        visit.scheduled_at = scheduled_at
        visit.reschedule_reason = reason.strip()
        fields += ["scheduled_at", "reschedule_reason"]
    if place_changed:
        visit.place = place
        fields.append("place")
    visit.save(update_fields=fields)
    if contacts_changed:
        visit.contacts.set(contacts)
    return visit


@transaction.atomic
def visit_cancel(*, visit: Visit, by, reason: str) -> Visit:
    """Cancels a planned meeting with a reason. Cancelling twice is a no-op.

    Side effect: a client with no other planned meeting goes back from "meeting booked" to
    "not contacted", so it shows up again as a client to book.
    """
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    _check_employee(visit=visit, by=by)
    if visit.status == VisitStatus.CANCELLED:
        return visit
    if visit.status != VisitStatus.PLANNED:
        raise ValidationError(_("A meeting that was held cannot be cancelled."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the meeting is cancelled.")})
    visit.status = VisitStatus.CANCELLED
    visit.cancel_reason = reason.strip()
    visit.save(update_fields=["status", "cancel_reason", "updated_at"])
    if visit.enrolment_id:
        enrolment = visit.enrolment
        still_planned = enrolment.visits.filter(status=VisitStatus.PLANNED).exists()
        if enrolment.stage == Stage.MEETING_BOOKED and not still_planned:
            enrolment_set_stage(enrolment=enrolment, stage=Stage.NOT_CONTACTED)
    return visit


# --- The calendar feed --------------------------------------------------------------------------


def calendar_feed_active(*, user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


@transaction.atomic
def calendar_feed_create(*, user) -> CalendarFeed:
    """Gives the user a feed URL; if they have one, that one (a double click makes one feed)."""
    return calendar_feed_active(user=user) or CalendarFeed.objects.create(user=user)


@transaction.atomic
def calendar_feed_revoke(*, user) -> None:
    """The old URL stops working at once (e.g. a lost phone)."""
    CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def calendar_feed_regenerate(*, user) -> CalendarFeed:
    """Revokes the current URL and issues a new one."""
    calendar_feed_revoke(user=user)
    return CalendarFeed.objects.create(user=user)
