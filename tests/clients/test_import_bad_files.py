"""Bad files are refused as a whole with a clear message, and leave the database as it was."""

import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from clients.imports.models import ImportBatch, ImportKind
from clients.imports.reading import is_formula
from clients.imports.services import import_batch_create
from tests import factories

from .importfiles import CLIENT_HEADER, VOLUME_HEADER, counts, csv_bytes

pytestmark = pytest.mark.django_db

GOOD_ROW = ["Gamma Metals", "7701000001", "corporate", "Metals", "Moscow", "A", "", "", ""]


def _xlsx_with_formula() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(CLIENT_HEADER)
    sheet.append(GOOD_ROW)
    sheet.append(["Sum Co", "7701000002", "", "", "", "", "", "", ""])
    sheet["B3"] = "=SUM(1,2)"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


BAD_FILES = {
    "utf16": (
        csv_bytes([GOOD_ROW], encoding="utf-16"),
        "clients.csv",
        "The file's encoding is not supported. Save it as CSV in UTF-8 or Windows-1251",
    ),
    "missing columns": (
        csv_bytes([["Gamma", "corporate"]], ["client name", "kind"]),
        "clients.csv",
        "The file lacks the required column “Tax number” (tax_number).",
    ),
    "missing both columns": (
        csv_bytes([["corporate"]], ["kind"]),
        "clients.csv",
        "The file lacks the required columns “Name” (name), “Tax number” (tax_number).",
    ),
    "formula in csv": (
        csv_bytes([GOOD_ROW, ['=HYPERLINK("http://x")', "", "", "", "", "", "", "", ""]]),
        "clients.csv",
        'Cell A3 holds a formula (=HYPERLINK("http://x")).',
    ),
    "plus formula": (
        csv_bytes([[*GOOD_ROW[:8], "+cmd|' /C calc'!A0"]]),
        "clients.csv",
        "Cell I2 holds a formula",
    ),
    "at formula": (
        csv_bytes([["@SUM(1)", *GOOD_ROW[1:]]]),
        "clients.csv",
        "Cell A2 holds a formula",
    ),
    "formula in xlsx": (
        _xlsx_with_formula(),
        "clients.xlsx",
        "Cell B3 holds a formula (=SUM(1,2)).",
    ),
    "broken xlsx": (b"PK\x03\x04 not really a zip", "clients.xlsx", "cannot be read as XLSX"),
    "old xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "clients.xls", "(.xls)"),
    "empty": (b"", "clients.csv", "The file is empty."),
    "header only": (csv_bytes([]), "clients.csv", "a header row but no rows below it"),
    "twice the same column": (
        csv_bytes([["Gamma", "Gamma", "7701000001"]], ["name", "Название", "inn"]),
        "clients.csv",
        "The columns “name” and “Название” both mean Name; keep one.",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_client_file_is_refused_and_writes_nothing(case, manager):
    content, file_name, message = BAD_FILES[case]
    factories.ClientFactory(name="Existing", tax_number="7701000001")
    before = counts()

    with pytest.raises(ValidationError) as error:
        import_batch_create(
            kind=ImportKind.CLIENTS, content=content, file_name=file_name, by=manager
        )

    assert message in " ".join(error.value.messages)
    assert counts() == before
    assert ImportBatch.objects.count() == 0


def test_file_over_the_size_limit(manager, settings):
    settings.VIPCRM = {**settings.VIPCRM, "IMPORT_MAX_BYTES": 200}
    content = csv_bytes([GOOD_ROW] * 10)
    before = counts()

    with pytest.raises(ValidationError, match="the limit is 0.0 MB. Split it into parts."):
        import_batch_create(kind=ImportKind.CLIENTS, content=content, file_name="c.csv", by=manager)
    assert counts() == before
    assert ImportBatch.objects.count() == 0


def test_file_over_the_row_limit(manager, settings):
    settings.VIPCRM = {**settings.VIPCRM, "IMPORT_MAX_ROWS": 3}
    rows = [[f"Client {n}", f"77010000{n:02d}", "", "", "", "", "", "", ""] for n in range(4)]
    before = counts()

    with pytest.raises(
        ValidationError, match="The file has more than 3 rows; split it into parts."
    ):
        import_batch_create(
            kind=ImportKind.CLIENTS, content=csv_bytes(rows), file_name="c.csv", by=manager
        )
    assert counts() == before


def test_volume_file_without_a_client_column(manager):
    content = csv_bytes([["2026-01", "100"]], ["period", "amount"])

    with pytest.raises(ValidationError, match="needs at least one of the columns"):
        import_batch_create(kind=ImportKind.VOLUMES, content=content, file_name="v.csv", by=manager)


def test_volume_file_missing_the_amount(manager):
    content = csv_bytes([["7701000001", "", "2026-01"]], VOLUME_HEADER[:3])

    with pytest.raises(ValidationError, match="required column “Amount” \\(amount\\)"):
        import_batch_create(kind=ImportKind.VOLUMES, content=content, file_name="v.csv", by=manager)


@pytest.mark.parametrize(
    ("text", "formula"),
    [
        ("=1+1", True),
        ("@SUM(A1)", True),
        ('+HYPERLINK("x")', True),
        ("-cmd|' /C calc'!A0", True),
        ("-125.50", False),
        ("-1 250,00", False),
        ("+7 (495) 123-45-67", False),
        ("Alfa", False),
        ("", False),
    ],
)
def test_what_counts_as_a_formula(text, formula):
    assert is_formula(text) is formula


def test_russian_message_for_a_bad_file(manager):
    from django.utils import translation

    with translation.override("ru"), pytest.raises(ValidationError) as error:
        import_batch_create(
            kind=ImportKind.CLIENTS,
            content=csv_bytes([["x"]], ["kind"]),
            file_name="c.csv",
            by=manager,
        )
    assert "В файле нет обязательных столбцов" in error.value.messages[0]
