"""The data set builder at a tiny scale, on PostgreSQL (the benchmark refuses anything else)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, F

from bench.dataset import SCALES, BenchError, build, expected_counts, is_built, marker
from clients.models import Client, ClientVolume, KeyContact
from feedback.models import FollowUp, Notification, Visit, VisitReport
from programme.models import Enrolment, Programme, StaffMember
from tests import factories
from vipcrm import roles

TINY = SCALES["tiny"]


def test_the_tiny_data_set_has_every_row_the_scale_asks_for(postgresql, settings):
    # One build for all the checks below: a build empties and fills some thirty tables.
    result = build(TINY, log=lambda _: None)

    assert result["reused"] is False
    assert Client.objects.count() == TINY.clients
    assert KeyContact.objects.count() == TINY.contacts
    assert Visit.objects.count() == VisitReport.objects.count() == TINY.visits
    assert ClientVolume.objects.count() == TINY.clients * TINY.months
    assert FollowUp.objects.count() == TINY.follow_ups
    assert Notification.objects.count() == TINY.notifications
    programme = Programme.objects.get()
    assert programme.status == "active"
    assert StaffMember.objects.filter(programme=programme).count() == TINY.staff
    assert Enrolment.objects.filter(programme=programme, assignee__isnull=False).count() == (
        TINY.clients
    )

    check_demo_logins(settings)
    check_list_sizes()
    check_programme_rules()


def check_demo_logins(settings):
    users = {u.username: u for u in get_user_model().objects.all()}
    password = settings.VIPCRM["DEMO_PASSWORD"]
    for name in ("manager", "employee", "employee2", "director", "admin"):
        assert users[name].check_password(password), name
    assert roles.is_programme_manager(users["manager"])
    assert roles.is_programme_staff(users["employee"]) and roles.is_programme_staff(
        users["employee2"]
    )
    assert roles.is_management(users["director"]) and not roles.may_write(users["director"])
    assert users["admin"].is_superuser and users["admin"].is_staff


def check_list_sizes():
    """The employee's list and the card client have the sizes the pages need."""
    employee = get_user_model().objects.get(username="employee")
    assert Client.objects.visible_to(employee).count() == TINY.per_employee
    busiest = Visit.objects.values("client_id").annotate(n=Count("id")).order_by("-n").first()
    assert busiest["n"] == TINY.card_visits
    assert Client.objects.visible_to(employee).filter(pk=busiest["client_id"]).exists()


def check_programme_rules():
    monopolised = Enrolment.objects.filter(assessment="monopolised")
    assert monopolised.exists()
    assert not monopolised.filter(assignee=F("original_salesperson")).exists()
    # About 1 % of the follow-ups are due (pending and due today or before).
    from django.utils import timezone

    due = FollowUp.objects.filter(done_at__isnull=True, due_on__lte=timezone.localdate())
    assert due.count() == TINY.follow_ups // 100
    assert not Visit.objects.exclude(employee=F("enrolment__assignee")).exists()


def test_a_data_set_of_the_right_size_is_reused_and_another_scale_is_not(postgresql):
    build(TINY, log=lambda _: None)
    assert marker(connection)["scale"] == "tiny"
    assert is_built(connection, TINY)
    assert build(TINY, log=lambda _: None)["reused"] is True
    Client.objects.filter(pk=1).delete()  # no longer the right size: rebuilt
    assert build(TINY, log=lambda _: None)["reused"] is False
    assert Client.objects.count() == expected_counts(TINY)["clients_client"]


def test_a_database_with_clients_of_its_own_is_refused(postgresql):
    factories.ClientFactory(name="A real client")
    with pytest.raises(BenchError, match="did not create"):
        build(TINY, log=lambda _: None)
    assert Client.objects.get().name == "A real client"
