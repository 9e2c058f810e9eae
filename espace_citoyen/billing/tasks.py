"""Background work of the billing (django-tasks)."""

from django_tasks import task

from .services.runs import invoicing_run_execute


@task()
def run_invoicing(run_id: int) -> str:
    """Run a monthly invoicing (or its preview) queued from the back office."""
    run = invoicing_run_execute(run_id=run_id)
    return run.status if run is not None else ""
