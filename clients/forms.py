from django import forms
from django.utils.translation import gettext_lazy as _

from .models import KeyContact


class KeyContactForm(forms.ModelForm):
    class Meta:
        model = KeyContact
        fields = ["full_name", "role", "job_title", "phone", "email", "birthday", "notes"]
        widgets = {
            "birthday": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"role": _("Decision maker, influencer, user or gatekeeper.")}
