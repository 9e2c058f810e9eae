"""Management commands: invoice_month (preview and run, French errors), setup_regie_group."""

import io

import pytest
from django.core.management import CommandError, call_command

from espace_citoyen.activities.models import AttendanceStatus
from espace_citoyen.billing.models import Invoice, InvoicingRun

from .conftest import LAST_MONTH, book, make_activity, make_family, weekdays_of

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command("invoice_month", *args, stdout=out)
    return out.getvalue().replace("\u00a0", " ")


def test_invoice_month_preview_then_run():
    activity = make_activity("Cantine commande")
    _user, household, (child,) = make_family("commande@example.fr", last_name="Commande")
    for day in weekdays_of(LAST_MONTH, 1)[:2]:
        book(child, activity, day, attendance=AttendanceStatus.PRESENT)
    output = _run(f"{LAST_MONTH:%Y-%m}", "--dry-run")
    assert output.startswith("Aperçu de") and "Cantine commande : 2 jour(s), 10,00 €" in output
    assert "sans quotient familial" in output and "Sophie Commande" in output
    assert not Invoice.objects.filter(household=household).exists()
    output = _run(f"{LAST_MONTH:%Y-%m}")
    invoice = Invoice.objects.get(household=household, month=LAST_MONTH)
    assert "facture(s) émise(s)" in output and invoice.number.startswith("F")
    assert InvoicingRun.objects.filter(dry_run=False, created_by=None).exists()
    assert "déjà facturé(s)" in _run(f"{LAST_MONTH:%Y-%m}")


@pytest.mark.parametrize("month, message", [("2026-13", "Mois invalide"), ("novembre", "Mois invalide"),
                                            ("2999-01", "n'est pas terminé")])
def test_invoice_month_errors(month, message):
    with pytest.raises(CommandError, match=message):
        _run(month)


def test_setup_regie_group_is_idempotent():
    out = io.StringIO()
    call_command("setup_regie_group", stdout=out)
    call_command("setup_regie_group", stdout=out)
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="Régie")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"view_invoice", "add_payment", "add_creditnote", "add_invoicingrun", "add_householdquotient",
            "export_accounting", "access_admin"} <= codenames
    assert not Group.objects.get(name="Pôle scolaire").permissions.filter(content_type__app_label="billing").exists()
