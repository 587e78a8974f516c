"""The importer's API: POST a file for the preview, POST .../commit/ to import."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clients.imports.models import ImportBatch, ImportStatus
from clients.models import Client, ClientVolume
from programme.models import Enrolment
from tests import factories

from .importfiles import VOLUME_HEADER, counts, csv_bytes

pytestmark = pytest.mark.django_db

CLIENTS_URL = "/api/v1/imports/clients/"
VOLUMES_URL = "/api/v1/imports/volumes/"
HEADER = ["name", "tax_number", "contact_name", "contact_role"]


def post_file(http, url, content, name="clients.csv", **data):
    return http.post(url, {"file": SimpleUploadedFile(name, content), **data})


def test_post_answers_the_preview_and_the_batch_id(as_manager):
    factories.ClientFactory(name="Old", tax_number="7701000002")
    rows = [
        ["Gamma", "7701000001", "Ann Lee", "лпр"],
        ["New Old", "7701000002", "", ""],
        ["Bad", "7701000001", "", ""],
    ]
    before = counts()

    response = post_file(as_manager, CLIENTS_URL, csv_bytes(rows, HEADER))

    assert response.status_code == 201
    body = response.json()
    assert body["id"] == ImportBatch.objects.get().pk
    assert (body["status"], body["new_count"], body["update_count"], body["error_count"]) == (
        "ready",
        1,
        1,
        1,
    )
    assert [(row["line"], row["action"]) for row in body["rows"]] == [
        (2, "new"),
        (3, "update"),
        (4, "error"),
    ]
    assert body["rows"][2]["errors"] == [
        {"column": "tax_number", "message": "Row 2 has the same tax number."}
    ]
    assert counts() == before


def test_commit_imports_and_answers_the_summary(as_manager):
    batch_id = post_file(
        as_manager, CLIENTS_URL, csv_bytes([["Gamma", "7701000001", "Ann Lee", "user"]], HEADER)
    ).json()["id"]

    response = as_manager.post(f"{CLIENTS_URL}{batch_id}/commit/")

    assert response.status_code == 200
    assert response.json()["status"] == "committed"
    assert Client.objects.get(tax_number="7701000001").contacts.get().full_name == "Ann Lee"
    assert as_manager.get(f"{CLIENTS_URL}{batch_id}/").json()["status"] == "committed"


def test_commit_with_errors_answers_400_and_writes_nothing(as_manager):
    rows = [["Gamma", "7701000001", "", ""], ["Bad", "12", "", ""]]
    batch_id = post_file(as_manager, CLIENTS_URL, csv_bytes(rows, HEADER)).json()["id"]
    before = counts()

    response = as_manager.post(f"{CLIENTS_URL}{batch_id}/commit/")

    assert response.status_code == 400
    assert response.json() == {
        "detail": [
            "Fix the rows with errors in the file and upload it again; nothing was imported."
        ]
    }
    assert counts() == before


def test_bad_file_answers_400_with_the_reason(as_manager):
    before = counts()

    response = post_file(as_manager, CLIENTS_URL, b"name;tax_number\n=1+1;7701000001\n")

    assert response.status_code == 400
    assert response.json()["detail"][0].startswith("Cell A2 holds a formula (=1+1).")
    assert counts() == before
    assert ImportBatch.objects.count() == 0


def test_missing_file_answers_400(as_manager):
    response = as_manager.post(CLIENTS_URL, {})

    assert response.status_code == 400
    assert "file" in response.json()


def test_import_into_a_programme_and_the_monopolised_rule(as_manager, world, employee, colleague):
    header = ["name", "tax_number", "original_salesperson", "assessment", "assignee"]
    rows = [
        ["Gamma", "7701000001", "employee", "monopolised", "employee"],
        ["Delta", "7701000002", "employee", "monopolised", "colleague"],
    ]

    body = post_file(
        as_manager, CLIENTS_URL, csv_bytes(rows, header), programme=world.programme.pk
    ).json()

    assert [row["action"] for row in body["rows"]] == ["error", "new"]
    assert body["rows"][0]["errors"][0]["column"] == "assignee"
    assert as_manager.post(f"{CLIENTS_URL}{body['id']}/commit/").status_code == 400
    assert not Enrolment.objects.filter(client__name__in=["Gamma", "Delta"]).exists()


def test_another_managers_programme_is_refused(as_other_manager, world):
    response = post_file(
        as_other_manager,
        CLIENTS_URL,
        csv_bytes([["Gamma", "7701000001", "", ""]], HEADER),
        programme=world.programme.pk,
    )

    assert response.status_code == 400
    assert "programme" in response.json()


def test_volumes_api(as_manager):
    factories.ClientFactory(name="Alfa", tax_number="7701000001")
    content = csv_bytes([["7701000001", "", "2026-04", "42"]], VOLUME_HEADER)

    body = post_file(as_manager, VOLUMES_URL, content).json()
    response = as_manager.post(f"{VOLUMES_URL}{body['id']}/commit/")

    assert [row["action"] for row in body["rows"]] == ["new"]
    assert response.status_code == 200
    assert ClientVolume.objects.get().period == dt.date(2026, 4, 1)


def test_a_client_batch_is_not_found_under_volumes(as_manager):
    batch_id = post_file(
        as_manager, CLIENTS_URL, csv_bytes([["Gamma", "7701000001", "", ""]], HEADER)
    ).json()["id"]

    assert as_manager.get(f"{VOLUMES_URL}{batch_id}/").status_code == 404


def test_big_file_commits_in_the_background(
    as_manager, settings, django_capture_on_commit_callbacks
):
    settings.VIPCRM = {**settings.VIPCRM, "IMPORT_INLINE_ROWS": 2}
    rows = [[f"Client {n}", f"77010000{n:02d}", "", ""] for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        body = post_file(as_manager, CLIENTS_URL, csv_bytes(rows, HEADER)).json()
    assert body["status"] == "validating"
    assert as_manager.get(f"{CLIENTS_URL}{body['id']}/").json()["status"] == "ready"

    with django_capture_on_commit_callbacks(execute=True):
        response = as_manager.post(f"{CLIENTS_URL}{body['id']}/commit/")

    assert response.status_code == 202
    assert ImportBatch.objects.get().status == ImportStatus.COMMITTED
    assert Client.objects.filter(name__startswith="Client ").count() == 3


@pytest.mark.parametrize("who", ["as_employee", "as_director"])
def test_employees_and_management_may_not_import(who, request):
    http = request.getfixturevalue(who)
    before = counts()

    response = post_file(http, CLIENTS_URL, csv_bytes([["Gamma", "7701000001", "", ""]], HEADER))

    assert response.status_code == 403
    assert counts() == before
