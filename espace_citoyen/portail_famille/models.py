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


class ReconciliationStatus(models.TextChoices):
    PENDING = "pending", _("À rapprocher")
    ATTACHED = "attached", _("Rattachée au foyer du compte")
    SEPARATE = "separate", _("Importée dans un foyer à part")
    REJECTED = "rejected", _("Écartée")


# The only moves services.reconciliation makes: an agent decides once.
RECONCILIATION_TRANSITIONS = {
    ReconciliationStatus.PENDING: {
        ReconciliationStatus.ATTACHED, ReconciliationStatus.SEPARATE, ReconciliationStatus.REJECTED,
    },
    ReconciliationStatus.ATTACHED: set(),
    ReconciliationStatus.SEPARATE: set(),
    ReconciliationStatus.REJECTED: set(),
}


class FamilyReconciliation(models.Model):
    """A family line of the Portail Famille whose parent's e-mail address is that of an account
    the import did not create (made with the wizard before migration day, validated or not).
    The import writes nothing for it: the line waits here, as read (`row`, parsing.FamilyRow
    as JSON), with the account it matched, until an agent of the Relations population attaches
    it to that account's household, imports it as a separate household, or rejects it.
    One per famille_id; the import reads it again on each run (services.families)."""

    legacy_id = models.CharField(_("famille (Portail Famille)"), max_length=32, unique=True)
    line = models.PositiveIntegerField(_("ligne du fichier"), default=0)
    label = models.CharField(_("parents dans le fichier"), max_length=320, blank=True)
    row = models.JSONField(_("ligne du Portail Famille"), default=dict)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("compte existant"),
    )
    parent_index = models.PositiveSmallIntegerField(_("rang du parent dans la ligne"), default=1)
    status = models.CharField(
        _("état"), max_length=10, choices=ReconciliationStatus.choices, default=ReconciliationStatus.PENDING,
        db_index=True,
    )
    household = models.ForeignKey(
        "family.Household", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("foyer de la famille"),
    )
    merged_children = models.JSONField(
        _("enfants rapprochés"), default=list, blank=True,
        help_text=_("Identifiants Portail Famille des enfants confondus avec un enfant déjà déclaré par le parent : "
                    "l'import ne les modifie plus."),
    )
    outcome = models.TextField(_("ce qui a été fait"), blank=True)
    reason = models.TextField(_("motif"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("import lancé par"),
    )
    created_at = models.DateTimeField(_("mise en attente le"), auto_now_add=True, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("décidée par"),
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("famille à rapprocher")
        verbose_name_plural = _("familles à rapprocher")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=ReconciliationStatus.REJECTED) | ~models.Q(reason=""),
                name="portail_famille_reconciliation_rejected_has_reason",
            ),
            models.CheckConstraint(
                condition=(models.Q(status=ReconciliationStatus.PENDING) & models.Q(decided_at__isnull=True))
                | (~models.Q(status=ReconciliationStatus.PENDING) & models.Q(decided_at__isnull=False)),
                name="portail_famille_reconciliation_decided_at_iff_decided",
            ),
            models.CheckConstraint(
                condition=models.Q(parent_index__in=[1, 2]), name="portail_famille_reconciliation_parent_index",
            ),
        ]

    def __str__(self):
        return f"Famille {self.legacy_id} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status == ReconciliationStatus.PENDING
