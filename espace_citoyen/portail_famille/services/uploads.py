"""The CSV an agent uploads in the back office: stored on the private storage, recorded as a
queued LegacyImportRun and handed to the background task (tasks.run_legacy_import → runs.py)."""

import logging

from django.core.files.base import ContentFile
from django.db import transaction

from espace_citoyen.accounts.models import User

from ..models import LegacyImportRun
from ..tasks import run_legacy_import

logger = logging.getLogger("espace_citoyen.portail_famille")


def legacy_import_enqueue(*, data: bytes, filename: str, actor: User | None, dry_run: bool):
    """Stores the uploaded CSV on the private storage, records a "queued" run and enqueues
    portail_famille.tasks.run_legacy_import once the transaction is committed."""
    with transaction.atomic():
        run = LegacyImportRun(created_by=actor, dry_run=dry_run, original_filename=(filename or "")[:255])
        run.file.save("import.csv", ContentFile(data), save=False)
        run.save()
        run_id = run.pk
        transaction.on_commit(lambda: run_legacy_import.enqueue(run_id))
    logger.info("portail famille import queued run=%s dry_run=%s actor=%s", run.pk, dry_run, getattr(actor, "pk", None))
    return run
