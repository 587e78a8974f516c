"""Filters of the follow-up lists (corrective actions, opportunities, referrals)."""

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField

from programme.models import Programme

from .enums import CorrectiveActionStatus, OpportunityKind, OpportunityStatus, ReferralStatus
from .forms.followups import PersonChoiceField
from .people import people_choices
from .querysets import visible_programmes


class ReadChoicesField(ModelChoiceField):
    """A model choice whose options ``read_choices()`` gives as (pk, label) pairs read
    elsewhere (vipcrm/filter_bar.py writes them). A chosen value must be one of them, then is
    read from the queryset."""

    def __init__(self, *args, read_choices=None, **kwargs):
        self.read_choices = read_choices
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if (
            self.read_choices is not None
            and value not in self.empty_values
            and str(value) not in {str(pk) for pk, _label in self.read_choices()}
        ):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ProgrammeFilter(django_filters.ModelChoiceFilter):
    """The programmes the user may see, from the user's programmes as the list's query of what
    they may see read them (``feedback.querysets.visible_programmes``, once a request): no
    select of programme instances for the options, nor a query of the visible ones built for
    the field (a chosen one is checked against the options, then read by its id)."""

    field_class = ReadChoicesField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Programme"))
        super().__init__(*args, **kwargs)

    def get_queryset(self, request):
        return Programme.objects.none() if request is None else Programme.objects.all()

    @property
    def field(self):
        request = self.get_request()
        if request is not None:
            user = request.user
            self.extra["read_choices"] = lambda: [
                (pk, name) for pk, name, _manager in visible_programmes(user)
            ]
        return super().field


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
    programme = ProgrammeFilter()
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
    programme = ProgrammeFilter()
    owner = PersonFilter(label=_("Employee"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=OpportunityKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=OpportunityStatus.choices)


class ReferralFilter(django_filters.FilterSet):
    programme = ProgrammeFilter()
    owner = PersonFilter(label=_("Employee"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ReferralStatus.choices)
