"""The client's audit history page (read-only: the same for every role that may see the
client; anyone else gets a 404)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .history import client_history
from .models import Client


@login_required
@require_safe
def client_history_view(request, pk):
    client = get_object_or_404(Client.objects.visible_to(request.user), pk=pk)
    try:
        page = int(request.GET.get("page", 1))
    except ValueError:
        page = 1
    page = min(max(page, 1), 1000)
    entries, has_next = client_history(client, page=page)
    return render(
        request,
        "clients/client_history.html",
        {"client": client, "entries": entries, "page": page, "has_next": has_next},
    )
