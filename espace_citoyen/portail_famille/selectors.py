"""Reads of the Portail Famille import's back office."""

from django.core.cache import cache

from .models import LegacyImportRun, LegacyImportStatus


def legacy_import_progress_key(run_id: int) -> str:
    """Cache key of a run's progress, (done, total): legacy_import() runs in one transaction,
    so progress written to the database would stay invisible to other connections until the end."""
    return f"legacy-import-progress-{run_id}"


def legacy_import_runs(*, limit: int = 10) -> list:
    """The last runs of the Portail Famille import (back office history), newest first."""
    return list(LegacyImportRun.objects.select_related("created_by").order_by("-created_at", "-id")[:limit])


def legacy_import_progress(run) -> tuple[int, int]:
    """(done, total) of a run: live from the cache while it runs, else from the run itself."""
    if run.status in (LegacyImportStatus.QUEUED, LegacyImportStatus.RUNNING):
        cached = cache.get(legacy_import_progress_key(run.pk))
        if cached:
            done, total = cached
            return int(done), int(total)
    return run.done_rows, run.total_rows


def legacy_import_run_get(*, pk: int):
    """One run of the Portail Famille import, or None (back office: any agent with the
    import permission may follow any run)."""
    return LegacyImportRun.objects.select_related("created_by").filter(pk=pk).first()
