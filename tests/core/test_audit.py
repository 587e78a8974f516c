"""Audit history: who changed what, when — by forms, in bulk, by the split; the history page."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients import services as client_services
from clients.models import Client, KeyContact
from programme import services
from programme.models import Enrolment
from tests import factories


def test_a_form_save_records_who_when_and_what(world, employee, as_employee):
    old_role, old_phone = world.contact.role, world.contact.phone
    url = reverse("clients:contact_edit", args=[world.contact.pk])
    response = as_employee.post(
        url, {"full_name": "Pavel Ivanov", "role": "gatekeeper", "phone": "+7 901 000"}
    )

    assert response.status_code == 302
    latest = KeyContact.history.filter(id=world.contact.pk).latest()
    assert latest.history_type == "~"
    assert latest.history_user == employee
    delta = latest.diff_against(latest.prev_record)
    changes = {change.field: (change.old, change.new) for change in delta.changes}
    assert changes["role"] == (old_role, "gatekeeper")
    assert changes["phone"] == (old_phone, "+7 901 000")


def test_bulk_assign_records_one_history_row_per_enrolment_with_the_manager(
    world, colleague, manager
):
    others = factories.EnrolmentFactory.create_batch(3, programme=world.programme)
    ids = [enrolment.pk for enrolment in others]
    before = Enrolment.history.count()

    services.enrolments_assign_bulk(
        programme=world.programme, enrolment_ids=ids, assignee=colleague, by=manager
    )

    rows = Enrolment.history.filter(history_date__isnull=False).order_by("-history_id")[:3]
    assert Enrolment.history.count() == before + 3
    assert sorted(row.id for row in rows) == sorted(ids)
    assert {(row.history_type, row.history_user_id, row.assignee_id) for row in rows} == {
        ("~", manager.pk, colleague.pk)
    }
    assert {row.history_change_reason for row in rows} == {"bulk"}
    assert {row.prev_record.assignee_id for row in rows} == {None}


def test_bulk_assign_history_stays_set_wise(world, colleague, manager):
    """The statements run do not grow with the number of clients assigned."""

    def statements(count):
        batch = factories.EnrolmentFactory.create_batch(count, programme=world.programme)
        with CaptureQueriesContext(connection) as queries:
            services.enrolments_assign_bulk(
                programme=world.programme,
                enrolment_ids=[e.pk for e in batch],
                assignee=colleague,
                by=manager,
            )
        return len(queries)

    assert statements(2) == statements(40)


def test_the_automatic_split_records_history(world, manager):
    others = factories.EnrolmentFactory.create_batch(4, programme=world.programme)

    job = services.split_start(programme=world.programme, by=manager)
    count = services.split_apply(job=job, by=manager)

    assert count == 4
    for enrolment in others:
        latest = Enrolment.history.filter(id=enrolment.pk).latest()
        enrolment.refresh_from_db()
        assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
            "~",
            manager,
            "auto_split",
        )
        assert latest.assignee_id == enrolment.assignee_id is not None


def test_adding_clients_to_the_list_records_their_creation(world, manager):
    newcomer = factories.ClientFactory(name="Delta Glass")

    services.client_list_add(programme=world.programme, clients=[newcomer], by=manager)

    row = Enrolment.history.get(client_id=newcomer.pk)
    assert (row.history_type, row.history_user, row.history_change_reason) == (
        "+",
        manager,
        "added_to_list",
    )
    assert row.id == Enrolment.objects.get(client=newcomer).pk


# The history page ------------------------------------------------------------------------------


def _history(http, client, **headers):
    return http.get(reverse("clients:client_history", args=[client.pk]), **headers)


def test_history_page_lists_changes_newest_first_with_readable_labels(
    world, employee, colleague, manager, as_manager
):
    client_services.contact_update(contact=world.contact, by=employee, role="gatekeeper")
    services.enrolments_assign_bulk(
        programme=world.programme,
        enrolment_ids=[world.enrolment.pk],
        assignee=colleague,
        by=manager,
    )

    response = _history(as_manager, world.client)
    text = response.content.decode()

    assert response.status_code == 200
    assert "Role" in text and world.contact.get_role_display() in text and "Gatekeeper" in text
    assert "Bulk assignment" in text and "Assignee" in text
    assert colleague.get_full_name() in text and "VIP 2026" in text
    assert text.index("Bulk assignment") < text.index("Gatekeeper")  # newest first
    assert manager.get_full_name() in text and employee.get_full_name() in text


def test_history_page_in_russian(world, employee, as_employee):
    client_services.contact_update(contact=world.contact, by=employee, role="gatekeeper")

    text = _history(as_employee, world.client, HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "История изменений" in text or "История" in text
    assert "роль" in text.lower() and "Изменено" in text


def test_history_page_hides_a_colleagues_client(world, as_colleague, as_director):
    assert _history(as_colleague, world.client).status_code == 404
    assert _history(as_director, world.client).status_code == 200


def test_history_page_has_an_empty_state(world, as_manager):
    fresh = Client.objects.create(name="Omega Trade", kind="corporate")
    Client.history.filter(id=fresh.pk).delete()

    text = _history(as_manager, fresh).content.decode()

    assert "No changes have been recorded for this client yet" in text


def test_history_page_query_count_does_not_grow_with_the_changes(
    world, employee, manager, colleague, as_manager, django_assert_num_queries, monkeypatch
):
    # One page holds every change, so that both pages name the same kinds of linked objects.
    monkeypatch.setattr("clients.history.PAGE_SIZE", 500)

    def change(index):
        client_services.contact_update(contact=world.contact, by=employee, job_title=f"B{index}")
        factories.OpportunityFactory(client=world.client, programme=world.programme)
        services.enrolments_assign_bulk(
            programme=world.programme,
            enrolment_ids=[world.enrolment.pk],
            assignee=colleague if index % 2 else employee,
            by=manager,
        )

    change(0)
    with CaptureQueriesContext(connection) as one:
        _history(as_manager, world.client)
    for index in range(1, 30):
        change(index)

    with django_assert_num_queries(len(one)):
        text = _history(as_manager, world.client).content.decode()
    assert text.count('data-testid="history-entry"') >= 90


def test_history_page_pages_by_fifty(world, employee, as_manager):
    for index in range(60):
        client_services.contact_update(contact=world.contact, by=employee, job_title=f"B{index}")

    first = _history(as_manager, world.client).content.decode()
    second = _history(as_manager, world.client, QUERY_STRING="page=2").content.decode()

    assert first.count('data-testid="history-entry"') == 50 and "Older changes" in first
    assert "B59" in first and "B59" not in second and "B0" in second
    assert "Newer changes" in second and "Older changes" not in second


def test_admin_shows_the_history(world, employee, admin_client):
    client_services.contact_update(contact=world.contact, by=employee, role="gatekeeper")

    response = admin_client.get(
        reverse("admin:clients_keycontact_history", args=[world.contact.pk])
    )

    assert response.status_code == 200
    assert employee.get_username() in response.content.decode()


def test_admin_lists_every_change_read_only(world, colleague, manager, admin_client):
    services.enrolments_assign_bulk(
        programme=world.programme,
        enrolment_ids=[world.enrolment.pk],
        assignee=colleague,
        by=manager,
    )

    url = reverse("admin:programme_historicalenrolment_changelist")
    text = admin_client.get(url).content.decode()

    assert "Bulk assignment" in text and manager.get_username() in text
    row = Enrolment.history.filter(history_change_reason="bulk").get()
    change = reverse("admin:programme_historicalenrolment_change", args=[row.pk])
    assert admin_client.post(change, {}).status_code == 403


# The import ------------------------------------------------------------------------------------


def test_an_import_commit_records_history_by_the_importing_user(world, manager, employee):
    from clients.imports.models import ImportKind
    from clients.imports.services import import_batch_commit, import_batch_create
    from tests.clients.importfiles import csv_bytes

    existing = factories.ClientFactory(name="Alfa Old", tax_number="7701000009", tier="C")
    header = [
        "name",
        "tax_number",
        "tier",
        "contact_name",
        "contact_role",
        "assessment",
        "assignee",
    ]
    rows = [
        ["Gamma Metals", "7701000001", "A", "Pavel Orlov", "user", "excellent", "employee"],
        ["Alfa Old", "7701000009", "A", "", "", "", ""],
    ]
    batch = import_batch_create(
        kind=ImportKind.CLIENTS,
        content=csv_bytes(rows, header),
        file_name="list.csv",
        by=manager,
        programme=world.programme,
    )
    assert [e["message"] for o in batch.outcomes for e in o["errors"]] == []
    import_batch_commit(batch=batch, by=manager)

    gamma = Client.objects.get(tax_number="7701000001")
    created = Client.history.get(id=gamma.pk)
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+",
        manager,
        "import",
    )
    contact = KeyContact.history.get(client_id=gamma.pk)
    assert (contact.history_type, contact.history_user, contact.full_name) == (
        "+",
        manager,
        "Pavel Orlov",
    )
    updated = Client.history.filter(id=existing.pk).latest()
    assert (updated.history_type, updated.history_user, updated.tier) == ("~", manager, "A")
    assert updated.prev_record.tier == "C"
    enrolment = Enrolment.objects.get(client=gamma)
    steps = list(Enrolment.history.filter(id=enrolment.pk).order_by("history_id"))
    assert [(s.history_type, s.history_user, s.history_change_reason) for s in steps] == [
        ("+", manager, "import"),
        ("~", manager, "import"),  # assessed
        ("~", manager, "import"),  # assigned
    ]
    assert (steps[-1].assessment, steps[-1].assignee) == ("excellent", employee)
