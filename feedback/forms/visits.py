"""Booking, moving and cancelling a VIP visit."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.models import KeyContact
from vipcrm.formfields import IdMultipleChoiceField

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def _when_field():
    return forms.DateTimeField(
        label=_("Date and time"),
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )


class VisitBookForm(forms.Form):
    scheduled_at = _when_field()
    place = forms.CharField(label=_("Place"), max_length=255, required=False)
    contacts = IdMultipleChoiceField(
        label=_("Key contacts to meet"),
        queryset=KeyContact.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this client's contacts: an id of another client's contact is refused like an
        # unknown one (the form must not tell that it exists). One who left is accepted here so
        # the service can say so by name.
        self.fields["contacts"].queryset = client.contacts.all()
        self.fields["contacts"].error_messages["invalid_choice"] = _(
            "A chosen person is not a contact of this client."
        )
        self.client_contacts = list(client.contacts.current())
        self.fields["contacts"].widget.choices = [(c.pk, c.full_name) for c in self.client_contacts]


class VisitRescheduleForm(VisitBookForm):
    reason = forms.CharField(label=_("Why is it moved?"), widget=forms.Textarea(attrs={"rows": 2}))


class VisitCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled?"), widget=forms.Textarea(attrs={"rows": 2})
    )
