"""The visit report's page: one main form and a formset per repeating part.

The forms check types and ranges for friendly per-field messages; what a finished report needs
is decided by feedback.services.reports, which the API uses too. ``report_data`` turns the bound
forms back into the report's plain dict, as typed, so that a draft keeps even invalid input.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from clients.enums import ContactRole
from clients.models import ClientPosition, Position

from ..enums import ContactCheckOutcome, MarketOutlook, QualityArea, RelationshipAfterVisit

BLANK = [("", "—")]
TEXTAREA = forms.Textarea(attrs={"rows": 2})
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _score(label, low, high, required=False):
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        required=required,
        widget=forms.NumberInput(attrs={"min": low, "max": high, "inputmode": "numeric"}),
    )


class ReportMainForm(forms.Form):
    # 1. Relationship
    met_contacts = forms.MultipleChoiceField(
        label=_("Who was met"), required=False, widget=forms.CheckboxSelectMultiple
    )
    relationship_after = forms.ChoiceField(
        label=_("Relationship after the visit"),
        choices=BLANK + RelationshipAfterVisit.choices,
        required=False,
    )
    relationship_notes = forms.CharField(
        label=_("Notes on the relationship"), required=False, widget=TEXTAREA
    )
    # 3. Market
    market_position = forms.CharField(
        label=_("Position on its market"), required=False, widget=TEXTAREA
    )
    prospects = forms.CharField(label=_("Prospects and plans"), required=False, widget=TEXTAREA)
    outlook = forms.ChoiceField(
        label=_("Outlook"), choices=BLANK + MarketOutlook.choices, required=False
    )
    # 4. Quality
    score_goods = _score(_("Quality of goods (1–5)"), 1, 5)
    score_services = _score(_("Quality of services (1–5)"), 1, 5)
    score_service = _score(_("Quality of service (1–5)"), 1, 5)
    recommendation_score = _score(_("Would recommend us (0–10)"), 0, 10)
    quality_comments = forms.CharField(
        label=_("Comments on quality"), required=False, widget=TEXTAREA
    )

    def __init__(self, *args, contacts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["met_contacts"].choices = [(str(c.pk), c.full_name) for c in contacts]


class ContactCheckForm(forms.Form):
    """One existing key contact: confirmed, details updated, or left."""

    contact = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("What the visit found out"),
        required=False,
        choices=[("", _("Not checked"))]
        + [
            (value, label)
            for value, label in ContactCheckOutcome.choices
            if value != ContactCheckOutcome.ADDED
        ],
    )
    role = forms.ChoiceField(label=_("Role"), choices=ContactRole.choices, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class NewContactForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=BLANK + ContactRole.choices, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    met = forms.BooleanField(label=_("Was at the meeting"), required=False)


def _owner_field():
    return forms.ModelChoiceField(
        label=_("Owner"),
        queryset=get_user_model().objects.filter(is_active=True).order_by("last_name", "username"),
        required=False,
        empty_label=_("Me"),
    )


class ComplaintForm(forms.Form):
    area = forms.ChoiceField(label=_("Area"), choices=QualityArea.choices, required=False)
    complaint = forms.CharField(label=_("Complaint"), required=False, widget=TEXTAREA)
    action = forms.CharField(label=_("What will be done"), required=False, widget=TEXTAREA)
    owner = _owner_field()
    due_on = forms.DateField(label=_("Due"), required=False, widget=DATE)


class UpsellForm(forms.Form):
    client_position = forms.ModelChoiceField(
        label=_("Position the client buys"), queryset=ClientPosition.objects.none(), required=False
    )
    expected_value = forms.DecimalField(
        label=_("Expected value"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    description = forms.CharField(label=_("Description"), required=False, widget=TEXTAREA)

    def __init__(self, *args, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        if client is not None:
            self.fields["client_position"].queryset = client.positions.select_related("position")
            self.fields["client_position"].label_from_instance = lambda cp: str(cp.position)


class CrossSellForm(forms.Form):
    position = forms.ModelChoiceField(
        label=_("New position"),
        queryset=Position.objects.filter(is_active=True),
        required=False,
    )
    topic = forms.CharField(label=_("Or a topic"), max_length=255, required=False)
    expected_value = forms.DecimalField(
        label=_("Expected value"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    description = forms.CharField(label=_("Description"), required=False, widget=TEXTAREA)


class ReferralForm(forms.Form):
    person_name = forms.CharField(label=_("Person"), max_length=200, required=False)
    company_name = forms.CharField(label=_("Company"), max_length=255, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    referring_contact = forms.ChoiceField(label=_("Who gave it"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=TEXTAREA)

    def __init__(self, *args, contacts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referring_contact"].choices = BLANK + [
            (str(c.pk), c.full_name) for c in contacts
        ]


class FollowUpForm(forms.Form):
    title = forms.CharField(label=_("What was promised"), max_length=255, required=False)
    due_on = forms.DateField(label=_("Due"), required=False, widget=DATE)
    owner = _owner_field()


ContactCheckFormSet = forms.formset_factory(ContactCheckForm, extra=0)
NewContactFormSet = forms.formset_factory(NewContactForm, extra=1)
ComplaintFormSet = forms.formset_factory(ComplaintForm, extra=1)
UpsellFormSet = forms.formset_factory(UpsellForm, extra=1)
CrossSellFormSet = forms.formset_factory(CrossSellForm, extra=1)
ReferralFormSet = forms.formset_factory(ReferralForm, extra=1)
FollowUpFormSet = forms.formset_factory(FollowUpForm, extra=1)

# Fields that carry a default and say nothing on their own: a row with only these is empty.
_DEFAULTISH = {"area", "owner", "met", "role"}


class ReportForms:
    """The main form and the seven formsets of one report, bound or from a draft."""

    PARTS = {
        "new_contacts": NewContactFormSet,
        "complaints": ComplaintFormSet,
        "upsells": UpsellFormSet,
        "cross_sells": CrossSellFormSet,
        "referrals": ReferralFormSet,
        "follow_ups": FollowUpFormSet,
    }

    def __init__(self, *, client, contacts, draft=None, data=None):
        draft = draft or {}
        self.contacts = contacts
        main_initial = {key: value for key, value in draft.items() if not isinstance(value, list)}
        main_initial["met_contacts"] = [str(pk) for pk in draft.get("met_contacts", [])]
        self.main = ReportMainForm(data, initial=main_initial, contacts=contacts)
        drafted = {str(row.get("contact")): row for row in draft.get("contacts", [])}
        check_initial = []
        for contact in contacts:
            row = {
                "contact": contact.pk,
                "role": contact.role,
                "job_title": contact.job_title,
                "phone": contact.phone,
                "email": contact.email,
            }
            row.update(drafted.get(str(contact.pk), {}))
            row["name"] = contact.full_name
            row["verified_on"] = contact.verified_on
            check_initial.append(row)
        self.contacts_formset = ContactCheckFormSet(data, initial=check_initial, prefix="contacts")
        self.formsets = {}
        for part, formset_class in self.PARTS.items():
            kwargs = {}
            if part == "upsells":
                kwargs = {"client": client}
            elif part == "referrals":
                kwargs = {"contacts": contacts}
            self.formsets[part] = formset_class(
                data, initial=draft.get(part) or None, prefix=part, form_kwargs=kwargs
            )

    def all(self):
        return [self.main, self.contacts_formset, *self.formsets.values()]

    def is_valid(self) -> bool:
        results = [form.is_valid() for form in self.all()]  # every form shows its errors
        return all(results)

    def report_data(self) -> dict:
        """The report's dict from the bound forms, exactly as typed."""
        data = {name: self.main[name].value() for name in self.main.fields}
        data = {key: ("" if value is None else value) for key, value in data.items()}
        rows = []
        for form in self.contacts_formset:
            row = {name: form[name].value() for name in form.fields}
            if row.get("outcome"):
                rows.append(_plain(row))
        data["contacts"] = rows
        for part, formset in self.formsets.items():
            data[part] = [
                _plain(row)
                for row in ({name: form[name].value() for name in form.fields} for form in formset)
                if any(value for key, value in row.items() if key not in _DEFAULTISH)
            ]
        return {key: value for key, value in data.items() if value not in ("", [], None)}


def _plain(row: dict) -> dict:
    return {key: ("" if value is None else value) for key, value in row.items()}
