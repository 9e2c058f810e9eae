"""A Portail Famille import queued from the back office (uploads.py), run in the background by
tasks.run_legacy_import: it publishes its progress in the cache (selectors.legacy_import_progress
reads it), stores its report and deletes the uploaded file. Runs a stopped worker left behind
are closed here too."""

import logging

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone


from ..models import LegacyImportRun, LegacyImportStatus
from ..parsing import count_data_rows
from ..selectors import legacy_import_progress_key
from .families import legacy_import_file

logger = logging.getLogger("espace_citoyen.portail_famille")

LEGACY_IMPORT_PROGRESS_EVERY = 20  # rows between two progress updates in the cache
LEGACY_IMPORT_PROGRESS_TIMEOUT = 3600  # seconds


def legacy_import_run(*, run_id: int):
    """Runs a queued import (called by the background task): "running", then the report
    stored as JSON and "done", or "failed" with a French message. The stored CSV (personal
    data) is deleted at the end either way; original_filename stays."""
    run = (
        LegacyImportRun.objects.select_related("created_by")
        .filter(pk=run_id, status=LegacyImportStatus.QUEUED).first()
    )
    if run is None:  # unknown, or already taken by another worker
        logger.warning("portail famille import run=%s not found or not queued", run_id)
        return None
    updated = LegacyImportRun.objects.filter(pk=run.pk, status=LegacyImportStatus.QUEUED).update(
        status=LegacyImportStatus.RUNNING, started_at=timezone.now(),
    )
    if not updated:
        return None
    run.refresh_from_db()
    key = legacy_import_progress_key(run.pk)
    try:
        with run.file.open("rb") as handle:
            data = handle.read()
        total = run.total_rows = count_data_rows(data)
        LegacyImportRun.objects.filter(pk=run.pk).update(total_rows=total)
        cache.set(key, (0, total), LEGACY_IMPORT_PROGRESS_TIMEOUT)

        def progress(done: int, valid_rows: int) -> None:
            # legacy_import() only sees the valid rows; refused lines count as already processed.
            if done % LEGACY_IMPORT_PROGRESS_EVERY and done != valid_rows:
                return
            refused = max(total - valid_rows, 0)
            cache.set(key, (min(done + refused, total), total), LEGACY_IMPORT_PROGRESS_TIMEOUT)

        report = legacy_import_file(data=data, actor=run.created_by, dry_run=run.dry_run, progress=progress)
    except Exception:
        logger.exception("portail famille import run=%s failed", run.pk)
        run.status = LegacyImportStatus.FAILED
        run.error_message = (
            "L'import s'est arrêté sur une erreur inattendue : rien n'a été enregistré. "
            "Relancez-le ; si l'erreur se reproduit, transmettez le fichier au service informatique."
        )
    else:
        run.status = LegacyImportStatus.DONE
        run.report = report.to_dict()
        run.done_rows = min(report.processed_rows, total) if total else report.processed_rows
    finally:
        run.finished_at = timezone.now()
        if run.file:
            try:
                run.file.delete(save=False)
            except Exception:  # the run must still be closed; the file is logged for a manual clean-up
                logger.exception("portail famille import run=%s: stored file not deleted", run.pk)
        run.file = ""
        run.save(update_fields=[
            "status", "report", "error_message", "total_rows", "done_rows", "finished_at", "file",
        ])
        cache.delete(key)
    logger.info("portail famille import run=%s %s", run.pk, run.status)
    return run


def legacy_import_close_stalled(*, now=None) -> int:
    """Runs queued or running for longer than LegacyImportRun.STALLED_AFTER were interrupted
    (worker stopped or killed): mark them failed with a French message and delete their
    stored CSV (personal data of every family). Called by the import pages and by the
    nightly cron `close_stalled_imports`. Returns how many were closed."""
    now = now or timezone.now()
    limit = now - LegacyImportRun.STALLED_AFTER
    stalled = LegacyImportRun.objects.filter(
        Q(status=LegacyImportStatus.RUNNING, started_at__lt=limit)
        | Q(status=LegacyImportStatus.QUEUED, created_at__lt=limit)
    )
    closed = 0
    for run in stalled:
        if run.file:
            try:
                run.file.delete(save=False)
            except Exception:  # logged; the run is closed all the same
                logger.exception("portail famille import run=%s: stored file not deleted", run.pk)
        updated = LegacyImportRun.objects.filter(pk=run.pk, status=run.status).update(
            status=LegacyImportStatus.FAILED, finished_at=now, file="",
            error_message="Cet import a été interrompu (redémarrage du serveur) : rien n'a été enregistré. "
                          "Relancez-le.",
        )
        closed += updated
        if updated:
            logger.warning("portail famille import run=%s interrupted: closed", run.pk)
    return closed
