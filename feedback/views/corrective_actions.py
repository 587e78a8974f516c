"""The quality loop: corrective actions, open → in progress → resolved → client informed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients.models import Client
from programme.models import Programme
from vipcrm import roles
from vipcrm.lists import set_choice_labels, set_formatted, short_date

from ..enums import CorrectiveActionStatus
from ..filters_followups import CorrectiveActionFilter
from ..forms.followups import CorrectiveActionHandOverForm, StepNoteForm
from ..models import CorrectiveAction
from ..paging import name_of, rows_page
from ..people import set_names
from ..rows import corrective_action_list_rows
from ..services import followups as services
from .access import back, error_text, require_write

# What a row of the list shows (feedback.rows.corrective_action_list_rows), with its client's
# and programme's names; the owner's name from the cached people (feedback.people).
ROW_FIELDS = ("pk", "complaint", "due_on", "status", "past_due", "owner_id")


@login_required
def corrective_action_list(request):
    """Every corrective action the user may see; a programme manager sees all of the
    programme's. The ones past due come first, then by due date."""
    today = timezone.localdate()
    past_due = Case(
        When(status__in=("open", "in_progress"), due_on__lt=today, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    ordering = ("past_due", "due_on", "id")
    actions = (
        CorrectiveAction.objects.visible_to(request.user)
        .annotate(past_due=past_due)
        .order_by(*ordering)
    )
    filterset = CorrectiveActionFilter(request.GET, queryset=actions, request=request)
    # The page's rows and the list's count in one query; the names by subqueries, which
    # PostgreSQL runs for the page's rows only.
    table = CorrectiveAction._meta.db_table
    page = rows_page(
        filterset.qs,
        request.GET.get("page"),
        50,
        *ROW_FIELDS,
        client_name=name_of(Client, "client_id", table=table),
        programme_name=name_of(Programme, "programme_id", table=table),
    )
    set_names(page.object_list)
    set_choice_labels(page, status=CorrectiveActionStatus)
    set_formatted(page, short_date, due_text="due_on")
    rows = corrective_action_list_rows(request, page, _("past due"))
    return render(
        request,
        "feedback/correctiveaction_list.html",
        {"filter": filterset, "page_obj": page, "today": today, "rows": rows},
    )


def _visible_action(request, pk):
    return get_object_or_404(
        CorrectiveAction.objects.visible_to(request.user).select_related(
            "client", "programme", "owner", "opened_by", "report__visit"
        ),
        pk=pk,
    )


@login_required
def corrective_action_detail(request, pk):
    action = _visible_action(request, pk)
    next_status = services.CORRECTIVE_ACTION_NEXT.get(action.status)
    context = {
        "action": action,
        "steps": action.steps.select_related("by"),
        "next_status": next_status,
        "next_label": next_status.label if next_status else "",
        "form": StepNoteForm(),
        "today": timezone.localdate(),
        "stages": services.CORRECTIVE_ACTION_NEXT,
        "can_write": roles.may_write(request.user),
    }
    return render(request, "feedback/correctiveaction_detail.html", context)


@login_required
@require_POST
def corrective_action_move(request, pk):
    action = _visible_action(request, pk)
    require_write(request.user)
    form = StepNoteForm(request.POST)
    form.is_valid()
    try:
        action = services.corrective_action_move(
            corrective_action=action,
            status=request.POST.get("status", ""),
            by=request.user,
            note=form.cleaned_data.get("note", ""),
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request, _("Corrective action: %(status)s.") % {"status": action.get_status_display()}
        )
    return back(request, reverse("feedback:corrective_action_detail", args=[action.pk]))


@login_required
def corrective_action_hand_over(request, pk):
    action = _visible_action(request, pk)
    require_write(request.user)
    form = CorrectiveActionHandOverForm(
        request.POST or None, initial={"owner": action.owner_id, "due_on": action.due_on}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.corrective_action_hand_over(
                corrective_action=action, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The corrective action was handed over."))
            return back(request, reverse("feedback:corrective_action_detail", args=[action.pk]))
    return render(
        request, "feedback/correctiveaction_hand_over.html", {"action": action, "form": form}
    )
