"""The client import's services: good files in each format, row outcomes, updates, commit."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from clients.imports.models import ImportBatch, ImportKind, ImportStatus
from clients.imports.services import import_batch_commit, import_batch_create
from clients.models import Client, KeyContact, Region, Segment
from tests import factories

from .importfiles import CLIENT_HEADER, counts, csv_bytes, xlsx_bytes

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
    ["Delta Farm", "", "private", "", "", "C", "", "", ""],
]


def upload(content, manager, *, file_name="clients.csv", programme=None):
    return import_batch_create(
        kind=ImportKind.CLIENTS,
        content=content,
        file_name=file_name,
        by=manager,
        programme=programme,
    )


def test_utf8_csv_previews_new_clients_and_writes_nothing_until_commit(manager):
    before = counts()

    batch = upload(csv_bytes(ROWS), manager)

    assert batch.status == ImportStatus.READY
    assert [(o["line"], o["action"], o["label"]) for o in batch.outcomes] == [
        (2, "new", "Gamma Metals"),
        (3, "new", "Delta Farm"),
    ]
    assert (batch.new_count, batch.update_count, batch.error_count) == (2, 0, 0)
    assert "A new segment “Metals” will be created." in batch.outcomes[0]["notes"]
    assert counts() == before


def test_commit_writes_clients_contacts_segments_and_regions(manager):
    batch = upload(csv_bytes(ROWS), manager)

    batch = import_batch_commit(batch=batch, by=manager)

    assert batch.status == ImportStatus.COMMITTED
    gamma = Client.objects.get(tax_number="7701000001")
    assert (gamma.name, gamma.kind, gamma.tier) == ("Gamma Metals", "corporate", "A")
    assert (gamma.segment.name, gamma.region.name) == ("Metals", "Moscow")
    contact = KeyContact.objects.get(client=gamma)
    assert (contact.full_name, contact.role, contact.email, contact.added_by) == (
        "Pavel Orlov",
        "decision_maker",
        "p.orlov@gamma.example",
        manager,
    )
    delta = Client.objects.get(name="Delta Farm")
    assert (delta.kind, delta.tax_number, delta.segment) == ("private", None, None)


def test_windows_1251_csv_with_russian_headers_and_values(manager):
    header = [
        "Название",
        "ИНН",
        "Тип клиента",
        "Сегмент",
        "Регион",
        "Категория важности",
        "Ключевое лицо",
        "Роль ключевого лица",
        "E-mail",
    ]
    rows = [
        [
            "Сталь-Урал",
            "6601000002",
            "Корпоративный клиент",
            "Металлургия",
            "Свердловская",
            "А",
            "Иван Ёлкин",
            "ЛПР",
            "elkin@stal.example",
        ]
    ]

    batch = upload(csv_bytes(rows, header, encoding="cp1251"), manager)
    import_batch_commit(batch=batch, by=manager)

    client = Client.objects.get(tax_number="6601000002")
    assert (client.name, client.kind, client.tier) == ("Сталь-Урал", "corporate", "A")
    assert client.segment.name == "Металлургия"
    assert client.contacts.get().full_name == "Иван Ёлкин"
    assert client.contacts.get().role == "decision_maker"


def test_utf8_with_bom_and_commas(manager):
    content = "\ufeff".encode() + csv_bytes(ROWS[:1], delimiter=",")

    batch = upload(content, manager)

    assert batch.ignored_columns == []
    assert [o["action"] for o in batch.outcomes] == ["new"]


def test_xlsx_with_numeric_tax_number(manager):
    rows = [["Epsilon Glass", 7701000003, "corporate", "Glass", "Tula", "B", "", "", ""]]

    batch = upload(xlsx_bytes(rows), manager, file_name="clients.xlsx")
    import_batch_commit(batch=batch, by=manager)

    assert Client.objects.get(tax_number="7701000003").name == "Epsilon Glass"


def test_unknown_columns_are_listed_as_ignored(manager):
    header = [*CLIENT_HEADER, "Accounting code"]
    batch = upload(csv_bytes([[*ROWS[0], "X-1"]], header), manager)

    assert batch.ignored_columns == ["Accounting code"]


def test_update_matched_by_tax_number_keeps_what_a_blank_cell_leaves(manager):
    segment = factories.SegmentFactory(name="Metals")
    existing = factories.ClientFactory(
        name="Gamma Old Name", tax_number="7701000001", segment=segment, city="Tver", tier="C"
    )
    contact = factories.KeyContactFactory(client=existing, full_name="Pavel Orlov", role="user")
    rows = [["Gamma Metals", "7701000001", "", "", "", "A", "pavel orlov", "decision_maker", ""]]

    batch = upload(csv_bytes(rows), manager)
    assert [(o["action"], o["client_id"]) for o in batch.outcomes] == [("update", existing.pk)]
    assert batch.outcomes[0]["notes"][0] == "Changes: name, importance tier."
    import_batch_commit(batch=batch, by=manager)

    existing.refresh_from_db()
    contact.refresh_from_db()
    assert (existing.name, existing.tier, existing.city, existing.segment) == (
        "Gamma Metals",
        "A",
        "Tver",
        segment,
    )
    assert contact.role == "decision_maker"
    assert KeyContact.objects.filter(client=existing).count() == 1


def test_update_matched_by_exact_name_sets_the_tax_number(manager):
    existing = factories.ClientFactory(name="Omega Trade", tax_number=None)
    rows = [["Omega Trade", "7701000009", "", "", "", "", "", "", ""]]

    batch = upload(csv_bytes(rows), manager)
    import_batch_commit(batch=batch, by=manager)

    existing.refresh_from_db()
    assert batch.outcomes[0]["action"] == "update"
    assert existing.tax_number == "7701000009"
    assert Client.objects.filter(name="Omega Trade").count() == 1


def test_same_name_with_another_tax_number_is_a_new_client(manager):
    factories.ClientFactory(name="Omega Trade", tax_number="7701000008")
    rows = [["Omega Trade", "7701000009", "", "", "", "", "", "", ""]]

    batch = upload(csv_bytes(rows), manager)

    assert batch.outcomes[0]["action"] == "new"


def _errors(batch):
    return {(o["line"], e["column"], e["message"]) for o in batch.outcomes for e in o["errors"]}


def test_row_errors_are_named_by_line_and_column_and_block_the_commit(manager):
    rows = [
        ["Good Co", "7701000001", "", "", "", "", "", "", ""],
        ["Twin Co", "7701000001", "", "", "", "", "", "", ""],
        ["Short Tax", "12345", "", "", "", "", "", "", ""],
        ["Bad Mail", "", "", "", "", "", "Ann Lee", "user", "not-an-email"],
        ["Odd Kind", "", "wholesale", "", "", "Z", "Bob Ray", "boss", ""],
        ["", "7701000002", "", "", "", "", "", "", ""],
        ["No Role", "", "", "", "", "", "Eve Kim", "", ""],
    ]
    before = counts()

    batch = upload(csv_bytes(rows), manager)

    errors = _errors(batch)
    assert (3, "tax_number", "Row 2 has the same tax number.") in errors
    assert (
        4,
        "tax_number",
        "“12345” is not a tax number: it has 10 digits for a company and 12 for a person.",
    ) in errors
    assert (5, "contact_email", "Enter a valid email address.") in errors
    kind_error = (
        6,
        "kind",
        "Unknown value “wholesale”; use one of: corporate, private (or their Russian names).",
    )
    assert kind_error in errors
    assert (6, "tier", "Unknown value “Z”; use one of: A, B, C (or their Russian names).") in errors
    assert any(e[:2] == (6, "contact_role") for e in errors)
    assert (7, "name", "A client needs a name.") in errors
    assert (8, "contact_role", "A new key contact needs a role.") in errors
    assert batch.error_count == 6
    assert batch.outcomes[0]["action"] == "new"

    with pytest.raises(ValidationError, match="Fix the rows with errors"):
        import_batch_commit(batch=batch, by=manager)
    assert counts() == before


def test_unknown_original_salesperson_is_an_error(manager):
    header = ["name", "tax_number", "original_salesperson"]
    batch = upload(csv_bytes([["Zeta", "7701000005", "nobody"]], header), manager)

    assert _errors(batch) == {
        (2, "original_salesperson", "No active user has the username “nobody”.")
    }


def test_original_salesperson_by_username(manager, employee):
    header = ["name", "tax_number", "original_salesperson"]
    batch = upload(csv_bytes([["Zeta", "7701000005", "employee"]], header), manager)
    import_batch_commit(batch=batch, by=manager)

    assert Client.objects.get(name="Zeta").original_salesperson == employee


def test_existing_segment_is_matched_whatever_the_case(manager):
    segment = factories.SegmentFactory(name="Metals")
    rows = [["Gamma", "7701000001", "", "metals", "", "", "", "", ""]]

    batch = upload(csv_bytes(rows), manager)
    import_batch_commit(batch=batch, by=manager)

    assert Client.objects.get(name="Gamma").segment == segment
    assert Segment.objects.count() == 1
    assert Region.objects.count() == 0


def test_commit_checks_the_rows_again_against_the_database(manager):
    rows = [["Zeta", "7701000005", "", "", "", "", "", "", ""]]
    batch = upload(csv_bytes(rows), manager)
    # Meanwhile a client with that tax number is entered: the row now updates it.
    factories.ClientFactory(name="Other", tax_number="7701000005")
    before = counts()
    import_batch_commit(batch=batch, by=manager)
    assert Client.objects.get(tax_number="7701000005").name == "Zeta"
    assert counts() == before


def test_stale_rows_block_the_commit_and_write_nothing(manager, employee):
    header = ["name", "tax_number", "original_salesperson"]
    batch = upload(
        csv_bytes([["Zeta", "7701000005", "employee"], ["Eta", "", ""]], header), manager
    )
    employee.is_active = False
    employee.save()
    before = counts()

    with pytest.raises(ValidationError, match="no longer pass the checks"):
        import_batch_commit(batch=batch, by=manager)

    batch.refresh_from_db()
    assert batch.status == ImportStatus.READY
    assert batch.error_count == 1
    assert counts() == before


def test_only_the_uploader_commits(manager, other_manager):
    batch = upload(csv_bytes(ROWS), manager)

    with pytest.raises(ValidationError, match="Only the person who uploaded"):
        import_batch_commit(batch=batch, by=other_manager)


def test_a_batch_is_committed_once(manager):
    batch = upload(csv_bytes(ROWS), manager)
    import_batch_commit(batch=batch, by=manager)
    before = counts()

    with pytest.raises(ValidationError, match="already been imported"):
        import_batch_commit(batch=batch, by=manager)
    assert counts() == before


def test_a_failure_halfway_leaves_nothing_behind(manager, monkeypatch):
    from clients.imports import services

    calls = []
    original = services._lookup_or_create

    def fail_on_second_region(model, cache, name):
        calls.append(name)
        if name == "Tula":
            raise RuntimeError("disk full")
        return original(model, cache, name)

    monkeypatch.setattr(services, "_lookup_or_create", fail_on_second_region)
    rows = [
        ["Alpha", "7701000001", "", "Metals", "Moscow", "", "Ann Lee", "user", ""],
        ["Beta", "7701000002", "", "Metals", "Tula", "", "", "", ""],
    ]
    batch = upload(csv_bytes(rows), manager)
    before = counts()

    with pytest.raises(RuntimeError):
        import_batch_commit(batch=batch, by=manager)

    assert counts() == before
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.READY


def test_template_files_are_accepted_as_they_are(manager):
    from clients.imports.samples import template_csv, template_xlsx

    for content, name in ((template_csv("clients"), "t.csv"), (template_xlsx("clients"), "t.xlsx")):
        batch = upload(content, manager, file_name=name)
        assert [o["action"] for o in batch.outcomes] == ["new"], batch.outcomes
        # Without a programme the programme's columns are ignored.
        assert batch.ignored_columns == ["assessment", "assignee"]


def test_russian_template_headers(manager, settings):
    from django.utils import translation

    from clients.imports.samples import template_csv

    with translation.override("ru"):
        content = template_csv("clients")
    assert content.decode("utf-8-sig").startswith("Название;ИНН;Тип клиента")
    batch = upload(content, manager)
    assert [o["action"] for o in batch.outcomes] == ["new"]


def test_xlsx_dates_become_text(manager):
    header = ["name", "tax_number", "notes"]
    batch = upload(
        xlsx_bytes([["Theta", "7701000007", dt.datetime(2026, 3, 1)]], header),
        manager,
        file_name="c.xlsx",
    )
    import_batch_commit(batch=batch, by=manager)
    assert Client.objects.get(name="Theta").notes == "2026-03-01"


def test_an_unchanged_row_is_an_update_that_writes_nothing(manager):
    existing = factories.ClientFactory(name="Gamma", tax_number="7701000001", tier="B")
    stamp = existing.updated_at
    batch = upload(csv_bytes([["Gamma", "7701000001", "", "", "", "B", "", "", ""]]), manager)

    import_batch_commit(batch=batch, by=manager)

    existing.refresh_from_db()
    assert batch.outcomes[0]["notes"] == []
    assert existing.updated_at == stamp
