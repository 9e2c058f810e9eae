"""Background work of the Portail Famille migration (django-tasks)."""

from django_tasks import task


@task()
def run_legacy_import(run_id: int) -> str:
    """Run a Portail Famille import queued from the back office (services.runs.legacy_import_enqueue)."""
    # Imported when the task runs, not at the top: services.runs imports this module to
    # enqueue the task (the one cycle of the app, kept out of import time).
    from .services.runs import legacy_import_run

    run = legacy_import_run(run_id=run_id)
    return run.status if run is not None else ""
