from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "vipcrm:worker-heartbeat"


@shared_task(name="vipcrm.tasks.heartbeat")
def heartbeat():
    """Records that a worker ran a task, so that the admin can see the background jobs run."""
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)
