"""Forms of the programme manager's pages. They parse input; the services decide."""

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from clients.enums import ClientStatus, ImportanceTier
from clients.models import Client, Region, Segment
from vipcrm import roles
from vipcrm.formfields import IdMultipleChoiceField

from .enums import Assessment, StaffKind
from .models import Programme


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


class _PeopleIterator(forms.models.ModelChoiceIterator):
    """The choices from one plain SELECT: Django's iterator() runs a server-side cursor on
    PostgreSQL (DECLARE, FETCH, CLOSE: three round trips) for what is a pool's few hundred
    people at most."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class PersonChoiceField(forms.ModelChoiceField):
    iterator = _PeopleIterator

    def label_from_instance(self, obj):
        return _person(obj)


class _Form:
    """Crispy renders the fields; the template draws the <form> tag and buttons."""

    def _crispy(self):
        self.helper = FormHelper()
        self.helper.form_tag = False


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ProgrammeForm(_Form, forms.ModelForm):
    manager = PersonChoiceField(
        label=_("Programme manager"),
        queryset=get_user_model().objects.none(),
        help_text=_("Stage 1: one manager plans and controls the run."),
    )

    class Meta:
        model = Programme
        fields = ["name", "manager", "starts_on", "deadline"]
        widgets = {"starts_on": DateInput(), "deadline": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name=roles.PROGRAMME_MANAGERS)
            .order_by("last_name", "username")
        )
        self._crispy()

    def _post_clean(self):
        # The service validates the whole programme (full_clean); here only the fields.
        pass


class CloseForm(_Form, forms.Form):
    reason = forms.CharField(
        label=_("Reason for closing early"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed only while some clients are not worked through yet."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()


class NextRunForm(_Form, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    starts_on = forms.DateField(label=_("Start"), widget=DateInput())
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()


class AddCorporateForm(_Form, forms.Form):
    """Stage 2: every corporate client, leaving out what the manager ticks here."""

    exclude_segments = IdMultipleChoiceField(
        label=_("Leave out these segments"),
        queryset=Segment.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    exclude_regions = IdMultipleChoiceField(
        label=_("Leave out these regions"),
        queryset=Region.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    exclude_tiers = forms.MultipleChoiceField(
        label=_("Leave out these importance tiers"),
        choices=ImportanceTier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    exclude_statuses = forms.MultipleChoiceField(
        label=_("Leave out clients with this status"),
        choices=ClientStatus.choices,
        required=False,
        initial=[ClientStatus.LOST],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()

    def exclusions(self) -> dict:
        return {name: list(value) for name, value in self.cleaned_data.items() if value}


class AddPrivateForm(forms.Form):
    clients = IdMultipleChoiceField(
        label=_("Private clients"),
        queryset=Client.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one client to add.")},
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clients"].queryset = Client.objects.filter(kind="private").exclude(
            enrolments__programme=programme
        )


class VersionField(forms.IntegerField):
    """The enrolment's version the page showed (optimistic locking, see vipcrm.conflicts)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=0, **kwargs)


def with_saved_version(form, version: int):
    """The same bound form carrying the saved version: after a conflict the user's input stays
    and saving again is a deliberate overwrite."""
    data = form.data.copy()
    data[form.add_prefix("version")] = str(version)
    form.data = data
    return form


class AssessmentForm(_Form, forms.Form):
    assessment = forms.ChoiceField(
        label=_("Relationship assessment"),
        choices=[("", _("Not assessed"))] + list(Assessment.choices),
        required=False,
        help_text=_(
            "Excellent: the original salesperson keeps the client. Uncertain: preferably "
            "another employee. Monopolised: never the original salesperson."
        ),
    )
    note = forms.CharField(
        label=_("Assessment note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()


def pool_users(programme):
    return (
        get_user_model()
        .objects.filter(programme_memberships__programme=programme)
        .order_by("last_name", "username")
    )


class AssignForm(_Form, forms.Form):
    assignee = PersonChoiceField(label=_("Assignee"), queryset=get_user_model().objects.none())
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = VersionField()

    def __init__(self, *args, programme, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = pool_users(programme)
        self.current = current
        if current is not None:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = _(
                "Say why the client is reassigned."
            )
            self.fields["reason"].help_text = _("A reassignment needs a reason for the history.")
        self._crispy()

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if self.current is not None and not reason:
            raise forms.ValidationError(_("Say why the client is reassigned."))
        return reason


class IdListField(forms.Field):
    """The ticked rows of a table: a list of ids (the service checks they are on the list)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        try:
            return [int(item) for item in value or []]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Select clients from the list.")) from None


class BulkAssignForm(forms.Form):
    assignee = PersonChoiceField(
        label=_("Assign the selected clients to"), queryset=get_user_model().objects.none()
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
    enrolment = IdListField(error_messages={"required": _("Select at least one client.")})

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = pool_users(programme)


class StaffAddForm(_Form, forms.Form):
    employee = PersonChoiceField(label=_("Employee"), queryset=get_user_model().objects.none())
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=StaffKind.choices,
        help_text=_("A shared employee spends about half their time on new clients."),
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name=roles.PROGRAMME_STAFF)
            .exclude(pk__in=programme.staff.values("employee_id"))
            .order_by("last_name", "username")
            .only("pk", "first_name", "last_name", "username")
        )
        self._crispy()


class StaffKindForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=StaffKind.choices)


class SplitRowForm(forms.Form):
    enrolment = forms.IntegerField()
    assignee = PersonChoiceField(label=_("Assignee"), queryset=get_user_model().objects.none())

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = pool_users(programme)
