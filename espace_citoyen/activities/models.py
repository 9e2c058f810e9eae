"""School years, activities and their days (occurrences), registration dossiers,
reservations with capacity and waiting list, attendance.

Capacity is guarded twice: services lock the occurrence row (select_for_update) and keep
`Occurrence.booked_count` in step, and a CHECK constraint refuses booked_count > capacity
whatever the code does."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from espace_citoyen.core.business_calendar import WEEKDAYS_FR
from home.choices import ChoiceLabelsMixin

WEEKDAY_LABELS = list(WEEKDAYS_FR)


class SchoolYear(models.Model):
    label = models.CharField(_("année scolaire"), max_length=9, unique=True, help_text=_("Par exemple 2026-2027."))
    starts_on = models.DateField(_("rentrée"))
    ends_on = models.DateField(_("fin de l'année"))

    class Meta:
        verbose_name = _("année scolaire")
        verbose_name_plural = _("années scolaires")
        ordering = ["-starts_on"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="activities_year_order")]

    def __str__(self):
        return self.label


class HolidayPeriod(models.Model):
    """School holidays (vacances scolaires), first and last day included."""

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="holidays",
                                    verbose_name=_("année scolaire"))
    name = models.CharField(_("nom"), max_length=80)
    starts_on = models.DateField(_("premier jour"))
    ends_on = models.DateField(_("dernier jour"))

    class Meta:
        verbose_name = _("vacances scolaires")
        verbose_name_plural = _("vacances scolaires")
        ordering = ["starts_on"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="activities_holiday_order")]

    def __str__(self):
        return f"{self.name} ({self.school_year})"


class School(models.Model):
    name = models.CharField(_("nom"), max_length=150, unique=True)

    class Meta:
        verbose_name = _("école")
        verbose_name_plural = _("écoles")
        ordering = ["name"]

    def __str__(self):
        return self.name


class BookingRule(models.Model):
    """Until when a day can be booked or cancelled, as data: "J-2 avant 10h, jours ouvrés"
    is days_before=2, before=10:00, business_days=True."""

    name = models.CharField(_("nom"), max_length=80, unique=True)
    days_before = models.PositiveSmallIntegerField(_("nombre de jours avant"))
    before = models.TimeField(_("avant l'heure"))
    business_days = models.BooleanField(_("en jours ouvrés"), default=True)

    class Meta:
        verbose_name = _("règle de réservation")
        verbose_name_plural = _("règles de réservation")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Period(models.TextChoices):
    SCHOOL_WEEKS = "school", _("Semaines d'école (hors vacances)")
    HOLIDAYS = "holidays", _("Vacances scolaires seulement")
    ALL = "all", _("Toute l'année scolaire")


class Activity(models.Model):
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="activities",
                                    verbose_name=_("année scolaire"))
    name = models.CharField(_("nom"), max_length=120)
    weekdays = models.JSONField(_("jours de la semaine"), default=list,
                                help_text=_("Numéros des jours : 0 = lundi … 6 = dimanche."))
    period = models.CharField(_("période"), max_length=10, choices=Period.choices, default=Period.SCHOOL_WEEKS)
    schools = models.ManyToManyField(School, related_name="activities", verbose_name=_("écoles"), blank=True)
    classes = models.JSONField(_("classes"), default=list, blank=True,
                               help_text=_("Classes concernées (vide : toutes), par exemple [\"CP\", \"CE1\"]."))
    capacity = models.PositiveIntegerField(_("places par jour"))
    booking_rule = models.ForeignKey(BookingRule, on_delete=models.PROTECT, related_name="activities",
                                     verbose_name=_("règle de réservation"))
    required_documents = models.JSONField(_("pièces demandées"), default=list, blank=True,
                                          help_text=_("Types de documents du coffre-fort demandés au dossier."))
    is_active = models.BooleanField(_("ouverte"), default=True)
    childcare = models.BooleanField(
        _("garde d'enfants"), default=False,
        help_text=_("Garde d'enfants (périscolaire, accueil de loisirs…) : comptée dans l'attestation de frais de "
                    "garde. Les repas ne le sont pas."))

    class Meta:
        verbose_name = _("activité")
        verbose_name_plural = _("activités")
        ordering = ["school_year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "name"], name="activities_activity_unique_name"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="activities_activity_capacity_positive"),
        ]

    def __str__(self):
        return f"{self.name} ({self.school_year})"


class ExtraDate(models.Model):
    """A one-off day of an activity outside its weekly pattern."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="extra_dates",
                                 verbose_name=_("activité"))
    date = models.DateField(_("date"))

    class Meta:
        verbose_name = _("date supplémentaire")
        verbose_name_plural = _("dates supplémentaires")
        constraints = [models.UniqueConstraint(fields=["activity", "date"], name="activities_extradate_unique")]


class OccurrenceStatus(models.TextChoices):
    OPEN = "open", _("Ouvert")
    CLOSED = "closed", _("Fermé")


class Occurrence(ChoiceLabelsMixin, models.Model):
    """One day of an activity."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="occurrences",
                                 verbose_name=_("activité"))
    date = models.DateField(_("date"), db_index=True)
    capacity = models.PositiveIntegerField(_("places"))
    booked_count = models.PositiveIntegerField(_("places réservées"), default=0)
    status = models.CharField(_("état"), max_length=10, choices=OccurrenceStatus.choices, default=OccurrenceStatus.OPEN)
    closed_reason = models.CharField(_("motif de fermeture"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("jour d'activité")
        verbose_name_plural = _("jours d'activité")
        ordering = ["date", "activity"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "date"], name="activities_occurrence_unique_day"),
            models.CheckConstraint(condition=Q(booked_count__lte=F("capacity")), name="activities_occurrence_capacity"),
        ]

    def __str__(self):
        return f"{self.activity.name} – {self.date:%d/%m/%Y}"

    @property
    def is_full(self) -> bool:
        return self.booked_count >= self.capacity


class ReservationStatus(models.TextChoices):
    BOOKED = "booked", _("Réservé")
    CANCELLED = "cancelled", _("Annulé")


class ReservationSource(models.TextChoices):
    PORTAL = "portal", _("Espace citoyen")
    AGENT = "agent", _("Agent de la mairie")
    LEGACY = "legacy", _("Portail Famille (reprise)")
    WAITING_LIST = "waiting_list", _("Liste d'attente")


class Reservation(ChoiceLabelsMixin, models.Model):
    child = models.ForeignKey("family.Child", on_delete=models.CASCADE, related_name="reservations",
                              verbose_name=_("enfant"))
    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="reservations",
                                   verbose_name=_("jour"))
    status = models.CharField(_("état"), max_length=10, choices=ReservationStatus.choices,
                              default=ReservationStatus.BOOKED)
    source = models.CharField(_("origine"), max_length=15, choices=ReservationSource.choices,
                              default=ReservationSource.PORTAL)
    legacy_id = models.CharField(_("identifiant Portail Famille"), max_length=64, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("réservé par"))
    created_at = models.DateTimeField(_("réservé le"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("annulé par"))
    override_reason = models.CharField(_("dérogation (motif)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("réservation")
        verbose_name_plural = _("réservations")
        ordering = ["occurrence__date"]
        constraints = [
            models.UniqueConstraint(fields=["child", "occurrence"], condition=Q(status="booked"),
                                    name="activities_one_booking_per_child_and_day"),
        ]


class WaitingStatus(models.TextChoices):
    WAITING = "waiting", _("En attente")
    OFFERED = "offered", _("Place proposée")
    ACCEPTED = "accepted", _("Place acceptée")
    EXPIRED = "expired", _("Proposition expirée")
    CANCELLED = "cancelled", _("Retiré de la liste")


class WaitingListEntry(ChoiceLabelsMixin, models.Model):
    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="waiting_list",
                                   verbose_name=_("jour"))
    child = models.ForeignKey("family.Child", on_delete=models.CASCADE, related_name="waiting_entries",
                              verbose_name=_("enfant"))
    status = models.CharField(_("état"), max_length=10, choices=WaitingStatus.choices, default=WaitingStatus.WAITING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("inscrit le"), auto_now_add=True)
    offered_at = models.DateTimeField(_("place proposée le"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("proposition valable jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("liste d'attente")
        verbose_name_plural = _("listes d'attente")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "child"], condition=Q(status__in=["waiting", "offered"]),
                                    name="activities_one_waiting_entry_per_child_and_day"),
        ]


class DossierStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Envoyé")
    TO_COMPLETE = "to_complete", _("À compléter")
    VALIDATED = "validated", _("Validé")
    REFUSED = "refused", _("Refusé")


ALLOWED_DOSSIER_TRANSITIONS = {
    DossierStatus.DRAFT: {DossierStatus.SUBMITTED},
    DossierStatus.SUBMITTED: {DossierStatus.VALIDATED, DossierStatus.REFUSED, DossierStatus.TO_COMPLETE},
    DossierStatus.TO_COMPLETE: {DossierStatus.SUBMITTED},
    DossierStatus.VALIDATED: {DossierStatus.TO_COMPLETE},
    DossierStatus.REFUSED: {DossierStatus.SUBMITTED},
}


class RegistrationCampaign(models.Model):
    school_year = models.OneToOneField(SchoolYear, on_delete=models.CASCADE, related_name="campaign",
                                       verbose_name=_("année scolaire"))
    opens_on = models.DateField(_("ouverture"))
    closes_on = models.DateField(_("date limite"))

    class Meta:
        verbose_name = _("campagne d'inscription")
        verbose_name_plural = _("campagnes d'inscription")
        constraints = [models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="activities_campaign_order")]


class Dossier(ChoiceLabelsMixin, models.Model):
    """The registration dossier of one child for one school year."""

    child = models.ForeignKey("family.Child", on_delete=models.CASCADE, related_name="dossiers",
                              verbose_name=_("enfant"))
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="dossiers",
                                    verbose_name=_("année scolaire"))
    status = models.CharField(_("état"), max_length=12, choices=DossierStatus.choices, default=DossierStatus.DRAFT)
    activities = models.ManyToManyField(Activity, related_name="dossiers", verbose_name=_("activités"), blank=True)
    health_notes = models.TextField(_("fiche sanitaire"), blank=True)
    health_confirmed = models.BooleanField(_("fiche sanitaire vérifiée par le parent"), default=False)
    photo_consent = models.BooleanField(_("autorisation de photographier"), null=True)
    may_leave_alone = models.BooleanField(_("autorisé à partir seul"), null=True)
    emergency_care_consent = models.BooleanField(_("autorisation de soins d'urgence"), null=True)
    documents = models.ManyToManyField("documents.Document", related_name="dossiers", blank=True,
                                       verbose_name=_("pièces jointes"))
    demarche = models.OneToOneField("demarches.Demarche", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="dossier", verbose_name=_("démarche"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    submitted_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    decision_comment = models.TextField(
        _("commentaire du Pôle scolaire"), blank=True,
        help_text=_("Motif du refus ou ce qu'il faut compléter, montré aux parents sur le dossier."))
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("dossier d'inscription")
        verbose_name_plural = _("dossiers d'inscription")
        constraints = [models.UniqueConstraint(fields=["child", "school_year"], name="activities_one_dossier_per_year")]
        # The Pôle scolaire's list (dossiers sent, the latest first; or those of one state):
        # without them PostgreSQL joined and sorted every dossier of the town for a page of
        # 50 (51-79 ms at 10,000 households, 0.3-0.4 ms with them, 4 December 2026).
        indexes = [
            models.Index(fields=["-submitted_at", "-id"], condition=~Q(status=DossierStatus.DRAFT),
                         name="activities_dossier_sent"),
            models.Index(fields=["status", "-submitted_at", "-id"], name="activities_dossier_status"),
        ]

    def __str__(self):
        return f"Dossier {self.school_year} de {self.child}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Présent")
    ABSENT = "absent", _("Absent")
    JUSTIFIED = "justified", _("Absent, justifié")


class Attendance(ChoiceLabelsMixin, models.Model):
    reservation = models.OneToOneField(Reservation, on_delete=models.CASCADE, related_name="attendance",
                                       verbose_name=_("réservation"))
    status = models.CharField(_("présence"), max_length=10, choices=AttendanceStatus.choices)
    justification = models.ForeignKey("documents.Document", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name=_("justificatif"))
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    marked_at = models.DateTimeField(_("pointé le"), auto_now=True)

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")


class AbsenceReason(models.TextChoices):
    ILLNESS = "illness", _("Maladie")
    MEDICAL = "medical", _("Rendez-vous médical")
    FAMILY = "family", _("Raison familiale")
    OTHER = "other", _("Autre raison")


class AbsenceReport(ChoiceLabelsMixin, models.Model):
    """A parent's notice that a booked child will not come on a day past its booking deadline
    (today or a coming day): it cannot be cancelled any more, but the Pôle scolaire is told,
    the attendance is pre-filled (absent, or absent with justification when a medical
    certificate is attached) and billing follows the justification rule."""

    reservation = models.OneToOneField(Reservation, on_delete=models.CASCADE, related_name="absence_report",
                                       verbose_name=_("réservation"))
    reason = models.CharField(_("motif"), max_length=10, choices=AbsenceReason.choices)
    details = models.CharField(_("précisions"), max_length=300, blank=True)
    certificate = models.ForeignKey("documents.Document", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("certificat médical"))
    transmission = models.ForeignKey("documents.DocumentTransmission", on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+", verbose_name=_("transmission du certificat"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+", verbose_name=_("signalée par"))
    reported_at = models.DateTimeField(_("signalée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("absence signalée")
        verbose_name_plural = _("absences signalées")

    def __str__(self):
        return f"Absence signalée – {self.reservation_id}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret token of one person's private calendar feed (.ics) of one child: it works
    only while that person is an adult of the child's household (selectors.agenda
    .child_by_feed_token); renewing it kills the old URL, and every feed of a household is
    renewed when an adult leaves it (signals.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    child = models.ForeignKey("family.Child", on_delete=models.CASCADE, related_name="calendar_feeds")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agenda privé")
        verbose_name_plural = _("agendas privés")
        constraints = [models.UniqueConstraint(fields=["user", "child"], name="activities_feed_one_per_person")]
