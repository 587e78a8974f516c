from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from .filters import ClientFilter
from .models import Client


@login_required
def client_list(request):
    clients = (
        Client.objects.visible_to(request.user)
        .select_related("segment", "region", "original_salesperson")
        .annotate(contact_count=Count("contacts", filter=Q(contacts__left_company=False)))
        .order_by("name", "id")
    )
    filterset = ClientFilter(request.GET, queryset=clients)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
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
