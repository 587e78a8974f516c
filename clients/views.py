from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render

from .enums import ClientKind, ClientStatus
from .filters import ClientFilter
from .models import Client, KeyContact
from .paging import keyset_page

CLIENTS_PER_PAGE = 50


def current_contact_count():
    """Key contacts still at the client, counted for each row shown (not for the whole base)."""
    counted = (
        KeyContact.objects.filter(client=OuterRef("pk"), left_company=False)
        .order_by()
        .values("client")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@login_required
def client_list(request):
    """The client base, a page at a time by keyset (as fast on the last page as on the first)."""
    filterset = ClientFilter(request.GET, queryset=Client.objects.visible_to(request.user))
    selected = filterset.qs
    rows = selected.select_related("segment", "region", "original_salesperson").annotate(
        contact_count=current_contact_count()
    )
    page = keyset_page(rows, selected, request.GET, size=CLIENTS_PER_PAGE)
    # The choice labels, translated once per page rather than once per row and column.
    kinds = {value: str(label) for value, label in ClientKind.choices}
    statuses = {value: str(label) for value, label in ClientStatus.choices}
    for client in page:
        client.kind_label, client.status_label = kinds[client.kind], statuses[client.status]
    return render(request, "clients/client_list.html", {"filter": filterset, "page_obj": page})


@login_required
def client_detail(request, pk):
    client = get_object_or_404(
        Client.objects.visible_to(request.user).select_related(
            "segment", "region", "original_salesperson"
        ),
        pk=pk,
    )
    contacts = client.contacts.all()
    positions = client.positions.select_related("position")
    return render(
        request,
        "clients/client_detail.html",
        {"client": client, "contacts": contacts, "positions": positions},
    )
