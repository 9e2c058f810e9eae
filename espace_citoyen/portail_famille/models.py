"""Runs of the Portail Famille import from the back office."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from espace_citoyen.core.storage import private_storage


class LegacyImportStatus(models.TextChoices):
    QUEUED = "queued", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")
    FAILED = "failed", _("Échec")


def legacy_import_upload_to(instance: "LegacyImportRun", filename: str) -> str:
    """A random name: the agent's file name is never used on disk (kept in original_filename)."""
    return f"imports-portail-famille/{uuid.uuid4().hex}.csv"


class LegacyImportRun(models.Model):
    """One run of the Portail Famille import in the back office, done in the background
    (portail_famille.tasks.run_legacy_import). The uploaded CSV (personal data) is kept on the
    private storage only until the run ends; the report stays as JSON (ImportReport.to_dict)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("agent"),
    )
    created_at = models.DateTimeField(_("lancé le"), auto_now_add=True, db_index=True)
    dry_run = models.BooleanField(_("simulation"), default=True)
    status = models.CharField(
        _("état"), max_length=10, choices=LegacyImportStatus.choices, default=LegacyImportStatus.QUEUED,
    )
    file = models.FileField(
        _("fichier"), storage=private_storage, upload_to=legacy_import_upload_to, max_length=255, blank=True,
    )
    original_filename = models.CharField(_("nom du fichier envoyé"), max_length=255, blank=True)
    total_rows = models.PositiveIntegerField(_("familles dans le fichier"), default=0)
    done_rows = models.PositiveIntegerField(_("familles traitées"), default=0)
    report = models.JSONField(_("compte rendu"), default=dict, blank=True)
    error_message = models.TextField(_("message d'erreur"), blank=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        db_table = "accounts_legacyimportrun"  # created by the accounts app before this app existed
        verbose_name = _("import du Portail Famille")
        verbose_name_plural = _("imports du Portail Famille")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        kind = "Simulation" if self.dry_run else "Import"
        return f"{kind} {self.original_filename} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (LegacyImportStatus.DONE, LegacyImportStatus.FAILED)

    #: A run still queued or running after this long was interrupted (worker killed or stopped):
    #: services.runs.legacy_import_close_stalled closes it.
    STALLED_AFTER = datetime.timedelta(hours=1)
