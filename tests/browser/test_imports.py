"""Journey: the demo manager imports clients from a spreadsheet — template, preview with a new,
an updated and a wrong row, a fixed file, the commit, and the clients in the list."""

import csv

import pytest

from clients.models import Client

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _write(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)


def _upload(page, path):
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_test_id("summary").wait_for()


def test_manager_imports_clients_from_a_csv(page, demo, tmp_path):
    known = Client.objects.filter(tax_number__regex=r"^\d{10}$").order_by("id").first()
    log_in(page, "manager")

    page.goto("/clients/")
    page.get_by_role("link", name="Import clients").click()
    page.get_by_test_id("column-help").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Template (CSV)").click()
    template = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    header = template[0].split(";")
    assert header[:3] == ["name", "tax_number", "kind"]

    def row(name, tax_number, city):
        values = dict.fromkeys(header, "")
        values.update(name=name, tax_number=tax_number, city=city, tier="B")
        return [values[column] for column in header]

    rows = [
        row("Journey Newco", "7709999991", "Kazan"),
        row(known.name, known.tax_number, "Samara"),
        row("Journey Typo", "77-0999-99X", "Omsk"),
    ]
    _write(tmp_path / "clients.csv", header, rows)
    _upload(page, tmp_path / "clients.csv")

    assert page.get_by_test_id("new-count").inner_text() == "1"
    assert page.get_by_test_id("update-count").inner_text() == "1"
    assert page.get_by_test_id("error-count").inner_text() == "1"
    table = page.get_by_test_id("preview-table")
    assert table.locator("[data-line='2'][data-action='new']").is_visible()
    assert table.locator("[data-line='3'][data-action='update']").is_visible()
    error_row = table.locator("[data-line='4'][data-action='error']")
    assert "Tax number: “77-0999-99X” is not a tax number" in error_row.inner_text()
    assert page.get_by_test_id("commit-form").count() == 0

    rows[2] = row("Journey Typo", "7709999992", "Omsk")
    _write(tmp_path / "clients-fixed.csv", header, rows)
    page.get_by_role("link", name="Upload the fixed file").click()
    _upload(page, tmp_path / "clients-fixed.csv")
    assert page.get_by_test_id("error-count").inner_text() == "0"
    assert page.get_by_test_id("new-count").inner_text() == "2"
    page.get_by_role("button", name="Import all 3 rows").click()

    assert "Imported. New clients: 2; updated: 1." in page.locator(".messages").inner_text()
    page.get_by_test_id("committed").get_by_role("link", name="Go to the clients").click()
    page.get_by_label("Search").fill("Journey")
    page.get_by_role("button", name="Filter").click()
    names = page.get_by_test_id("client-table").inner_text()
    assert "Journey Newco" in names
    assert "Journey Typo" in names
    known.refresh_from_db()
    assert known.city == "Samara"
