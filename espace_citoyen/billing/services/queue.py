"""A monthly invoicing asked for in the back office: recorded as a queued run and handed to
the background worker (tasks.run_invoicing → runs.invoicing_run_execute)."""

import datetime
import logging

from django.db import transaction

from ..models import InvoicingRun
from ..tasks import run_invoicing
from .runs import invoicing_run_create

logger = logging.getLogger("espace_citoyen.billing")

__all__ = ["invoicing_run_enqueue"]


def invoicing_run_enqueue(*, month: datetime.date, dry_run: bool, actor) -> InvoicingRun:
    """Record a queued run and hand it to the background worker once committed."""
    with transaction.atomic():
        run = invoicing_run_create(month=month, dry_run=dry_run, actor=actor)
        run_id = run.pk
        transaction.on_commit(lambda: run_invoicing.enqueue(run_id))
    logger.info("invoicing queued run=%s month=%s dry_run=%s actor=%s", run_id, month, dry_run,
                getattr(actor, "pk", None))
    return run
