from html import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vipcrm import roles
from vipcrm.expressions import SubqueryCount
from vipcrm.forms import add_service_errors
from vipcrm.lists import person_columns, person_name
from vipcrm.row_urls import row_url_for

from . import card, card_rows, services
from .enums import ClientKind, ClientStatus
from .filters import ClientFilter
from .forms import KeyContactForm
from .models import Client, KeyContact
from .paging import keyset_page

CLIENTS_PER_PAGE = 50


def current_contact_count():
    """Key contacts still at the client, counted for each row shown (not for the whole base)."""
    return SubqueryCount(KeyContact.objects.filter(client=OuterRef("pk"), left_company=False))


@login_required
def client_list(request):
    """The client base, a page at a time by keyset (as fast on the last page as on the first).

    The rows are read as values: a client instance and its joined segment, region and
    salesperson made four model instances a row. The segment's and region's names come from
    the filter bar's own lists (read once for the form), not from joins."""
    filterset = ClientFilter(request.GET, queryset=Client.objects.visible_to(request.user))
    fields = filterset.form.fields
    segments, regions = fields["segment"].names, fields["region"].names
    selected = filterset.qs
    rows = selected.values(
        "pk",
        "name",
        "kind",
        "segment_id",
        "region_id",
        "city",
        "tier",
        "status",
        **person_columns("original_salesperson", "salesperson"),
        contact_count=current_contact_count(),
    )
    page = keyset_page(rows, selected, request.GET, size=CLIENTS_PER_PAGE)
    context = {
        "filter": filterset,
        "page_obj": page,
        "rows": client_rows(request, page, segments=segments, regions=regions),
    }
    return render(request, "clients/client_list.html", context)


def client_rows(request, clients, *, segments, regions) -> str:
    """The client list's table rows (``client_list``'s values, with the names of the
    ``segments`` and ``regions`` by id), written here rather than by a template loop: a row has
    eight cells, and at 50 rows the template engine's few microseconds per variable, filter and
    tag came to more than the page's queries. The markup is the template's was, every value
    escaped as autoescaping does (``html.escape``, what Django's ``escape`` calls); counts are
    below a thousand, which ``localize`` writes as they are."""
    # Labels and names escaped once per page rather than once per row and column.
    kinds = {value: escape(str(label)) for value, label in ClientKind.choices}
    statuses = {value: escape(str(label)) for value, label in ClientStatus.choices}
    segment_names = {pk: escape(name) for pk, name in segments.items()}
    region_names = {pk: escape(name) for pk, name in regions.items()}
    rows = []
    for client in clients:
        salesperson_name = person_name(
            client["salesperson_first_name"],
            client["salesperson_last_name"],
            client["salesperson_username"],
        )
        region = region_names.get(client["region_id"], "—")
        if client["city"]:
            region += f", {escape(client['city'])}"
        contacts = client["contact_count"]
        url = escape(row_url_for(request, "clients:client_detail", client["pk"]))
        rows.append(
            "    <tr>\n"
            f'      <td><a href="{url}">{escape(client["name"])}</a></td>\n'
            f"      <td>{kinds.get(client['kind']) or escape(client['kind'])}</td>\n"
            f"      <td>{segment_names.get(client['segment_id'], '—')}</td>\n"
            f"      <td>{region}</td>\n"
            f"      <td>{escape(client['tier'])}</td>\n"
            f"      <td>{statuses.get(client['status']) or escape(client['status'])}</td>\n"
            f"      <td>{contacts if contacts < 1000 else localize(contacts)}</td>\n"
            f"      <td>{escape(salesperson_name) or '—'}</td>\n"
            "    </tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value escaped above


@login_required
def client_detail(request, pk):
    """The client card: contacts, positions, visits with their reports, the open items the
    visits led to, and who worked the client when. One query per section, whatever its size,
    each prepared once per process (``clients.card``)."""
    user = request.user
    client = card.client_visible_to(user, pk)
    if client is None:
        raise Http404
    enrolments = _enrolments(pk)
    if request.GET.get("visits") == "all":
        visits, more_visits = card.all_visits(client_id=pk), False
    else:  # the latest, and one more to know whether there are more
        visits = card.latest_visits(client_id=pk)
        visits, more_visits = visits[: card.CARD_VISITS], len(visits) > card.CARD_VISITS
    volumes = card.volumes(client_id=pk)
    contacts = card.contacts(client_id=pk)
    assignments = card.assignments(client_id=pk)
    may_edit = roles.may_write(user)
    follow_ups = card.follow_ups(client_id=pk)
    actions = card.corrective_actions(client_id=pk)
    opportunities = card.opportunities(client_id=pk)
    referrals = card.referrals(client_id=pk)
    context = {
        "client": client,
        "contacts": contacts,
        "contact_rows": card_rows.contact_rows(request, contacts, may_edit=may_edit),
        "positions": card.positions(client_id=pk),
        "volumes": volumes,
        "volume_rows": card_rows.volume_rows(volumes),
        "enrolments": enrolments,
        "my_enrolment": next(
            (
                e
                for e in enrolments
                if e["assignee_id"] == user.pk and e["programme_status"] == "active"
            ),
            None,
        ),
        "visits": visits,
        "more_visits": more_visits,
        "visit_rows": card_rows.visit_rows(request, visits),
        "corrective_actions": actions,
        "corrective_action_rows": card_rows.corrective_action_rows(actions),
        "opportunities": opportunities,
        "opportunity_rows": card_rows.opportunity_rows(opportunities),
        "referrals": referrals,
        "referral_rows": card_rows.referral_rows(referrals),
        "follow_ups": follow_ups,
        "follow_up_rows": card_rows.follow_up_rows(follow_ups),
        "assignments": assignments,
        "assignment_rows": card_rows.assignment_rows(assignments, enrolments),
        "may_edit_contacts": may_edit,
    }
    return render(request, "clients/client_detail.html", context)


def _enrolments(client_id):
    """The client's enrolments, newest programme first, each with its stage's label and its
    assignee's name."""
    from programme.enums import Stage  # programme builds on clients, not the reverse

    labels = dict(Stage.choices)
    rows = card.enrolments(client_id=client_id)
    for row in rows:
        row["stage_label"] = labels.get(row["stage"], row["stage"])
        row["assignee_name"] = person_name(
            row["assignee_first_name"], row["assignee_last_name"], row["assignee_username"]
        )
    return rows


def _writable_client(request, pk):
    client = get_object_or_404(Client.objects.visible_to(request.user), pk=pk)
    if not roles.may_write(request.user):
        raise PermissionDenied
    return client


def _writable_contact(request, pk):
    contact = get_object_or_404(
        KeyContact.objects.visible_to(request.user).select_related("client"), pk=pk
    )
    if not roles.may_write(request.user):
        raise PermissionDenied
    return contact


@login_required
@require_http_methods(["GET", "POST"])
def contact_add(request, pk):
    client = _writable_client(request, pk)
    form = KeyContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_create(client=client, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The key contact is added."))
            return redirect(client)
    return render(request, "clients/contact_form.html", {"form": form, "client": client})


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request, pk):
    contact = _writable_contact(request, pk)
    form = KeyContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        # The service writes; the model form only parses (its instance is not saved here).
        original = KeyContact.objects.get(pk=contact.pk)
        try:
            services.contact_update(contact=original, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The key contact is updated."))
            return redirect(contact.client)
    return render(
        request,
        "clients/contact_form.html",
        {"form": form, "client": contact.client, "contact": contact},
    )


@login_required
@require_POST
def contact_confirm(request, pk):
    contact = _writable_contact(request, pk)
    try:
        services.contact_confirm(contact=contact, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(name)s is confirmed as of today.") % {"name": contact.full_name}
        )
    return redirect(contact.client)


@login_required
@require_POST
def contact_mark_left(request, pk):
    contact = _writable_contact(request, pk)
    services.contact_mark_left(contact=contact, by=request.user)
    messages.success(
        request, _("%(name)s is marked as having left the company.") % {"name": contact.full_name}
    )
    return redirect(contact.client)
