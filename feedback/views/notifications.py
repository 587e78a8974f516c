"""The bell, the list of notifications and each person's notification settings.

A person's own inbox is theirs to keep: marking read and choosing e-mails are allowed to every
logged-in user, management included (they change no programme data)."""

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vipcrm.lists import set_choice_labels

from ..enums import NotificationKind
from ..forms.followups import NotificationSettingsForm
from ..models import Notification
from ..rows import notification_rows
from ..services import notifications as services
from .access import back, is_htmx


@login_required
def notification_list(request):
    notes = Notification.objects.visible_to(request.user).order_by("-created_at", "-id")
    if request.GET.get("unread"):
        notes = notes.unread()
    page = Paginator(notes, 50).get_page(request.GET.get("page"))
    # Rows as values and written in Python (feedback.rows): a template include per row and a
    # model instance per row cost more than the page's queries.
    page.object_list = set_choice_labels(
        [
            SimpleNamespace(**row)
            for row in page.object_list.values("pk", "kind", "created_at", "message", "read_at")
        ],
        kind=NotificationKind,
    )
    return render(
        request,
        "feedback/notification_list.html",
        {
            "page_obj": page,
            "unread_only": bool(request.GET.get("unread")),
            "rows": notification_rows(request, page.object_list),
        },
    )


@login_required
def notification_open(request, pk):
    """Opens what the notification is about, marking it read on the way."""
    note = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    services.notification_mark_read(notification=note, user=request.user)
    if note.link and url_has_allowed_host_and_scheme(note.link, allowed_hosts=None):
        return redirect(note.link)
    return redirect("feedback:notification_list")


@login_required
@require_POST
def notification_read(request, pk):
    note = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    services.notification_mark_read(notification=note, user=request.user)
    if is_htmx(request):
        set_choice_labels([note], kind=NotificationKind)
        return render(request, "feedback/_notification_row.html", {"note": note})
    return back(request, reverse("feedback:notification_list"))


@login_required
@require_POST
def notification_read_all(request):
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("%(count)s notifications marked read.") % {"count": count})
    return back(request, reverse("feedback:notification_list"))


@login_required
def notification_bell(request):
    """The bell alone, for htmx to refresh it now and then."""
    return render(request, "feedback/_notification_bell.html")


@login_required
def notification_settings(request):
    choices = services.settings_of(request.user)
    initial = {
        "language": choices.language,
        "email_kinds": [kind for kind in NotificationKind.values if choices.wants_email(kind)],
    }
    form = NotificationSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.notification_settings_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("feedback:notification_settings")
    return render(
        request,
        "feedback/notification_settings.html",
        {"form": form, "has_email": bool(request.user.email)},
    )
