"""Build the demo company (clients, programmes, visits) for trying the app and for journeys."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from programme import demo


class Command(BaseCommand):
    help = "Create the demo company and the demo logins (never in production)."

    def handle(self, *args, **options):
        if settings.IS_PRODUCTION:
            raise CommandError("seed_demo refuses to run in production (DJANGO_ENV=production).")
        if demo.demo_present():
            self.stdout.write("demo data already present")
            self._logins()
            return
        taken = demo.demo_users_present()
        if taken:
            raise CommandError(
                "These demo usernames already exist without the demo programme: "
                f"{', '.join(sorted(taken))}. Use an empty database for the demo."
            )
        started = time.monotonic()
        summary = demo.build_demo()
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Demo data created in {elapsed:.1f} s:"))
        for name, count in summary.counts.items():
            self.stdout.write(f"  {name}: {count}")
        self._logins()

    def _logins(self):
        self.stdout.write(
            f"Demo logins (password '{demo.PASSWORD}'): " + ", ".join(demo.DEMO_LOGINS)
        )
