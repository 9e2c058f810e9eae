"""Invoices of the children's activities: tariffs by family-quotient bracket, the households'
quotients (with their history), monthly invoices and their lines, credit notes ("avoirs"),
payments received at the town hall's desk, and the gapless number counters.

Money is integer cents (EUR). An issued invoice is never edited: its lines, total and
addressee are frozen at issue; corrections are credit notes; what changes afterwards is
only what was credited and paid (``credited_cents``, ``paid_cents``, kept by the services
under a row lock) and the status that follows (``ALLOWED_INVOICE_TRANSITIONS``)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from espace_citoyen.core.money import CentsField
from espace_citoyen.core.storage import private_storage
from home.choices import ChoiceLabelsMixin

# --- Tariffs ----------------------------------------------------------------------------


class QuotientBracket(models.Model):
    """A family-quotient bracket of a school year, from ``lower_bound`` euros up to the next
    bracket's lower bound (excluded). The brackets of a year are data: "< 500", "500 à 899",
    "900 à 1 299", "≥ 1 300" are four rows with lower bounds 0, 500, 900, 1300."""

    school_year = models.ForeignKey("activities.SchoolYear", on_delete=models.PROTECT,
                                    related_name="quotient_brackets", verbose_name=_("année scolaire"))
    lower_bound = models.PositiveIntegerField(_("quotient familial à partir de (€)"))

    class Meta:
        verbose_name = _("tranche de quotient familial")
        verbose_name_plural = _("tranches de quotient familial")
        ordering = ["school_year", "lower_bound"]
        constraints = [models.UniqueConstraint(fields=["school_year", "lower_bound"], name="billing_bracket_unique")]

    def __str__(self):
        return f"{self.school_year} – à partir de {self.lower_bound} €"


class ActivityTariff(ClusterableModel):
    """What a booked day of an activity costs: one unit price per bracket (``prices``), a
    single higher price for households living outside the town, and an optional surcharge
    for a day booked by an agent past the booking deadline."""

    activity = models.OneToOneField("activities.Activity", on_delete=models.PROTECT, related_name="tariff",
                                    verbose_name=_("activité"))
    outside_town_price_cents = CentsField(_("prix par jour hors commune"))
    late_surcharge_cents = CentsField(
        _("majoration d'une réservation tardive"), default=0,
        help_text=_("Ajoutée à un jour réservé par un agent après la date limite. 0 : pas de majoration."))

    class Meta:
        verbose_name = _("tarif d'activité")
        verbose_name_plural = _("tarifs des activités")
        ordering = ["activity__school_year", "activity__name"]

    def __str__(self):
        return f"Tarif – {self.activity}"


class TariffPrice(models.Model):
    tariff = ParentalKey(ActivityTariff, on_delete=models.CASCADE, related_name="prices")
    bracket = models.ForeignKey(QuotientBracket, on_delete=models.PROTECT, related_name="prices",
                                verbose_name=_("tranche"))
    unit_price_cents = CentsField(_("prix par jour"))

    class Meta:
        verbose_name = _("prix par tranche")
        verbose_name_plural = _("prix par tranche")
        ordering = ["bracket__lower_bound"]
        constraints = [models.UniqueConstraint(fields=["tariff", "bracket"], name="billing_price_unique")]

    def clean(self):
        tariff = getattr(self, "tariff", None)
        bracket = getattr(self, "bracket", None)
        if tariff is not None and bracket is not None and tariff.activity_id:
            if bracket.school_year_id != tariff.activity.school_year_id:
                raise ValidationError({"bracket": _("Choisissez une tranche de l'année scolaire de l'activité.")})


class HouseholdQuotient(models.Model):
    """A household's family quotient for a school year, as a Régie agent read it on the CAF
    or tax certificate the family transmitted (the document and its démarche are linked).
    Rows are never changed: each change is a new row (who, when, from which document), and
    the latest row of a household and school year is the one in force."""

    household = models.ForeignKey("family.Household", on_delete=models.CASCADE, related_name="quotients",
                                  verbose_name=_("foyer"))
    school_year = models.ForeignKey("activities.SchoolYear", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("valable pour l'année scolaire"))
    quotient = models.PositiveIntegerField(_("quotient familial (€)"))
    document = models.ForeignKey("documents.Document", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("justificatif"))
    demarche = models.ForeignKey("demarches.Demarche", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("démarche de transmission"))
    note = models.CharField(_("commentaire"), max_length=200, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                               verbose_name=_("saisi par"))
    set_at = models.DateTimeField(_("saisi le"), default=timezone.now)

    class Meta:
        verbose_name = _("quotient familial")
        verbose_name_plural = _("quotients familiaux")
        ordering = ["-set_at", "-id"]
        indexes = [models.Index(fields=["household", "school_year", "-set_at"])]


# --- Numbering --------------------------------------------------------------------------


class NumberKind(models.TextChoices):
    INVOICE = "F", _("Facture")
    CREDIT_NOTE = "A", _("Avoir")
    RECEIPT = "R", _("Reçu")


class NumberCounter(models.Model):
    """The last number given per kind and year; its row is locked (select_for_update) while a
    number is taken, until the document that carries it is committed: no gap, no double."""

    kind = models.CharField(max_length=1, choices=NumberKind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("compteur de numéros")
        verbose_name_plural = _("compteurs de numéros")
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="billing_counter_unique")]


# --- Monthly runs -----------------------------------------------------------------------


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminée")
    FAILED = "failed", _("Échec")


ALLOWED_RUN_TRANSITIONS = {
    RunStatus.QUEUED: {RunStatus.RUNNING, RunStatus.FAILED},
    RunStatus.RUNNING: {RunStatus.DONE, RunStatus.FAILED},
    RunStatus.DONE: set(),
    RunStatus.FAILED: set(),
}


class InvoicingRun(models.Model):
    """A monthly invoicing, or its preview (``dry_run``: nothing written), run in the
    background; progress in the cache while it runs, then the report (JSON)."""

    month = models.DateField(_("mois facturé"))
    dry_run = models.BooleanField(_("aperçu"), default=False)
    status = models.CharField(_("état"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                                   verbose_name=_("lancée par"))
    created_at = models.DateTimeField(_("lancée le"), auto_now_add=True)
    started_at = models.DateTimeField(_("démarrée le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    total_households = models.PositiveIntegerField(default=0)
    done_households = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    error_message = models.TextField(blank=True)

    class Meta:
        verbose_name = _("facturation mensuelle")
        verbose_name_plural = _("facturations mensuelles")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["month", "dry_run", "status"])]

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)


# --- Invoices ---------------------------------------------------------------------------


class InvoiceStatus(models.TextChoices):
    ISSUED = "issued", _("À payer")
    PARTIALLY_PAID = "partially_paid", _("Partiellement payée")
    PAID = "paid", _("Payée")
    CANCELLED = "cancelled", _("Annulée par avoir")


OPEN_INVOICE_STATUSES = (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID)

# Moves the services may make (payments, credit notes); "en retard" is not a status but an
# open invoice past its due date.
ALLOWED_INVOICE_TRANSITIONS = {
    InvoiceStatus.ISSUED: {InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID, InvoiceStatus.CANCELLED},
    InvoiceStatus.PARTIALLY_PAID: {InvoiceStatus.PAID, InvoiceStatus.CANCELLED},
    InvoiceStatus.PAID: {InvoiceStatus.CANCELLED},
    InvoiceStatus.CANCELLED: set(),
}


def invoice_pdf_path(instance, filename: str) -> str:
    return f"billing/{instance.issue_date:%Y}/{instance.number}.pdf"


class Invoice(ChoiceLabelsMixin, models.Model):
    number = models.CharField(_("numéro"), max_length=20, unique=True)
    household = models.ForeignKey("family.Household", on_delete=models.PROTECT, related_name="invoices",
                                  verbose_name=_("foyer"))
    month = models.DateField(_("mois facturé"), help_text=_("Premier jour du mois."))
    run = models.ForeignKey(InvoicingRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="invoices")
    issue_date = models.DateField(_("date d'émission"))
    due_date = models.DateField(_("date d'échéance"))
    status = models.CharField(_("état"), max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED)
    total_cents = models.PositiveIntegerField(_("montant"))
    credited_cents = models.PositiveIntegerField(_("montant des avoirs"), default=0)
    paid_cents = models.PositiveIntegerField(_("montant payé"), default=0)
    addressee = models.CharField(_("destinataire"), max_length=300)
    address = models.TextField(_("adresse"), blank=True)
    quotient = models.PositiveIntegerField(_("quotient familial retenu (€)"), null=True, blank=True)
    pricing_note = models.CharField(_("tarif appliqué"), max_length=200)
    no_quotient = models.BooleanField(_("quotient non transmis"), default=False)
    outside_town = models.BooleanField(_("hors commune"), default=False)
    pdf = models.FileField(_("PDF"), storage=private_storage, upload_to=invoice_pdf_path, blank=True, max_length=200)
    reminder_sent_at = models.DateTimeField(_("relancée le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("facture")
        verbose_name_plural = _("factures")
        ordering = ["-month", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["household", "month"], name="billing_one_invoice_per_household_month"),
            models.CheckConstraint(condition=Q(status__in=InvoiceStatus.values), name="billing_invoice_status_valid"),
            models.CheckConstraint(condition=Q(credited_cents__lte=F("total_cents")),
                                   name="billing_invoice_credit_within_total"),
        ]
        indexes = [models.Index(fields=["status", "due_date"]), models.Index(fields=["month", "status"])]
        permissions = [("export_accounting", "Peut exporter les factures, avoirs et paiements (CSV)")]

    def __str__(self):
        return self.number

    @property
    def balance_cents(self) -> int:
        """What remains to pay; negative when the town owes the family (credit after payment)."""
        return self.total_cents - self.credited_cents - self.paid_cents

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_INVOICE_STATUSES

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.due_date < (today or timezone.localdate())

    def display_status(self, today=None) -> str:
        """The status a person reads: "En retard" for an open invoice past its due date."""
        return "En retard" if self.is_overdue(today) else self.get_status_display()


class LineReason(models.TextChoices):
    PRESENT = "present", _("Présent")
    ABSENT = "absent", _("Absence non justifiée")
    BOOKED = "booked", _("Réservé")  # attendance not taken
    LATE_CANCEL = "late_cancel", _("Annulation hors délai")


class InvoiceLine(models.Model):
    """One billed day of one child in one activity (frozen at issue: names and prices are
    copied). ``reservation`` is unique: a booked day is billed once."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    reservation = models.OneToOneField("activities.Reservation", on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="invoice_line")
    # Links for convenience only: the names are copied, and a run inserts hundreds of
    # thousands of lines, whose database-side key checks on these two would double its time.
    child = models.ForeignKey("family.Child", on_delete=models.SET_NULL, null=True, related_name="+",
                              db_constraint=False)
    child_name = models.CharField(_("enfant"), max_length=300)
    activity = models.ForeignKey("activities.Activity", on_delete=models.SET_NULL, null=True, related_name="+",
                                 db_constraint=False)
    activity_name = models.CharField(_("activité"), max_length=120)
    date = models.DateField(_("jour"))
    reason = models.CharField(_("motif"), max_length=12, choices=LineReason.choices)
    unit_price_cents = models.PositiveIntegerField(_("prix unitaire"))
    surcharge_cents = models.PositiveIntegerField(_("majoration"), default=0)
    amount_cents = models.PositiveIntegerField(_("montant"))
    bracket_label = models.CharField(_("tarif"), max_length=80)
    is_regularisation = models.BooleanField(_("régularisation"), default=False)

    class Meta:
        verbose_name = _("ligne de facture")
        verbose_name_plural = _("lignes de facture")
        ordering = ["child_name", "activity_name", "date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents=F("unit_price_cents") + F("surcharge_cents")),
                                   name="billing_line_amount"),
        ]


class CreditNote(models.Model):
    """An "avoir": money the town gives back on some lines of an invoice (or all), with a reason."""

    number = models.CharField(_("numéro"), max_length=20, unique=True)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes",
                                verbose_name=_("facture"))
    issue_date = models.DateField(_("date d'émission"))
    reason = models.CharField(_("motif"), max_length=300)
    total_cents = models.PositiveIntegerField(_("montant"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                                   verbose_name=_("établi par"))
    created_at = models.DateTimeField(auto_now_add=True)
    pdf = models.FileField(_("PDF"), storage=private_storage, upload_to=invoice_pdf_path, blank=True, max_length=200)

    class Meta:
        verbose_name = _("avoir")
        verbose_name_plural = _("avoirs")
        ordering = ["-issue_date", "-number"]
        constraints = [models.CheckConstraint(condition=Q(total_cents__gt=0), name="billing_credit_note_positive")]

    def __str__(self):
        return self.number


class CreditNoteLine(models.Model):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="lines")
    invoice_line = models.ForeignKey(InvoiceLine, on_delete=models.PROTECT, related_name="credit_lines")
    amount_cents = models.PositiveIntegerField(_("montant"))

    class Meta:
        ordering = ["invoice_line__child_name", "invoice_line__activity_name", "invoice_line__date", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount_cents__gt=0), name="billing_credit_line_positive")]


# --- Payments ---------------------------------------------------------------------------


class PaymentMethod(models.TextChoices):
    """How the money came: at the town hall's desk, or online (a settled OnlineCheckout,
    with the provider's payment id in ``provider_payment_id``)."""

    CASH = "cash", _("Espèces")
    CHEQUE = "cheque", _("Chèque")
    CARD = "card", _("Carte bancaire au guichet")
    TRANSFER = "transfer", _("Virement")
    ONLINE = "online", _("En ligne")


DESK_PAYMENT_METHODS = [choice for choice in PaymentMethod.choices if choice[0] != PaymentMethod.ONLINE]


def receipt_pdf_path(instance, filename: str) -> str:
    return f"billing/{instance.received_on:%Y}/{instance.receipt_number}.pdf"


class Payment(ChoiceLabelsMixin, models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments", verbose_name=_("facture"))
    amount_cents = models.PositiveIntegerField(_("montant"))
    method = models.CharField(_("moyen de paiement"), max_length=20, choices=PaymentMethod.choices)
    received_on = models.DateField(_("reçu le"))
    cheque_number = models.CharField(_("numéro du chèque"), max_length=30, blank=True)
    bank = models.CharField(_("banque"), max_length=100, blank=True)
    reference = models.CharField(_("référence"), max_length=100, blank=True)
    receipt_number = models.CharField(_("numéro du reçu"), max_length=20, unique=True)
    checkout = models.ForeignKey("billing.OnlineCheckout", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="payments", verbose_name=_("paiement en ligne"))
    provider_payment_id = models.CharField(_("paiement chez le prestataire"), max_length=255, blank=True)
    receipt_pdf = models.FileField(_("reçu (PDF)"), storage=private_storage, upload_to=receipt_pdf_path, blank=True,
                                   max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                                    verbose_name=_("enregistré par"))
    recorded_at = models.DateTimeField(_("enregistré le"), auto_now_add=True)

    class Meta:
        verbose_name = _("paiement")
        verbose_name_plural = _("paiements")
        ordering = ["received_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="billing_payment_positive"),
            models.CheckConstraint(condition=~Q(method="cheque") | (~Q(cheque_number="") & ~Q(bank="")),
                                   name="billing_cheque_number_and_bank"),
        ]

    def __str__(self):
        return self.receipt_number


# --- History ----------------------------------------------------------------------------


class InvoiceEventKind(models.TextChoices):
    ISSUED = "issued", _("Facture émise")
    PAYMENT = "payment", _("Paiement enregistré")
    CREDIT_NOTE = "credit_note", _("Avoir émis")
    ONLINE_CHECKOUT = "online_checkout", _("Paiement en ligne")
    REFUND = "refund", _("Remboursement en ligne")
    REMINDER_EMAIL = "reminder_email", _("Relance envoyée par courriel")
    REMINDER_PHONE = "reminder_phone", _("Relance à faire par téléphone")


class InvoiceEvent(ChoiceLabelsMixin, models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=InvoiceEventKind.choices)
    from_status = models.CharField(max_length=20, choices=InvoiceStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=InvoiceStatus.choices, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("historique de facture")
        verbose_name_plural = _("historique des factures")
        ordering = ["created_at", "id"]


# The online payment's models live in models_online.py (this module's size); imported here
# so that ``billing.models`` stays the one place to import every model from.
from .models_online import (  # noqa: E402, F401
    UNSETTLED_CHECKOUT_STATUSES,
    CheckoutStatus,
    OnlineCheckout,
    Refund,
    WebhookEvent,
)
