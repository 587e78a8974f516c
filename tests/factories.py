"""factory_boy factories for every model; tests build exactly the rows they need."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from clients.models import (
    Client,
    ClientPosition,
    ClientVolume,
    KeyContact,
    Position,
    Region,
    Segment,
)
from feedback.models import (
    CorrectiveAction,
    FollowUp,
    Notification,
    Opportunity,
    Referral,
    Visit,
    VisitReport,
)
from programme.models import AssignmentChange, Enrolment, Programme, StaffMember
from vipcrm import roles


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*[Group.objects.get(name=name) for name in extracted])
        if create:
            self.save()


def manager_user(**kwargs):
    return UserFactory(roles=[roles.PROGRAMME_MANAGERS], **kwargs)


def staff_user(**kwargs):
    return UserFactory(roles=[roles.PROGRAMME_STAFF], **kwargs)


def management_user(**kwargs):
    return UserFactory(roles=[roles.MANAGEMENT], **kwargs)


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Segment {n}")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Region {n}")


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"Client {n:05d}")
    kind = "corporate"
    tax_number = factory.Sequence(lambda n: f"{7700000000 + n}")
    segment = factory.SubFactory(SegmentFactory)
    region = factory.SubFactory(RegionFactory)
    city = "Moscow"
    tier = "B"
    original_salesperson = factory.SubFactory(UserFactory)


class KeyContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyContact

    client = factory.SubFactory(ClientFactory)
    full_name = factory.Faker("name")
    role = "decision_maker"
    phone = "+7 495 000-00-00"
    email = factory.Sequence(lambda n: f"contact{n}@client.example")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Position {n}")


class ClientPositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientPosition

    client = factory.SubFactory(ClientFactory)
    position = factory.SubFactory(PositionFactory)
    annual_volume = Decimal("100000")


class ClientVolumeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientVolume

    client = factory.SubFactory(ClientFactory)
    period = dt.date(2026, 1, 1)
    amount = Decimal("1000")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"VIP programme {n}")
    manager = factory.LazyFunction(manager_user)
    starts_on = factory.LazyFunction(lambda: timezone.localdate())
    deadline = factory.LazyAttribute(lambda p: p.starts_on + dt.timedelta(days=90))
    status = "active"


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    programme = factory.SubFactory(ProgrammeFactory)
    employee = factory.LazyFunction(staff_user)
    kind = "dedicated"


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    programme = factory.SubFactory(ProgrammeFactory)
    client = factory.SubFactory(ClientFactory)
    original_salesperson = factory.LazyAttribute(lambda e: e.client.original_salesperson)
    assignee = None
    assigned_at = factory.LazyAttribute(lambda e: timezone.now() if e.assignee else None)


class AssignmentChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssignmentChange

    enrolment = factory.SubFactory(EnrolmentFactory)
    to_user = factory.LazyAttribute(lambda c: c.enrolment.assignee)
    changed_by = factory.LazyAttribute(lambda c: c.enrolment.programme.manager)
    reason = "Initial split"


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    client = factory.LazyAttribute(lambda v: v.enrolment.client if v.enrolment else ClientFactory())
    enrolment = None
    employee = factory.LazyAttribute(
        lambda v: v.enrolment.assignee if v.enrolment and v.enrolment.assignee else staff_user()
    )
    scheduled_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=2))
    place = "Client's office"


class VisitReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitReport

    visit = factory.SubFactory(VisitFactory, status="held")
    author = factory.LazyAttribute(lambda r: r.visit.employee)


class CorrectiveActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CorrectiveAction

    client = factory.SubFactory(ClientFactory)
    complaint = "Deliveries arrive late"
    owner = factory.LazyFunction(staff_user)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=14))


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    client = factory.SubFactory(ClientFactory)
    kind = "cross_sell"
    topic = "Maintenance contract"
    expected_value = Decimal("50000")
    owner = factory.LazyFunction(staff_user)


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    referring_client = factory.SubFactory(ClientFactory)
    person_name = factory.Faker("name")
    company_name = factory.Sequence(lambda n: f"Referred company {n}")
    phone = "+7 812 000-00-00"
    owner = factory.LazyFunction(staff_user)


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    client = factory.SubFactory(ClientFactory)
    title = "Send the price list"
    owner = factory.LazyFunction(staff_user)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=3))


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.LazyFunction(staff_user)
    kind = "follow_up_due"
    key = factory.Sequence(lambda n: f"test:{n}")
    message = "A follow-up is due today"
