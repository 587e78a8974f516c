"""A dashboard export's status and download URLs: the export is its owner's only. The world's
export belongs to ``manager`` (who reads the dashboards): everyone else gets 404 — management
included — an employee 404 as on every dashboard URL; GET only."""

from django.utils import timezone

from tests.url_cases import UrlCase, page


def _export_of_manager(world):
    from programme.models import DashboardExport

    export = DashboardExport.objects.create(
        user=world.programme.manager,
        key="0" * 64,
        name="at-risk",
        table="clients",
        file_format="csv",
        language="en",
        params={"viewer": world.programme.manager.pk, "filters": {}},
        status=DashboardExport.Status.READY,
        content=b"\xef\xbb\xbfClient\r\n",
        filename="at-risk-clients-2025-07-2026-06.csv",
        finished_at=timezone.now(),
    )
    return {"pk": export.pk}


OWNER_ONLY = page(employee=404, colleague=404, other_manager=404, director=404)
NOBODY = page(employee=404, colleague=404, manager=404, other_manager=404, director=404)
POST = page(employee=405, colleague=405, manager=405, other_manager=405, director=405)

CASES = {
    name: [
        UrlCase(OWNER_ONLY, kwargs=_export_of_manager),
        UrlCase(NOBODY, kwargs=lambda world: {"pk": 999_999}),
        UrlCase(POST, kwargs=_export_of_manager, method="post"),
    ]
    for name in ("dashboards:export_status", "dashboards:export_download")
}
