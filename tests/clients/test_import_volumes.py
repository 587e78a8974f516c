"""The volume import: client volumes per month, upserted per (client, month), all or nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from clients.imports.models import ImportKind, ImportStatus
from clients.imports.services import import_batch_commit, import_batch_create
from clients.imports.validation import parse_amount, parse_period
from clients.models import ClientVolume
from tests import factories

from .importfiles import VOLUME_HEADER, counts, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


def upload(content, manager, file_name="volumes.csv"):
    return import_batch_create(
        kind=ImportKind.VOLUMES, content=content, file_name=file_name, by=manager
    )


@pytest.fixture
def clients(db):
    return (
        factories.ClientFactory(name="Alfa", tax_number="7701000001"),
        factories.ClientFactory(name="Beta", tax_number="7701000002"),
    )


def test_volumes_by_tax_number_and_by_name_are_upserted_per_month(manager, clients):
    alfa, beta = clients
    factories.ClientVolumeFactory(client=alfa, period=dt.date(2026, 1, 1), amount=Decimal("10"))
    rows = [
        ["7701000001", "", "2026-01", "1 500,50"],
        ["", "Beta", "15.02.2026", "200"],
        ["7701000001", "", "2026-02-01", "0"],
    ]

    batch = upload(csv_bytes(rows, VOLUME_HEADER), manager)

    assert [(o["action"], o["label"], o["notes"]) for o in batch.outcomes] == [
        ("update", "Alfa", ["2026-01: 10.00 → 1500.50"]),
        ("new", "Beta", ["2026-02: 200.00"]),
        ("new", "Alfa", ["2026-02: 0.00"]),
    ]
    import_batch_commit(batch=batch, by=manager)
    assert sorted(ClientVolume.objects.values_list("client__name", "period", "amount")) == [
        ("Alfa", dt.date(2026, 1, 1), Decimal("1500.50")),
        ("Alfa", dt.date(2026, 2, 1), Decimal("0.00")),
        ("Beta", dt.date(2026, 2, 1), Decimal("200.00")),
    ]


def test_volume_xlsx_with_dates_and_numbers(manager, clients):
    rows = [[7701000002, "", dt.datetime(2026, 3, 17), 99.5]]

    batch = upload(xlsx_bytes(rows, VOLUME_HEADER), manager, file_name="v.xlsx")
    import_batch_commit(batch=batch, by=manager)

    volume = ClientVolume.objects.get()
    assert (volume.client.name, volume.period, volume.amount) == (
        "Beta",
        dt.date(2026, 3, 1),
        Decimal("99.50"),
    )


def test_russian_headers_in_windows_1251(manager, clients):
    content = csv_bytes(
        [["Alfa", "03.2026", "12,5"]], ["Клиент", "Период", "Сумма"], encoding="cp1251"
    )
    batch = upload(content, manager)
    import_batch_commit(batch=batch, by=manager)

    assert ClientVolume.objects.get().amount == Decimal("12.50")


def test_bad_volume_rows_are_errors_and_nothing_is_written(manager, clients):
    factories.ClientFactory(name="Twin", tax_number="7701000003")
    factories.ClientFactory(name="Twin", tax_number="7701000004")
    rows = [
        ["7701000001", "", "2026-01", "100"],
        ["7701000009", "", "2026-01", "100"],
        ["", "Nobody", "2026-01", "100"],
        ["", "Twin", "2026-01", "100"],
        ["7701000002", "", "March", "100"],
        ["7701000002", "", "2026-13", "100"],
        ["7701000002", "", "2026-04", "-5"],
        ["7701000002", "", "2026-05", "lots"],
        ["7701000001", "", "2026-01-20", "7"],
        ["", "", "2026-01", "1"],
    ]
    before = counts()

    batch = upload(csv_bytes(rows, VOLUME_HEADER), manager)

    errors = [(o["line"], e["column"], e["message"]) for o in batch.outcomes for e in o["errors"]]
    assert errors == [
        (3, "tax_number", "No client has the tax number 7701000009."),
        (4, "name", "No client is named “Nobody”."),
        (5, "name", "Several clients are named “Twin”; give the tax number instead."),
        (6, "period", "“March” is not a month: write it as YYYY-MM (e.g. 2026-03) or a date."),
        (7, "period", "“2026-13” is not a month: write it as YYYY-MM (e.g. 2026-03) or a date."),
        (8, "amount", "An amount cannot be negative."),
        (9, "amount", "“lots” is not an amount."),
        (10, "period", "Row 2 already gives this client's volume for 2026-01."),
        (11, "name", "Give the client's tax number or name."),
    ]
    with pytest.raises(ValidationError):
        import_batch_commit(batch=batch, by=manager)
    assert counts() == before
    batch.refresh_from_db()
    assert batch.status == ImportStatus.READY


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2026-03", dt.date(2026, 3, 1)),
        ("2026-3", dt.date(2026, 3, 1)),
        ("2026-03-31", dt.date(2026, 3, 1)),
        ("03.2026", dt.date(2026, 3, 1)),
        ("31.03.2026", dt.date(2026, 3, 1)),
        ("2026.03", dt.date(2026, 3, 1)),
        ("31.02.2026", None),
        ("", None),
    ],
)
def test_parse_period(text, period):
    assert parse_period(text) == period


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1 234,56", Decimal("1234.56")),
        ("1,234.56", Decimal("1234.56")),
        ("1\u00a0000", Decimal("1000.00")),
        ("-5", Decimal("-5.00")),
        ("0.005", Decimal("0.01")),
        ("NaN", None),
        ("abc", None),
    ],
)
def test_parse_amount(text, amount):
    assert parse_amount(text) == amount
