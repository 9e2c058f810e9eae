"""Monthly runs started from the back office or by ``manage.py invoice_month``: a run row
(queued → running → done | failed), executed in the background by ``tasks.run_invoicing``
(django-tasks), progress in the cache while it runs, the report kept on the row.

A preview (``dry_run``) computes the plan and writes nothing. A real run writes the invoices
(services/invoicing.py), then makes each invoice's PDF once and tells the families."""

from __future__ import annotations

import datetime
import logging

from django.core.cache import cache
from django.utils import timezone

from ..models import ALLOWED_RUN_TRANSITIONS, InvoicingRun, RunStatus
from . import BillingError
from .documents import invoices_issue_documents
from .invoicing import invoicing_plan, invoicing_write

__all__ = ["invoicing_run_create", "invoicing_run_execute", "invoicing_runs_close_stalled",
           "run_progress_key"]

logger = logging.getLogger("espace_citoyen.billing")
PROGRESS_TIMEOUT = 6 * 3600
STALLED_AFTER = datetime.timedelta(hours=2)


def run_progress_key(run_id: int) -> str:
    """Cache key of a run's progress: (phase, done, total); phase "invoices" or "documents"."""
    return f"billing:run:{run_id}:progress"


def _move(run: InvoicingRun, to: RunStatus, **fields) -> bool:
    """Change a run's status if the move is allowed and nobody moved it meanwhile."""
    if to not in ALLOWED_RUN_TRANSITIONS[RunStatus(run.status)]:
        raise ValueError(f"run {run.pk}: {run.status} → {to} is not allowed")
    updated = InvoicingRun.objects.filter(pk=run.pk, status=run.status).update(status=to, **fields)
    if updated:
        run.status = to
        for name, value in fields.items():
            setattr(run, name, value)
    return bool(updated)


def invoicing_run_create(*, month: datetime.date, dry_run: bool, actor) -> InvoicingRun:
    return InvoicingRun.objects.create(month=month.replace(day=1), dry_run=dry_run, created_by=actor)


def invoicing_run_execute(*, run_id: int, today: datetime.date | None = None) -> InvoicingRun | None:
    """Run a queued run (the background task, or the command). Returns the run, or None when
    it is unknown or another worker already took it."""
    run = InvoicingRun.objects.select_related("created_by").filter(pk=run_id, status=RunStatus.QUEUED).first()
    if run is None or not _move(run, RunStatus.RUNNING, started_at=timezone.now()):
        return None
    key = run_progress_key(run.pk)
    try:
        plan = invoicing_plan(month=run.month, today=today)
        total = len(plan.plans)
        InvoicingRun.objects.filter(pk=run.pk).update(total_households=total)
        cache.set(key, ("invoices", 0, total), PROGRESS_TIMEOUT)
        if run.dry_run:
            report = dict(plan.report, dry_run=True)
        else:
            report = invoicing_write(plan=plan, run=run, actor=run.created_by, today=today,
                                     progress=lambda done, total: cache.set(key, ("invoices", done, total),
                                                                            PROGRESS_TIMEOUT))

            invoices_issue_documents(run=run, progress=lambda done, total: cache.set(
                key, ("documents", done, total), PROGRESS_TIMEOUT))
    except BillingError as error:
        _move(run, RunStatus.FAILED, finished_at=timezone.now(), error_message=error.message)
        return run
    except Exception:
        logger.exception("invoicing run=%s failed", run.pk)
        _move(run, RunStatus.FAILED, finished_at=timezone.now(), error_message=(
            "La facturation s'est arrêtée sur une erreur inattendue. Les factures déjà émises le restent ; "
            "relancez le même mois : il complétera sans doublon."))
        return run
    finally:
        cache.delete(key)
    _move(run, RunStatus.DONE, finished_at=timezone.now(), report=report, done_households=total)
    logger.info("invoicing done run=%s month=%s dry_run=%s households=%s invoices=%s", run.pk, run.month, run.dry_run,
                report.get("households"), report.get("invoices_created", 0))
    return run


def invoicing_runs_close_stalled(*, now: datetime.datetime | None = None) -> int:
    """Runs still queued or running long after they started (a worker that died) are
    closed as failed, so that the page stops waiting for them."""
    now = now or timezone.now()
    limit = now - STALLED_AFTER
    return InvoicingRun.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING], created_at__lt=limit).update(
        status=RunStatus.FAILED, finished_at=now,
        error_message="La facturation a été interrompue (le traitement en arrière-plan s'est arrêté). "
                      "Relancez le même mois : il complétera sans doublon.")
