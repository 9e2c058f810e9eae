"""The demo (make run): the Régie agent with a second factor, tariffs for the demo
activities, the Bernard household's quotient read on a certificate transmitted to the
Régie, invoices of the two months before today's (the first paid at the desk, the last to pay,
corrected by a credit note); running the seed again changes nothing; another day, other months."""

import io
from datetime import date

import pytest
from django.core.management import call_command

from espace_citoyen.accounts.models import User
from espace_citoyen.activities import demo as activities_demo
from espace_citoyen.billing import demo as billing_demo
from espace_citoyen.billing.demo import REGIE
from espace_citoyen.billing.models import (
    ActivityTariff,
    CreditNote,
    HouseholdQuotient,
    Invoice,
    InvoiceStatus,
    NumberCounter,
    Payment,
)
from espace_citoyen.family.models import Child

pytestmark = pytest.mark.django_db


def test_demo_content():
    agent = User.objects.get(email=REGIE.email)
    assert agent.groups.filter(name="Régie").exists() and agent.has_perm("billing.add_payment")
    assert agent.totpdevice_set.filter(confirmed=True).exists()
    assert not User.objects.get(email="pole.scolaire@ville-villennes-sur-seine.fr").has_perm("billing.view_invoice")
    assert ActivityTariff.objects.filter(activity__school_year__label=activities_demo.demo_plan().label).count() == 6
    household = Child.objects.get(first_name="Chloé", last_name="Bernard").household
    quotient = HouseholdQuotient.objects.get(household=household)
    assert quotient.quotient == 842 and quotient.document.doc_type == "caf_certificate"
    assert quotient.demarche.transmission.service == "regie" and quotient.demarche.status == "accepted"
    october, november = Invoice.objects.filter(household=household).order_by("month")
    assert october.status == InvoiceStatus.PAID and october.payments.get().method == "cheque"
    assert november.status == InvoiceStatus.ISSUED and november.credit_notes.count() == 1
    assert november.balance_cents == november.total_cents - november.credit_notes.get().total_cents > 0
    assert "Quotient familial de 842 €" in november.pricing_note
    assert october.pdf and november.pdf and november.credit_notes.get().pdf


def test_seed_again_changes_nothing():
    counts = (Invoice.objects.count(), CreditNote.objects.count(), Payment.objects.count(),
              HouseholdQuotient.objects.count(), list(NumberCounter.objects.values_list("kind", "year", "last")))
    output = io.StringIO()
    call_command("seed_demo", force=True, stdout=output)
    assert (Invoice.objects.count(), CreditNote.objects.count(), Payment.objects.count(),
            HouseholdQuotient.objects.count(), list(NumberCounter.objects.values_list("kind", "year", "last"))) == counts
    assert REGIE.email in output.getvalue() and REGIE.password in output.getvalue()


def test_the_demo_invoices_the_two_months_before_the_day_it_is_seeded():
    day = date(2026, 3, 10)  # a past day: a payment is never recorded in the future
    activities_demo.seed(stdout=io.StringIO(), today=day)
    billing_demo.seed(stdout=io.StringIO(), today=day)
    household = Child.objects.get(first_name="Chloé", last_name="Bernard").household
    january = Invoice.objects.get(household=household, month=date(2026, 1, 1))
    february = Invoice.objects.get(household=household, month=date(2026, 2, 1))
    assert january.status == InvoiceStatus.PAID
    assert february.credit_notes.count() == 1 and february.balance_cents > 0
