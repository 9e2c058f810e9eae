"""Reads of the « Paiements en ligne » back-office screens: the checkouts (with their
invoices and what was refunded, a fixed number of queries per page whatever its length),
one checkout with its payments and their refunds."""

from __future__ import annotations

from django.db.models import IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from espace_citoyen.core.search import words_match

from ..models import CheckoutStatus, Invoice, OnlineCheckout, Payment, Refund

__all__ = ["checkout_for_staff", "checkouts_for_staff"]


def _refunded():
    return Coalesce(Subquery(Refund.objects.filter(payment__checkout=OuterRef("pk")).order_by()
                             .values("payment__checkout").annotate(total=Sum("amount_cents")).values("total"),
                             output_field=IntegerField()), 0)


def checkouts_for_staff(*, status: str = "", query: str = "") -> QuerySet[OnlineCheckout]:
    """Newest first; ``status`` one of CheckoutStatus; ``query``: a provider id (session,
    payment), an invoice number, or words of the invoice's addressee (accents ignored).
    Each checkout has ``refunded_cents`` and its invoices prefetched."""
    queryset = OnlineCheckout.objects.all()
    if status in CheckoutStatus.values:
        queryset = queryset.filter(status=status)
    query = (query or "").strip()[:100]
    if query:
        matching = OnlineCheckout.objects.filter(
            Q(provider_session_id__iexact=query) | Q(provider_payment_id__iexact=query)
            | Q(invoices__number__iexact=query) | words_match(query, "invoices__addressee")).values("pk")
        queryset = queryset.filter(pk__in=matching)
    return (queryset.annotate(refunded_cents=_refunded()).select_related("payer")
            .prefetch_related(Prefetch("invoices", queryset=Invoice.objects.order_by("number")))
            .order_by("-created_at", "-id"))


def checkout_for_staff(*, checkout_id: int) -> OnlineCheckout:
    """One checkout (404 when missing) with its invoices, its payments (with their invoice)
    and each payment's refunds (with their credit note and agent)."""
    refunds = Refund.objects.select_related("credit_note", "created_by").order_by("created_at", "id")
    payments = (Payment.objects.select_related("invoice").order_by("invoice__number", "id")
                .prefetch_related(Prefetch("refunds", queryset=refunds)))
    return get_object_or_404(
        OnlineCheckout.objects.select_related("payer", "household").prefetch_related(
            Prefetch("invoices", queryset=Invoice.objects.order_by("number")), Prefetch("payments", queryset=payments)),
        pk=checkout_id)
