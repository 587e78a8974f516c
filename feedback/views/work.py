"""My work and the follow-ups: what a person has to do, due today, overdue and upcoming."""

import datetime as dt
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, F, IntegerField, Value, When
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vipcrm import roles
from vipcrm.expressions import InIds
from vipcrm.lists import set_choice_labels, set_formatted, short_date

from ..enums import CorrectiveActionStatus, ReferralStatus
from ..forms.followups import FollowUpRescheduleForm
from ..models import CorrectiveAction, FollowUp, Referral
from ..rows import corrective_action_work_rows, follow_up_work_rows
from ..services import followups as services
from .access import back, error_text, is_htmx, require_write

# How many rows each part of My work shows; the lists behind them show the rest.
WORK_LIMIT = 100


def _when(field: str, today: dt.date):
    return Case(
        When(**{f"{field}__lt": today}, then=Value(0)),
        When(**{field: today}, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


@login_required
def my_work(request):
    """The user's own follow-ups, corrective actions and referrals to work, by due date."""
    today = timezone.localdate()
    user = request.user
    # Rows as values with their client's name: what the rows show, no model instances.
    follow_ups = [
        SimpleNamespace(**row)
        for row in FollowUp.objects.pending()
        .filter(owner=user)
        .order_by("due_on", "id")
        .values(
            "pk",
            "title",
            "client_id",
            "due_on",
            "reschedule_reason",
            when=_when("due_on", today),
            client_name=F("client__name"),
        )[:WORK_LIMIT]
    ]
    # The person's first hundred actions cut in their own table (an id array, InIds), then
    # joined to their clients: joined first, PostgreSQL read the client of each of the
    # person's actions (500 at full scale) before keeping a hundred.
    first_actions = (
        CorrectiveAction.objects.filter(owner=user)
        .exclude(status="client_informed")
        .order_by("due_on", "id")
        .values("pk")[:WORK_LIMIT]
    )
    corrective_actions = [
        SimpleNamespace(**row)
        for row in CorrectiveAction.objects.filter(InIds("pk", first_actions))
        .order_by("due_on", "id")
        .values(
            "pk",
            "complaint",
            "due_on",
            "status",
            when=_when("due_on", today),
            client_name=F("client__name"),
        )
    ]
    referrals = list(
        Referral.objects.open()
        .filter(owner=user)
        .select_related("referring_client")
        .order_by("created_at", "id")[:WORK_LIMIT]
    )
    set_choice_labels(corrective_actions, status=CorrectiveActionStatus)
    set_formatted(follow_ups + corrective_actions, short_date, due_text="due_on")
    set_choice_labels(referrals, status=ReferralStatus)
    groups = [
        ("overdue", _("Overdue"), 0),
        ("today", _("Due today"), 1),
        ("upcoming", _("Upcoming"), 2),
    ]
    sections = []
    for slug, title, when in groups:
        section_follow_ups = [f for f in follow_ups if f.when == when]
        section_actions = [c for c in corrective_actions if c.when == when]
        sections.append(
            {
                "slug": slug,
                "title": title,
                "follow_ups": section_follow_ups,
                "follow_up_rows": follow_up_work_rows(request, section_follow_ups),
                "corrective_actions": section_actions,
                "corrective_action_rows": corrective_action_work_rows(
                    request, section_actions, _("Corrective action")
                ),
                "count": len(section_follow_ups) + len(section_actions),
            }
        )
    context = {
        "sections": sections,
        "referrals": referrals,
        "today": today,
        "nothing": not (follow_ups or corrective_actions or referrals),
        "limit": WORK_LIMIT,
    }
    return render(request, "feedback/work.html", context)


def _visible_follow_up(request, pk):
    return get_object_or_404(
        FollowUp.objects.visible_to(request.user).select_related(
            "client", "programme", "owner", "done_by", "report__visit"
        ),
        pk=pk,
    )


@login_required
def follow_up_detail(request, pk):
    follow_up = _visible_follow_up(request, pk)
    form = FollowUpRescheduleForm(initial={"due_on": follow_up.due_on})
    context = {"follow_up": follow_up, "form": form, "can_write": roles.may_write(request.user)}
    return render(request, "feedback/followup_detail.html", context)


@login_required
@require_POST
def follow_up_done(request, pk):
    follow_up = _visible_follow_up(request, pk)
    require_write(request.user)
    services.follow_up_mark_done(follow_up=follow_up, by=request.user)
    if is_htmx(request):
        follow_up.refresh_from_db()
        return render(request, "feedback/_followup_done.html", {"follow_up": follow_up})
    messages.success(request, _("Follow-up marked done: %(title)s") % {"title": follow_up.title})
    return back(request, reverse("feedback:work"))


@login_required
def follow_up_reschedule(request, pk):
    follow_up = _visible_follow_up(request, pk)
    require_write(request.user)
    form = FollowUpRescheduleForm(
        request.POST or None, initial={"due_on": follow_up.due_on + dt.timedelta(days=7)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_reschedule(
                follow_up=follow_up,
                due_on=form.cleaned_data["due_on"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(
                request,
                _("Follow-up moved to %(date)s.") % {"date": form.cleaned_data["due_on"]},
            )
            return back(request, reverse("feedback:work"))
    context = {
        "follow_up": follow_up,
        "form": form,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "feedback/followup_reschedule.html", context)
