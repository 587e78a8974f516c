from django.db import models

from vipcrm import roles


def _visible_clients(user):
    from clients.models import Client

    return Client.objects.visible_to(user).values("pk")


class ClientScopedQuerySet(models.QuerySet):
    """Anything that hangs off a client is visible to whoever may see the client."""

    client_field = "client"

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if roles.sees_everything(user) or roles.is_programme_manager(user):
            return self
        return self.filter(**{f"{self.client_field}__in": _visible_clients(user)})


class VisitQuerySet(ClientScopedQuerySet):
    def upcoming(self):
        return self.filter(status="planned")


class VisitReportQuerySet(ClientScopedQuerySet):
    client_field = "visit__client"


class CorrectiveActionQuerySet(ClientScopedQuerySet):
    def visible_to(self, user):
        # The owner of a corrective action may be from quality or logistics, not the client's
        # assignee: they see what they own.
        if not user.is_authenticated:
            return self.none()
        return super().visible_to(user) | self.filter(owner=user)

    def open(self):
        return self.exclude(status__in=("resolved", "client_informed"))


class OpportunityQuerySet(ClientScopedQuerySet):
    pass


class ReferralQuerySet(ClientScopedQuerySet):
    client_field = "referring_client"


class FollowUpQuerySet(ClientScopedQuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return super().visible_to(user) | self.filter(owner=user)

    def pending(self):
        return self.filter(done_at__isnull=True)


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)
