"""Visits, reports, My list and the calendar feed. A visit belongs to its employee: a colleague
gets 404, whoever else may see it (managers, management) reads it and gets 403 on a change."""

import datetime as dt

from django.utils import timezone

from feedback.services.visits import calendar_feed_create, calendar_feed_revoke
from tests import factories
from tests.url_cases import DENIED, LOGIN, UrlCase, api, page

JSON = "application/json"


def _enrolment(world):
    return {"enrolment_pk": world.enrolment.pk}


def _visit(world):
    return {"pk": factories.VisitFactory(enrolment=world.enrolment).pk}


def _future(days=3):
    return (timezone.localtime() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _token(world):
    return {"token": calendar_feed_create(user=world.enrolment.assignee).token}


def _revoked_token(world):
    token = calendar_feed_create(user=world.enrolment.assignee).token
    calendar_feed_revoke(user=world.enrolment.assignee)
    return {"token": token}


def _report(world):
    return {
        "met_contacts": [world.contact.pk],
        "score_goods": 4,
        "score_services": 4,
        "score_service": 5,
    }


OWN_FORM = dict(
    anonymous=LOGIN, employee=200, colleague=404, manager=403, other_manager=403, director=403
)
OWN_WRITE = dict(
    anonymous=LOGIN, employee=302, colleague=404, manager=403, other_manager=403, director=403
)
OWN_API = dict(
    anonymous=DENIED, employee=200, colleague=404, manager=403, other_manager=403, director=403
)
# Booking is done from the enrolment: other_manager does not see this programme's enrolments.
BOOK = dict(
    anonymous=LOGIN, employee=200, colleague=404, manager=403, other_manager=404, director=403
)

CASES = {
    "feedback:my_list": UrlCase(page()),
    "feedback:visit_book": [
        UrlCase(BOOK, kwargs=_enrolment),
        UrlCase(
            {**BOOK, "employee": 302},
            kwargs=_enrolment,
            method="post",
            data=lambda world: {"scheduled_at": _future(), "place": "Office"},
        ),
    ],
    "feedback:visit_detail": UrlCase(page(colleague=404), kwargs=_visit),
    "feedback:visit_reschedule": [
        UrlCase(OWN_FORM, kwargs=_visit),
        UrlCase(
            OWN_WRITE,
            kwargs=_visit,
            method="post",
            data=lambda world: {"scheduled_at": _future(5), "reason": "Client asked"},
        ),
    ],
    "feedback:visit_cancel": [
        UrlCase(OWN_FORM, kwargs=_visit),
        UrlCase(OWN_WRITE, kwargs=_visit, method="post", data=lambda world: {"reason": "Ill"}),
    ],
    "feedback:report_edit": [
        UrlCase(OWN_FORM, kwargs=_visit),
        UrlCase(
            OWN_WRITE,
            kwargs=_visit,
            method="post",
            data=lambda world: {"action": "save", "market_position": "Leader"},
        ),
    ],
    "feedback:calendar_feed": [
        UrlCase(page()),
        UrlCase(
            page(employee=302, colleague=302, manager=302, other_manager=302, director=403),
            method="post",
            data=lambda world: {"action": "create"},
        ),
    ],
    # The token is the credential: it works without a login, and not at all once revoked.
    "feedback:calendar_ics": [
        UrlCase(
            dict(
                anonymous=200,
                employee=200,
                colleague=200,
                manager=200,
                other_manager=200,
                director=200,
            ),
            kwargs=_token,
        ),
        UrlCase(
            dict(
                anonymous=404,
                employee=404,
                colleague=404,
                manager=404,
                other_manager=404,
                director=404,
            ),
            kwargs=_revoked_token,
        ),
    ],
    "api-visit-list": [
        UrlCase(api()),
        UrlCase(
            dict(
                anonymous=DENIED,
                employee=201,
                colleague=404,
                manager=403,
                other_manager=404,
                director=403,
            ),
            method="post",
            data=lambda world: {
                "enrolment": world.enrolment.pk,
                "scheduled_at": (timezone.now() + dt.timedelta(days=2)).isoformat(),
                "contacts": [world.contact.pk],
            },
            content_type=JSON,
        ),
    ],
    "api-visit-detail": UrlCase(api(colleague=404), kwargs=_visit),
    "api-visit-reschedule": UrlCase(
        OWN_API,
        kwargs=_visit,
        method="post",
        data=lambda world: {
            "scheduled_at": (timezone.now() + dt.timedelta(days=6)).isoformat(),
            "reason": "Client asked",
        },
        content_type=JSON,
    ),
    "api-visit-cancel": UrlCase(
        OWN_API,
        kwargs=_visit,
        method="post",
        data=lambda world: {"reason": "Ill"},
        content_type=JSON,
    ),
    "api-visit-report": [
        UrlCase(api(colleague=404), kwargs=_visit),
        UrlCase(
            OWN_API,
            kwargs=_visit,
            method="put",
            data=lambda world: {"prospects": "New plant"},
            content_type=JSON,
        ),
        UrlCase(OWN_API, kwargs=_visit, method="post", data=_report, content_type=JSON),
    ],
    "api-my-enrolments": UrlCase(api()),
}
