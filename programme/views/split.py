"""Stage 4: the automatic split — compute a proposal, review and change it, apply it — and the
progress of the programme's long jobs."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import services
from ..forms import SplitRowForm
from ..models import ProgrammeJob
from ..selectors import pool_load
from .access import SimplePage, get_programme, may_manage

ROWS_PER_PAGE = 50


def proposal_summary(programme, job):
    """Per person of the pool: clients proposed, weighted load after the split, capacity and
    capacity share — from the proposal's rows, without touching the database per row."""
    pool = pool_load(programme)
    proposed_count, proposed_weight = {}, {}
    total = pool.total_weight
    for assignee, weight in job.result.get("rows", {}).values():
        proposed_count[assignee] = proposed_count.get(assignee, 0) + 1
        proposed_weight[assignee] = proposed_weight.get(assignee, 0) + weight
    people = []
    for member in pool.members:
        load = member.held_weight + proposed_weight.get(member.employee_id, 0)
        share = total * member.capacity / pool.total_capacity if pool.total_capacity else 0
        people.append(
            {
                "member": member,
                "count": proposed_count.get(member.employee_id, 0),
                "held": member.held_count,
                "load": load,
                "share": round(share, 1),
                "percent": round(100 * load / share) if share else 0,
            }
        )
    return people


@login_required
def split_detail(request, pk):
    programme = get_programme(request, pk)
    job = (
        programme.jobs.filter(kind=ProgrammeJob.Kind.SPLIT)
        .exclude(status=ProgrammeJob.Status.APPLIED)
        .first()
    )
    if job and job.error and job.status == ProgrammeJob.Status.READY:
        messages.error(request, job.error)
    context = {
        "programme": programme,
        "tab": "split",
        "job": job,
        "may_manage": may_manage(request.user, programme),
        "unassigned": programme.enrolments.filter(assignee__isnull=True).count(),
    }
    if job and job.status == ProgrammeJob.Status.READY:
        rows = job.result.get("rows", {})
        keys = sorted(rows, key=int)
        page = SimplePage(keys, request.GET.get("page"), size=ROWS_PER_PAGE)
        enrolments = programme.enrolments.select_related("client", "original_salesperson").in_bulk(
            [int(key) for key in page.object_list]
        )
        people = {
            user.pk: user
            for user in get_user_model().objects.filter(programme_memberships__programme=programme)
        }
        context.update(
            page_obj=page,
            people=proposal_summary(programme, job),
            rows=[
                {
                    "enrolment": enrolments[int(key)],
                    "assignee": people.get(rows[key][0]),
                    "weight": rows[key][1],
                }
                for key in page.object_list
                if int(key) in enrolments
            ],
            pool_users=sorted(people.values(), key=lambda u: (u.last_name, u.username)),
            unplaced=len(job.result.get("unplaced", [])),
        )
    return render(request, "programme/split_detail.html", context)


@login_required
@require_POST
def split_start(request, pk):
    programme = get_programme(request, pk, write=True)
    try:
        job = services.split_start(programme=programme, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("programme:split_detail", pk=programme.pk)
    if job.status == ProgrammeJob.Status.FAILED:
        messages.error(request, job.error)
    return redirect("programme:split_detail", pk=programme.pk)


def _split_job(programme, job_pk):
    return get_object_or_404(programme.jobs.filter(kind=ProgrammeJob.Kind.SPLIT), pk=job_pk)


@login_required
@require_POST
def split_change(request, pk, job_pk):
    programme = get_programme(request, pk, write=True)
    job = _split_job(programme, job_pk)
    form = SplitRowForm(request.POST, programme=programme)
    if form.is_valid():
        enrolment = get_object_or_404(programme.enrolments, pk=form.cleaned_data["enrolment"])
        try:
            services.split_change_row(
                job=job,
                enrolment=enrolment,
                assignee=form.cleaned_data["assignee"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Proposal changed."))
    else:
        messages.error(request, _("Choose an employee of the staff pool."))
    page = request.POST.get("page", "")
    url = reverse("programme:split_detail", kwargs={"pk": programme.pk})
    return redirect(f"{url}?page={page}" if page.isdigit() else url)


@login_required
@require_POST
def split_apply(request, pk, job_pk):
    programme = get_programme(request, pk, write=True)
    job = _split_job(programme, job_pk)
    try:
        count = services.split_apply_start(job=job, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("programme:split_detail", pk=programme.pk)
    if count is None:
        return redirect("programme:job_detail", pk=programme.pk, job_pk=job.pk)
    messages.success(
        request,
        ngettext(
            "Split applied: %(count)d client assigned.",
            "Split applied: %(count)d clients assigned.",
            count,
        )
        % {"count": count},
    )
    return redirect("programme:enrolment_list", pk=programme.pk)


@login_required
def job_detail(request, pk, job_pk):
    """A job's progress; htmx polls the partial until the job is finished."""
    programme = get_programme(request, pk)
    job = get_object_or_404(programme.jobs, pk=job_pk)
    partial = bool(request.headers.get("HX-Request"))
    template = "programme/_job_progress.html" if partial else "programme/job_detail.html"
    response = render(request, template, {"programme": programme, "job": job, "tab": ""})
    if partial and job.is_finished:
        response["HX-Refresh"] = "true"
    return response
