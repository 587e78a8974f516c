"""The importer's pages: upload, preview, commit, progress of a big file, template downloads."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from clients.imports.models import ImportBatch, ImportStatus
from clients.models import Client, ClientVolume
from programme.models import Enrolment
from tests import factories

from .importfiles import VOLUME_HEADER, counts, csv_bytes

pytestmark = pytest.mark.django_db

ROWS = [
    [
        "Gamma Metals",
        "7701000001",
        "corporate",
        "Metals",
        "Moscow",
        "A",
        "Pavel Orlov",
        "decision_maker",
        "p.orlov@gamma.example",
    ],
    ["Bad Tax", "123", "", "", "", "", "", "", ""],
]


def post_file(http, url, content, name="clients.csv", **data):
    return http.post(url, {"file": SimpleUploadedFile(name, content), **data})


def test_client_list_shows_the_import_buttons_to_managers_only(as_manager, as_employee):
    url = reverse("clients:client_list")
    assert "Import clients" in as_manager.get(url).content.decode()
    assert "Import clients" not in as_employee.get(url).content.decode()


def test_upload_page_explains_the_columns(as_manager):
    page = as_manager.get(reverse("clients:import_clients")).content.decode()

    assert "Template (CSV)" in page
    assert "<code>tax_number</code>" in page
    assert "ИНН" in page
    assert "decision_maker, influencer, user, gatekeeper" in page


def test_upload_shows_the_preview_with_each_rows_outcome(as_manager, manager):
    factories.ClientFactory(name="Old Name", tax_number="7701000002")
    rows = [*ROWS, ["New Name", "7701000002", "", "", "", "", "", "", ""]]
    before = counts()

    response = post_file(as_manager, reverse("clients:import_clients"), csv_bytes(rows))

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == batch.get_absolute_url()
    page = as_manager.get(batch.get_absolute_url()).content.decode()
    assert 'data-line="2" data-action="new"' in page
    assert 'data-line="3" data-action="error"' in page
    assert 'data-line="4" data-action="update"' in page
    assert "“123” is not a tax number" in page
    assert "1 row has an error. Nothing is imported while any row has one" in page
    assert 'data-testid="commit-form"' not in page
    assert counts() == before


def test_filtering_the_preview_to_errors(as_manager):
    post_file(as_manager, reverse("clients:import_clients"), csv_bytes(ROWS))
    batch = ImportBatch.objects.get()

    page = as_manager.get(batch.get_absolute_url() + "?show=error").content.decode()

    assert 'data-line="3"' in page
    assert 'data-line="2"' not in page


def test_bad_file_shows_the_reason_on_the_upload_page(as_manager):
    before = counts()

    response = post_file(
        as_manager, reverse("clients:import_clients"), csv_bytes([["x"]], ["kind"])
    )

    assert response.status_code == 200
    assert "The file lacks the required columns" in response.content.decode()
    assert ImportBatch.objects.count() == 0
    assert counts() == before


def test_commit_imports_every_row(as_manager):
    post_file(as_manager, reverse("clients:import_clients"), csv_bytes(ROWS[:1]))
    batch = ImportBatch.objects.get()

    response = as_manager.post(reverse("clients:import_batch_commit", args=[batch.pk]), follow=True)

    page = response.content.decode()
    assert "Imported. New clients: 1; updated: 0." in page
    assert 'data-testid="committed"' in page
    assert Client.objects.get(tax_number="7701000001").name == "Gamma Metals"


def test_commit_with_errors_writes_nothing_and_says_why(as_manager):
    post_file(as_manager, reverse("clients:import_clients"), csv_bytes(ROWS))
    batch = ImportBatch.objects.get()
    before = counts()

    response = as_manager.post(reverse("clients:import_batch_commit", args=[batch.pk]), follow=True)

    assert "Fix the rows with errors in the file and upload it again" in response.content.decode()
    assert counts() == before


def test_import_into_a_programme_from_the_form(as_manager, world):
    url = reverse("clients:import_clients") + f"?programme={world.programme.pk}"
    assert f'<option value="{world.programme.pk}" selected>' in as_manager.get(url).content.decode()

    post_file(as_manager, url, csv_bytes(ROWS[:1]), programme=world.programme.pk)
    batch = ImportBatch.objects.get()
    as_manager.post(reverse("clients:import_batch_commit", args=[batch.pk]))

    assert batch.programme == world.programme
    assert Enrolment.objects.filter(
        programme=world.programme, client__tax_number="7701000001"
    ).exists()


def test_another_managers_programme_is_not_offered(as_other_manager, world):
    response = post_file(
        as_other_manager,
        reverse("clients:import_clients"),
        csv_bytes(ROWS[:1]),
        programme=world.programme.pk,
    )

    assert "Select a valid choice" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_volume_import_page(as_manager):
    factories.ClientFactory(name="Alfa", tax_number="7701000001")
    content = csv_bytes([["7701000001", "", "2026-01", "100"]], VOLUME_HEADER)

    post_file(as_manager, reverse("clients:import_volumes"), content)
    batch = ImportBatch.objects.get()
    response = as_manager.post(reverse("clients:import_batch_commit", args=[batch.pk]), follow=True)

    assert "Imported 1 volume row." in response.content.decode()
    assert ClientVolume.objects.get().amount == 100


@pytest.mark.parametrize(
    ("kind", "first"),
    [("clients", ["name", "tax_number", "kind"]), ("volumes", ["tax_number", "name", "period"])],
)
def test_template_downloads(as_manager, kind, first):
    csv_response = as_manager.get(reverse("clients:import_template", args=[kind, "csv"]))
    xlsx_response = as_manager.get(reverse("clients:import_template", args=[kind, "xlsx"]))

    assert csv_response["Content-Disposition"] == (
        f'attachment; filename="vipcrm-{kind}-template.csv"'
    )
    header = csv_response.content.decode("utf-8-sig").splitlines()[0].split(";")
    assert header[:3] == first
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    assert [cell.value for cell in sheet[1]][:3] == first
    assert sheet.max_row == 2


def test_unknown_template_is_404(as_manager):
    assert as_manager.get(reverse("clients:import_template", args=["x", "csv"])).status_code == 404
    assert (
        as_manager.get(reverse("clients:import_template", args=["clients", "pdf"])).status_code
        == 404
    )


def test_big_file_is_checked_and_committed_in_the_background(
    as_manager, settings, django_capture_on_commit_callbacks
):
    settings.VIPCRM = {**settings.VIPCRM, "IMPORT_INLINE_ROWS": 5}
    rows = [[f"Client {n}", f"77010000{n:02d}", "", "", "", "", "", "", ""] for n in range(8)]

    with django_capture_on_commit_callbacks() as callbacks:
        post_file(as_manager, reverse("clients:import_clients"), csv_bytes(rows))
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.VALIDATING
    page = as_manager.get(batch.get_absolute_url()).content.decode()
    assert 'data-testid="import-progress"' in page
    assert "Checking the rows: 0%" in page
    progress = as_manager.get(reverse("clients:import_batch_progress", args=[batch.pk]))
    assert 'hx-trigger="every 1s"' in progress.content.decode()
    assert "HX-Refresh" not in progress

    for callback in callbacks:
        callback()  # the worker (Celery runs eagerly in tests)
    batch.refresh_from_db()
    assert (batch.status, batch.new_count) == (ImportStatus.READY, 8)
    progress = as_manager.get(reverse("clients:import_batch_progress", args=[batch.pk]))
    assert progress["HX-Refresh"] == "true"

    with django_capture_on_commit_callbacks(execute=True):
        response = as_manager.post(
            reverse("clients:import_batch_commit", args=[batch.pk]), follow=True
        )
    assert "The import runs in the background" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert Client.objects.filter(name__startswith="Client ").count() == 8


def test_background_commit_that_fails_goes_back_to_the_preview(
    as_manager, manager, settings, django_capture_on_commit_callbacks
):
    settings.VIPCRM = {**settings.VIPCRM, "IMPORT_INLINE_ROWS": 1}
    header = ["name", "tax_number", "original_salesperson"]
    with django_capture_on_commit_callbacks(execute=True):
        post_file(
            as_manager,
            reverse("clients:import_clients"),
            csv_bytes([["A", "7701000001", "manager"], ["B", "7701000002", ""]], header),
        )
    batch = ImportBatch.objects.get()
    manager.is_active = False  # the salesperson leaves between the preview and the commit
    manager.save()
    before = counts()

    from clients.imports.services import import_batch_request_commit

    manager.is_active = True  # still logged in for the request itself
    with django_capture_on_commit_callbacks(execute=True):
        import_batch_request_commit(batch=batch, by=manager)

    batch.refresh_from_db()
    assert batch.status == ImportStatus.READY
    assert "no longer pass the checks" in batch.message
    assert batch.error_count == 1
    assert counts() == before


def test_preview_page_query_count_does_not_grow_with_rows(as_manager, django_assert_num_queries):
    def preview(rows):
        ImportBatch.objects.all().delete()
        post_file(as_manager, reverse("clients:import_clients"), csv_bytes(rows))
        return ImportBatch.objects.get().get_absolute_url()

    one = preview(ROWS[:1])
    as_manager.get(one)  # warm the session
    with CaptureQueriesContext(connection) as one_row:
        as_manager.get(one)
    expected = len(one_row.captured_queries)
    many = preview([[f"C{n}", f"77010001{n:02d}", "", "", "", "", "", "", ""] for n in range(60)])
    with django_assert_num_queries(expected):
        as_manager.get(many)


def test_imported_client_without_a_salesperson_shows_in_the_list_and_card(as_manager):
    post_file(as_manager, reverse("clients:import_clients"), csv_bytes(ROWS[:1]))
    as_manager.post(reverse("clients:import_batch_commit", args=[ImportBatch.objects.get().pk]))
    client = Client.objects.get(tax_number="7701000001")
    assert client.original_salesperson is None

    listing = as_manager.get(reverse("clients:client_list"))
    card = as_manager.get(client.get_absolute_url())

    assert "Gamma Metals" in listing.content.decode()
    assert "Pavel Orlov" in card.content.decode()


def test_preview_in_russian(as_manager):
    as_manager.cookies["django_language"] = "ru"

    post_file(as_manager, reverse("clients:import_clients"), csv_bytes(ROWS))
    page = as_manager.get(ImportBatch.objects.get().get_absolute_url()).content.decode()

    assert ImportBatch.objects.get().language == "ru"
    assert "«123» — не ИНН: у организации в нём 10 цифр, у физического лица — 12." in page
    assert "Будет создан новый сегмент «Metals»." in page
    assert "Загрузить исправленный файл" in page


def test_upload_page_query_count_does_not_grow_with_past_imports(
    as_manager, manager, django_assert_num_queries
):
    def add_batches(count):
        for n in range(count):
            ImportBatch.objects.create(kind="clients", file_name=f"f{n}.csv", uploaded_by=manager)

    add_batches(1)
    url = reverse("clients:import_clients")
    as_manager.get(url)
    with CaptureQueriesContext(connection) as one_batch:
        as_manager.get(url)
    expected = len(one_batch.captured_queries)
    add_batches(9)
    with django_assert_num_queries(expected):
        page = as_manager.get(url).content.decode()
    assert page.count("f1.csv") == 1
