from django.db import models

from vipcrm import roles


class ProgrammeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Management sees every programme, a manager the ones they run, an employee the ones
        they are in the staff pool of."""
        if not user.is_authenticated:
            return self.none()
        if roles.sees_everything(user):
            return self
        return self.filter(models.Q(manager=user) | models.Q(pk__in=self._pool_of(user)))

    def managed_by(self, user):
        """The programmes a user may change as their manager."""
        if user.is_superuser:
            return self
        return self.filter(manager=user)

    @staticmethod
    def _pool_of(user):
        from .models import StaffMember

        return StaffMember.objects.filter(employee=user).values("programme_id")

    def active(self):
        return self.filter(status="active")


class EnrolmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Management sees all; a manager the enrolments of the programmes they run; an employee
        only their personal list."""
        if not user.is_authenticated:
            return self.none()
        if roles.sees_everything(user):
            return self
        return self.filter(models.Q(programme__manager=user) | models.Q(assignee=user))

    def personal_list(self, user):
        return self.filter(assignee=user)

    def unassigned(self):
        return self.filter(assignee__isnull=True)
