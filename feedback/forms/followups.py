"""Forms of follow-ups, corrective actions, opportunities, referrals and notification settings.
Each only parses input; the service decides and explains what the programme allows."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from clients.enums import ClientKind, ContactRole
from vipcrm.lists import person_name

from ..enums import NotificationKind
from ..services.followups import programmes_for_new_client


class DateInput(forms.DateInput):
    input_type = "date"


class FollowUpRescheduleForm(forms.Form):
    due_on = forms.DateField(label=_("New due date"), widget=DateInput)
    reason = forms.CharField(
        label=_("Why is it rescheduled?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class StepNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


def active_people():
    return get_user_model().objects.filter(is_active=True).order_by("last_name", "username")


class PersonChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, read_choices=None, **kwargs):
        # ``read_choices()`` gives the options as (pk, label) pairs read elsewhere (a cached
        # list of everyone, ``feedback.people``); the filter bars use them as they are.
        self.read_choices = read_choices
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()

    # The filter bars (vipcrm/filter_bar.py) read a select of everyone (200 people on a list
    # page) as these values, without making a user of each: the same label as above
    # (``get_full_name()`` is the first and last names, stripped).
    label_fields = ("pk", "first_name", "last_name", "username")

    @staticmethod
    def label_from_values(pk, first_name, last_name, username):
        return person_name(first_name, last_name, username)


class CorrectiveActionHandOverForm(forms.Form):
    owner = PersonChoiceField(
        label=_("Owner"),
        queryset=active_people(),
        help_text=_("Anyone who can fix it: quality, logistics, sales."),
    )
    due_on = forms.DateField(label=_("Due"), widget=DateInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class OpportunityWinForm(forms.Form):
    value = forms.DecimalField(
        label=_("Value won"), min_value=Decimal("0"), max_digits=14, decimal_places=2
    )


class OpportunityLoseForm(forms.Form):
    reason = forms.CharField(label=_("Why was it lost?"), max_length=2000)


class ReferralDropForm(forms.Form):
    reason = forms.CharField(label=_("Why is it dropped?"), max_length=2000)


class ReferralConvertForm(forms.Form):
    client_name = forms.CharField(label=_("Client name"), max_length=255)
    client_kind = forms.ChoiceField(label=_("Kind"), choices=ClientKind.choices)
    contact_name = forms.CharField(label=_("First key contact"), max_length=200)
    contact_role = forms.ChoiceField(label=_("Role"), choices=ContactRole.choices)
    contact_phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    contact_email = forms.EmailField(label=_("E-mail"), required=False)
    programme = forms.ModelChoiceField(
        label=_("Put on the list of the programme"),
        queryset=None,
        required=False,
        empty_label=_("No programme for now"),
        help_text=_("Only active programmes you run are offered."),
    )

    def __init__(self, *args, user, referral, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("client_name", referral.company_name or referral.person_name)
        initial.setdefault(
            "client_kind", ClientKind.CORPORATE if referral.company_name else ClientKind.PRIVATE
        )
        initial.setdefault("contact_name", referral.person_name)
        initial.setdefault("contact_phone", referral.phone)
        initial.setdefault("contact_email", referral.email)
        if referral.programme_id:
            initial.setdefault("programme", referral.programme_id)
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes_for_new_client(user=user)


class NotificationSettingsForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of my e-mails"), choices=settings.LANGUAGES)
    email_kinds = forms.MultipleChoiceField(
        label=_("Send me an e-mail for"),
        choices=NotificationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every notification also appears under the bell, whatever you choose here."),
    )
