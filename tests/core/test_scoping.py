"""Every path that names an object is scoped to what the user may see: lookups by id, the API's
filters (and the browsable API's filter dropdowns), related fields and the forms' dropdowns."""

import pytest
from django.urls import reverse

from feedback.forms.visits import VisitBookForm
from feedback.models import Visit
from programme.models import Programme
from tests import factories

pytestmark = pytest.mark.django_db


def test_api_filter_by_colleague_client_answers_like_an_unknown_id(world, as_employee):
    """Filtering by a colleague's client id tells nothing: the same answer as an id that does
    not exist (no existence oracle)."""
    theirs = as_employee.get("/api/v1/visits/", {"client": world.colleague_client.pk})
    unknown = as_employee.get("/api/v1/visits/", {"client": 999_999})

    assert theirs.status_code == unknown.status_code == 400
    assert theirs.json() == unknown.json()


def test_api_filter_by_own_client_is_accepted(world, as_employee):
    response = as_employee.get("/api/v1/visits/", {"client": world.client.pk})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "url", ["/api/v1/visits/", "/api/v1/follow-ups/", "/api/v1/opportunities/", "/api/v1/contacts/"]
)
def test_browsable_api_filter_dropdown_lists_no_colleague_client(world, as_employee, url):
    response = as_employee.get(url, HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    page = response.content.decode()
    assert world.client.name in page
    assert world.colleague_client.name not in page


def test_browsable_api_programme_dropdown_lists_no_other_managers_programme(
    world, manager, other_manager, as_manager
):
    factories.ProgrammeFactory(manager=other_manager, name="Somebody Else's Run")

    response = as_manager.get("/api/v1/follow-ups/", HTTP_ACCEPT="text/html")

    page = response.content.decode()
    assert world.programme.name in page
    assert "Somebody Else&#x27;s Run" not in page and "Somebody Else's Run" not in page


def test_api_booking_with_colleague_contact_is_refused_as_unknown(world, as_employee):
    data = {
        "enrolment": world.enrolment.pk,
        "scheduled_at": "2030-03-01T10:00:00Z",
        "contacts": [world.colleague_contact.pk],
    }
    unknown = dict(data, contacts=[999_999])

    theirs = as_employee.post("/api/v1/visits/", data, content_type="application/json")
    nobody = as_employee.post("/api/v1/visits/", unknown, content_type="application/json")

    assert theirs.status_code == nobody.status_code == 400
    assert theirs.json() == nobody.json()
    assert Visit.objects.count() == 0


def test_api_booking_for_colleague_enrolment_answers_404(world, as_employee):
    data = {"enrolment": world.colleague_enrolment.pk, "scheduled_at": "2030-03-01T10:00:00Z"}

    response = as_employee.post("/api/v1/visits/", data, content_type="application/json")

    assert response.status_code == 404
    assert Visit.objects.count() == 0


def test_visit_form_offers_and_accepts_only_the_clients_contacts(world):
    form = VisitBookForm(
        {"scheduled_at": "2030-03-01T10:00", "contacts": [world.colleague_contact.pk]},
        client=world.client,
    )

    assert not form.is_valid()
    assert "contacts" in form.errors
    assert list(form.fields["contacts"].queryset) == [world.contact]


def test_visit_book_page_with_colleague_contact_saves_nothing(world, as_employee):
    url = reverse("feedback:visit_book", args=[world.enrolment.pk])

    response = as_employee.post(
        url, {"scheduled_at": "2030-03-01T10:00", "contacts": [world.colleague_contact.pk]}
    )

    assert response.status_code == 200
    assert world.colleague_contact.full_name not in response.content.decode()
    assert Visit.objects.count() == 0


def test_api_convert_referral_into_other_managers_programme_is_refused(
    world, employee, other_manager, as_employee
):
    theirs = factories.ProgrammeFactory(manager=other_manager, name="Other run")
    referral = factories.ReferralFactory(referring_client=world.client, owner=employee)

    response = as_employee.post(
        f"/api/v1/referrals/{referral.pk}/convert/",
        {"client_name": "Gamma", "programme": theirs.pk},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "programme" in response.json()
    assert not theirs.enrolments.exists()


def test_api_convert_answers_another_managers_programme_like_an_unknown_one(
    world, employee, other_manager, as_employee
):
    theirs = factories.ProgrammeFactory(manager=other_manager, name="Other run")
    referral = factories.ReferralFactory(referring_client=world.client, owner=employee)
    url = f"/api/v1/referrals/{referral.pk}/convert/"

    def refusal(programme_id):
        response = as_employee.post(
            url,
            {"client_name": "Gamma", "programme": programme_id},
            content_type="application/json",
        )
        assert response.status_code == 400
        return response.json()["programme"][0].replace(str(programme_id), "<id>")

    assert refusal(theirs.pk) == refusal(987654)


def test_api_assign_outside_the_pool_is_refused(world, manager, as_manager):
    outsider = factories.staff_user(username="outsider")

    response = as_manager.post(
        f"/api/v1/enrolments/{world.enrolment.pk}/assign/",
        {"assignee": outsider.pk, "reason": "try"},
        content_type="application/json",
    )

    assert response.status_code == 400
    world.enrolment.refresh_from_db()
    assert world.enrolment.assignee_id != outsider.pk


def test_programme_lookups_by_id_are_scoped(world, other_manager):
    """A programme manager's lookups go through programmes_for: another manager's run is 404."""
    from django.test import Client as HttpClient

    http = HttpClient()
    http.force_login(other_manager)

    response = http.get(reverse("programme:programme_detail", args=[world.programme.pk]))

    assert response.status_code == 404
    assert Programme.objects.filter(pk=world.programme.pk).exists()


def test_dashboard_export_holds_only_the_managers_own_programmes(world, manager, other_manager):
    from django.test import Client as HttpClient

    factories.ProgrammeFactory(manager=other_manager, name="Somebody Else's Run")
    http = HttpClient()
    http.force_login(manager)
    url = reverse("dashboards:export", args=["progress", "programmes", "csv"])

    own = http.get(url)
    named = http.get(url, {"programme": Programme.objects.get(manager=other_manager).pk})

    assert own.status_code == 200
    text = b"".join(own.streaming_content if own.streaming else [own.content]).decode()
    assert "VIP 2026" in text
    assert "Somebody Else" not in text
    assert named.status_code == 404


def test_dashboard_export_is_404_for_an_employee(world, as_employee):
    url = reverse("dashboards:export", args=["progress", "programmes", "csv"])

    assert as_employee.get(url).status_code == 404
