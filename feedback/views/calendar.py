from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from vipcrm import roles

from .. import ics
from ..models import CalendarFeed, Visit
from ..services import visits as services


@login_required
@require_http_methods(["GET", "POST"])
def calendar_feed(request):
    """The page where an employee gets, renews or revokes their private feed URL."""
    if request.method == "POST":
        if not roles.may_write(request.user):
            return HttpResponse(status=403)
        action = request.POST.get("action")
        if action == "revoke":
            services.calendar_feed_revoke(user=request.user)
            messages.success(request, _("The calendar link is revoked; it no longer works."))
        elif action == "regenerate":
            services.calendar_feed_regenerate(user=request.user)
            messages.success(
                request, _("A new calendar link is made; the old one no longer works.")
            )
        else:
            services.calendar_feed_create(user=request.user)
        return redirect("feedback:calendar_feed")
    feed = services.calendar_feed_active(user=request.user)
    url = (
        request.build_absolute_uri(reverse("feedback:calendar_ics", args=[feed.token]))
        if feed
        else None
    )
    return render(request, "feedback/visit_calendar.html", {"feed": feed, "feed_url": url})


@require_GET
def calendar_ics(request, token):
    """The feed itself: the token is the only credential, so a revoked one answers 404."""
    feed = CalendarFeed.objects.filter(token=token, revoked_at__isnull=True).first()
    if feed is None:
        raise Http404
    visits = (
        Visit.objects.filter(employee_id=feed.user_id, status="planned")
        .select_related("client")
        .prefetch_related("contacts")
        .order_by("scheduled_at")
    )
    response = HttpResponse(
        ics.calendar(visits, host=request.get_host().split(":")[0]),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="vip-visits.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
