from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Clients")

    def ready(self):
        # Celery's autodiscovery looks only at clients.tasks; the import's tasks live deeper.
        from . import lookups
        from .imports import tasks  # noqa: F401

        lookups.connect()
