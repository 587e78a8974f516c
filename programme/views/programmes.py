"""Stage 1: the programmes — list, create, edit, activate, close, next run — and progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vipcrm import roles
from vipcrm.forms import add_service_errors

from .. import services
from ..enums import ProgrammeStatus
from ..forms import CloseForm, NextRunForm, ProgrammeForm
from ..selectors import progress as programme_progress
from .access import get_programme, may_manage, programmes_for, require_manager_area
from .rows import progress_rows_html


@login_required
def programme_list(request):
    require_manager_area(request.user)
    programmes = programmes_for(request.user).select_related("manager", "previous")
    return render(
        request,
        "programme/programme_list.html",
        {
            "programmes": programmes,
            "may_create": roles.is_programme_manager(request.user),
        },
    )


@login_required
def programme_create(request):
    require_manager_area(request.user)
    if not roles.is_programme_manager(request.user):
        raise PermissionDenied
    form = ProgrammeForm(request.POST or None, initial={"manager": request.user})
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Programme opened as a draft. Now compose its client list.")
            )
            return redirect("programme:programme_detail", pk=programme.pk)
    return render(request, "programme/programme_form.html", {"form": form})


@login_required
def programme_detail(request, pk):
    programme = get_programme(request, pk)
    return render(
        request,
        "programme/programme_detail.html",
        {
            "programme": programme,
            "tab": "overview",
            "may_manage": may_manage(request.user, programme),
            "progress": programme_progress(programme),
        },
    )


@login_required
def programme_edit(request, pk):
    programme = get_programme(request, pk, write=True)
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(programme=programme, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Programme saved."))
            return redirect("programme:programme_detail", pk=programme.pk)
    return render(request, "programme/programme_form.html", {"form": form, "programme": programme})


@login_required
@require_POST
def programme_activate(request, pk):
    programme = get_programme(request, pk, write=True)
    try:
        services.programme_activate(programme=programme, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The programme is active."))
    return redirect("programme:programme_detail", pk=programme.pk)


@login_required
def programme_close(request, pk):
    programme = get_programme(request, pk, write=True)
    form = CloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_close(
                programme=programme, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The programme is closed."))
            return redirect("programme:programme_detail", pk=programme.pk)
    return render(
        request,
        "programme/programme_close.html",
        {
            "programme": programme,
            "form": form,
            "unfinished": services.unfinished_count(programme),
        },
    )


@login_required
def programme_next_run(request, pk):
    previous = get_programme(request, pk, write=True)
    if previous.status != ProgrammeStatus.CLOSED:
        messages.error(request, _("The next run starts from a closed programme."))
        return redirect("programme:programme_detail", pk=previous.pk)
    form = NextRunForm(request.POST or None, initial={"name": previous.name})
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_start_next_run(
                previous=previous, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The next run is open as a draft, with the same client list.")
            )
            return redirect("programme:programme_detail", pk=programme.pk)
    return render(
        request, "programme/programme_next_run.html", {"programme": previous, "form": form}
    )


@login_required
def progress(request, pk):
    programme = get_programme(request, pk)
    figures = programme_progress(programme)
    return render(
        request,
        "programme/progress_detail.html",
        {
            "programme": programme,
            "tab": "progress",
            "progress": figures,
            "rows_html": progress_rows_html(figures.rows),
        },
    )
