from django.urls import reverse
from django.utils import timezone

from clients.models import KeyContact


def test_contact_add_page_creates_the_contact(world, as_employee, employee):
    response = as_employee.post(
        reverse("clients:contact_add", args=[world.client.pk]),
        {"full_name": "Nina Orlova", "role": "influencer", "email": "nina@alfa.example"},
    )
    assert response.status_code == 302
    contact = KeyContact.objects.get(full_name="Nina Orlova")
    assert (contact.client, contact.added_by, contact.email) == (
        world.client,
        employee,
        "nina@alfa.example",
    )


def test_contact_edit_page_refuses_bad_input_and_keeps_it(world, as_employee):
    url = reverse("clients:contact_edit", args=[world.contact.pk])
    response = as_employee.post(url, {"full_name": "Pavel I.", "role": "boss", "email": "x"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in text and "Enter a valid email address" in text
    assert 'value="Pavel I."' in text
    world.contact.refresh_from_db()
    assert world.contact.full_name == "Pavel Ivanov"


def test_contact_confirm_and_left_from_the_card(world, as_employee):
    as_employee.post(reverse("clients:contact_confirm", args=[world.contact.pk]))
    world.contact.refresh_from_db()
    assert world.contact.verified_on == timezone.localdate()
    as_employee.post(reverse("clients:contact_mark_left", args=[world.contact.pk]))
    world.contact.refresh_from_db()
    assert (world.contact.left_company, world.contact.left_on) == (True, timezone.localdate())


def test_contact_pages_of_a_colleagues_client_are_404_and_management_403(
    world, as_colleague, as_director
):
    url = reverse("clients:contact_edit", args=[world.contact.pk])
    assert as_colleague.post(url, {"full_name": "X", "role": "user"}).status_code == 404
    assert as_director.post(url, {"full_name": "X", "role": "user"}).status_code == 403
    world.contact.refresh_from_db()
    assert world.contact.full_name == "Pavel Ivanov"
