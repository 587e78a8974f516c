"""Background jobs of the programme: thin wrappers that load by id and call a service."""

from celery import shared_task

from .models import ProgrammeJob


@shared_task(name="programme.run_programme_job")
def run_programme_job(*, job_id: int) -> None:
    """Adds corporate clients, computes a split proposal or applies one, recording progress
    on the job."""
    from .services import job_run, split_apply_run

    job = ProgrammeJob.objects.select_related("programme", "created_by").filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    if job.status == ProgrammeJob.Status.APPLYING:
        split_apply_run(job=job)
    else:
        job_run(job=job)


@shared_task(name="programme.build_dashboard_snapshot")
def build_dashboard_snapshot(*, snapshot_id: int) -> None:
    """Builds one dashboard snapshot (``programme.dashboards.snapshots``)."""
    from .dashboards.snapshots import snapshot_build

    snapshot_build(snapshot_id)


@shared_task(name="programme.refresh_dashboard_snapshots")
def refresh_dashboard_snapshots() -> None:
    """The beat's pass over the snapshots: the recently requested ones refreshed, the forgotten
    ones deleted."""
    from .dashboards.snapshots import snapshots_refresh

    snapshots_refresh()


@shared_task(name="programme.build_dashboard_export")
def build_dashboard_export(*, export_id: int) -> None:
    """Writes one dashboard export's file (``programme.dashboards.exports``)."""
    from .dashboards.exports import export_build

    export_build(export_id)


@shared_task(name="programme.prune_dashboard_exports")
def prune_dashboard_exports() -> None:
    """The beat's pass over the dashboard exports: those older than a day are deleted."""
    from .dashboards.exports import exports_prune

    exports_prune()
