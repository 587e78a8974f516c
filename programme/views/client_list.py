"""Stage 2 and 4 on the client list: compose it, assess each client, assign and reassign."""

from html import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from clients.paging import CURSOR_PARAMS, keyset_page
from vipcrm.conflicts import VersionConflict
from vipcrm.filter_bar import share_choices
from vipcrm.forms import add_service_errors
from vipcrm.lists import names_of_people
from vipcrm.row_urls import row_url_for

from .. import services
from ..enums import Assessment, Stage
from ..filters import EnrolmentFilter
from ..forms import (
    AddCorporateForm,
    AddPrivateForm,
    AssessmentForm,
    AssignForm,
    BulkAssignForm,
    with_saved_version,
)
from ..selectors import enrolment_list as list_rows
from ..selectors import (
    keep_list_count,
    kept_list_count,
    pool_choices,
    signal_texts,
    signals_for,
)
from .access import get_programme, may_manage

ENROLMENTS_PER_PAGE = 50
# The filters whose counts are kept (``selectors.kept_list_count``).
KEPT_COUNTS = ("stage", "tier")


@login_required
def enrolment_list(request, pk):
    programme = get_programme(request, pk)
    filterset = EnrolmentFilter(request.GET, queryset=list_rows(programme), programme=programme)
    selected = filterset.qs
    chosen = filterset.form.cleaned_data
    # Filtered by stage or tier alone, the list's count is kept from the last view until a
    # client is added, removed, moved or changes tier (``kept_list_count``); searched alone,
    # the search counted the clients it found on the list; otherwise it is counted up to a cap
    # with its rows (unfiltered, the first 1,001 rows of the list: cheap whatever the plan).
    total = None
    filters = {name for name, value in chosen.items() if value}
    kept = bool(filters) and filters <= set(KEPT_COUNTS)
    if kept:
        stage, tier = chosen.get("stage") or "", chosen.get("tier") or ""
        total = kept_list_count(programme, stage=stage, tier=tier)
    elif filters == {"q"}:
        total = filterset.matched_on_list
    # Keyset pages by the client's (name, id) — a client is on a list once —, so the last page of
    # 100,000 costs what the first does.
    page = keyset_page(
        selected,
        selected.values("pk") if total is None else None,
        request.GET,
        size=ENROLMENTS_PER_PAGE,
        name="client__name",
        tiebreak="client_id",
        # The clients' tier and segment have indexes in name order (client_tier_name_idx,
        # client_segment_name_idx): counted along them, the count stops at its cap.
        count_in_order=any(chosen.get(f) for f in ("tier", "segment")),
        total=total,
    )
    if kept and total is None:
        keep_list_count(programme, stage=stage, tier=tier, total=page.count + page.count_is_capped)
    manages = may_manage(request.user, programme)
    bulk_form = BulkAssignForm(programme=programme)
    # The pool is listed twice (the assignee filter, the bulk-assign bar), the segments and the
    # regions once (the filter bar): each list is read from the cache, and the rows take their
    # names from these lists rather than from joins.
    pool = pool_choices(programme)
    form_fields = filterset.form.fields
    share_choices(pool, form_fields["assignee"], bulk_form.fields["assignee"])
    names = {
        "people": {**_people_outside(page.object_list, pool), **dict(pool)},
        "segments": form_fields["segment"].names,
        "regions": form_fields["region"].names,
    }
    return render(
        request,
        "programme/enrolment_list.html",
        {
            "programme": programme,
            "tab": "clients",
            "filter": filterset,
            "page_obj": page,
            # The bulk form comes back to this very page (filters and cursor).
            "here": request.GET.urlencode(),
            "filtered": any(
                value for key, value in request.GET.items() if key not in CURSOR_PARAMS
            ),
            "bulk_form": bulk_form,
            "may_manage": manages,
            "rows": enrolment_rows(request, page, manages, names),
        },
    )


def _people_outside(rows, pool) -> dict:
    """``{pk: name}`` of the page's original salespeople and assignees who are not in the pool
    (someone who left it, a salesperson who never was in it), read only when there are some."""
    in_pool = {pk for pk, _name in pool}
    return names_of_people(
        person
        for row in rows
        for person in (row["original_salesperson_id"], row["assignee_id"])
        if person not in in_pool
    )


def enrolment_rows(request, rows, manages: bool, names: dict) -> str:
    """The client list's table rows, written here rather than by a template loop (50 rows of
    nine cells cost more than the page's queries): the markup the template wrote, every value
    escaped as autoescaping does (``html.escape``, what Django's ``escape`` calls). ``rows`` are
    ``enrolment_list_rows`` dicts; ``names`` the people's, segments' and regions' names by id."""
    select = _("Select %(client)s")
    # Translated outside the f-strings: makemessages does not look inside them.
    private_word, unassigned_word = escape(_("private")), escape(_("unassigned"))
    private = f' <span class="badge text-bg-light">{private_word}</span>'
    unassigned = f'<span class="text-muted">{unassigned_word}</span>'
    signal_badge = (
        '<span class="badge text-bg-warning me-1" data-testid="signal" title="'
        + escape(_("Monopolisation signal"))
        + '"><i class="bi bi-exclamation-triangle" aria-hidden="true"></i> {}</span>'
    )
    assessments = {value: str(label) for value, label in Assessment.choices}
    stages = {value: str(label) for value, label in Stage.choices}
    people, segments, regions = names["people"], names["segments"], names["regions"]
    texts = signal_texts()
    badges = {text: signal_badge.format(escape(text)) for text in texts}
    out = []
    for row in rows:
        client_name = row["client_name"]
        checkbox = ""
        if manages:
            label = escape(select % {"client": client_name})
            checkbox = (
                '<td><input class="form-check-input" type="checkbox" name="enrolment" '
                f'value="{row["pk"]}" aria-label="{label}"></td>'
            )
        url = escape(
            row_url_for(request, "programme:enrolment_detail", row["programme_id"], row["pk"])
        )
        signals = "".join(badges[signal] for signal in signals_for(row, texts))
        assignee = row["assignee_id"]
        assignee = escape(people[assignee] or "—") if assignee else unassigned
        salesperson = row["original_salesperson_id"]
        salesperson = (people[salesperson] or "—") if salesperson else "—"
        segment, region = row["client_segment_id"], row["client_region_id"]
        assessment = assessments.get(row["assessment"], row["assessment"])
        stage = stages.get(row["stage"], row["stage"])
        out.append(
            '    <tr data-testid="enrolment-row">\n'
            f"      {checkbox}\n"
            f'      <td><a href="{url}">{escape(client_name)}</a>'
            f"{private if row['client_kind'] == 'private' else ''}</td>\n"
            f"      <td>{escape(row['client_tier'])}</td>\n"
            f"      <td>{escape(segments[segment]) if segment else '—'}</td>\n"
            f"      <td>{escape(regions[region]) if region else '—'}</td>\n"
            f"      <td>{escape(salesperson)}</td>\n"
            f"      <td>{escape(assessment or '—')} {signals}</td>\n"
            f"      <td>{assignee}</td>\n"
            f"      <td>{escape(stage)}</td>\n"
            "    </tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value escaped above


@login_required
@require_POST
def enrolment_bulk_assign(request, pk):
    programme = get_programme(request, pk, write=True)
    form = BulkAssignForm(request.POST, programme=programme)
    if form.is_valid():
        try:
            count = services.enrolments_assign_bulk(
                programme=programme,
                enrolment_ids=form.cleaned_data["enrolment"],
                assignee=form.cleaned_data["assignee"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                ngettext("%(count)d client assigned.", "%(count)d clients assigned.", count)
                % {"count": count},
            )
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    # Back to the same filtered page of the list.
    back = request.POST.get("next", "")
    url = reverse("programme:enrolment_list", kwargs={"pk": programme.pk})
    return redirect(url + back if back.startswith("?") else url)


@login_required
def enrolment_add_corporate(request, pk):
    programme = get_programme(request, pk, write=True)
    form = AddCorporateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.client_list_add_corporate_start(
                programme=programme, by=request.user, **form.exclusions()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if job.is_finished:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d corporate client added to the list.",
                        "%(count)d corporate clients added to the list.",
                        job.result.get("added", 0),
                    )
                    % {"count": job.result.get("added", 0)},
                )
                return redirect("programme:enrolment_list", pk=programme.pk)
            return redirect("programme:job_detail", pk=programme.pk, job_pk=job.pk)
    return render(
        request,
        "programme/enrolment_add_corporate.html",
        {"programme": programme, "tab": "clients", "form": form},
    )


@login_required
def enrolment_add_private(request, pk):
    programme = get_programme(request, pk, write=True)
    form = AddPrivateForm(request.POST or None, programme=programme)
    search = request.GET.get("q", "").strip()
    candidates = form.fields["clients"].queryset.order_by("name", "pk")
    if search:
        candidates = candidates.filter(name__icontains=search)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.client_list_add(
                programme=programme, clients=form.cleaned_data["clients"], by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d private client added to the list.",
                    "%(count)d private clients added to the list.",
                    count,
                )
                % {"count": count},
            )
            return redirect("programme:enrolment_list", pk=programme.pk)
    return render(
        request,
        "programme/enrolment_add_private.html",
        {
            "programme": programme,
            "tab": "clients",
            "form": form,
            "search": search,
            "candidates": candidates[:100],
        },
    )


def _enrolment(programme, enrolment_pk):
    return get_object_or_404(
        programme.enrolments.select_related(
            "client__segment", "client__region", "assignee", "original_salesperson"
        ),
        pk=enrolment_pk,
    )


@login_required
def enrolment_detail(request, pk, enrolment_pk, assess_form=None, assign_form=None, conflict=None):
    programme = get_programme(request, pk)
    enrolment = _enrolment(programme, enrolment_pk)
    row = list_rows(programme).get(pk=enrolment.pk)
    history = enrolment.assignment_changes.select_related("from_user", "to_user", "changed_by")
    return render(
        request,
        "programme/enrolment_detail.html",
        {
            "programme": programme,
            "tab": "clients",
            "enrolment": enrolment,
            "signals": signals_for(row),
            "history": history,
            "may_manage": may_manage(request.user, programme),
            "assess_form": assess_form
            or AssessmentForm(
                initial={
                    "assessment": enrolment.assessment,
                    "note": enrolment.assessment_note,
                    "version": enrolment.version,
                }
            ),
            "assign_form": assign_form
            or AssignForm(
                programme=programme,
                current=enrolment.assignee,
                initial={"assignee": enrolment.assignee, "version": enrolment.version},
            ),
            "conflict": conflict,
        },
        status=409 if conflict else 200,
    )


@login_required
@require_POST
def enrolment_assess(request, pk, enrolment_pk):
    programme = get_programme(request, pk, write=True)
    enrolment = _enrolment(programme, enrolment_pk)
    form = AssessmentForm(request.POST)
    if form.is_valid():
        try:
            services.enrolment_assess(
                enrolment=enrolment,
                assessment=form.cleaned_data["assessment"],
                note=form.cleaned_data["note"],
                by=request.user,
                version=form.cleaned_data["version"],
            )
        except VersionConflict as error:
            form = with_saved_version(form, error.version)
            return enrolment_detail(request, pk, enrolment_pk, assess_form=form, conflict=error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Assessment saved."))
            return redirect(
                "programme:enrolment_detail", pk=programme.pk, enrolment_pk=enrolment.pk
            )
    return enrolment_detail(request, pk, enrolment_pk, assess_form=form)


@login_required
@require_POST
def enrolment_assign(request, pk, enrolment_pk):
    programme = get_programme(request, pk, write=True)
    enrolment = _enrolment(programme, enrolment_pk)
    form = AssignForm(request.POST, programme=programme, current=enrolment.assignee)
    if form.is_valid():
        try:
            services.enrolment_assign(
                enrolment=enrolment,
                assignee=form.cleaned_data["assignee"],
                reason=form.cleaned_data["reason"],
                by=request.user,
                version=form.cleaned_data["version"],
            )
        except VersionConflict as error:
            form = with_saved_version(form, error.version)
            return enrolment_detail(request, pk, enrolment_pk, assign_form=form, conflict=error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Assignment saved."))
            return redirect(
                "programme:enrolment_detail", pk=programme.pk, enrolment_pk=enrolment.pk
            )
    return enrolment_detail(request, pk, enrolment_pk, assign_form=form)


@login_required
@require_POST
def enrolment_remove(request, pk, enrolment_pk):
    programme = get_programme(request, pk, write=True)
    enrolment = _enrolment(programme, enrolment_pk)
    try:
        services.enrolment_remove(enrolment=enrolment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(enrolment.get_manager_url())
    messages.success(
        request, _("%(client)s was taken off the list.") % {"client": enrolment.client.name}
    )
    return redirect("programme:enrolment_list", pk=programme.pk)
