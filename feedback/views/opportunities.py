"""Opportunities: upsell and cross-sell, open → won (with the value) or lost (with a reason)."""

from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import CharField, Count, DecimalField, IntegerField, Q, Sum
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients.models import Client
from vipcrm import roles
from vipcrm.lists import set_choice_labels, set_formatted

from ..enums import OpportunityKind, OpportunityStatus
from ..filters_followups import OpportunityFilter
from ..forms.followups import OpportunityLoseForm, OpportunityWinForm
from ..models import Opportunity
from ..paging import name_of, rows_page
from ..people import set_names
from ..rows import opportunity_rows
from ..services import followups as services
from .access import back, error_text, require_write


def _totals() -> dict:
    """What the totals of a list of opportunities sum, besides their count."""
    return dict(
        open_count=Count("pk", filter=Q(status="open")),
        open_value=Sum("expected_value", filter=Q(status="open")),
        won_count=Count("pk", filter=Q(status="won")),
        won_value=Sum("won_value", filter=Q(status="won")),
        lost_count=Count("pk", filter=Q(status="lost")),
        upsell_count=Count("pk", filter=Q(kind="upsell")),
        cross_sell_count=Count("pk", filter=Q(kind="cross_sell")),
    )


def _total_windows() -> dict:
    """The same totals as window expressions over the list, written out (see
    ``feedback.paging.rows_page``, which counts the list itself): a conditional sum is what the
    filtered aggregate counts, and a sum over no row is NULL as the filtered ``Sum``'s."""
    table = Opportunity._meta.db_table
    money = DecimalField(max_digits=14, decimal_places=2)

    def total(column, value, then="1 ELSE 0"):
        return RawSQL(
            f"SUM(CASE WHEN {table}.{column} = %s THEN {then} END) OVER ()",
            (value,),
            output_field=IntegerField() if then == "1 ELSE 0" else money,
        )

    return dict(
        open_count=total("status", "open"),
        open_value=total("status", "open", then=f"{table}.expected_value"),
        won_count=total("status", "won"),
        won_value=total("status", "won", then=f"{table}.won_value"),
        lost_count=total("status", "lost"),
        upsell_count=total("kind", "upsell"),
        cross_sell_count=total("kind", "cross_sell"),
    )


def opportunity_totals(queryset) -> dict:
    """Counts and values of the filtered opportunities, in one aggregate query."""
    return queryset.order_by().aggregate(count=Count("pk"), **_totals())


CENT = Decimal("0.01")


def amount_format():
    """A function writing an amount as ``|floatformat:"2g"`` does in the current language
    (nothing for no value): rounded half up to cents, grouped in thousands. The filter looks
    the language's separators up and re-parses the number on every call (20 µs); a page of
    fifty rows has a hundred amounts."""
    language = get_language()
    decimal_sep, grouping, thousand_sep = (
        get_format(name, language, use_l10n=True)
        for name in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR")
    )

    # Groups of three, as in English and Russian: Python's own grouping ("1,234.50"), its
    # separators swapped for the language's in one pass (a tenth of numberformat's time).
    separators = {ord(","): thousand_sep, ord("."): decimal_sep}
    by_threes = grouping == 3

    def amount(value) -> str:
        if value is None:
            return ""
        rounded = Decimal(value).quantize(CENT, ROUND_HALF_UP)
        if by_threes:
            return f"{rounded if rounded else abs(rounded):,.2f}".translate(separators)
        return numberformat.format(
            rounded if rounded else abs(rounded),  # no "-0.00", as the filter
            decimal_sep,
            2,
            grouping,
            thousand_sep,
            force_grouping=True,
            use_l10n=True,
        )

    return amount


# What a row of the list shows (feedback.rows.opportunity_rows), with its client's and its
# subject position's names; the owner's name from the cached people (feedback.people).
ROW_FIELDS = (
    "pk",
    "kind",
    "status",
    "topic",
    "position_id",
    "client_position_id",
    "owner_id",
    "expected_value",
    "won_value",
)


def _subject_position_name():
    """The name of the opportunity's position, else of the position its client buys
    (``client_position``), else nothing: one scalar subquery by primary keys where two joins
    to the positions and one to the clients' positions cost PostgreSQL a millisecond of
    planning a page (and their compilation as much again)."""
    from clients.models import ClientPosition, Position

    return RawSQL(
        f"(SELECT p.name FROM {Position._meta.db_table} p WHERE p.id = COALESCE("  # noqa: S608 - table names
        f"{Opportunity._meta.db_table}.position_id, (SELECT cp.position_id FROM "
        f"{ClientPosition._meta.db_table} cp "
        f"WHERE cp.id = {Opportunity._meta.db_table}.client_position_id)))",
        (),
        output_field=CharField(),
    )


@login_required
def opportunity_list(request):
    ordering = ("-created_at", "-id")
    opportunities = Opportunity.objects.visible_to(request.user).order_by(*ordering)
    filterset = OpportunityFilter(request.GET, queryset=opportunities, request=request)
    # The page's rows with the totals of the whole list, in one query; the names by
    # subqueries, which PostgreSQL runs for the page's rows only.
    page = rows_page(
        filterset.qs,
        request.GET.get("page"),
        50,
        *ROW_FIELDS,
        windows=_total_windows(),
        totals=_totals(),
        client_name=name_of(Client, "client_id", table=Opportunity._meta.db_table),
        subject_position_name=_subject_position_name(),
    )
    totals = page.totals
    set_names(page.object_list)
    set_choice_labels(page, kind=OpportunityKind, status=OpportunityStatus)
    # As |floatformat:"2g" writes them (nothing for no value), each amount formatted once.
    set_formatted(page, amount_format(), expected_text="expected_value", won_text="won_value")
    context = {
        "filter": filterset,
        "page_obj": page,
        "totals": totals,
        "rows": opportunity_rows(request, page),
    }
    return render(request, "feedback/opportunity_list.html", context)


def _visible_opportunity(request, pk):
    return get_object_or_404(
        Opportunity.objects.visible_to(request.user).select_related(
            "client", "programme", "owner", "position", "client_position__position"
        ),
        pk=pk,
    )


@login_required
def opportunity_detail(request, pk):
    opportunity = _visible_opportunity(request, pk)
    context = {
        "opportunity": opportunity,
        "win_form": OpportunityWinForm(initial={"value": opportunity.expected_value}),
        "lose_form": OpportunityLoseForm(),
        "can_write": roles.may_write(request.user),
    }
    return render(request, "feedback/opportunity_detail.html", context)


def _close(request, pk, form_class, close):
    opportunity = _visible_opportunity(request, pk)
    require_write(request.user)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            opportunity = close(opportunity, form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request,
                _("Opportunity closed: %(status)s.") % {"status": opportunity.get_status_display()},
            )
            return back(request, reverse("feedback:opportunity_detail", args=[opportunity.pk]))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    context = {
        "opportunity": opportunity,
        "win_form": form if form_class is OpportunityWinForm else OpportunityWinForm(),
        "lose_form": form if form_class is OpportunityLoseForm else OpportunityLoseForm(),
    }
    return render(request, "feedback/opportunity_detail.html", context, status=400)


@login_required
@require_POST
def opportunity_win(request, pk):
    return _close(
        request,
        pk,
        OpportunityWinForm,
        lambda opp, data: services.opportunity_win(
            opportunity=opp, value=data["value"], by=request.user
        ),
    )


@login_required
@require_POST
def opportunity_lose(request, pk):
    return _close(
        request,
        pk,
        OpportunityLoseForm,
        lambda opp, data: services.opportunity_lose(
            opportunity=opp, reason=data["reason"], by=request.user
        ),
    )
