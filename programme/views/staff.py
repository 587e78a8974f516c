"""Stage 3: the staff pool, with each person's load against capacity."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vipcrm.forms import add_service_errors

from .. import services
from ..enums import ProgrammeStatus
from ..forms import StaffAddForm, StaffKindForm
from ..selectors import pool_load
from .access import get_programme, may_manage
from .rows import select_fields_html, staff_rows_html


@login_required
def staff_list(request, pk, add_form=None):
    programme = get_programme(request, pk)
    pool = pool_load(programme)
    manage = may_manage(request.user, programme)
    adding = manage and programme.status != ProgrammeStatus.CLOSED
    add_form = add_form or (StaffAddForm(programme=programme) if adding else None)
    return render(
        request,
        "programme/staff_list.html",
        {
            "programme": programme,
            "tab": "staff",
            "pool": pool,
            "rows_html": staff_rows_html(request, programme, pool.members, may_manage=manage),
            "add_form": add_form,
            # The form's two selects as crispy writes them, for a tenth of its template work.
            "add_fields_html": select_fields_html(add_form) if adding else "",
            "may_manage": manage,
        },
    )


@login_required
@require_POST
def staff_add(request, pk):
    programme = get_programme(request, pk, write=True)
    form = StaffAddForm(request.POST, programme=programme)
    if form.is_valid():
        try:
            member = services.staff_add(programme=programme, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s joined the staff pool.")
                % {"name": member.employee.get_full_name() or member.employee.get_username()},
            )
            return redirect("programme:staff_list", pk=programme.pk)
    return staff_list(request, pk, add_form=form)


def _member(programme, member_pk):
    return get_object_or_404(programme.staff.select_related("employee"), pk=member_pk)


@login_required
@require_POST
def staff_kind(request, pk, member_pk):
    programme = get_programme(request, pk, write=True)
    member = _member(programme, member_pk)
    form = StaffKindForm(request.POST)
    if form.is_valid():
        try:
            services.staff_set_kind(member=member, kind=form.cleaned_data["kind"], by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Staff pool saved."))
    else:
        messages.error(request, _("Choose dedicated or shared."))
    return redirect("programme:staff_list", pk=programme.pk)


@login_required
@require_POST
def staff_remove(request, pk, member_pk):
    programme = get_programme(request, pk, write=True)
    member = _member(programme, member_pk)
    try:
        services.staff_remove(member=member, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Removed from the staff pool."))
    return redirect("programme:staff_list", pk=programme.pk)
