import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clients.models import KeyContact
from feedback.models import (
    ContactCheck,
    CorrectiveAction,
    FollowUp,
    Opportunity,
    Referral,
    VisitReportRevision,
)
from feedback.services import reports as services
from feedback.services.visits import visit_book
from tests import factories


@pytest.fixture
def visit(world, employee):
    return visit_book(
        enrolment=world.enrolment,
        by=employee,
        scheduled_at=timezone.now() + dt.timedelta(hours=2),
        contacts=[world.contact],
    )


@pytest.fixture
def report(visit, employee):
    return services.visit_report_start(visit=visit, by=employee)


def _essentials(world):
    return {
        "met_contacts": [str(world.contact.pk)],
        "score_goods": "4",
        "score_services": "5",
        "score_service": "3",
    }


def _in(days):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_visit_report_start_makes_one_draft_by_the_visit_employee(visit, employee):
    first = services.visit_report_start(visit=visit, by=employee)
    assert services.visit_report_start(visit=visit, by=employee) == first
    assert (first.status, first.author, first.draft) == ("draft", employee, {})


def test_visit_report_start_by_a_colleague_is_refused(visit, colleague):
    with pytest.raises(ValidationError, match="Only the employee"):
        services.visit_report_start(visit=visit, by=colleague)


def test_visit_report_save_draft_keeps_what_was_typed_even_invalid(report, employee):
    data = {"score_goods": "9", "market_position": "Leader", "complaints": [{"complaint": "x"}]}

    services.visit_report_save_draft(report=report, by=employee, data=data, version=1)

    report.refresh_from_db()
    assert report.draft == data
    assert report.version == 2
    assert report.status == "draft"
    assert report.score_goods is None


def test_visit_report_save_draft_twice_is_a_no_op_and_stale_versions_are_refused(report, employee):
    services.visit_report_save_draft(report=report, by=employee, data={"prospects": "a"}, version=1)
    # The double click sends the same data with the same (now old) version: harmless.
    services.visit_report_save_draft(report=report, by=employee, data={"prospects": "a"}, version=1)
    report.refresh_from_db()
    assert report.version == 2
    with pytest.raises(ValidationError, match="while you were editing"):
        services.visit_report_save_draft(
            report=report, by=employee, data={"prospects": "b"}, version=1
        )
    report.refresh_from_db()
    assert report.draft == {"prospects": "a"}


def test_visit_report_finish_without_essentials_is_refused_and_keeps_the_draft(
    report, employee, world
):
    data = {"market_position": "Second on its market", "score_goods": "4"}

    with pytest.raises(ValidationError) as error:
        services.visit_report_finish(report=report, by=employee, data=data)

    assert error.value.message_dict["met_contacts"] == [
        "Say who was met: tick at least one key person."
    ]
    assert error.value.message_dict["score_services"] == ["Give the quality score (1–5)."]
    assert error.value.message_dict["score_service"] == ["Give the quality score (1–5)."]
    report.refresh_from_db()
    assert report.status == "draft"
    assert report.draft == data
    world.enrolment.refresh_from_db()
    assert world.enrolment.stage == "meeting_booked"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("score_goods", "0"),
        ("score_services", "6"),
        ("recommendation_score", "11"),
        ("score_service", "three"),
    ],
)
def test_visit_report_finish_with_scores_out_of_range_is_refused(
    report, employee, world, name, value
):
    data = {**_essentials(world), name: value}
    with pytest.raises(ValidationError) as error:
        services.visit_report_finish(report=report, by=employee, data=data)
    assert "A score is a whole number from" in error.value.message_dict[name][0]
    report.refresh_from_db()
    assert (report.status, report.draft[name]) == ("draft", value)


def test_visit_report_finish_writes_relationship_market_and_quality(report, employee, world):
    data = {
        **_essentials(world),
        "relationship_after": "strong",
        "relationship_notes": "Warm",
        "market_position": "Leader in the region",
        "prospects": "New plant in 2027",
        "outlook": "growing",
        "recommendation_score": "9",
        "quality_comments": "Deliveries late twice",
    }

    services.visit_report_finish(report=report, by=employee, data=data)

    report.refresh_from_db()
    assert report.status == "finished" and report.finished_at is not None
    assert list(report.met_contacts.all()) == [world.contact]
    assert (report.relationship_after, report.relationship_notes) == ("strong", "Warm")
    assert (report.market_position, report.prospects, report.outlook) == (
        "Leader in the region",
        "New plant in 2027",
        "growing",
    )
    assert (
        report.score_goods,
        report.score_services,
        report.score_service,
        report.recommendation_score,
    ) == (4, 5, 3, 9)
    assert report.quality_comments == "Deliveries late twice"
    report.visit.refresh_from_db()
    assert report.visit.status == "held"
    world.enrolment.refresh_from_db()
    assert world.enrolment.stage == "visited"


def test_visit_report_finish_writes_the_contact_checks(report, employee, world):
    today = timezone.localdate()
    updated = factories.KeyContactFactory(client=world.client, full_name="Old Phone", phone="1")
    leaving = factories.KeyContactFactory(client=world.client, full_name="Gone Soon")
    data = {
        **_essentials(world),
        "contacts": [
            {"contact": world.contact.pk, "outcome": "confirmed", "note": "Same as ever"},
            {"contact": updated.pk, "outcome": "updated", "phone": "+7 900", "job_title": "CFO"},
            {"contact": leaving.pk, "outcome": "left"},
        ],
        "new_contacts": [
            {"full_name": "Nina New", "role": "influencer", "phone": "+7 901", "met": True},
            {"full_name": "", "role": "", "phone": ""},  # an empty extra row: ignored
        ],
    }

    services.visit_report_finish(report=report, by=employee, data=data)

    world.contact.refresh_from_db()
    updated.refresh_from_db()
    leaving.refresh_from_db()
    assert world.contact.verified_on == today
    assert (updated.phone, updated.job_title, updated.verified_on) == ("+7 900", "CFO", today)
    assert (leaving.left_company, leaving.left_on, leaving.verified_on) == (True, today, None)
    new = KeyContact.objects.get(full_name="Nina New")
    assert (new.client, new.role, new.phone, new.added_by, new.verified_on) == (
        world.client,
        "influencer",
        "+7 901",
        employee,
        today,
    )
    checks = {(c.contact.full_name, c.outcome, c.note) for c in ContactCheck.objects.all()}
    assert checks == {
        ("Pavel Ivanov", "confirmed", "Same as ever"),
        ("Old Phone", "updated", ""),
        ("Gone Soon", "left", ""),
        ("Nina New", "added", ""),
    }
    assert set(report.met_contacts.all()) == {world.contact, new}


def test_visit_report_finish_opens_corrective_actions_opportunities_referrals_follow_ups(
    report, employee, world, manager
):
    bought = factories.ClientPositionFactory(client=world.client, position__name="Steel pipes")
    new_position = factories.PositionFactory(name="Maintenance")
    data = {
        **_essentials(world),
        "complaints": [
            {
                "area": "goods",
                "complaint": "Pipes arrive scratched",
                "action": "Better packing",
                "owner": str(manager.pk),
                "due_on": _in(14),
            }
        ],
        "upsells": [{"client_position": str(bought.pk), "expected_value": "250000"}],
        "cross_sells": [
            {"position": str(new_position.pk), "description": "Yearly service"},
            {"topic": "Training for their engineers", "expected_value": ""},
        ],
        "referrals": [
            {
                "person_name": "Oleg Referred",
                "company_name": "Gamma Build",
                "phone": "+7 902",
                "referring_contact": str(world.contact.pk),
            }
        ],
        "follow_ups": [{"title": "Send the price list", "due_on": _in(3)}],
    }

    services.visit_report_finish(report=report, by=employee, data=data)

    action = CorrectiveAction.objects.get()
    assert (action.client, action.report, action.programme) == (
        world.client,
        report,
        world.programme,
    )
    assert (action.area, action.complaint, action.action, action.owner, action.status) == (
        "goods",
        "Pipes arrive scratched",
        "Better packing",
        manager,
        "open",
    )
    assert action.due_on == timezone.localdate() + dt.timedelta(days=14)
    assert action.steps.count() == 1
    upsell = Opportunity.objects.get(kind="upsell")
    assert (upsell.client_position, upsell.expected_value, upsell.owner, upsell.report) == (
        bought,
        Decimal("250000"),
        employee,
        report,
    )
    cross = Opportunity.objects.filter(kind="cross_sell").order_by("id")
    assert [(o.position, o.topic, o.description) for o in cross] == [
        (new_position, "", "Yearly service"),
        (None, "Training for their engineers", ""),
    ]
    referral = Referral.objects.get()
    assert (
        referral.person_name,
        referral.company_name,
        referral.phone,
        referral.referring_client,
        referral.referring_contact,
        referral.owner,
        referral.status,
    ) == ("Oleg Referred", "Gamma Build", "+7 902", world.client, world.contact, employee, "new")
    follow_up = FollowUp.objects.get()
    assert (follow_up.title, follow_up.owner, follow_up.client, follow_up.report) == (
        "Send the price list",
        employee,
        world.client,
        report,
    )


def test_visit_report_finish_twice_writes_everything_once(report, employee, world):
    data = {**_essentials(world), "follow_ups": [{"title": "Call back", "due_on": _in(2)}]}
    services.visit_report_finish(report=report, by=employee, data=data, version=1)
    services.visit_report_finish(report=report, by=employee, data=data, version=1)
    assert FollowUp.objects.count() == 1
    assert ContactCheck.objects.count() == 0
    report.refresh_from_db()
    assert report.status == "finished"


def test_visit_report_finish_refuses_rows_pointing_at_another_client(report, employee, world):
    other_position = factories.ClientPositionFactory(client=world.colleague_client)
    data = {
        **_essentials(world),
        "contacts": [{"contact": world.colleague_contact.pk, "outcome": "confirmed"}],
        "upsells": [{"client_position": other_position.pk}],
        "referrals": [
            {"person_name": "X", "phone": "1", "referring_contact": world.colleague_contact.pk}
        ],
    }
    with pytest.raises(ValidationError) as error:
        services.visit_report_finish(report=report, by=employee, data=data)
    assert error.value.message_dict["contacts"] == [
        "Row 1: That person is a contact of another client."
    ]
    assert error.value.message_dict["upsells"] == [
        "Row 1: An upsell is on a position the client already buys."
    ]
    assert error.value.message_dict["referrals"] == [
        "Row 1: The referring contact works at another client."
    ]
    assert Opportunity.objects.count() == Referral.objects.count() == 0
    world.colleague_contact.refresh_from_db()
    assert world.colleague_contact.verified_on is None


def test_visit_report_finish_refuses_a_complaint_without_a_due_date(report, employee, world):
    data = {**_essentials(world), "complaints": [{"complaint": "Rude driver", "due_on": ""}]}
    with pytest.raises(ValidationError) as error:
        services.visit_report_finish(report=report, by=employee, data=data)
    assert error.value.message_dict["complaints"] == ["Row 1: Give a due date (YYYY-MM-DD)."]
    assert CorrectiveAction.objects.count() == 0


def test_visit_report_correct_keeps_each_change_in_the_history(report, employee, world):
    services.visit_report_finish(report=report, by=employee, data=_essentials(world))
    report.refresh_from_db()

    services.visit_report_correct(
        report=report, by=employee, data={"score_goods": "2", "prospects": "Slower"}
    )
    services.visit_report_correct(  # the same correction again: nothing new
        report=report, by=employee, data={"score_goods": "2", "prospects": "Slower"}
    )

    report.refresh_from_db()
    assert (report.score_goods, report.prospects) == (2, "Slower")
    revision = VisitReportRevision.objects.get()
    assert revision.changed_by == employee
    assert revision.changes == {
        "score_goods": {"from": 4, "to": 2},
        "prospects": {"from": "", "to": "Slower"},
    }


def test_visit_report_correct_by_someone_else_or_of_a_draft_is_refused(
    report, employee, colleague, world
):
    with pytest.raises(ValidationError, match="Only a finished report"):
        services.visit_report_correct(report=report, by=employee, data={"score_goods": "2"})
    services.visit_report_finish(report=report, by=employee, data=_essentials(world))
    with pytest.raises(ValidationError, match="Only the author"):
        services.visit_report_correct(report=report, by=colleague, data={"score_goods": "2"})
    with pytest.raises(ValidationError, match="A score is"):
        services.visit_report_correct(report=report, by=employee, data={"score_goods": "7"})
    assert VisitReportRevision.objects.count() == 0
