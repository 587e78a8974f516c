"""Writes of key contacts. The client card, the visit report and the API all go through these,
so that "verified on" and "left the company" mean the same everywhere."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Client, KeyContact

# The fields a person may edit on a key contact (the rest is kept by the services).
# The same person added again by the same user this soon is a double submit, not a namesake.
DUPLICATE_WINDOW = dt.timedelta(minutes=10)

EDITABLE_FIELDS = ("full_name", "role", "job_title", "phone", "email", "birthday", "notes")


@transaction.atomic
def contact_create(
    *,
    client: Client,
    by,
    full_name: str,
    role: str,
    job_title: str = "",
    phone: str = "",
    email: str = "",
    birthday: dt.date | None = None,
    notes: str = "",
    verified_on: dt.date | None = None,
) -> KeyContact:
    """Adds a key person at the client, credited to ``by`` (the monopolisation signal counts
    who added the contacts). The same name and role added by the same user within minutes
    returns the contact already added."""
    full_name = (full_name or "").strip()
    # A double submit (or a retried API call) must not add the person twice.
    just_added = KeyContact.objects.filter(
        client=client,
        full_name=full_name,
        role=role,
        added_by=by,
        created_at__gte=timezone.now() - DUPLICATE_WINDOW,
    ).first()
    if just_added is not None:
        return just_added
    contact = KeyContact(
        client=client,
        full_name=full_name,
        role=role,
        job_title=job_title,
        phone=phone,
        email=email,
        birthday=birthday,
        notes=notes,
        verified_on=verified_on,
        added_by=by,
    )
    contact.full_clean()
    contact._history_user = by  # the audit's "who", also outside a request
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, contact: KeyContact, by, **fields) -> KeyContact:
    """Changes a contact's details. Only the editable fields; an unchanged value writes
    nothing (a double submit is harmless)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These details cannot be edited: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    contact = KeyContact.objects.select_for_update().get(pk=contact.pk)
    changed = [name for name, value in fields.items() if getattr(contact, name) != value]
    if not changed:
        return contact
    for name in changed:
        setattr(contact, name, fields[name])
    contact.full_clean()
    contact._history_user = by  # the audit's "who", also outside a request
    contact.save(update_fields=[*changed, "updated_at"])
    return contact


@transaction.atomic
def contact_confirm(*, contact: KeyContact, by, on: dt.date | None = None) -> KeyContact:
    """Records that the contact's details were checked with the client: sets "verified on"."""
    contact = KeyContact.objects.select_for_update().get(pk=contact.pk)
    if contact.left_company:
        raise ValidationError(
            _("%(name)s has left the company; a contact who left cannot be confirmed.")
            % {"name": contact.full_name}
        )
    on = on or timezone.localdate()
    if contact.verified_on != on:
        contact.verified_on = on
        contact._history_user = by  # the audit's "who", also outside a request
        contact.save(update_fields=["verified_on", "updated_at"])
    return contact


@transaction.atomic
def contact_mark_left(*, contact: KeyContact, by, on: dt.date | None = None) -> KeyContact:
    """Marks that the person left the client. Marking twice keeps the first date."""
    contact = KeyContact.objects.select_for_update().get(pk=contact.pk)
    if contact.left_company:
        return contact
    contact.left_company = True
    contact.left_on = on or timezone.localdate()
    contact._history_user = by  # the audit's "who", also outside a request
    contact.save(update_fields=["left_company", "left_on", "updated_at"])
    return contact
