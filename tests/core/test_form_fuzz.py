"""Hostile input posted through the pages: every answer is the form again with its errors
(200, nothing written) or a redirect after a save whose rows are valid (full_clean passes) —
never a 500, never a half-written change."""

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from clients.forms import KeyContactForm
from clients.models import KeyContact
from feedback.forms.followups import (
    CorrectiveActionHandOverForm,
    FollowUpRescheduleForm,
    NotificationSettingsForm,
    OpportunityLoseForm,
    OpportunityWinForm,
    ReferralConvertForm,
    ReferralDropForm,
)
from feedback.forms.visits import VisitBookForm, VisitCancelForm, VisitRescheduleForm
from feedback.models import CorrectiveAction, FollowUp, Opportunity, Referral, Visit
from programme.forms import (
    AssessmentForm,
    AssignForm,
    CloseForm,
    NextRunForm,
    ProgrammeForm,
    StaffAddForm,
)
from programme.models import Enrolment, Programme, StaffMember
from tests import factories

from .fuzz import FUZZ, form_data, row_counts

pytestmark = pytest.mark.django_db


def _as(user):
    http = HttpClient(raise_request_exception=False)
    http.force_login(user)
    return http


def _visit(w):
    return factories.VisitFactory(enrolment=w.enrolment)


# name -> (who posts, url, form class, valid values to keep, model whose rows must be valid)
def _cases(w, employee, manager):
    p, e, contact = w.programme, w.enrolment, w.contact
    c = w.client

    def visit():
        return _visit(w).pk

    def follow_up():
        return factories.FollowUpFactory(client=c, owner=employee, programme=p).pk

    def action():
        return factories.CorrectiveActionFactory(client=c, owner=employee, programme=p).pk

    def opportunity():
        return factories.OpportunityFactory(client=c, owner=employee, programme=p).pk

    def referral():
        return factories.ReferralFactory(referring_client=c, owner=employee).pk

    # objects are made only for the case under test (lambdas)
    return {
        "contact_add": lambda: (
            employee,
            reverse("clients:contact_add", args=[w.client.pk]),
            KeyContactForm,
            {},
            KeyContact,
        ),
        "contact_edit": lambda: (
            employee,
            reverse("clients:contact_edit", args=[contact.pk]),
            KeyContactForm,
            {},
            KeyContact,
        ),
        "visit_book": lambda: (
            employee,
            reverse("feedback:visit_book", args=[e.pk]),
            VisitBookForm,
            {},
            Visit,
        ),
        "visit_reschedule": lambda: (
            employee,
            reverse("feedback:visit_reschedule", args=[visit()]),
            VisitRescheduleForm,
            {},
            Visit,
        ),
        "visit_cancel": lambda: (
            employee,
            reverse("feedback:visit_cancel", args=[visit()]),
            VisitCancelForm,
            {},
            Visit,
        ),
        "follow_up_reschedule": lambda: (
            employee,
            reverse("feedback:follow_up_reschedule", args=[follow_up()]),
            FollowUpRescheduleForm,
            {},
            FollowUp,
        ),
        "corrective_action_hand_over": lambda: (
            employee,
            reverse("feedback:corrective_action_hand_over", args=[action()]),
            CorrectiveActionHandOverForm,
            {},
            CorrectiveAction,
        ),
        "opportunity_win": lambda: (
            employee,
            reverse("feedback:opportunity_win", args=[opportunity()]),
            OpportunityWinForm,
            {},
            Opportunity,
        ),
        "opportunity_lose": lambda: (
            employee,
            reverse("feedback:opportunity_lose", args=[opportunity()]),
            OpportunityLoseForm,
            {},
            Opportunity,
        ),
        "referral_drop": lambda: (
            employee,
            reverse("feedback:referral_drop", args=[referral()]),
            ReferralDropForm,
            {},
            Referral,
        ),
        "referral_convert": lambda: (
            employee,
            reverse("feedback:referral_convert", args=[referral()]),
            ReferralConvertForm,
            {},
            Referral,
        ),
        "notification_settings": lambda: (
            employee,
            reverse("feedback:notification_settings"),
            NotificationSettingsForm,
            {},
            None,
        ),
        "programme_create": lambda: (
            manager,
            reverse("programme:programme_create"),
            ProgrammeForm,
            {"manager": manager.pk},
            Programme,
        ),
        "programme_edit": lambda: (
            manager,
            reverse("programme:programme_edit", args=[p.pk]),
            ProgrammeForm,
            {"manager": manager.pk},
            Programme,
        ),
        "programme_close": lambda: (
            manager,
            reverse("programme:programme_close", args=[p.pk]),
            CloseForm,
            {},
            Programme,
        ),
        "programme_next_run": lambda: (
            manager,
            reverse("programme:programme_next_run", args=[p.pk]),
            NextRunForm,
            {},
            Programme,
        ),
        "staff_add": lambda: (
            manager,
            reverse("programme:staff_add", args=[p.pk]),
            StaffAddForm,
            {},
            StaffMember,
        ),
        "enrolment_assess": lambda: (
            manager,
            reverse("programme:enrolment_assess", args=[p.pk, e.pk]),
            AssessmentForm,
            {},
            Enrolment,
        ),
        "enrolment_assign": lambda: (
            manager,
            reverse("programme:enrolment_assign", args=[p.pk, e.pk]),
            AssignForm,
            {},
            Enrolment,
        ),
    }


CASE_NAMES = [
    "contact_add", "contact_edit", "visit_book", "visit_reschedule", "visit_cancel",
    "follow_up_reschedule", "corrective_action_hand_over", "opportunity_win", "opportunity_lose",
    "referral_drop", "referral_convert", "notification_settings", "programme_create",
    "programme_edit", "programme_close", "programme_next_run", "staff_add", "enrolment_assess",
    "enrolment_assign",
]  # fmt: skip


@pytest.mark.parametrize("name", CASE_NAMES)
@FUZZ
@given(data=st.data())
def test_hostile_post_answers_errors_or_a_valid_save(name, data, world, employee, manager):
    user, url, form_class, fixed, model = _cases(world, employee, manager)[name]()
    http = _as(user)
    posted = data.draw(form_data(list(form_class.base_fields), fixed))
    before = row_counts()

    response = http.post(url, posted)

    # the form again with its errors (a 400 where the view says "bad request"), or a redirect
    assert response.status_code in (200, 302, 400), (response.status_code, posted)
    if response.status_code != 302:
        assert row_counts() == before, posted
    if model is not None:
        for row in model.objects.all():
            row.full_clean()
