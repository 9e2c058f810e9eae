"""Background work of the accounts (django-tasks)."""

from django_tasks import task


@task()
def run_legacy_import(run_id: int) -> str:
    """Run a Portail Famille import queued from the back office (services.legacy_import_enqueue)."""
    from .services import legacy_import_run

    run = legacy_import_run(run_id=run_id)
    return run.status if run is not None else ""
