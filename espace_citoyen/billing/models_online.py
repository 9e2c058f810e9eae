"""Online payment of invoices (billing/services/payments_online.py): the hosted checkouts
opened at the provider, the provider's notifications recorded once, and the refunds made
on online payments. Imported by billing/models.py (import them from there)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CheckoutStatus(models.TextChoices):
    OPEN = "open", _("En cours")
    PENDING = "pending", _("Paiement différé en attente")
    PAID = "paid", _("Payé")
    FAILED = "failed", _("Échoué")
    EXPIRED = "expired", _("Expiré")
    MISMATCH = "mismatch", _("Montant non conforme")


UNSETTLED_CHECKOUT_STATUSES = (CheckoutStatus.OPEN, CheckoutStatus.PENDING)


class OnlineCheckout(models.Model):
    """One hosted payment page opened at the provider for one or several invoices of a
    household. The amount and currency are what was asked (from the database); settling
    checks what the provider says was paid against them. Never marked paid by a page the
    family's browser reaches: only by a verified webhook or the reconciliation."""

    household = models.ForeignKey("family.Household", on_delete=models.PROTECT, related_name="online_checkouts",
                                  verbose_name=_("foyer"))
    invoices = models.ManyToManyField("billing.Invoice", related_name="online_checkouts", verbose_name=_("factures"))
    amount_cents = models.PositiveIntegerField(_("montant demandé"))
    currency = models.CharField(_("devise"), max_length=3, default="eur")
    provider = models.CharField(_("prestataire"), max_length=20, default="stripe")
    provider_session_id = models.CharField(_("session chez le prestataire"), max_length=255, unique=True)
    provider_payment_id = models.CharField(_("paiement chez le prestataire"), max_length=255, blank=True,
                                           db_index=True)
    idempotency_key = models.CharField(_("clé d'idempotence"), max_length=100, db_index=True)
    status = models.CharField(_("état"), max_length=10, choices=CheckoutStatus.choices, default=CheckoutStatus.OPEN)
    url = models.URLField(_("page de paiement"), max_length=2000)
    expires_at = models.DateTimeField(_("expire le"))
    payer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("payeur"))
    payer_email = models.EmailField(_("courriel du payeur"), blank=True)
    received_cents = models.PositiveIntegerField(_("montant reçu"), null=True, blank=True)
    received_currency = models.CharField(_("devise reçue"), max_length=3, blank=True)
    detail = models.CharField(_("détail"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    settled_at = models.DateTimeField(_("réglé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("paiement en ligne")
        verbose_name_plural = _("paiements en ligne")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="billing_checkout_positive"),
            models.CheckConstraint(condition=Q(status__in=CheckoutStatus.values), name="billing_checkout_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return self.provider_session_id

    @property
    def is_settled(self) -> bool:
        return self.status == CheckoutStatus.PAID


class WebhookEvent(models.Model):
    """A verified provider event, recorded once (``event_id`` is unique: the same event
    delivered twice, or two copies at once, is processed once)."""

    provider = models.CharField(_("prestataire"), max_length=20, default="stripe")
    event_id = models.CharField(_("identifiant"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=100)
    received_at = models.DateTimeField(_("reçu le"), default=timezone.now)
    outcome = models.CharField(_("traitement"), max_length=300, blank=True)
    checkout = models.ForeignKey("billing.OnlineCheckout", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="events")
    # What must be applied later (a refund seen before its payment): the normalised data.
    payment_ref = models.CharField(max_length=255, blank=True, db_index=True)
    payload = models.JSONField(default=dict, blank=True)
    pending = models.BooleanField(_("à appliquer"), default=False)

    class Meta:
        verbose_name = _("notification du prestataire")
        verbose_name_plural = _("notifications du prestataire")
        ordering = ["-received_at", "-id"]


class Refund(models.Model):
    """Money given back on an online payment (part or all), made at the provider with an
    idempotency key; a credit note records it on the invoice."""

    payment = models.ForeignKey("billing.Payment", on_delete=models.PROTECT, related_name="refunds",
                                verbose_name=_("paiement"))
    amount_cents = models.PositiveIntegerField(_("montant"))
    provider_refund_id = models.CharField(_("remboursement chez le prestataire"), max_length=255, unique=True,
                                          null=True, blank=True)
    idempotency_key = models.CharField(_("clé d'idempotence"), max_length=100, unique=True)
    credit_note = models.ForeignKey("billing.CreditNote", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="refunds", verbose_name=_("avoir"))
    reason = models.CharField(_("motif"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("remboursé par"))
    created_at = models.DateTimeField(_("remboursé le"), default=timezone.now)

    class Meta:
        verbose_name = _("remboursement")
        verbose_name_plural = _("remboursements")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount_cents__gt=0), name="billing_refund_positive")]
