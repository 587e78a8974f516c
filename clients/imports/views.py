"""Pages of the importer: upload, preview with progress, commit, template files.

Only programme managers (and administrators) import; anyone else gets 403. An import batch is
seen only by the person who uploaded it (404 for anyone else).
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from programme.models import Programme
from vipcrm import roles

from .columns import CHOICES, choice_codes
from .forms import ClientImportUploadForm, ImportUploadForm
from .models import ImportBatch, ImportKind, ImportStatus
from .reading import limit
from .samples import template_columns, template_csv, template_xlsx
from .services import (
    columns_for,
    import_batch_create,
    import_batch_request_commit,
    progress_of,
)

PREVIEW_PAGE_SIZE = 100


def importer_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not roles.is_programme_manager(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _upload(request, kind):
    initial = {}
    if kind == ImportKind.CLIENTS:
        form_class = ClientImportUploadForm
        form_kwargs = {"user": request.user}
        programme_id = request.GET.get("programme", "")
        if programme_id.isdigit():
            initial["programme"] = (
                Programme.objects.managed_by(request.user).filter(pk=programme_id).first()
            )
    else:
        form_class, form_kwargs = ImportUploadForm, {}
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = import_batch_create(
                    kind=kind,
                    content=upload.read(limit("IMPORT_MAX_BYTES") + 1),
                    file_name=upload.name,
                    by=request.user,
                    programme=form.cleaned_data.get("programme"),
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                return redirect(batch)
    else:
        form = form_class(initial=initial, **form_kwargs)
    recent = (
        ImportBatch.objects.visible_to(request.user)
        .filter(kind=kind)
        .select_related("programme")
        .defer("rows", "outcomes")[:10]
    )
    return render(
        request,
        "clients/import_upload.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": ImportKind(kind).label,
            "columns": _column_help(kind),
            "recent": recent,
            "max_mb": limit("IMPORT_MAX_BYTES") / 1024 / 1024,
            "max_rows": limit("IMPORT_MAX_ROWS"),
            "inline_rows": limit("IMPORT_INLINE_ROWS"),
        },
    )


def _column_help(kind):
    rows = []
    for column in template_columns(kind):
        accepted = choice_codes(column.key) if column.key in CHOICES else ""
        if column.key == "tax_number":
            accepted = _("10 or 12 digits; may be left empty")
        rows.append(
            {
                "key": column.key,
                "russian": column.russian,
                "label": column.label,
                "required": column.required,
                "accepted": accepted,
            }
        )
    return rows


@importer_required
def import_clients(request):
    return _upload(request, ImportKind.CLIENTS)


@importer_required
def import_volumes(request):
    return _upload(request, ImportKind.VOLUMES)


@importer_required
def import_template(request, kind, file_format):
    if kind not in ImportKind.values or file_format not in ("csv", "xlsx"):
        raise Http404
    if file_format == "csv":
        content, content_type = template_csv(kind), "text/csv; charset=utf-8"
    else:
        content = template_xlsx(kind)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="vipcrm-{kind}-template.{file_format}"'
    return response


def _batch(request, pk, *, defer=("rows",)):
    # The rows (and, while polling, the outcomes) can be megabytes; pages rarely need them.
    return get_object_or_404(
        ImportBatch.objects.visible_to(request.user)
        .select_related("programme", "uploaded_by")
        .defer(*defer),
        pk=pk,
    )


@importer_required
def import_batch_detail(request, pk):
    batch = _batch(request, pk)
    show = request.GET.get("show", "")
    outcomes = batch.outcomes
    if show in ("new", "update", "error"):
        outcomes = [outcome for outcome in outcomes if outcome["action"] == show]
    labels = {column.key: column.label for column in columns_for(batch.kind, batch.programme)}
    page = Paginator(outcomes, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            **outcome,
            "errors": [
                {**error, "label": labels.get(error["column"], error["column"])}
                for error in outcome["errors"]
            ],
        }
        for outcome in page.object_list
    ]
    return render(
        request,
        "clients/import_batch_detail.html",
        {
            "batch": batch,
            "page_obj": page,
            "rows": rows,
            "show": show,
            "query": f"show={show}" if show else "",
            "progress": progress_of(batch),
            "upload_url": reverse(
                "clients:import_volumes"
                if batch.kind == ImportKind.VOLUMES
                else "clients:import_clients"
            ),
        },
    )


@importer_required
def import_batch_progress(request, pk):
    batch = _batch(request, pk, defer=("rows", "outcomes"))
    response = render(
        request,
        "clients/_import_progress.html",
        {"batch": batch, "progress": progress_of(batch)},
    )
    if not batch.is_running:
        # Done: htmx reloads the page to show the preview or the result.
        response["HX-Refresh"] = "true"
    return response


@require_POST
@importer_required
def import_batch_commit(request, pk):
    batch = _batch(request, pk, defer=())
    try:
        batch = import_batch_request_commit(batch=batch, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(batch)
    if batch.status == ImportStatus.COMMITTED:
        messages.success(request, _committed_message(batch))
    else:
        messages.info(
            request, _("The import runs in the background; this page shows its progress.")
        )
    return redirect(batch)


def _committed_message(batch) -> str:
    if batch.kind == ImportKind.VOLUMES:
        return ngettext(
            "Imported %(count)d volume row.", "Imported %(count)d volume rows.", batch.total_rows
        ) % {"count": batch.total_rows}
    return _("Imported. New clients: %(new)d; updated: %(update)d.") % {
        "new": batch.new_count,
        "update": batch.update_count,
    }
