"""Custom check of the health endpoint (/sante/): the background task worker.

In production, e-mails (account activation, sign-up confirmation, imports, notifications)
and the search index are sent through django-tasks-db's queue, processed by
``manage.py db_worker``. Without a running worker nothing is ever sent, silently. The
worker's heartbeat is read from the queue itself: a task ready to run (enqueued and due)
that no worker has picked up for ``TASK_WORKER_MAX_DELAY`` means that no worker is running
(or it is stuck). An idle queue is healthy: a worker that died while nothing was queued is
reported as soon as a task waits too long. No extra process or periodic write is needed.

With another task backend (ImmediateBackend in development and tests) the check passes."""

import dataclasses
import datetime

from django.conf import settings
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"
DEFAULT_MAX_DELAY = datetime.timedelta(minutes=10)


def oldest_waiting_task_age(*, now=None) -> datetime.timedelta | None:
    """How long the oldest due, unstarted task of the database queue has waited, or None."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = now or timezone.now()
    oldest = None
    for enqueued_at, run_after in DBTaskResult.objects.ready().values_list("enqueued_at", "run_after"):
        due = enqueued_at if run_after == get_date_max() else max(enqueued_at, run_after)
        oldest = due if oldest is None or due < oldest else oldest
    return None if oldest is None else now - oldest


@dataclasses.dataclass
class TaskWorker(HealthCheck):
    """Fails when a due task has waited longer than settings.TASK_WORKER_MAX_DELAY."""

    def run(self):
        backend = settings.TASKS.get("default", {}).get("BACKEND", "")
        if backend != DATABASE_BACKEND:
            return
        age = oldest_waiting_task_age()
        limit = getattr(settings, "TASK_WORKER_MAX_DELAY", DEFAULT_MAX_DELAY)
        if age is not None and age > limit:
            minutes = int(age.total_seconds() // 60)
            raise ServiceUnavailable(
                f"Tâches en attente depuis {minutes} min : aucun worker (manage.py db_worker) ne les traite.")
