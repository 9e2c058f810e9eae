"""Citizen pages of the invoices (« Mes factures », /espace-citoyen/factures/). Validated
accounts only; every object comes from a scoped selector (another household's id is a 404),
PDFs are private-file responses."""

import logging

from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from espace_citoyen.accounts.decorators import validated_account_required
from espace_citoyen.core.household_versions import cached_for_citizen
from espace_citoyen.core.storage import private_file_response

from .selectors import certificates as certificate_selectors
from .selectors import citizen as selectors
from .services.documents import childcare_certificate_pdf, invoice_store_pdf
from .providers import InvalidSignature, get_provider
from .services import BillingError
from .services.online_config import online_payment_available
from .services.payments_online import checkout_start, webhook_handle

logger = logging.getLogger("espace_citoyen.billing.online")

PAGE_SIZE = 12


def _year(request) -> int | None:
    value = request.GET.get("annee", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else None


def _household_billing(user, today) -> dict:
    """What « Mes factures » shows around the list: the years, the summary, the childcare
    certificates, whether anything was paid. Five queries, kept in the shared cache per
    parent and day until an invoice, a payment, a credit note, a child or a membership of
    theirs changes (core.household_versions, portal/signals.py; issue 14)."""
    def build():
        return {
            "years": selectors.invoice_years_for(user=user),
            "summary": selectors.invoices_summary_for(user=user, today=today),
            "certificate_years": certificate_selectors.childcare_years_for(user=user, today=today),
            "has_payments": selectors.payments_for(user=user).exists(),
        }

    return cached_for_citizen(user, "invoices-page", build, today.isoformat())


@validated_account_required
@require_GET
def invoice_list(request):
    year = _year(request)
    page = Paginator(selectors.invoices_for(user=request.user, year=year), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for invoice in page.object_list:
        invoice.status_label = invoice.display_status(today)
        invoice.overdue = invoice.is_overdue(today)
    return render(request, "billing/invoice_list.html", {
        "items_page": page, "year": year, "extra_query": f"annee={year}" if year else "",
        **_household_billing(request.user, today),
        "online_payment": online_payment_available(),
        "current_year": today.year,
        "payment_cancelled": request.GET.get("paiement") == "annule",
    })


@validated_account_required
@require_GET
def payment_list(request):
    """« Mes paiements »: every payment received for the household's invoices, newest first."""
    year = _year(request)
    page = Paginator(selectors.payments_for(user=request.user, year=year), PAGE_SIZE).get_page(request.GET.get("page"))
    for payment in page.object_list:
        payment.method_label = selectors.payment_method_label(payment.method)
    return render(request, "billing/payment_list.html", {
        "items_page": page, "year": year, "years": selectors.payment_years_for(user=request.user),
        "extra_query": f"annee={year}" if year else "",
    })


@validated_account_required
@require_GET
def childcare_certificate(request, year: int):
    """The « attestation de frais de garde » of a year that is over (404 before, or when
    nothing was paid for the care of a child under six that year)."""
    certificates = certificate_selectors.childcare_certificates_for(user=request.user, year=year)
    response = HttpResponse(childcare_certificate_pdf(certificates=certificates), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="attestation-frais-de-garde-{year}.pdf"'
    return response


@validated_account_required
@require_GET
def invoice_detail(request, pk: int):
    context = selectors.invoice_detail_for(user=request.user, invoice_id=pk)
    invoice = context["invoice"]
    context.update(status_label=invoice.display_status(), overdue=invoice.is_overdue(),
                   refund_cents=max(-invoice.balance_cents, 0), online_payment=online_payment_available())
    return render(request, "billing/invoice_detail.html", context)


class SeeOther(HttpResponseRedirect):
    status_code = 303
    allowed_schemes = ["https", "http"]


@validated_account_required
@require_http_methods(["GET", "POST"])
def invoice_pay(request, pk: int):
    """« Payer en ligne »: GET shows the amount and the button (or, without online payment,
    the other ways to pay); POST opens the provider's hosted checkout (303 to it)."""
    invoice = selectors.invoice_for(user=request.user, invoice_id=pk)
    error = ""
    if request.method == "POST":
        try:
            checkout = checkout_start(household_id=invoice.household_id, invoices=[invoice], user=request.user)
        except BillingError as refused:
            error = refused.message
        else:
            return SeeOther(checkout.url)
    return render(request, "billing/invoice_pay.html", {
        "invoice": invoice, "online_payment": online_payment_available(), "error": error,
    }, status=400 if error else 200)


@validated_account_required
@require_POST
def invoices_pay_all(request):
    """« Tout payer »: one checkout for every invoice of the household with something due."""
    household_id, invoices = selectors.due_invoices_for(user=request.user)
    try:
        if household_id is None:
            raise BillingError("Vous n'avez aucune facture à payer.", code="nothing_due")
        checkout = checkout_start(household_id=household_id, invoices=invoices, user=request.user)
    except BillingError as refused:
        return render(request, "billing/pay_refused.html", {"error": refused.message}, status=400)
    return SeeOther(checkout.url)


@validated_account_required
@require_GET
def checkout_return_lookup(request):
    """Where the provider sends the family back (?session_id=…): to the return page."""
    checkout = selectors.checkout_by_session_for(user=request.user, session_id=request.GET.get("session_id", ""))
    return redirect("billing:checkout_return", pk=checkout.pk)


@validated_account_required
@require_GET
def checkout_return(request, pk: int):
    """« Paiement en cours de confirmation », refreshed until the provider's notification has
    settled the checkout. Reading this page never marks anything paid."""
    checkout = selectors.checkout_for(user=request.user, checkout_id=pk)
    return render(request, "billing/checkout_return.html", {
        "checkout": checkout, "invoices": list(checkout.invoices.all()),
        "payments": list(checkout.payments.all()), "refresh_seconds": 5,
    })


@csrf_exempt
@require_POST
def payment_webhook(request):
    """The provider's notifications (no login, no session, no CSRF token: the signature of the
    raw body is the proof). 400 when it does not check out, nothing changed."""
    try:
        event = get_provider().parse_webhook(body=request.body,
                                             signature_header=request.META.get("HTTP_STRIPE_SIGNATURE", ""))
    except InvalidSignature as error:
        logger.warning("payment webhook refused: %s", error)
        return HttpResponse("invalid signature", status=400, content_type="text/plain")
    outcome = webhook_handle(event)
    return HttpResponse(outcome, content_type="text/plain")


@validated_account_required
@require_GET
def invoice_pdf(request, pk: int):
    invoice = selectors.invoice_for(user=request.user, invoice_id=pk)
    invoice_store_pdf(invoice=invoice)  # made at issue; only a run still writing them leaves it to do here
    return private_file_response(invoice.pdf, content_type="application/pdf", filename=f"facture-{invoice.number}.pdf",
                                 inline=False)


@validated_account_required
@require_GET
def credit_note_pdf(request, pk: int):
    credit_note = selectors.credit_note_for(user=request.user, credit_note_id=pk)
    return private_file_response(credit_note.pdf, content_type="application/pdf",
                                 filename=f"avoir-{credit_note.number}.pdf", inline=False)


@validated_account_required
@require_GET
def receipt_pdf(request, pk: int):
    payment = selectors.payment_for(user=request.user, payment_id=pk)
    return private_file_response(payment.receipt_pdf, content_type="application/pdf",
                                 filename=f"recu-{payment.receipt_number}.pdf", inline=False)
