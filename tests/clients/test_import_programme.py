"""Importing into a programme: enrolment, assessment and assignment through the programme's
service, and the monopolised rule on the import path."""

import pytest
from django.core.exceptions import ValidationError

from clients.imports.models import ImportKind
from clients.imports.services import import_batch_commit, import_batch_create
from clients.models import Client
from programme.models import AssignmentChange, Enrolment
from tests import factories

from .importfiles import counts, csv_bytes

pytestmark = pytest.mark.django_db

HEADER = ["name", "tax_number", "original_salesperson", "assessment", "assignee"]


def upload(rows, manager, programme):
    return import_batch_create(
        kind=ImportKind.CLIENTS,
        content=csv_bytes(rows, HEADER),
        file_name="list.csv",
        by=manager,
        programme=programme,
    )


def _errors(batch):
    return [(o["line"], e["column"], e["message"]) for o in batch.outcomes for e in o["errors"]]


def test_new_clients_are_enrolled_assessed_and_assigned(world, manager, employee, colleague):
    rows = [
        ["Gamma", "7701000001", "employee", "excellent", "employee"],
        ["Delta", "7701000002", "employee", "монополизирован", "colleague"],
        ["Eta", "7701000003", "", "", ""],
    ]
    batch = upload(rows, manager, world.programme)
    assert _errors(batch) == []

    import_batch_commit(batch=batch, by=manager)

    gamma = Enrolment.objects.get(programme=world.programme, client__name="Gamma")
    delta = Enrolment.objects.get(programme=world.programme, client__name="Delta")
    eta = Enrolment.objects.get(programme=world.programme, client__name="Eta")
    assert (gamma.assessment, gamma.assignee, gamma.original_salesperson) == (
        "excellent",
        employee,
        employee,
    )
    assert (delta.assessment, delta.assignee) == ("monopolised", colleague)
    assert (eta.assessment, eta.assignee) == ("", None)
    history = AssignmentChange.objects.filter(enrolment__in=[gamma, delta]).order_by("id")
    assert [(c.to_user, c.changed_by, c.source, c.reason) for c in history] == [
        (employee, manager, "import", "Imported from list.csv"),
        (colleague, manager, "import", "Imported from list.csv"),
    ]


def test_monopolised_client_to_its_salesperson_is_an_error_and_nothing_is_written(
    world, manager, employee
):
    rows = [
        ["Gamma", "7701000001", "", "", ""],
        ["Delta", "7701000002", "employee", "monopolised", "employee"],
    ]
    before = counts()

    batch = upload(rows, manager, world.programme)

    assert _errors(batch) == [
        (
            3,
            "assignee",
            "A monopolised client must be worked by someone other than its original salesperson.",
        )
    ]
    with pytest.raises(ValidationError):
        import_batch_commit(batch=batch, by=manager)
    assert counts() == before


def test_marking_an_enrolled_client_monopolised_while_its_salesperson_has_it(
    world, manager, employee
):
    # The world's client is on the employee's list; make the employee its salesperson.
    Enrolment.objects.filter(pk=world.enrolment.pk).update(original_salesperson=employee)
    rows = [[world.client.name, world.client.tax_number, "", "monopolised", ""]]

    batch = upload(rows, manager, world.programme)

    assert [(e[1], e[2][:30]) for e in _errors(batch)] == [
        ("assessment", "A monopolised client must be w")
    ]


def test_reassigning_and_marking_monopolised_in_one_row(world, manager, employee, colleague):
    Enrolment.objects.filter(pk=world.enrolment.pk).update(original_salesperson=employee)
    rows = [[world.client.name, world.client.tax_number, "", "monopolised", "colleague"]]

    batch = upload(rows, manager, world.programme)
    assert batch.outcomes[0]["action"] == "update"
    import_batch_commit(batch=batch, by=manager)

    world.enrolment.refresh_from_db()
    assert (world.enrolment.assessment, world.enrolment.assignee) == ("monopolised", colleague)
    change = AssignmentChange.objects.get(enrolment=world.enrolment)
    assert (change.from_user, change.to_user, change.source) == (employee, colleague, "import")


def test_assignee_outside_the_staff_pool_is_an_error(world, manager):
    outsider = factories.staff_user(username="outsider")
    rows = [["Gamma", "7701000001", "", "", outsider.username]]

    batch = upload(rows, manager, world.programme)

    assert _errors(batch) == [(2, "assignee", "outsider is not in this programme's staff pool.")]


def test_an_already_enrolled_client_is_not_enrolled_twice(world, manager):
    rows = [[world.client.name, world.client.tax_number, "", "", ""]]
    batch = upload(rows, manager, world.programme)
    import_batch_commit(batch=batch, by=manager)

    assert Enrolment.objects.filter(programme=world.programme, client=world.client).count() == 1


def test_only_the_programmes_manager_imports_into_it(world, other_manager):
    with pytest.raises(ValidationError, match="Only the programme's manager"):
        upload([["Gamma", "7701000001", "", "", ""]], other_manager, world.programme)


def test_closed_programme_takes_no_import(world, manager):
    world.programme.status = "closed"
    world.programme.save()
    before = counts()

    with pytest.raises(ValidationError, match="This programme is closed"):
        upload([["Gamma", "7701000001", "", "", ""]], manager, world.programme)
    assert counts() == before
    assert not Client.objects.filter(name="Gamma").exists()


def test_an_assignment_failing_halfway_leaves_nothing_behind(world, manager, monkeypatch):
    from clients.imports import services

    calls = []
    original = services.enrolment_assign

    def fail_on_second(**kwargs):
        calls.append(kwargs["enrolment"].client.name)
        if len(calls) == 2:
            raise ValidationError("the database went away")
        return original(**kwargs)

    monkeypatch.setattr(services, "enrolment_assign", fail_on_second)
    rows = [
        ["Gamma", "7701000001", "", "", "employee"],
        ["Delta", "7701000002", "", "", "colleague"],
    ]
    batch = upload(rows, manager, world.programme)
    before = counts()

    with pytest.raises(ValidationError, match="the database went away"):
        import_batch_commit(batch=batch, by=manager)

    assert calls == ["Gamma", "Delta"]
    assert counts() == before
