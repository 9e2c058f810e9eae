"""« Paiements en ligne »: the Régie's list of online checkouts (date, household, invoices,
amount, status, the provider's ids; search and filter by status), a checkout's page with its
payments and their refunds, and the refund form of a payment (part or all; services/refunds.py
makes it at the provider, records it, issues the credit note and tells the family).
Permissions: billing.view_onlinecheckout to read, billing.add_refund to refund.
URL names ``billing_online_payments:…``."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from espace_citoyen.core.backoffice import PermissionRequiredViewMixin, PermissionViewSet, TitledPageMixin
from espace_citoyen.core.money import EurosFormField, format_cents

from ..models import CheckoutStatus, PaymentMethod
from ..selectors import online_payments as selectors
from ..services import BillingError
from ..services.refunds import REFUND_DELAY_TEXT, refund_payment

VIEW_PERMISSION = "billing.view_onlinecheckout"
REFUND_PERMISSION = "billing.add_refund"
INDEX_TITLE = _("Paiements en ligne")
PER_PAGE = 50


class RefundForm(forms.Form):
    amount = EurosFormField(label="Montant à rembourser", min_cents=1,
                            error_messages={"required": "Indiquez le montant à rembourser."})
    reason = forms.CharField(label="Motif du remboursement", max_length=300,
                             help_text="Écrit sur l'avoir et dans le courriel à la famille, par exemple « Séjour "
                                       "annulé par la mairie ».",
                             error_messages={"required": "Indiquez le motif du remboursement."})
    refunded_before = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, payment, left_cents: int, refunded_cents: int, **kwargs):
        kwargs.setdefault("prefix", f"remboursement-{payment.pk}")
        kwargs.setdefault("initial", {"refunded_before": refunded_cents})
        super().__init__(*args, **kwargs)
        self.payment = payment
        field = self.fields["amount"]
        field.max_cents = left_cents
        field.help_text = f"En euros, par exemple 12,50 ; au plus {format_cents(left_cents)}."


def _payment_rows(checkout, *, user, bound_form=None) -> list[dict]:
    can_refund = user.has_perm(REFUND_PERMISSION)
    rows = []
    for payment in checkout.payments.all():
        refunds = list(payment.refunds.all())
        refunded = sum(refund.amount_cents for refund in refunds)
        left = max(payment.amount_cents - refunded, 0)
        refundable = payment.method == PaymentMethod.ONLINE and bool(payment.provider_payment_id) and left > 0
        form = None
        if can_refund and refundable:
            form = bound_form if bound_form is not None and bound_form.payment.pk == payment.pk else RefundForm(
                payment=payment, left_cents=left, refunded_cents=refunded)
        rows.append({"payment": payment, "refunds": refunds, "refunded_cents": refunded, "left_cents": left,
                     "form": form})
    return rows


class _OnlinePaymentsMixin(PermissionRequiredViewMixin, TitledPageMixin, WagtailAdminTemplateMixin):
    permission_required = VIEW_PERMISSION
    header_icon = "tag"


class OnlinePaymentListView(_OnlinePaymentsMixin, TemplateView):
    template_name = "billing/admin/online_payment_list.html"
    page_title = INDEX_TITLE

    def get_context_data(self, **kwargs):
        params = self.request.GET
        filters = {"etat": params.get("etat", "").strip(), "q": params.get("q", "").strip()[:100]}
        if filters["etat"] not in CheckoutStatus.values:
            filters["etat"] = ""
        page = Paginator(selectors.checkouts_for_staff(status=filters["etat"], query=filters["q"]),
                         PER_PAGE).get_page(params.get("p"))
        return super().get_context_data(page_obj=page, filters=filters, statuses=CheckoutStatus.choices,
                                        extra_query=urlencode({k: v for k, v in filters.items() if v}), **kwargs)


class OnlinePaymentDetailView(_OnlinePaymentsMixin, TemplateView):
    template_name = "billing/admin/online_payment_detail.html"

    def load_objects(self, request, **kwargs):
        self.checkout = selectors.checkout_for_staff(checkout_id=kwargs["pk"])

    def get_page_title(self):
        return f"Paiement en ligne du {self.checkout.created_at:%d/%m/%Y}"

    def get_page_subtitle(self):
        return f"Foyer n° {self.checkout.household_id}"

    def parent_breadcrumbs(self):
        return [(reverse("billing_online_payments:index"), INDEX_TITLE)]

    def get_context_data(self, bound_form=None, **kwargs):
        rows = _payment_rows(self.checkout, user=self.request.user, bound_form=bound_form)
        return super().get_context_data(checkout=self.checkout, rows=rows, delay=REFUND_DELAY_TEXT,
                                        may_refund=self.request.user.has_perm(REFUND_PERMISSION), **kwargs)


class RefundView(OnlinePaymentDetailView):
    """POST: refund part or all of one payment of the checkout (billing.add_refund)."""

    http_method_names = ["post"]

    def may_use(self, request) -> bool:
        return super().may_use(request) and request.user.has_perm(REFUND_PERMISSION)

    def load_objects(self, request, **kwargs):
        super().load_objects(request, **kwargs)
        self.payment = get_object_or_404(self.checkout.payments.all(), pk=kwargs["payment_pk"])

    def post(self, request, *args, **kwargs):
        payment = self.payment
        refunded = sum(refund.amount_cents for refund in payment.refunds.all())
        # The form is checked against what was refunded when it was shown, so that the same form
        # sent twice reaches the service, which finds the refund already made (one at Stripe).
        seen = request.POST.get(f"remboursement-{payment.pk}-refunded_before", "")
        seen = int(seen) if seen.isdigit() and int(seen) <= payment.amount_cents else refunded
        form = RefundForm(request.POST, payment=payment, left_cents=max(payment.amount_cents - seen, 0),
                          refunded_cents=refunded)
        detail_url = reverse("billing_online_payments:detail", args=[self.checkout.pk])
        if form.is_valid():
            data = form.cleaned_data
            try:
                refund = refund_payment(payment=payment, amount_cents=data["amount"], reason=data["reason"],
                                        by=request.user, refunded_before=data["refunded_before"])
            except BillingError as error:
                form.add_error("amount" if error.code in ("amount", "refunded") else None, error.message)
            else:
                credit = (f" ; avoir {refund.credit_note.number} émis" if refund.credit_note_id else "")
                messages.success(request, f"Remboursement de {format_cents(refund.amount_cents)} fait (reçu "
                                          f"{payment.receipt_number}){credit} ; la famille est prévenue par courriel.")
                return redirect(detail_url + f"#paiement-{payment.pk}")
        if not form.is_valid() and form.has_error("refunded_before"):
            form.add_error(None, "Le formulaire est incomplet : rechargez la page.")
        self.checkout = selectors.checkout_for_staff(checkout_id=self.checkout.pk)
        return self.render_to_response(self.get_context_data(bound_form=form), status=400)


class OnlinePaymentViewSet(PermissionViewSet):
    name = "billing_online_payments"
    url_prefix = "espace-citoyen/paiements-en-ligne"
    icon = "tag"
    menu_label = INDEX_TITLE
    permission_required = VIEW_PERMISSION

    def get_urlpatterns(self):
        return [
            path("", OnlinePaymentListView.as_view(), name="index"),
            path("<int:pk>/", OnlinePaymentDetailView.as_view(), name="detail"),
            path("<int:pk>/paiements/<int:payment_pk>/rembourser/", RefundView.as_view(), name="refund"),
        ]
