import datetime as dt

from django.utils import timezone

from feedback.models import FollowUp, Visit
from tests import factories

JSON = "application/json"


def _future(days=2):
    return (timezone.now() + dt.timedelta(days=days)).replace(microsecond=0).isoformat()


def test_api_books_a_visit_once_even_when_sent_twice(world, as_employee):
    body = {"enrolment": world.enrolment.pk, "scheduled_at": _future(), "place": "HQ"}
    first = as_employee.post("/api/v1/visits/", body, content_type=JSON)
    second = as_employee.post("/api/v1/visits/", body, content_type=JSON)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Visit.objects.count() == 1
    world.enrolment.refresh_from_db()
    assert world.enrolment.stage == "meeting_booked"


def test_api_refuses_a_meeting_in_the_past_and_a_foreign_contact(world, as_employee):
    past = (timezone.now() - dt.timedelta(days=1)).isoformat()
    response = as_employee.post(
        "/api/v1/visits/",
        {"enrolment": world.enrolment.pk, "scheduled_at": past},
        content_type=JSON,
    )
    assert response.status_code == 400
    assert response.json() == {
        "scheduled_at": ["The meeting is in the past: choose a time that is still ahead."]
    }
    response = as_employee.post(
        "/api/v1/visits/",
        {
            "enrolment": world.enrolment.pk,
            "scheduled_at": _future(),
            "contacts": [world.colleague_contact.pk],
        },
        content_type=JSON,
    )
    assert response.status_code == 400
    assert response.json() == {"contacts": ["A chosen person is not a contact of this client."]}
    assert Visit.objects.count() == 0


def test_api_report_draft_then_finish_and_refusal_keeps_the_draft(world, as_employee):
    visit = factories.VisitFactory(enrolment=world.enrolment)
    url = f"/api/v1/visits/{visit.pk}/report/"
    assert as_employee.get(url).json()["status"] is None

    response = as_employee.put(url, {"score_goods": 9, "prospects": "Grow"}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["draft"] == {"score_goods": 9, "prospects": "Grow"}
    version = response.json()["version"]

    response = as_employee.post(url, {"version": version}, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["score_goods"] == ["A score is a whole number from 1 to 5."]
    assert response.json()["met_contacts"] == ["Say who was met: tick at least one key person."]
    assert as_employee.get(url).json()["draft"] == {"score_goods": 9, "prospects": "Grow"}

    body = {
        "version": version,
        "met_contacts": [world.contact.pk],
        "score_goods": 4,
        "score_services": 3,
        "score_service": 5,
        "follow_ups": [
            {"title": "Send prices", "due_on": (timezone.localdate() + dt.timedelta(3)).isoformat()}
        ],
    }
    response = as_employee.post(url, body, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["status"] == "finished"
    assert (response.json()["score_goods"], response.json()["met_contacts"]) == (
        4,
        [world.contact.pk],
    )
    again = as_employee.post(url, body, content_type=JSON)
    assert again.status_code == 200
    assert FollowUp.objects.count() == 1
    world.enrolment.refresh_from_db()
    assert world.enrolment.stage == "visited"


def test_api_my_enrolments_lists_the_personal_list(world, as_employee, employee):
    factories.FollowUpFactory(client=world.client, owner=employee)
    response = as_employee.get("/api/v1/me/enrolments/")
    rows = response.json()["results"]
    assert [(r["client_name"], r["stage"], r["open_follow_ups"]) for r in rows] == [
        ("Alfa Steel", "not_contacted", 1)
    ]


def test_api_contacts_create_edit_confirm_and_left(world, as_employee, employee):
    response = as_employee.post(
        "/api/v1/contacts/",
        {"client": world.client.pk, "full_name": "Nina", "role": "user", "email": "bad"},
        content_type=JSON,
    )
    assert response.status_code == 400
    assert "email" in response.json()
    response = as_employee.post(
        "/api/v1/contacts/",
        {"client": world.client.pk, "full_name": "Nina", "role": "user"},
        content_type=JSON,
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    as_employee.patch(f"/api/v1/contacts/{pk}/", {"phone": "+7 5"}, content_type=JSON)
    confirmed = as_employee.post(f"/api/v1/contacts/{pk}/confirm/").json()
    assert (confirmed["phone"], confirmed["verified_on"]) == (
        "+7 5",
        timezone.localdate().isoformat(),
    )
    left = as_employee.post(f"/api/v1/contacts/{pk}/left/").json()
    assert (left["left_company"], left["left_on"]) == (True, timezone.localdate().isoformat())
    response = as_employee.post(f"/api/v1/contacts/{pk}/confirm/")
    assert response.status_code == 400
    assert "has left the company" in response.json()["detail"][0]


def test_api_report_rejects_malformed_input_with_reasons_not_500(world, as_employee):
    visit = factories.VisitFactory(enrolment=world.enrolment)
    url = f"/api/v1/visits/{visit.pk}/report/"
    bodies = [
        {"version": "abc", "prospects": "x"},
        {"met_contacts": {"a": 1}, "score_goods": 4.5, "score_services": "", "score_service": None},
        {"contacts": "not a list", "complaints": [{"complaint": "x", "due_on": "31.12.2026"}]},
        {"upsells": [{"client_position": "x"}], "cross_sells": [{"position": 999999}]},
        {"referrals": [{"person_name": "A", "email": "not-an-email"}], "follow_ups": [{}]},
    ]
    for body in bodies:
        response = as_employee.post(url, body, content_type=JSON)
        assert response.status_code == 400, (body, response.content)
    report = visit.report
    report.refresh_from_db()
    assert report.status == "draft"
    assert FollowUp.objects.count() == 0


def test_api_put_on_a_finished_report_corrects_it_with_history(world, as_employee):
    from feedback.models import VisitReportRevision

    visit = factories.VisitFactory(enrolment=world.enrolment)
    url = f"/api/v1/visits/{visit.pk}/report/"
    body = {"met_contacts": [world.contact.pk], "score_goods": 4, "score_services": 3}
    as_employee.post(url, {**body, "score_service": 5}, content_type=JSON)

    response = as_employee.put(url, {"score_service": 2}, content_type=JSON)

    assert response.status_code == 200
    assert response.json()["score_service"] == 2
    assert VisitReportRevision.objects.get().changes == {"score_service": {"from": 5, "to": 2}}
