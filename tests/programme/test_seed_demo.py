from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone

from clients.models import Client, ClientVolume, KeyContact
from feedback.models import (
    CorrectiveAction,
    FollowUp,
    Opportunity,
    Referral,
    Visit,
    VisitReport,
)
from programme.enums import Stage
from programme.models import AssignmentChange, Enrolment, Programme
from vipcrm import roles

pytestmark = pytest.mark.django_db


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def row_counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


@pytest.fixture
def demo_db():
    return seed()


def test_users_and_their_groups(demo_db):
    User = get_user_model()
    groups = {
        u.username: sorted(u.groups.values_list("name", flat=True))
        for u in User.objects.filter(username__in=["manager", "employee", "employee2", "director"])
    }
    assert groups == {
        "manager": [roles.PROGRAMME_MANAGERS],
        "employee": [roles.PROGRAMME_STAFF],
        "employee2": [roles.PROGRAMME_STAFF],
        "director": [roles.MANAGEMENT],
    }
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert User.objects.get(username="manager").get_full_name() == "Анна Смирнова"
    assert User.objects.filter(groups__name=roles.PROGRAMME_STAFF).count() == 8
    assert User.objects.count() == 11


@pytest.mark.parametrize("username", ["manager", "employee", "employee2", "director", "admin"])
def test_demo_logins_authenticate(demo_db, client, username):
    """The demo logins work through the real login page (throttling backend included)."""
    url = reverse("login")
    refused = client.post(url, {"username": username, "password": "wrong"})
    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session
    response = client.post(url, {"username": username, "password": "vipdemo"})
    assert response.status_code == 302
    user = get_user_model().objects.get(username=username)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_clients_contacts_and_volumes(demo_db):
    # 200 clients plus the one a converted referral became.
    assert Client.objects.count() == 201
    assert Client.objects.filter(kind="private").count() == 30
    corporate = Client.objects.filter(kind="corporate", referral__isnull=True)
    assert all(len(t) == 10 for t in corporate.values_list("tax_number", flat=True))
    assert Client.objects.filter(kind="private", tax_number__isnull=True).exists()
    counts = set(Client.objects.annotate(n=Count("contacts")).values_list("n", flat=True))
    assert counts <= {2, 3, 4, 5}
    assert KeyContact.objects.filter(left_company=True).exists()
    assert KeyContact.objects.filter(verified_on__isnull=True).exists()
    per_active = set(
        Client.objects.filter(status="active", referral__isnull=True)
        .annotate(n=Count("volumes"))
        .values_list("n", flat=True)
    )
    assert per_active == {24}
    lost = Client.objects.filter(status="lost")
    assert lost.count() == 14
    for client in lost:
        assert not client.volumes.filter(period__gt=client.lost_on).exists()
    assert not ClientVolume.objects.exclude(period__day=1).exists()


def test_active_programme_has_every_stage_and_respects_monopolised_rule(demo_db):
    active = Programme.objects.get(status="active")
    assert active.manager.username == "manager"
    assert Programme.objects.filter(status="closed").count() == 1
    stages = set(active.enrolments.values_list("stage", flat=True))
    assert stages == set(Stage.values)
    assert active.enrolments.filter(assessment="monopolised").exists()
    assert not Enrolment.objects.filter(
        assessment="monopolised", assignee=F("original_salesperson")
    ).exists()
    assert not Enrolment.objects.filter(
        assessment="monopolised", assignee=F("client__original_salesperson")
    ).exists()
    assigned = Enrolment.objects.filter(assignee__isnull=False)
    assert not assigned.filter(assignment_changes__isnull=True).exists()
    assert AssignmentChange.objects.filter(from_user__isnull=False).exists()


def test_employee_personal_list(demo_db):
    active = Programme.objects.get(status="active")
    mine = Enrolment.objects.personal_list(get_user_model().objects.get(username="employee"))
    assert mine.count() == 25
    assert mine.filter(programme=active, stage="not_contacted").count() == 7
    assert set(mine.values_list("stage", flat=True)) == set(Stage.values)
    theirs = Enrolment.objects.filter(assignee__username="employee2").count()
    assert theirs == 24
    days = {
        timezone.localtime(at).date()
        for at in Visit.objects.filter(employee__username="employee", status="planned").values_list(
            "scheduled_at", flat=True
        )
    }
    today = timezone.localdate()
    assert {today, today + timezone.timedelta(days=1)} <= days


def test_feedback_in_every_status(demo_db):
    assert set(Visit.objects.values_list("status", flat=True)) == {"planned", "held", "cancelled"}
    assert set(VisitReport.objects.values_list("status", flat=True)) == {"draft", "finished"}
    assert set(CorrectiveAction.objects.values_list("status", flat=True)) == {
        "open",
        "in_progress",
        "resolved",
        "client_informed",
    }
    assert set(Opportunity.objects.values_list("kind", "status")) == {
        (k, s) for k in ("upsell", "cross_sell") for s in ("open", "won", "lost")
    }
    assert set(Referral.objects.values_list("status", flat=True)) == {
        "new",
        "contacted",
        "meeting",
        "converted",
        "dropped",
    }
    for action in CorrectiveAction.objects.all():
        assert action.steps.count() >= 1
    today = timezone.localdate()
    mine = FollowUp.objects.filter(owner__username="employee")
    assert mine.filter(done_at__isnull=True, due_on=today).exists()
    assert mine.filter(done_at__isnull=True, due_on__lt=today).exists()
    assert mine.filter(done_at__isnull=True, due_on__gt=today).exists()
    assert mine.filter(done_at__isnull=False).exists()


def test_running_twice_changes_nothing(demo_db):
    before = row_counts()
    out = seed()
    assert "demo data already present" in out
    assert row_counts() == before


def test_summary_and_logins_printed(demo_db):
    assert "clients: 201" in demo_db
    assert "manager, employee, employee2, director, admin" in demo_db


def test_refused_in_production(settings):
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        seed()
    assert not Client.objects.exists()
