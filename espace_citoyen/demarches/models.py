"""Requests ("démarches") a citizen makes, with their timeline.

The account creation is the first démarche of a citizen's account; the history pages
come with the citizen-space issue."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from espace_citoyen.core.services_map import TownService
from home.choices import ChoiceLabelsMixin


class DemarcheKind(models.TextChoices):
    ACCOUNT_CREATION = "account_creation", _("Création de l'espace citoyen")
    FAMILY_CHANGE = "family_change", _("Modification de la famille")
    DOCUMENT_TRANSMISSION = "document_transmission", _("Transmission de documents")
    REGISTRATION = "registration", _("Dossier d'inscription")
    ACCOUNT_DELETION = "account_deletion", _("Suppression du compte")
    OTHER = "other", _("Autre demande")


class DemarcheStatus(models.TextChoices):
    SENT = "sent", _("Envoyée")
    IN_PROGRESS = "in_progress", _("En cours de traitement")
    TO_COMPLETE = "to_complete", _("À compléter")
    ACCEPTED = "accepted", _("Acceptée")
    REFUSED = "refused", _("Refusée")
    CLOSED = "closed", _("Clôturée")


# The town services that process démarches; each has a staff group (core/services_map.py).
DemarcheService = TownService


# Statuses after which the citizen has nothing left to do.
FINAL_DEMARCHE_STATUSES = {"accepted", "refused", "closed"}

# A comment is required for these moves (the citizen must know what to do or why).
COMMENT_REQUIRED_STATUSES = {"to_complete", "refused"}

ALLOWED_DEMARCHE_TRANSITIONS = {
    DemarcheStatus.SENT: {DemarcheStatus.IN_PROGRESS, DemarcheStatus.TO_COMPLETE, DemarcheStatus.ACCEPTED,
                          DemarcheStatus.REFUSED, DemarcheStatus.CLOSED},
    DemarcheStatus.IN_PROGRESS: {DemarcheStatus.TO_COMPLETE, DemarcheStatus.ACCEPTED, DemarcheStatus.REFUSED,
                                 DemarcheStatus.CLOSED},
    DemarcheStatus.TO_COMPLETE: {DemarcheStatus.IN_PROGRESS, DemarcheStatus.SENT, DemarcheStatus.REFUSED,
                                 DemarcheStatus.CLOSED},
    DemarcheStatus.ACCEPTED: {DemarcheStatus.CLOSED},
    DemarcheStatus.REFUSED: {DemarcheStatus.CLOSED},
    DemarcheStatus.CLOSED: set(),
}


class DemarcheQuerySet(models.QuerySet):
    def open(self) -> "DemarcheQuerySet":
        """Démarches still open: not accepted, refused or closed."""
        return self.exclude(status__in=FINAL_DEMARCHE_STATUSES)


class Demarche(ChoiceLabelsMixin, models.Model):
    number = models.CharField(_("numéro"), max_length=20, unique=True)
    kind = models.CharField(_("type"), max_length=30, choices=DemarcheKind.choices)
    status = models.CharField(_("état"), max_length=20, choices=DemarcheStatus.choices, default=DemarcheStatus.SENT)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="demarches", verbose_name=_("demandeur"),
    )
    title = models.CharField(_("objet"), max_length=200)
    service = models.CharField(_("service"), max_length=30, blank=True, choices=DemarcheService.choices)
    due_at = models.DateTimeField(_("à traiter avant le"), null=True, blank=True)
    created_at = models.DateTimeField(_("envoyée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)

    objects = DemarcheQuerySet.as_manager()

    class Meta:
        verbose_name = _("démarche")
        verbose_name_plural = _("démarches")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"]), models.Index(fields=["kind", "status"]),
            models.Index(fields=["service", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DemarcheStatus.values), name="demarche_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(service="") | models.Q(service__in=DemarcheService.values),
                name="demarche_service_valid",
            ),
        ]

    def __str__(self):
        return f"{self.number} – {self.title}"

    @property
    def service_label(self) -> str:
        return self.get_service_display() if self.service else ""

    @property
    def is_open(self) -> bool:
        return self.status not in FINAL_DEMARCHE_STATUSES

    @property
    def allowed_next_statuses(self) -> list:
        allowed = ALLOWED_DEMARCHE_TRANSITIONS[DemarcheStatus(self.status)]
        return [status for status in DemarcheStatus if status in allowed]


class DemarcheEvent(ChoiceLabelsMixin, models.Model):
    """One line of a démarche's timeline."""

    demarche = models.ForeignKey(Demarche, on_delete=models.CASCADE, related_name="events", verbose_name=_("démarche"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("auteur"),
    )
    from_status = models.CharField(_("état avant"), max_length=20, choices=DemarcheStatus.choices, blank=True)
    to_status = models.CharField(_("état après"), max_length=20, choices=DemarcheStatus.choices)
    comment = models.TextField(_("commentaire"), blank=True)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        verbose_name = _("événement de démarche")
        verbose_name_plural = _("événements de démarche")
        ordering = ["created_at", "id"]
