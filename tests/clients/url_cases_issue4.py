"""Key contacts: editing pages on the client card and the writable contacts API."""

from tests.url_cases import DENIED, LOGIN, UrlCase, api

JSON = "application/json"


def _contact(world):
    return {"pk": world.contact.pk}


def _client(world):
    return {"pk": world.client.pk}


# Anyone who may see the client and may write edits its contacts; management reads only.
WRITE_PAGE = dict(
    anonymous=LOGIN, employee=302, colleague=404, manager=302, other_manager=302, director=403
)
FORM_PAGE = dict(
    anonymous=LOGIN, employee=200, colleague=404, manager=200, other_manager=200, director=403
)
CONTACT = {"full_name": "Nina Orlova", "role": "influencer", "phone": "+7 900"}

CASES = {
    "clients:contact_add": [
        UrlCase(FORM_PAGE, kwargs=_client),
        UrlCase(WRITE_PAGE, kwargs=_client, method="post", data=lambda world: CONTACT),
    ],
    "clients:contact_edit": [
        UrlCase(FORM_PAGE, kwargs=_contact),
        UrlCase(WRITE_PAGE, kwargs=_contact, method="post", data=lambda world: CONTACT),
    ],
    "clients:contact_confirm": UrlCase(WRITE_PAGE, kwargs=_contact, method="post"),
    "clients:contact_mark_left": UrlCase(WRITE_PAGE, kwargs=_contact, method="post"),
    "api-contact-list": [
        UrlCase(api()),
        UrlCase(
            dict(
                anonymous=DENIED,
                employee=201,
                colleague=404,
                manager=201,
                other_manager=201,
                director=403,
            ),
            method="post",
            data=lambda world: {"client": world.client.pk, **CONTACT},
            content_type=JSON,
        ),
    ],
    "api-contact-detail": [
        UrlCase(api(colleague=404), kwargs=_contact),
        UrlCase(
            api(colleague=404, director=403),
            kwargs=_contact,
            method="patch",
            data=lambda world: {"phone": "+7 901"},
            content_type=JSON,
        ),
    ],
    "api-contact-confirm": UrlCase(
        api(colleague=404, director=403), kwargs=_contact, method="post", content_type=JSON
    ),
    "api-contact-left": UrlCase(
        api(colleague=404, director=403), kwargs=_contact, method="post", content_type=JSON
    ),
}
