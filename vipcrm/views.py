from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from . import roles


@login_required
def home(request):
    """Each role's starting point: what the user may open, and what the programme asks of them."""
    user = request.user
    context = {
        "role_labels": [
            label for name, label in roles.ROLE_LABELS.items() if name in roles.role_names(user)
        ],
    }
    return render(request, "home.html", context)


@login_required
def bare(request):
    """The base layout and nothing else: the benchmark's yardstick for every other page."""
    return render(request, "bare.html")


def health(request):
    """For load balancers: answers 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
