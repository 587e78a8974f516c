from django.db import models
from django.db.models import Exists, OuterRef

from vipcrm import roles
from vipcrm.expressions import InIds


class ClientQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Management and programme managers see the whole client base (managers compose lists
        from it); an employee sees only the clients on their own personal lists."""
        if not user.is_authenticated:
            return self.none()
        if roles.sees_all_clients(user):
            return self
        from programme.models import Enrolment  # programme builds on clients, not the reverse

        # Their clients' ids as an array read first (InIds): the page then reads those clients
        # by primary key. As a semi-join PostgreSQL walked the name index of all 100,000
        # clients probing each one's enrolment (80 ms), and counted by a sequential scan.
        own = Enrolment.objects.filter(assignee=user).order_by().values("client_id")
        return self.filter(InIds("pk", own))

    def one_visible_to(self, user, pk):
        """The client ``pk`` if ``user`` may see it: ``visible_to``'s rule for one client (a
        client card). For an employee, whether one of the client's few enrolments is theirs:
        ``visible_to`` read the ids of all their clients first (500 at scale, 1 ms) to find one.
        """
        if not user.is_authenticated:
            return self.none()
        chosen = self.filter(pk=pk)
        return chosen if roles.sees_all_clients(user) else chosen.on_list_of(user.pk)

    def on_list_of(self, user_id):
        """The clients with an enrolment assigned to ``user_id``, checked client by client
        (for one client or a few; ``visible_to`` reads an employee's ids first)."""
        from programme.models import Enrolment  # programme builds on clients, not the reverse

        return self.filter(
            Exists(Enrolment.objects.filter(client=OuterRef("pk"), assignee_id=user_id))
        )

    def active(self):
        return self.filter(status="active")

    def corporate(self):
        return self.filter(kind="corporate")


class KeyContactQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .models import Client

        return self.filter(client__in=Client.objects.visible_to(user).values("pk"))

    def current(self):
        """Contacts still at the client."""
        return self.filter(left_company=False)
