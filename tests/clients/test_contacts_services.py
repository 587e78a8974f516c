import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clients import services
from clients.models import KeyContact


def test_contact_create_credits_the_person_who_added_it(world, employee):
    contact = services.contact_create(
        client=world.client, by=employee, full_name=" Nina Orlova ", role="influencer"
    )
    contact = KeyContact.objects.get(pk=contact.pk)
    assert (contact.full_name, contact.role, contact.added_by, contact.client) == (
        "Nina Orlova",
        "influencer",
        employee,
        world.client,
    )


def test_contact_create_refuses_a_bad_role_and_e_mail(world, employee):
    with pytest.raises(ValidationError) as error:
        services.contact_create(
            client=world.client, by=employee, full_name="X", role="boss", email="no-at"
        )
    assert set(error.value.message_dict) == {"role", "email"}
    assert KeyContact.objects.filter(full_name="X").count() == 0


def test_contact_update_changes_only_editable_fields(world, employee):
    services.contact_update(contact=world.contact, by=employee, phone="+7 999", job_title="CEO")
    world.contact.refresh_from_db()
    assert (world.contact.phone, world.contact.job_title) == ("+7 999", "CEO")
    with pytest.raises(ValidationError):
        services.contact_update(contact=world.contact, by=employee, verified_on=None)


def test_contact_confirm_sets_verified_on_and_refuses_a_contact_who_left(world, employee):
    services.contact_confirm(contact=world.contact, by=employee)
    world.contact.refresh_from_db()
    assert world.contact.verified_on == timezone.localdate()

    services.contact_mark_left(contact=world.contact, by=employee, on=dt.date(2026, 1, 5))
    services.contact_mark_left(contact=world.contact, by=employee)  # twice keeps the first date
    world.contact.refresh_from_db()
    assert (world.contact.left_company, world.contact.left_on) == (True, dt.date(2026, 1, 5))
    with pytest.raises(ValidationError, match="has left the company"):
        services.contact_confirm(contact=world.contact, by=employee)


def test_contact_create_twice_in_a_row_adds_one_person(world, employee, colleague):
    first = services.contact_create(client=world.client, by=employee, full_name="Nina", role="user")
    again = services.contact_create(client=world.client, by=employee, full_name="Nina", role="user")
    assert again == first
    assert KeyContact.objects.filter(full_name="Nina").count() == 1
