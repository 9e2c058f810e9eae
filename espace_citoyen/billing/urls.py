"""Mounted at /espace-citoyen/factures/ by portal/urls.py."""

from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("", views.invoice_list, name="list"),
    path("<int:pk>/", views.invoice_detail, name="detail"),
    path("<int:pk>/payer/", views.invoice_pay, name="pay"),
    path("tout-payer/", views.invoices_pay_all, name="pay_all"),
    path("paiement/retour/", views.checkout_return_lookup, name="checkout_return_lookup"),
    path("paiement/<int:pk>/retour/", views.checkout_return, name="checkout_return"),
    path("<int:pk>/pdf/", views.invoice_pdf, name="pdf"),
    path("avoirs/<int:pk>/pdf/", views.credit_note_pdf, name="credit_note_pdf"),
    path("recus/<int:pk>/pdf/", views.receipt_pdf, name="receipt_pdf"),
    path("paiements/", views.payment_list, name="payments"),
    path("attestations/<int:year>/pdf/", views.childcare_certificate, name="childcare_certificate"),
]

# Mounted at /espace-citoyen/paiement/ by portal/urls.py: the provider's notifications.
webhook_patterns = [
    path("webhook/", views.payment_webhook, name="webhook"),
]
