"""Referrals: new → contacted → meeting → became a client, or dropped."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vipcrm import roles
from vipcrm.lists import set_choice_labels

from ..enums import ReferralStatus
from ..filters_followups import ReferralFilter
from ..forms.followups import ReferralConvertForm, ReferralDropForm
from ..models import Referral
from ..services import followups as services
from .access import back, error_text, require_write


@login_required
def referral_list(request):
    referrals = (
        Referral.objects.visible_to(request.user)
        .select_related("referring_client", "referring_contact", "owner", "became_client")
        .order_by("-created_at", "-id")
    )
    filterset = ReferralFilter(request.GET, queryset=referrals, request=request)
    totals = filterset.qs.order_by().aggregate(
        count=Count("pk"),
        open=Count("pk", filter=Q(status__in=services.OPEN_REFERRAL_STATUSES)),
        converted=Count("pk", filter=Q(status=ReferralStatus.CONVERTED)),
        dropped=Count("pk", filter=Q(status=ReferralStatus.DROPPED)),
    )
    paginator = Paginator(filterset.qs, 50)
    paginator.count = totals["count"]  # counted with the totals: no second COUNT
    page = paginator.get_page(request.GET.get("page"))
    set_choice_labels(page, status=ReferralStatus)
    return render(
        request,
        "feedback/referral_list.html",
        {"filter": filterset, "page_obj": page, "totals": totals},
    )


def _visible_referral(request, pk):
    return get_object_or_404(
        Referral.objects.visible_to(request.user).select_related(
            "referring_client", "referring_contact", "owner", "became_client", "programme"
        ),
        pk=pk,
    )


@login_required
def referral_detail(request, pk):
    referral = _visible_referral(request, pk)
    moves = sorted(services.REFERRAL_MOVES.get(referral.status, ()))
    context = {
        "referral": referral,
        "moves": [(status, ReferralStatus(status).label) for status in moves],
        "is_open": referral.status in services.OPEN_REFERRAL_STATUSES,
        "drop_form": ReferralDropForm(),
        "steps": ReferralStatus.choices,
        "can_write": roles.may_write(request.user),
    }
    return render(request, "feedback/referral_detail.html", context)


@login_required
@require_POST
def referral_move(request, pk):
    referral = _visible_referral(request, pk)
    require_write(request.user)
    try:
        referral = services.referral_move(
            referral=referral, status=request.POST.get("status", ""), by=request.user
        )
    except (ValidationError, ValueError) as error:
        text = error_text(error) if isinstance(error, ValidationError) else _("Unknown step.")
        messages.error(request, text)
    else:
        messages.success(
            request, _("Referral: %(status)s.") % {"status": referral.get_status_display()}
        )
    return back(request, reverse("feedback:referral_detail", args=[referral.pk]))


@login_required
@require_POST
def referral_drop(request, pk):
    referral = _visible_referral(request, pk)
    require_write(request.user)
    form = ReferralDropForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the referral was dropped."))
    else:
        try:
            services.referral_drop(
                referral=referral, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The referral was dropped."))
    return back(request, reverse("feedback:referral_detail", args=[referral.pk]))


@login_required
def referral_convert(request, pk):
    """The referral became a client: creates it with its first key contact, credits the
    referrer, and (for a programme's manager) puts it on the programme's list."""
    referral = _visible_referral(request, pk)
    require_write(request.user)
    form = ReferralConvertForm(request.POST or None, user=request.user, referral=referral)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.referral_convert(
                referral=referral, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(
                request,
                _("%(client)s is a client now, credited to %(referrer)s.")
                % {"client": client.name, "referrer": referral.referring_client.name},
            )
            return redirect(client.get_absolute_url())
    return render(request, "feedback/referral_convert.html", {"referral": referral, "form": form})
