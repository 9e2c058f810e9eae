"""Billing's retention rules (ESPACE_CITOYEN_RETENTION "invoices"/"payments", ten years),
applied by the portal's purge_expired_data, and the erasure of an account whose household
has invoices: the invoices and their household stay for the legal period."""

import datetime

import pytest
from django.utils import timezone

from espace_citoyen.billing.models import Invoice, Payment
from espace_citoyen.billing.services.payments import payment_record
from espace_citoyen.core.retention import get_rule
from espace_citoyen.family.models import Child, Household, Membership
from espace_citoyen.portal.retention import account_erase, purge_expired_data

from .conftest import family_invoice

pytestmark = pytest.mark.django_db


def test_billing_rules_are_registered():
    assert get_rule("invoices") is not None and get_rule("payments") is not None


def test_invoices_stay_ten_years_then_go_with_their_payments_and_pdfs(regie_agent):
    _user, invoice = family_invoice("retention.facture@example.fr")
    payment = payment_record(invoice=invoice, amount_cents=invoice.total_cents, method="cash", actor=regie_agent)
    pdf_name = invoice.pdf.name
    storage = invoice.pdf.storage
    assert storage.exists(pdf_name)

    nine_years = timezone.now() + datetime.timedelta(days=9 * 365)
    report = purge_expired_data(now=nine_years, dry_run=False)
    assert Invoice.objects.filter(pk=invoice.pk).exists() and Payment.objects.filter(pk=payment.pk).exists()
    assert ("invoices" not in report.skipped) and ("payments" not in report.skipped)

    eleven_years = timezone.now() + datetime.timedelta(days=11 * 365)
    dry = purge_expired_data(now=eleven_years, dry_run=True)
    assert dict((key, count) for key, _label, count in dry.lines)["invoices"] >= 1
    assert Invoice.objects.filter(pk=invoice.pk).exists()

    purge_expired_data(now=eleven_years, dry_run=False)
    assert not Invoice.objects.filter(pk=invoice.pk).exists()
    assert not Payment.objects.filter(pk=payment.pk).exists()


def test_erasing_an_account_keeps_the_household_its_invoices_need():
    user, invoice = family_invoice("retention.effacement@example.fr")
    household = invoice.household
    account_erase(user=user, reason="test")
    assert Household.objects.filter(pk=household.pk).exists()
    assert Invoice.objects.filter(pk=invoice.pk).exists()
    assert not Child.objects.filter(household=household).exists()
    assert not Membership.objects.filter(household=household).exists()
