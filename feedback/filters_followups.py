"""Filters of the follow-up lists (corrective actions, opportunities, referrals)."""

import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from programme.models import Programme

from .enums import CorrectiveActionStatus, OpportunityKind, OpportunityStatus, ReferralStatus
from .forms.followups import PersonChoiceField
from .people import people_choices


def _programmes(request):
    if request is None:
        return Programme.objects.none()
    return Programme.objects.visible_to(request.user).order_by("-starts_on", "name")


# The people of a filter's select: only what their label needs (a list page renders all of them).
PERSON_LABEL_FIELDS = ("pk", "username", "first_name", "last_name")


def _people(request):
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .only(*PERSON_LABEL_FIELDS)
        .order_by("last_name", "username")
    )


class PersonFilter(django_filters.ModelChoiceFilter):
    """Everyone active: the options from the cache (``feedback.people``); a chosen person is
    still checked against the queryset."""

    field_class = PersonChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", _people)
        kwargs.setdefault("read_choices", people_choices)
        super().__init__(*args, **kwargs)


class CorrectiveActionFilter(django_filters.FilterSet):
    programme = django_filters.ModelChoiceFilter(label=_("Programme"), queryset=_programmes)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CorrectiveActionStatus.choices)
    owner = PersonFilter(label=_("Owner"))
    open_only = django_filters.BooleanFilter(
        label=_("Not closed yet"),
        method="filter_open",
        widget=django_filters.widgets.BooleanWidget(),
    )

    def filter_open(self, queryset, name, value):
        if value:
            return queryset.exclude(status=CorrectiveActionStatus.CLIENT_INFORMED)
        return queryset


class OpportunityFilter(django_filters.FilterSet):
    programme = django_filters.ModelChoiceFilter(label=_("Programme"), queryset=_programmes)
    owner = PersonFilter(label=_("Employee"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=OpportunityKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=OpportunityStatus.choices)


class ReferralFilter(django_filters.FilterSet):
    programme = django_filters.ModelChoiceFilter(label=_("Programme"), queryset=_programmes)
    owner = PersonFilter(label=_("Employee"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ReferralStatus.choices)
