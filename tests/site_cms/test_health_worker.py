"""Issue 10, item 15: /sante/ reports a task worker that has not been seen for a while (a due
task of django-tasks-db's queue waiting longer than TASK_WORKER_MAX_DELAY)."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from health_check.exceptions import ServiceUnavailable

from site_cms.health import TaskWorker
from django_tasks_db.models import get_date_max

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _waiting_task(*, minutes_ago: int, run_after=None) -> DBTaskResult:
    task = DBTaskResult.objects.create(task_path="espace_citoyen.messaging.tasks.notify_message_audience",
                                       args_kwargs={"args": [], "kwargs": {}}, backend_name="default",
                                       run_after=run_after or get_date_max())
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - datetime.timedelta(minutes=minutes_ago))
    return task


def _check():
    """The check as /sante/ runs it (called here in the test's thread: the endpoint runs its
    checks in worker threads, which SQLite's in-memory test database cannot share)."""
    TaskWorker().run()


def test_sante_runs_the_worker_check(client):
    response = client.get("/sante/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "TaskWorker" in response.content.decode()


@override_settings(TASKS=DB_TASKS)
def test_healthy_with_an_empty_queue_or_a_fresh_task():
    _check()
    _waiting_task(minutes_ago=2)
    _check()


@override_settings(TASKS=DB_TASKS)
def test_a_task_waiting_too_long_means_no_worker():
    _waiting_task(minutes_ago=25)
    with pytest.raises(ServiceUnavailable, match="aucun worker"):
        _check()


@override_settings(TASKS=DB_TASKS, TASK_WORKER_MAX_DELAY=datetime.timedelta(minutes=30))
def test_the_delay_is_a_setting():
    _waiting_task(minutes_ago=25)
    _check()


@override_settings(TASKS=DB_TASKS)
def test_tasks_scheduled_for_later_or_already_taken_do_not_count():
    _waiting_task(minutes_ago=60, run_after=timezone.now() + datetime.timedelta(hours=1))
    taken = _waiting_task(minutes_ago=60)
    DBTaskResult.objects.filter(pk=taken.pk).update(status="RUNNING")
    _check()


def test_the_check_is_silent_without_the_database_queue():
    _waiting_task(minutes_ago=60)  # ImmediateBackend (development, tests): no worker expected
    _check()
