"""Permission cases of the follow-up pages and API (issue 5): My work, follow-ups, corrective
actions, opportunities, referrals and notifications.

Each object is built on ``world.client`` (the employee's client on the manager's programme) and
owned by the employee: the colleague and the other manager get 404, management reads but any
write answers 403. A person's own inbox (marking read, notification settings) is theirs, so
management may keep it too; another person's notification answers 404 to everyone else.
"""

import datetime as dt

from django.utils import timezone

from tests import factories
from tests.url_cases import LOGIN, UrlCase, api, page


def _follow_up(world):
    return factories.FollowUpFactory(
        client=world.client, owner=world.enrolment.assignee, programme=world.programme
    )


def _action(world):
    return factories.CorrectiveActionFactory(
        client=world.client, owner=world.enrolment.assignee, programme=world.programme
    )


def _opportunity(world):
    return factories.OpportunityFactory(
        client=world.client, owner=world.enrolment.assignee, programme=world.programme
    )


def _referral(world):
    return factories.ReferralFactory(
        referring_client=world.client, owner=world.enrolment.assignee, programme=world.programme
    )


def _notification(world):
    return factories.NotificationFactory(recipient=world.enrolment.assignee)


def pk_of(make):
    return lambda world: {"pk": make(world).pk}


# The employee's object: the owner and the programme's manager may, others get 404.
OWN = dict(anonymous=LOGIN, employee=200, colleague=404, manager=200, other_manager=404)
READ = page(colleague=404, other_manager=404)
WRITE = dict(OWN, employee=302, manager=302, director=403)
WRITE_FORM = dict(OWN, director=403)
MINE = dict(
    anonymous=LOGIN, employee=302, colleague=404, manager=404, other_manager=404, director=404
)
API_READ = api(colleague=404, other_manager=404)
API_WRITE = api(colleague=404, other_manager=404, director=403)
API_MINE = api(colleague=404, manager=404, other_manager=404, director=404)


def later(days=7):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


CONVERT_DATA = {
    "client_name": "Gamma Trade",
    "client_kind": "corporate",
    "contact_name": "Nina Volkova",
    "contact_role": "decision_maker",
}

CASES = {
    # --- Pages ---
    "feedback:work": UrlCase(page()),
    "feedback:follow_up_detail": UrlCase(READ, kwargs=pk_of(_follow_up)),
    "feedback:follow_up_done": UrlCase(WRITE, kwargs=pk_of(_follow_up), method="post"),
    "feedback:follow_up_reschedule": [
        UrlCase(WRITE_FORM, kwargs=pk_of(_follow_up)),
        UrlCase(
            WRITE,
            kwargs=pk_of(_follow_up),
            method="post",
            data=lambda world: {"due_on": later(20), "reason": "Client away"},
        ),
    ],
    "feedback:corrective_action_list": UrlCase(page()),
    "feedback:corrective_action_detail": UrlCase(READ, kwargs=pk_of(_action)),
    "feedback:corrective_action_move": UrlCase(
        WRITE, kwargs=pk_of(_action), method="post", data=lambda world: {"status": "in_progress"}
    ),
    "feedback:corrective_action_hand_over": [
        UrlCase(WRITE_FORM, kwargs=pk_of(_action)),
        UrlCase(
            WRITE,
            kwargs=pk_of(_action),
            method="post",
            data=lambda world: {"owner": world.enrolment.assignee.pk, "due_on": later(30)},
        ),
    ],
    "feedback:opportunity_list": UrlCase(page()),
    "feedback:opportunity_detail": UrlCase(READ, kwargs=pk_of(_opportunity)),
    "feedback:opportunity_win": UrlCase(
        WRITE, kwargs=pk_of(_opportunity), method="post", data=lambda world: {"value": "1000"}
    ),
    "feedback:opportunity_lose": UrlCase(
        WRITE, kwargs=pk_of(_opportunity), method="post", data=lambda world: {"reason": "Budget"}
    ),
    "feedback:referral_list": UrlCase(page()),
    "feedback:referral_detail": UrlCase(READ, kwargs=pk_of(_referral)),
    "feedback:referral_move": UrlCase(
        WRITE, kwargs=pk_of(_referral), method="post", data=lambda world: {"status": "contacted"}
    ),
    "feedback:referral_drop": UrlCase(
        WRITE, kwargs=pk_of(_referral), method="post", data=lambda world: {"reason": "No need"}
    ),
    "feedback:referral_convert": [
        UrlCase(WRITE_FORM, kwargs=pk_of(_referral)),
        UrlCase(
            WRITE, kwargs=pk_of(_referral), method="post", data=lambda world: dict(CONVERT_DATA)
        ),
    ],
    "feedback:notification_list": UrlCase(page()),
    "feedback:notification_bell": UrlCase(page()),
    "feedback:notification_settings": [
        UrlCase(page()),
        UrlCase(
            page(employee=302, colleague=302, manager=302, other_manager=302, director=302),
            method="post",
            data=lambda world: {"language": "ru", "email_kinds": ["weekly_digest"]},
        ),
    ],
    "feedback:notification_read_all": UrlCase(
        page(employee=302, colleague=302, manager=302, other_manager=302, director=302),
        method="post",
    ),
    "feedback:notification_open": UrlCase(MINE, kwargs=pk_of(_notification)),
    "feedback:notification_read": UrlCase(MINE, kwargs=pk_of(_notification), method="post"),
}


JSON = "application/json"


def api_write(make, data=lambda world: {}, expect=None):
    return UrlCase(
        expect or dict(API_WRITE),
        kwargs=pk_of(make),
        method="post",
        data=data,
        content_type=JSON,
    )


CASES.update(
    {
        # --- API ---
        "api-follow-up-list": UrlCase(api()),
        "api-follow-up-detail": UrlCase(API_READ, kwargs=pk_of(_follow_up)),
        "api-follow-up-done": api_write(_follow_up),
        "api-follow-up-reschedule": api_write(
            _follow_up, data=lambda world: {"due_on": later(9), "reason": "Client away"}
        ),
        "api-corrective-action-list": UrlCase(api()),
        "api-corrective-action-detail": UrlCase(API_READ, kwargs=pk_of(_action)),
        "api-corrective-action-move": api_write(
            _action, data=lambda world: {"status": "in_progress", "note": "Started"}
        ),
        "api-corrective-action-hand-over": api_write(
            _action,
            data=lambda world: {"owner": world.enrolment.assignee.pk, "due_on": later(30)},
        ),
        "api-opportunity-list": UrlCase(api()),
        "api-opportunity-totals": UrlCase(api()),
        "api-opportunity-detail": UrlCase(API_READ, kwargs=pk_of(_opportunity)),
        "api-opportunity-win": api_write(_opportunity, data=lambda world: {"value": "500.00"}),
        "api-opportunity-lose": api_write(_opportunity, data=lambda world: {"reason": "Budget"}),
        "api-referral-list": UrlCase(api()),
        "api-referral-detail": UrlCase(API_READ, kwargs=pk_of(_referral)),
        "api-referral-move": api_write(_referral, data=lambda world: {"status": "contacted"}),
        "api-referral-drop": api_write(_referral, data=lambda world: {"reason": "No need"}),
        "api-referral-convert": api_write(
            _referral,
            data=lambda world: {"client_name": "Gamma Trade"},
            expect=api(colleague=404, other_manager=404, director=403, employee=201, manager=201),
        ),
        "api-notification-list": UrlCase(api()),
        "api-notification-unread-count": UrlCase(api()),
        "api-notification-detail": UrlCase(API_MINE, kwargs=pk_of(_notification)),
        "api-notification-read": api_write(_notification, expect=dict(API_MINE)),
        "api-notification-read-all": UrlCase(api(), method="post", content_type=JSON),
    }
)
