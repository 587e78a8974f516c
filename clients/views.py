from html import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vipcrm import roles
from vipcrm.expressions import SubqueryCount
from vipcrm.forms import add_service_errors
from vipcrm.lists import person_name
from vipcrm.row_urls import row_url_for

from . import card_rows, services
from .aggregates import SubqueryJoinedNames
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
        salesperson_first_name=F("original_salesperson__first_name"),
        salesperson_last_name=F("original_salesperson__last_name"),
        salesperson_username=F("original_salesperson__username"),
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
    visits led to, and who worked the client when. One query per section, whatever its size."""
    client = get_object_or_404(
        Client.objects.one_visible_to(request.user, pk).select_related(
            "segment", "region", "original_salesperson"
        )
    )
    user = request.user
    enrolments = list(
        client.enrolments.all()
        .select_related("programme", "assignee")
        .order_by("-programme__starts_on", "-id")
    )
    visits = _latest_visits(client, show_all=request.GET.get("visits") == "all")
    volumes = list(client.volumes.order_by("-period")[:12])
    contacts = list(client.contacts.all())
    assignments = _assignments(enrolments)
    may_edit = roles.may_write(user)
    follow_ups = list(
        client.follow_ups.filter(done_at__isnull=True).values(
            "title",
            "due_on",
            owner_first_name=F("owner__first_name"),
            owner_last_name=F("owner__last_name"),
            owner_username=F("owner__username"),
        )
    )
    context = {
        "client": client,
        "contacts": contacts,
        "contact_rows": card_rows.contact_rows(request, contacts, may_edit=may_edit),
        "positions": client.positions.select_related("position"),
        "volumes": volumes,
        "volume_rows": card_rows.volume_rows(volumes),
        "enrolments": enrolments,
        "my_enrolment": next(
            (e for e in enrolments if e.assignee_id == user.pk and e.programme.status == "active"),
            None,
        ),
        **visits,
        "visit_rows": card_rows.visit_rows(request, visits["visits"]),
        **_open_items(client),
        "follow_ups": follow_ups,
        "follow_up_rows": card_rows.follow_up_rows(follow_ups),
        "assignments": assignments,
        "assignment_rows": card_rows.assignment_rows(assignments, enrolments),
        "may_edit_contacts": may_edit,
    }
    return render(request, "clients/client_detail.html", context)


def _assignments(enrolments):
    """Who worked the client when: the changes of the card's enrolments, each a dict of the
    values the card shows (``clients.card_rows.assignment_rows`` names each change's
    programme from the enrolments already read rather than by a join)."""
    # programme builds on clients, not the reverse: imported here, as in the querysets
    from programme.models import AssignmentChange

    people = {}
    for role in ("from_user", "to_user", "changed_by"):
        for part in ("first_name", "last_name", "username"):
            people[f"{role}_{part}"] = F(f"{role}__{part}")
    return list(
        AssignmentChange.objects.filter(
            enrolment_id__in=[enrolment.pk for enrolment in enrolments]
        ).values("enrolment_id", "changed_at", "reason", "changed_by_id", **people)
    )


def _open_items(client):
    """The card's open corrective actions, opportunities and referrals, each a dict of the
    values the card shows (``clients.card_rows``), and their rows."""
    actions = list(
        client.corrective_actions.open().values(
            "complaint",
            "area",
            "status",
            "due_on",
            owner_first_name=F("owner__first_name"),
            owner_last_name=F("owner__last_name"),
            owner_username=F("owner__username"),
        )
    )
    opportunities = list(
        client.opportunities.filter(status="open").values(
            "kind",
            "topic",
            "expected_value",
            "client_position_id",
            position_name=F("position__name"),
            client_position_name=F("client_position__position__name"),
        )
    )
    referrals = list(
        client.referrals_given.exclude(status__in=("converted", "dropped")).values(
            "person_name",
            "company_name",
            "phone",
            "email",
            "status",
            "referring_contact_id",
            referring_contact_name=F("referring_contact__full_name"),
        )
    )
    return {
        "corrective_actions": actions,
        "corrective_action_rows": card_rows.corrective_action_rows(actions),
        "opportunities": opportunities,
        "opportunity_rows": card_rows.opportunity_rows(opportunities),
        "referrals": referrals,
        "referral_rows": card_rows.referral_rows(referrals),
    }


# The client card shows the latest visits; "all visits" lists the rest.
CARD_VISITS = 10


def _latest_visits(client, *, show_all):
    """The card's visits, newest first, each with the names of the people met in the same
    query (no query per visit, no second query for the contacts): at most CARD_VISITS, and
    whether there are more. Each a dict of the values the card shows
    (``clients.card_rows.visit_rows``): read as values, not as a visit, its employee and its
    report (three model instances a row, most of whose columns the card does not show)."""
    from feedback.models import Visit

    names = SubqueryJoinedNames(
        Visit.contacts.through.objects.filter(visit_id=OuterRef("pk")), "keycontact__full_name"
    )
    visits = (
        client.visits.order_by("-scheduled_at", "-id")
        .values(
            "pk",
            "scheduled_at",
            "place",
            "status",
            employee_first_name=F("employee__first_name"),
            employee_last_name=F("employee__last_name"),
            employee_username=F("employee__username"),
            report_status=F("report__status"),
            score_goods=F("report__score_goods"),
            score_services=F("report__score_services"),
            score_service=F("report__score_service"),
            recommendation_score=F("report__recommendation_score"),
        )
        .annotate(contact_names=names)
    )
    if show_all:
        shown, more = list(visits), False
    else:
        shown = list(visits[: CARD_VISITS + 1])
        shown, more = shown[:CARD_VISITS], len(shown) > CARD_VISITS
    return {"visits": shown, "more_visits": more}


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
