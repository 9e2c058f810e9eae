"""Background work of the Portail Famille migration (django-tasks)."""

from django_tasks import task

from .services.runs import legacy_import_run


@task()
def run_legacy_import(run_id: int) -> str:
    """Run a Portail Famille import queued from the back office (services.uploads.legacy_import_enqueue)."""
    run = legacy_import_run(run_id=run_id)
    return run.status if run is not None else ""
