from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vipcrm.conflicts import VersionConflict
from vipcrm.forms import add_service_errors

from ..forms.reports import ReportForms, ReportMainForm
from ..models import Visit
from ..services import reports as services
from .access import own_visit


def _main_data(form) -> dict:
    """The main form's fields as typed, blanks included (a correction may clear a field)."""
    return {
        name: ("" if form[name].value() is None else form[name].value()) for name in form.fields
    }


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, pk):
    """The visit report, one page for the seven goals: save a draft at any point, finish it,
    and once finished, correct it."""
    visit = own_visit(
        request,
        pk,
        Visit.objects.select_related("client", "enrolment__programme", "report"),
    )
    client = visit.client
    contacts = list(client.contacts.current())
    report = getattr(visit, "report", None)
    if report is not None and report.status == "finished":
        return _report_correct(request, visit, report, contacts)

    if request.method == "GET":
        draft = report.draft if report else {}
        if not draft:  # a fresh report starts from the people the meeting was booked with
            draft = {"met_contacts": [c.pk for c in visit.contacts.all() if not c.left_company]}
        forms = ReportForms(client=client, contacts=contacts, draft=draft)
        return _render(request, visit, report, forms)

    forms = ReportForms(client=client, contacts=contacts, data=request.POST)
    data = forms.report_data()
    version = request.POST.get("version") or None
    try:
        report = services.visit_report_start(visit=visit, by=request.user)
        if request.POST.get("action") != "finish":
            services.visit_report_save_draft(
                report=report, by=request.user, data=data, version=version
            )
            messages.success(
                request, _("The draft is saved. Finish the report when it is complete.")
            )
            return redirect("feedback:report_edit", pk=visit.pk)
        if not forms.is_valid():
            services.visit_report_save_draft(
                report=report, by=request.user, data=data, version=version
            )
            report.refresh_from_db()
            messages.error(
                request,
                _("The report is not finished: correct the marked fields. Your draft is saved."),
            )
            return _render(request, visit, report, forms)
        services.visit_report_finish(report=report, by=request.user, data=data, version=version)
    except ValidationError as error:
        if report is not None:
            report.refresh_from_db()
        if isinstance(error, VersionConflict):
            # The form keeps what was typed; the hidden version becomes the saved one, so that
            # saving again (after comparing) is a deliberate overwrite.
            return _render(request, visit, report, forms, conflict=error)
        add_service_errors(forms.main, error)
        if request.POST.get("action") == "finish":
            message = _("The report is not finished: %(reason)s")
        else:
            message = _("The draft is not saved: %(reason)s")
        messages.error(request, message % {"reason": " ".join(error.messages)})
        return _render(request, visit, report, forms)
    messages.success(
        request, _("The report is finished; %(client)s is marked as visited.") % {"client": client}
    )
    return redirect("feedback:visit_detail", pk=visit.pk)


def _render(request, visit, report, forms, conflict=None):
    return render(
        request,
        "feedback/report_form.html",
        {
            "visit": visit,
            "report": report,
            "forms": forms,
            "client": visit.client,
            "conflict": conflict,
        },
        status=409 if conflict else 200,
    )


def _report_correct(request, visit, report, contacts):
    initial = {name: getattr(report, name) for name in services.SCALAR_FIELDS}
    initial["met_contacts"] = [str(pk) for pk in report.met_contacts.values_list("pk", flat=True)]
    # Contacts met may have left since; they stay choosable in the correction.
    met_choices = {c.pk: c for c in contacts} | {c.pk: c for c in report.met_contacts.all()}
    form = ReportMainForm(request.POST or None, initial=initial, contacts=met_choices.values())
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_report_correct(
                report=report,
                by=request.user,
                data=_main_data(form),
                version=request.POST.get("version") or None,
            )
        except VersionConflict as error:
            conflict = error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The correction is saved and kept in the report's history.")
            )
            return redirect("feedback:visit_detail", pk=visit.pk)
    return render(
        request,
        "feedback/report_correct.html",
        {
            "visit": visit,
            "report": report,
            "form": form,
            "client": visit.client,
            "conflict": conflict,
        },
        status=409 if conflict else 200,
    )
