"""Who may read the dashboards, and the filters every dashboard shares.

Management reads every programme; a programme manager reads the programmes they run (the
programme filter offers only those, and another manager's programme id answers 404); anyone
else — a programme employee included — gets 404, as for any page they may not see.

The filters narrow every figure to a set of clients:

- **programme**: the clients on the programme's list (with no programme chosen, management
  sees the whole client base and a manager the lists of all their programmes);
- **employee**: the clients on that employee's personal lists in those programmes;
- **segment**: the clients of that segment;
- **period** (from month, to month): which months the time-based figures cover.
"""

import datetime as dt
from dataclasses import dataclass

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.forms.utils import flatatt
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from clients.models import Client, Segment
from programme.models import Enrolment, Programme
from vipcrm import roles

from .base import add_months, local_midnight, month_start

# The retention figures take a dozen aggregates per month; three years is plenty on one page.
MAX_MONTHS = 36
DEFAULT_MONTHS = 12


def dashboard_programmes(user):
    """The programmes whose figures the user may read; 404 for anyone who reads none."""
    if roles.sees_everything(user):
        return Programme.objects.all()
    if roles.is_programme_manager(user):
        return Programme.objects.filter(manager=user)
    raise Http404


def may_read_dashboards(user) -> bool:
    return user.is_authenticated and (
        roles.sees_everything(user) or roles.is_programme_manager(user)
    )


@dataclass
class Scope:
    """The filtered view of the data one dashboard request reads."""

    programmes: object  # a Programme queryset: the selected one, or all the user may read
    by_list: bool  # the clients are limited to the lists of ``programmes``
    programme: object
    employee: object
    segment: object
    start: dt.date  # first month of the period
    end: dt.date  # last month of the period (a first of the month)
    today: dt.date

    @property
    def period_start(self) -> dt.datetime:
        return local_midnight(self.start)

    @property
    def period_end(self) -> dt.datetime:
        """Exclusive: midnight at the start of the month after the period."""
        return local_midnight(add_months(self.end, 1))

    @property
    def period_last_day(self) -> dt.date:
        return add_months(self.end, 1) - dt.timedelta(days=1)

    @property
    def limits_clients(self) -> bool:
        return self.by_list or self.employee is not None

    def enrolments(self):
        qs = Enrolment.objects.filter(programme__in=self.programmes)
        if self.employee is not None:
            qs = qs.filter(assignee=self.employee)
        if self.segment is not None:
            qs = qs.filter(client__segment=self.segment)
        return qs

    def restrict(self, queryset, client_field="client"):
        """``queryset`` narrowed to the rows of the clients in scope (one subquery, no query)."""
        if self.limits_clients:
            return queryset.filter(**{f"{client_field}__in": self.enrolments().values("client_id")})
        if self.segment is not None:
            lookup = "segment" if client_field == "pk" else f"{client_field}__segment"
            return queryset.filter(**{lookup: self.segment})
        return queryset

    def clients(self):
        return self.restrict(Client.objects.all(), "pk")

    def in_period(self, field):
        return {f"{field}__gte": self.period_start, f"{field}__lt": self.period_end}

    def query_string(self):
        params = {}
        if self.programme is not None:
            params["programme"] = self.programme.pk
        if self.employee is not None:
            params["employee"] = self.employee.pk
        if self.segment is not None:
            params["segment"] = self.segment.pk
        params["start"] = f"{self.start:%Y-%m}"
        params["end"] = f"{self.end:%Y-%m}"
        return params


class QuickSelect(forms.Select):
    """A select drawn in Python rather than one template per option: the employee filter lists
    every employee of the programmes (hundreds), and Django's option templates cost a dashboard
    page served from its snapshot more than everything else on it."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (
                    option["value"],
                    mark_safe(" selected") if option["selected"] else "",
                    option["label"],
                )
                for _group, choices, _index in widget["optgroups"]
                for option in choices
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options
        )


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d"]


class DashboardFilter(django_filters.FilterSet):
    """The shared filter bar. Its ``qs`` is the clients in scope; the dashboards read
    ``scope`` (built from the cleaned values) for everything else."""

    start = django_filters.DateFilter(
        label=_("From month"), method="keep", input_formats=MONTH_FORMATS, widget=MonthInput()
    )
    end = django_filters.DateFilter(
        label=_("To month"), method="keep", input_formats=MONTH_FORMATS, widget=MonthInput()
    )
    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"), queryset=Programme.objects.none(), method="keep", widget=QuickSelect
    )
    employee = django_filters.ModelChoiceFilter(
        label=_("Employee"),
        queryset=get_user_model().objects.none(),
        method="keep",
        widget=QuickSelect,
    )
    segment = django_filters.ModelChoiceFilter(
        label=_("Segment"), queryset=Segment.objects.all(), method="keep", widget=QuickSelect
    )

    class Meta:
        model = Client
        fields = ["start", "end", "programme", "employee", "segment"]

    def __init__(self, data=None, *, user, programmes, today=None, sees_everything=None):
        super().__init__(data, queryset=Client.objects.all())
        self.user = user
        self.sees_everything = (
            roles.sees_everything(user) if sees_everything is None else sees_everything
        )
        self.today = today or timezone.localdate()
        self.filters["programme"].queryset = programmes.order_by("-starts_on", "name")
        self.filters["employee"].queryset = (
            get_user_model()
            .objects.filter(programme_memberships__programme__in=programmes)
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
        self.form.fields["employee"].label_from_instance = _person_name
        # An unbound form shows the default period, so that the month fields are never blank.
        default_end = month_start(self.today)
        self.form.fields["end"].initial = default_end
        self.form.fields["start"].initial = add_months(default_end, 1 - DEFAULT_MONTHS)

    def keep(self, queryset, name, value):
        # The filters narrow several querysets, not this one: see ``scope``.
        return queryset

    @cached_property
    def scope(self) -> Scope:
        cleaned = {}
        if self.is_bound:
            # An invalid value (a month that is no month) is shown as an error and ignored.
            self.form.is_valid()
            cleaned = {k: v for k, v in self.form.cleaned_data.items() if k not in self.form.errors}
        end = month_start(cleaned.get("end") or self.today)
        start = month_start(cleaned.get("start") or add_months(end, 1 - DEFAULT_MONTHS))
        if start > end:
            start, end = end, start
        if add_months(start, MAX_MONTHS) <= end:
            start = add_months(end, 1 - MAX_MONTHS)
        programme = cleaned.get("programme")
        programmes = self.filters["programme"].queryset
        return Scope(
            programmes=programmes.filter(pk=programme.pk) if programme else programmes,
            by_list=programme is not None or not self.sees_everything,
            programme=programme,
            employee=cleaned.get("employee"),
            segment=cleaned.get("segment"),
            start=start,
            end=end,
            today=self.today,
        )

    @property
    def qs(self):
        return self.scope.clients()


def _person_name(user):
    return user.get_full_name() or user.username


def dashboard_viewer(user):
    """Whose programmes "no programme chosen" means: ``"all"`` for management (who all read
    the same figures), else the programme manager's id."""
    return "all" if roles.sees_everything(user) else user.pk


def scope_from_params(viewer, filters, *, today=None) -> Scope:
    """The scope a request had, rebuilt from ``dashboard_viewer`` and ``Scope.query_string``
    (for a dashboard built away from the request: ``programme.dashboards.snapshots``)."""
    everything = viewer == "all"
    programmes = Programme.objects.all() if everything else Programme.objects.filter(manager=viewer)
    data = {key: str(value) for key, value in filters.items()}
    return DashboardFilter(
        data, user=None, programmes=programmes, today=today, sees_everything=everything
    ).scope


def filters_query(filters) -> str:
    """The query string of stored filters (``Scope.query_string``), in the filter bar's order
    whatever order the database kept them in."""
    return urlencode([(key, filters[key]) for key in DashboardFilter.Meta.fields if key in filters])


def dashboard_filter(user, data, *, today=None) -> DashboardFilter:
    """The filter for a request; 404 for a user who reads no dashboard or names a programme
    they may not read."""
    programmes = dashboard_programmes(user)
    raw = (data.get("programme") or "").strip() if data else ""
    if raw and not (raw.isdigit() and programmes.filter(pk=int(raw)).exists()):
        raise Http404
    return DashboardFilter(data or None, user=user, programmes=programmes, today=today)
