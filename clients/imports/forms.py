from django import forms
from django.utils.translation import gettext_lazy as _

from programme.enums import ProgrammeStatus
from programme.models import Programme


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8 or Windows-1251, separated by ; or ,) or XLSX."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )


class ClientImportUploadForm(ImportUploadForm):
    programme = forms.ModelChoiceField(
        label=_("Also put the clients on this programme's list"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=_("— no programme —"),
        help_text=_(
            "Optional. The columns “assessment” and “assignee” (a username from the staff pool) "
            "are then applied too."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = (
            Programme.objects.managed_by(user)
            .exclude(status=ProgrammeStatus.CLOSED)
            .order_by("-starts_on", "-id")
        )
