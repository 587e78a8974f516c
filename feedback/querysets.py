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


class WorkItemQuerySet(ClientScopedQuerySet):
    """Follow-ups, corrective actions, opportunities and referrals: management sees all; anyone
    else what they own, what hangs off a client on their personal list, and (as a programme
    manager) what belongs to a programme they run or to a client on its list. A manager of another
    programme does not see them, although every manager may read the client base."""

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if roles.sees_everything(user):
            return self
        from programme.models import Enrolment

        clients = Enrolment.objects.filter(
            models.Q(assignee=user) | models.Q(programme__manager=user)
        ).values("client_id")
        return self.filter(
            models.Q(owner=user)
            | models.Q(**{f"{self.client_field}__in": clients})
            | models.Q(programme__manager=user)
        )


class CorrectiveActionQuerySet(WorkItemQuerySet):
    # The owner of a corrective action may be from quality or logistics, not the client's
    # assignee: they see what they own.

    def open(self):
        return self.exclude(status__in=("resolved", "client_informed"))


class OpportunityQuerySet(WorkItemQuerySet):
    pass


class ReferralQuerySet(WorkItemQuerySet):
    client_field = "referring_client"

    def open(self):
        return self.filter(status__in=("new", "contacted", "meeting"))


class FollowUpQuerySet(WorkItemQuerySet):
    def pending(self):
        return self.filter(done_at__isnull=True)


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)
