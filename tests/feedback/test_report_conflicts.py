"""Optimistic locking of the visit report: a save from a stale version is refused with what
differs, field by field, and nothing typed is lost (page and API alike)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import VisitReport, VisitReportRevision
from feedback.services import reports as services
from feedback.services.visits import visit_book
from tests.feedback.test_visits_pages import _report_post
from vipcrm.conflicts import VersionConflict


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
    report = services.visit_report_start(visit=visit, by=employee)
    return services.visit_report_save_draft(
        report=report, by=employee, data={"market_position": "Leader", "score_goods": "4"}
    )


def test_a_stale_draft_save_is_refused_naming_each_differing_field(report, employee):
    started_from = report.version
    services.visit_report_save_draft(
        report=report,
        by=employee,
        data={"market_position": "Follower", "score_goods": "4", "relationship_after": "at_risk"},
        version=started_from,
    )

    with pytest.raises(VersionConflict) as caught:
        services.visit_report_save_draft(
            report=report,
            by=employee,
            data={"market_position": "Challenger", "score_goods": "4"},
            version=started_from,
        )

    changes = {change.field: (change.yours, change.saved) for change in caught.value.changes}
    assert changes == {
        "market_position": ("Challenger", "Follower"),
        "relationship_after": ("—", "At risk"),
    }
    assert caught.value.version == started_from + 1
    saved = VisitReport.objects.get(pk=report.pk)
    assert saved.draft["market_position"] == "Follower"  # nothing overwritten


def test_a_stale_correction_is_refused_and_writes_no_revision(world, report, employee):
    essentials = {
        "met_contacts": [str(world.contact.pk)],
        "score_goods": "4",
        "score_services": "5",
        "score_service": "3",
    }
    report = services.visit_report_finish(report=report, by=employee, data=essentials)
    started_from = report.version
    services.visit_report_correct(
        report=report, by=employee, data={"score_goods": "2"}, version=started_from
    )

    with pytest.raises(VersionConflict) as caught:
        services.visit_report_correct(
            report=report, by=employee, data={"score_goods": "5"}, version=started_from
        )

    assert [(c.field, c.yours, c.saved) for c in caught.value.changes] == [
        ("score_goods", "5", "2")
    ]
    assert VisitReport.objects.get(pk=report.pk).score_goods == 2
    assert VisitReportRevision.objects.count() == 1


def test_report_page_second_save_from_an_old_page_keeps_the_input_and_shows_both_values(
    world, as_employee, report, employee
):
    url = reverse("feedback:report_edit", args=[report.visit_id])
    old_page_version = str(report.version)
    # Another tab saves first.
    services.visit_report_save_draft(
        report=report,
        by=employee,
        data={"market_position": "Saved elsewhere", "score_goods": "4"},
        version=report.version,
    )

    response = as_employee.post(
        url,
        _report_post(world, "save", version=old_page_version, market_position="Typed in this tab"),
    )

    text = response.content.decode()
    assert response.status_code == 409
    assert 'data-testid="version-conflict"' in text
    assert "Someone else saved this record while you were editing it" in text
    row = text.split('data-testid="conflict-market_position"')[1].split("</tr>")[0]
    assert "Typed in this tab" in row and "Saved elsewhere" in row
    assert "Typed in this tab</textarea>" in text  # the form keeps what was typed
    saved = VisitReport.objects.get(pk=report.pk)
    assert saved.draft["market_position"] == "Saved elsewhere"
    assert f'name="version" value="{saved.version}"' in text

    # Saving again, having seen the difference, is a deliberate overwrite.
    again = as_employee.post(
        url,
        _report_post(
            world, "save", version=str(saved.version), market_position="Typed in this tab"
        ),
    )
    assert again.status_code == 302
    assert VisitReport.objects.get(pk=report.pk).draft["market_position"] == "Typed in this tab"


def test_report_page_conflict_is_shown_in_russian(world, logged_in, report, employee):
    from feedback.models import NotificationSettings  # noqa: F401 - the language is the request's

    http = logged_in(employee)
    url = reverse("feedback:report_edit", args=[report.visit_id])
    old = str(report.version)
    services.visit_report_save_draft(
        report=report, by=employee, data={"market_position": "X"}, version=report.version
    )

    response = http.post(
        url,
        _report_post(world, "save", version=old, market_position="Y"),
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    assert response.status_code == 409
    assert "Ваш ввод" in response.content.decode()


def test_report_correction_page_refuses_a_stale_version_and_keeps_the_input(
    world, as_employee, visit
):
    url = reverse("feedback:report_edit", args=[visit.pk])
    as_employee.post(url, _report_post(world, "finish"))
    report = VisitReport.objects.get(visit=visit)
    old = str(report.version)
    correction = {
        "met_contacts": [str(world.contact.pk)],
        "score_services": "4",
        "score_service": "5",
    }
    assert (
        as_employee.post(url, {**correction, "score_goods": "2", "version": old}).status_code == 302
    )

    response = as_employee.post(url, {**correction, "score_goods": "1", "version": old})

    text = response.content.decode()
    assert response.status_code == 409
    row = text.split('data-testid="conflict-score_goods"')[1].split("</tr>")[0]
    assert "<td>1</td><td>2</td>" in row.replace("\n", "")
    assert VisitReport.objects.get(pk=report.pk).score_goods == 2


def test_api_report_put_from_a_stale_version_answers_409_with_the_changes(
    world, as_employee, report, employee
):
    url = f"/api/v1/visits/{report.visit_id}/report/"
    read = as_employee.get(url).json()
    first = as_employee.put(
        url,
        {"version": read["version"], "market_position": "First"},
        content_type="application/json",
    )
    assert first.status_code == 200

    second = as_employee.put(
        url,
        {"version": read["version"], "market_position": "Second"},
        content_type="application/json",
    )

    assert second.status_code == 409
    body = second.json()
    assert body["code"] == "conflict" and body["version"] == first.json()["version"]
    market = next(c for c in body["changes"] if c["field"] == "market_position")
    assert (market["yours"], market["saved"]) == ("Second", "First")
    assert VisitReport.objects.get(pk=report.pk).draft["market_position"] == "First"


def test_api_report_rejects_a_version_that_is_not_a_number(world, as_employee, report):
    url = f"/api/v1/visits/{report.visit_id}/report/"
    response = as_employee.put(
        url, {"version": "abc", "market_position": "Z"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "whole number" in str(response.json())
