from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clients.models import KeyContact
from programme.models import Enrolment
from vipcrm.forms import add_service_errors

from ..forms.visits import VisitBookForm, VisitCancelForm, VisitRescheduleForm
from ..models import Visit, VisitReport
from ..services import visits as services
from .access import own_visit, visible_visit


@login_required
@require_http_methods(["GET", "POST"])
def visit_book(request, enrolment_pk):
    enrolment = get_object_or_404(
        Enrolment.objects.visible_to(request.user).select_related("client", "programme"),
        pk=enrolment_pk,
    )
    if enrolment.assignee_id != request.user.pk:
        raise PermissionDenied
    client = enrolment.client
    form = VisitBookForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_book(
                enrolment=enrolment,
                by=request.user,
                scheduled_at=form.cleaned_data["scheduled_at"],
                place=form.cleaned_data["place"],
                contacts=form.cleaned_data["contacts"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The meeting with %(client)s is booked.") % {"client": client}
            )
            return redirect("feedback:visit_detail", pk=visit.pk)
    return render(
        request,
        "feedback/visit_book.html",
        {"form": form, "enrolment": enrolment, "client": client},
    )


@login_required
def visit_detail(request, pk):
    visit = visible_visit(
        request,
        pk,
        Visit.objects.select_related(
            "client", "employee", "enrolment__programme", "report__author"
        ).prefetch_related("contacts"),
    )
    report = getattr(visit, "report", None)
    context = {"visit": visit, "report": report, "is_mine": visit.employee_id == request.user.pk}
    if report is not None and report.status == "finished":
        context.update(
            met=report.met_contacts.all(),
            checks=report.contact_checks.select_related("contact"),
            actions=report.corrective_actions.select_related("owner"),
            opportunities=report.opportunities.select_related(
                "position", "client_position__position"
            ),
            referrals=report.referrals.select_related("referring_contact"),
            follow_ups=report.follow_ups.select_related("owner"),
            revisions=_readable_revisions(report),
        )
    return render(request, "feedback/visit_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def visit_reschedule(request, pk):
    visit = own_visit(request, pk, Visit.objects.select_related("client"))
    form = VisitRescheduleForm(
        request.POST or None,
        client=visit.client,
        initial={
            "scheduled_at": timezone.localtime(visit.scheduled_at),
            "place": visit.place,
            "contacts": [contact.pk for contact in visit.contacts.all()],
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_reschedule(visit=visit, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The meeting is moved."))
            return redirect("feedback:visit_detail", pk=visit.pk)
    return render(request, "feedback/visit_reschedule.html", {"form": form, "visit": visit})


@login_required
@require_http_methods(["GET", "POST"])
def visit_cancel(request, pk):
    visit = own_visit(request, pk, Visit.objects.select_related("client"))
    form = VisitCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_cancel(visit=visit, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The meeting is cancelled."))
            return redirect("clients:client_detail", pk=visit.client_id)
    return render(request, "feedback/visit_cancel.html", {"form": form, "visit": visit})


def _readable_revisions(report):
    """Each correction as (revision, [(field label, old, new)]), in the user's language; the
    people met are shown by name (one query for all of them)."""
    revisions = list(report.revisions.select_related("changed_by"))
    contact_ids = {
        pk
        for revision in revisions
        for side in ("from", "to")
        for pk in revision.changes.get("met_contacts", {}).get(side, [])
    }
    names = dict(KeyContact.objects.filter(pk__in=contact_ids).values_list("pk", "full_name"))
    readable = []
    for revision in revisions:
        rows = []
        for name, change in revision.changes.items():
            old, new = change.get("from"), change.get("to")
            if name == "met_contacts":
                old = ", ".join(names.get(pk, "?") for pk in old or [])
                new = ", ".join(names.get(pk, "?") for pk in new or [])
            try:
                field = VisitReport._meta.get_field(name)
            except FieldDoesNotExist:
                label = name
            else:
                label = field.verbose_name
                if field.choices:
                    choices = dict(field.flatchoices)
                    old, new = choices.get(old, old), choices.get(new, new)
            rows.append((label, _shown(old), _shown(new)))
        readable.append((revision, rows))
    return readable


def _shown(value):
    return "—" if value in (None, "", []) else value
