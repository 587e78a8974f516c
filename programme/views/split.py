"""Stage 4: the automatic split — compute a proposal, review and change it, apply it — and the
progress of the programme's long jobs."""

from html import escape
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from clients.paging import keyset_page
from vipcrm.lists import person_columns, person_name

from .. import services
from ..enums import STAFF_CAPACITY, Assessment, StaffKind
from ..forms import SplitRowForm
from ..models import ProgrammeJob, StaffMember
from .access import get_programme, may_manage
from .rows import number_format

ROWS_PER_PAGE = 50
# "N clients are not assigned" is counted up to here ("more than 1,000"): a list of 100,000
# waiting for its first split is not counted whole on each view.
UNASSIGNED_CAP = 1000


NAME_FIELDS = ("first_name", "last_name", "username")
# What a row of the proposal shows, and nothing more of its client, enrolment and salesperson.
ROW_FIELDS = (
    "job_id",
    "enrolment_id",
    "client_name",
    "client_id",
    "assignee_id",
    "weight",
    "enrolment__assessment",
    *(f"enrolment__original_salesperson__{field}" for field in NAME_FIELDS),
)


class PoolPerson(NamedTuple):
    employee_id: int
    name: str
    kind: str  # its label
    capacity: float


def pool_people(programme) -> list[PoolPerson]:
    """The staff pool as the split page shows it, read as plain values (200 people: no model
    objects to build)."""
    kinds = {value: str(label) for value, label in StaffKind.choices}
    return [
        PoolPerson(
            employee_id,
            person_name(first, last, username),
            kinds.get(kind, kind),
            STAFF_CAPACITY.get(kind, 0),
        )
        for employee_id, kind, first, last, username in StaffMember.objects.filter(
            programme=programme
        )
        .order_by("employee__last_name", "employee__username")
        .values_list(
            "employee_id",
            "kind",
            "employee__first_name",
            "employee__last_name",
            "employee__username",
        )
    ]


def proposal_summary(job, pool: list[PoolPerson]) -> list:
    """Per person of the pool: clients proposed, clients held, weighted load after the split,
    capacity and capacity share — from the totals the job keeps (added up in SQL when the
    proposal was computed, changed with each row), never from the proposal's rows."""
    result = job.result
    proposed, held = result.get("people", {}), result.get("held", {})
    total = result.get("total_weight", 0)
    total_capacity = sum(member.capacity for member in pool)
    people = []
    for member in pool:
        count, weight = proposed.get(str(member.employee_id), (0, 0))
        held_count, held_weight = held.get(str(member.employee_id), (0, 0))
        load = held_weight + weight
        share = total * member.capacity / total_capacity if total_capacity else 0
        people.append(
            {
                "member": member,
                "count": count,
                "held": held_count,
                "load": load,
                "share": round(share, 1),
                "percent": round(100 * load / share) if share else 0,
            }
        )
    return people


def summary_rows_html(people) -> str:
    """The summary's rows (200 people in a large pool), written here rather than by 2,000
    template variables: the same cells, the names escaped and the numbers localized as the
    template would."""
    label = escape(_("Load against share"))
    number = number_format()
    return mark_safe(  # noqa: S308 (names escaped, numbers formatted here)
        "\n".join(
            f'<tr data-testid="split-person"><td>{escape(p["member"].name)}</td>'
            f"<td>{escape(p['member'].kind)}</td><td>{number(p['count'])}</td>"
            f"<td>{number(p['held'])}</td><td>{number(p['load'])}</td>"
            f"<td>{number(p['member'].capacity)}</td><td>{number(p['share'])}</td>"
            f'<td class="text-nowrap"><progress max="100" value="{p["percent"]}" '
            f'aria-label="{label}"></progress> {number(p["percent"])}%</td></tr>'
            for p in people
        )
    )


def proposal_rows_html(rows, names: dict, *, chosen: bool) -> str:
    """The page's 50 rows of the proposal (``values()`` dicts), written here rather than by 600
    template variables (as the summary): the client (with a radio button to choose it when the
    user may change the proposal), its weight, assessment, original salesperson and the
    proposed employee."""
    assessments = {value: str(label) for value, label in Assessment.choices}
    lines = []
    for row in rows:
        client = escape(row["client_name"])
        enrolment_id = row["enrolment_id"]
        if chosen:
            key = f"split-row-{enrolment_id}"
            first = (
                f'<td><input class="form-check-input" type="radio" name="enrolment" '
                f'value="{enrolment_id}" id="{key}" required></td>'
                f'<td><label for="{key}">{client}</label></td>'
            )
        else:
            first = f"<td>{client}</td>"
        salesperson = (
            person_name(
                row["salesperson_first_name"],
                row["salesperson_last_name"],
                row["salesperson_username"],
            )
            or "—"
        )
        assignee = names.get(row["assignee_id"], "—")
        lines.append(
            f'<tr data-testid="split-row">{first}<td>{row["weight"]}</td>'
            f"<td>{escape(assessments.get(row['assessment']) or '—')}</td>"
            f"<td>{escape(salesperson)}</td>"
            f'<td data-testid="split-row-assignee">{escape(assignee)}</td>'
            "</tr>"
        )
    return mark_safe("\n".join(lines))  # noqa: S308 (every value escaped above)


def assignee_options(pool: list[PoolPerson]) -> str:
    """The ``<option>``s of the pool's employees (200 in a large pool), written here rather
    than by a template loop."""
    return mark_safe(  # noqa: S308 (names escaped)
        "".join(
            f'<option value="{member.employee_id}">{escape(member.name)}</option>'
            for member in pool
        )
    )


@login_required
def split_detail(request, pk):
    programme = get_programme(request, pk)
    job = (
        programme.jobs.filter(kind=ProgrammeJob.Kind.SPLIT)
        .exclude(status=ProgrammeJob.Status.APPLIED)
        .first()
    )
    unassigned = programme.enrolments.filter(assignee__isnull=True).order_by()
    unassigned = unassigned[: UNASSIGNED_CAP + 1].count()
    if job and job.error and job.status == ProgrammeJob.Status.READY:
        messages.error(request, job.error)
    context = {
        "programme": programme,
        "tab": "split",
        "job": job,
        "may_manage": may_manage(request.user, programme),
        "unassigned": min(unassigned, UNASSIGNED_CAP),
        "unassigned_capped": unassigned > UNASSIGNED_CAP,
    }
    if job and job.status == ProgrammeJob.Status.READY:
        pool = pool_people(programme)
        names = {member.employee_id: member.name for member in pool}
        # 50 rows by keyset on the client's (name, id): the (job, client_name, client) index.
        page = keyset_page(
            job.proposal_rows.values(
                "pk",
                *ROW_FIELDS,
                assessment=F("enrolment__assessment"),
                **person_columns("enrolment__original_salesperson", "salesperson"),
            ),
            None,  # no count shown: the proposal's size is on the job
            request.GET,
            size=ROWS_PER_PAGE,
            name="client_name",
            tiebreak="client_id",
        )
        context.update(
            page_obj=page,
            people=summary_rows_html(proposal_summary(job, pool)),
            change_url=reverse(
                "programme:split_change", kwargs={"pk": programme.pk, "job_pk": job.pk}
            ),
            rows=page.object_list,
            rows_html=proposal_rows_html(page, names, chosen=context["may_manage"]),
            options=assignee_options(pool),
            here=request.GET.urlencode(),
            unplaced=job.result.get("unplaced", 0),
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
    # Back to the same page of the proposal (its cursor).
    back = request.POST.get("next", "")
    url = reverse("programme:split_detail", kwargs={"pk": programme.pk})
    return redirect(url + back if back.startswith("?") else url)


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
