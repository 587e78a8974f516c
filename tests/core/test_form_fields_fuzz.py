"""Every form, called directly with hostile input, answers valid or invalid with messages —
it never raises. Ids too big for the database are "not one of the choices", not a 500."""

import pytest
from django import forms
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from clients.forms import KeyContactForm
from feedback.forms import followups as f
from feedback.forms import reports as r
from feedback.forms import visits as v
from programme import forms as p
from tests import factories

from .fuzz import FUZZ, form_data

pytestmark = pytest.mark.django_db


def _forms(world, employee):
    prog, client, contacts = world.programme, world.client, [world.contact]
    referral = factories.ReferralFactory(referring_client=world.client, owner=employee)
    referral_kwargs = {"user": employee, "referral": referral}
    return {
        "KeyContactForm": (KeyContactForm, {}),
        "ProgrammeForm": (p.ProgrammeForm, {}),
        "CloseForm": (p.CloseForm, {}),
        "NextRunForm": (p.NextRunForm, {}),
        "AddCorporateForm": (p.AddCorporateForm, {}),
        "AddPrivateForm": (p.AddPrivateForm, {"programme": prog}),
        "AssessmentForm": (p.AssessmentForm, {}),
        "AssignForm": (p.AssignForm, {"programme": prog}),
        "BulkAssignForm": (p.BulkAssignForm, {"programme": prog}),
        "StaffAddForm": (p.StaffAddForm, {"programme": prog}),
        "StaffKindForm": (p.StaffKindForm, {}),
        "SplitRowForm": (p.SplitRowForm, {"programme": prog}),
        "VisitBookForm": (v.VisitBookForm, {"client": client}),
        "VisitRescheduleForm": (v.VisitRescheduleForm, {"client": client}),
        "VisitCancelForm": (v.VisitCancelForm, {}),
        "ReportMainForm": (r.ReportMainForm, {"contacts": contacts}),
        "ContactCheckForm": (r.ContactCheckForm, {}),
        "NewContactForm": (r.NewContactForm, {}),
        "ComplaintForm": (r.ComplaintForm, {}),
        "UpsellForm": (r.UpsellForm, {"client": client}),
        "CrossSellForm": (r.CrossSellForm, {}),
        "ReferralForm": (r.ReferralForm, {"contacts": contacts}),
        "FollowUpForm": (r.FollowUpForm, {}),
        "FollowUpRescheduleForm": (f.FollowUpRescheduleForm, {}),
        "StepNoteForm": (f.StepNoteForm, {}),
        "CorrectiveActionHandOverForm": (f.CorrectiveActionHandOverForm, {}),
        "OpportunityWinForm": (f.OpportunityWinForm, {}),
        "OpportunityLoseForm": (f.OpportunityLoseForm, {}),
        "ReferralDropForm": (f.ReferralDropForm, {}),
        "ReferralConvertForm": (f.ReferralConvertForm, referral_kwargs),
        "NotificationSettingsForm": (f.NotificationSettingsForm, {}),
    }


FORM_NAMES = [
    "KeyContactForm", "ProgrammeForm", "CloseForm", "NextRunForm", "AddCorporateForm",
    "AddPrivateForm", "AssessmentForm", "AssignForm", "BulkAssignForm", "StaffAddForm",
    "StaffKindForm", "SplitRowForm", "VisitBookForm", "VisitRescheduleForm", "VisitCancelForm",
    "ReportMainForm", "ContactCheckForm", "NewContactForm", "ComplaintForm", "UpsellForm",
    "CrossSellForm", "ReferralForm", "FollowUpForm", "FollowUpRescheduleForm", "StepNoteForm",
    "CorrectiveActionHandOverForm", "OpportunityWinForm", "OpportunityLoseForm",
    "ReferralDropForm", "ReferralConvertForm", "NotificationSettingsForm",
]  # fmt: skip


def _build(name, world, employee, data):
    form_class, kwargs = _forms(world, employee)[name]
    return form_class(data=data, **kwargs)


@pytest.mark.parametrize("name", FORM_NAMES)
@FUZZ
@given(data=st.data())
def test_form_with_hostile_input_is_valid_or_says_why(name, data, world, employee):
    form_class, _ = _forms(world, employee)[name]
    posted = data.draw(form_data(list(form_class.base_fields)))
    query = QueryDict(mutable=True)
    for key, value in posted.items():
        query.setlist(key, value if isinstance(value, list) else [value])

    form = _build(name, world, employee, query)

    if not form.is_valid():
        assert form.errors
        assert all(str(message) for problems in form.errors.values() for message in problems)


# the forms with a choice of a row (a person, a client, a contact, a position, a programme)
CHOICE_FORMS = [
    "ProgrammeForm", "AddCorporateForm", "AddPrivateForm", "AssignForm", "BulkAssignForm",
    "StaffAddForm", "SplitRowForm", "VisitBookForm", "VisitRescheduleForm", "ComplaintForm",
    "UpsellForm", "CrossSellForm", "FollowUpForm", "CorrectiveActionHandOverForm",
    "ReferralConvertForm",
]  # fmt: skip


@pytest.mark.parametrize("name", CHOICE_FORMS)
@pytest.mark.parametrize("huge", ["99999999999999999999", "-1", "1.5", "1e3"])
def test_choice_of_an_impossible_id_is_refused_with_a_message(name, huge, world, employee):
    form_class, _ = _forms(world, employee)[name]
    form = _build(name, world, employee, {})
    choices = [
        field_name
        for field_name, field in form.fields.items()
        if isinstance(field, forms.ModelChoiceField)
    ]
    assert choices
    query = QueryDict(mutable=True)
    for field_name in choices:
        query.setlist(field_name, [huge])

    form = _build(name, world, employee, query)

    assert not form.is_valid()
    assert set(choices) <= set(form.errors)
