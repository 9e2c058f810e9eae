"""The Régie's screens: permission matrix (Régie and superusers in; Pôle scolaire and
Relations population out, menu included), invoice filters and accent-free search, payments
and credit notes from the invoice page, the monthly run (preview, progress page, report,
launch), quotients from a transmitted certificate, tariffs, and CSV exports."""

import datetime

import pytest
from django.contrib import messages as django_messages
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse

from espace_citoyen.billing.models import HouseholdQuotient, Invoice, InvoicingRun, Payment, RunStatus
from espace_citoyen.billing.services.credit_notes import credit_note_create
from espace_citoyen.billing.services.payments import payment_record

from .conftest import LAST_MONTH, book, family_invoice, make_activity, make_agent, make_family, page_text, weekdays_of

pytestmark = pytest.mark.django_db


def assert_denied(response):
    """Wagtail's permission_denied: back to the admin home with an error message."""
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    assert django_messages.ERROR in [m.level for m in get_messages(response.wsgi_request)]


@pytest.fixture
def desk(regie_agent):
    _parent, invoice = family_invoice("admin.facture@example.fr", days=3, last_name="Hélène-Lefèvre")
    payment = payment_record(invoice=invoice, amount_cents=100, method="cash", actor=regie_agent)
    credit = credit_note_create(invoice=invoice, lines={invoice.lines.first().pk: None}, reason="Test",
                                actor=regie_agent)
    run = InvoicingRun.objects.create(month=LAST_MONTH, dry_run=True, status=RunStatus.DONE,
                                      report={"households": 0, "lines": 0, "total_cents": 0, "warnings": {},
                                              "activities": [], "already_invoiced": 0, "regularisation_lines": 0})
    invoice.refresh_from_db()
    return {"invoice": invoice, "payment": payment, "credit": credit, "run": run}


def _get_urls(desk) -> list[str]:
    invoice = desk["invoice"]
    return [
        reverse("billing_invoices:index"), reverse("billing_invoices:proposals"),
        reverse("billing_invoices:detail", args=[invoice.pk]), reverse("billing_invoices:pdf", args=[invoice.pk]),
        reverse("billing_invoices:credit_note_pdf", args=[desk["credit"].pk]),
        reverse("billing_invoices:receipt_pdf", args=[desk["payment"].pk]),
        reverse("billing_runs:index"), reverse("billing_runs:run", args=[desk["run"].pk]),
        reverse("billing_quotients:index"), reverse("billing_quotients:household", args=[invoice.household_id]),
        reverse("billing_tariffs:index"), reverse("billing_brackets:index"), reverse("billing_exports:index"),
    ]


def _post_urls(desk) -> list[str]:
    invoice = desk["invoice"]
    return [reverse("billing_invoices:payment", args=[invoice.pk]),
            reverse("billing_invoices:credit_note", args=[invoice.pk]), reverse("billing_runs:index"),
            reverse("billing_runs:run", args=[desk["run"].pk]),
            reverse("billing_quotients:household", args=[invoice.household_id]), reverse("billing_exports:index")]


def test_regie_agent_and_superuser_open_every_screen(client, otp_login, regie_agent, superuser, desk):
    for user in (regie_agent, superuser):
        otp_login(client, user)
        for url in _get_urls(desk):
            assert client.get(url).status_code == 200, (user, url)


@pytest.mark.parametrize("group_name", ["Pôle scolaire", "Relations population", "Communication"])
def test_other_groups_are_denied_everything(client, otp_login, desk, group_name):
    from espace_citoyen.accounts.groups import ensure_relations_population_group
    from espace_citoyen.activities.services.catalogue import catalogue_ensure_group_permissions

    catalogue_ensure_group_permissions()
    ensure_relations_population_group()
    agent = make_agent(f"refus.{group_name[:5].lower()}@ville-villennes-sur-seine.fr", Group.objects.get(name=group_name))
    otp_login(client, agent)
    for url in _get_urls(desk):
        response = client.get(url)
        assert response.status_code in (302, 403), (group_name, url, response.status_code)
        if response.status_code == 302:
            assert response["Location"] == reverse("wagtailadmin_home"), url
    payments = Payment.objects.count()
    for url in _post_urls(desk):
        client.post(url, {"amount_cents": "1", "method": "cash", "received_on": "2020-01-01", "lines": ["1"],
                          "reason": "x", "month": f"{LAST_MONTH:%Y-%m}", "quotient": "100", "kind": "factures",
                          "start": "2020-01-01", "end": "2020-12-31"})
    assert Payment.objects.count() == payments
    assert not InvoicingRun.objects.filter(dry_run=False).exclude(pk=desk["run"].pk).filter(
        created_by=agent).exists()
    html = client.get("/admin/").content.decode()
    assert '"url": "/admin/espace-citoyen/factures/"' not in html
    assert '"url": "/admin/espace-citoyen/facturation-mensuelle/"' not in html


def test_regie_menu(regie_client):
    html = regie_client.get("/admin/").content.decode()
    for url in ("factures", "facturation-mensuelle", "quotients-familiaux", "tarifs", "tranches-de-quotient",
                "exports-comptables"):
        assert f'"url": "/admin/espace-citoyen/{url}/"' in html, url
    assert '"url": "/admin/espace-citoyen/presences/"' not in html  # the Pôle scolaire's screens stay theirs


def test_list_filters_and_accent_free_search(regie_client, desk):
    invoice = desk["invoice"]
    url = reverse("billing_invoices:index")
    assert invoice.number in page_text(regie_client.get(url, {"q": "helene lefevre"}))
    assert invoice.number not in page_text(regie_client.get(url, {"q": "dupont"}))
    assert invoice.number in page_text(regie_client.get(url, {"mois": f"{LAST_MONTH:%Y-%m}", "etat": "partially_paid"}))
    assert invoice.number not in page_text(regie_client.get(url, {"etat": "paid"}))
    Invoice.objects.filter(pk=invoice.pk).update(due_date=datetime.date(2020, 1, 1))
    text = page_text(regie_client.get(url, {"etat": "overdue"}))
    assert invoice.number in text and "En retard" in text
    assert regie_client.get(url, {"mois": "n'importe quoi"}).status_code == 200


def test_record_a_cheque_then_refuse_an_over_payment(regie_client, regie_agent, desk):
    invoice = desk["invoice"]
    url = reverse("billing_invoices:payment", args=[invoice.pk])
    response = regie_client.post(url, {"amount_cents": "5,00", "method": "cheque", "received_on": "",
                                       "cheque_number": "1234567"})
    assert response.status_code == 400
    text = page_text(response)
    assert "Pour un chèque, indiquez la banque." in text
    response = regie_client.post(url, {"amount_cents": "5,00", "method": "cheque", "bank": "La Banque Postale",
                                       "cheque_number": "1234567", "received_on": datetime.date.today().isoformat()})
    assert response.status_code == 302
    payment = Payment.objects.get(invoice=invoice, cheque_number="1234567")
    assert payment.amount_cents == 500 and payment.recorded_by == regie_agent
    invoice.refresh_from_db()
    response = regie_client.post(url, {"amount_cents": "999,00", "method": "cash",
                                       "received_on": datetime.date.today().isoformat()})
    assert response.status_code == 400
    assert "un trop-perçu ne peut pas être enregistré" in page_text(response)
    assert Payment.objects.filter(invoice=invoice).count() == 2


def test_credit_note_from_the_invoice_page(regie_client, desk):
    invoice = desk["invoice"]
    line = invoice.lines.order_by("-date").first()
    response = regie_client.post(reverse("billing_invoices:credit_note", args=[invoice.pk]),
                                 {"lines": [str(line.pk)], "reason": "Absence justifiée"})
    assert response.status_code == 302
    assert invoice.credit_notes.filter(reason="Absence justifiée").exists()
    response = regie_client.post(reverse("billing_invoices:credit_note", args=[invoice.pk]), {"reason": ""})
    assert response.status_code == 400 and "Indiquez le motif de l'avoir." in page_text(response)


def test_monthly_run_preview_progress_report_and_launch(regie_client, django_capture_on_commit_callbacks):
    activity = make_activity("Cantine admin run")
    _user, household, (child,) = make_family("admin.run@example.fr")
    for day in weekdays_of(LAST_MONTH, 1)[:2]:
        book(child, activity, day)
    with django_capture_on_commit_callbacks(execute=True):
        response = regie_client.post(reverse("billing_runs:index"), {"month": f"{LAST_MONTH:%Y-%m}"})
    preview = InvoicingRun.objects.filter(dry_run=True).latest("pk")
    assert response["Location"] == reverse("billing_runs:run", args=[preview.pk])
    text = page_text(regie_client.get(response["Location"]))
    assert "Ce que la facturation va émettre" in text and "Cantine admin run" in text
    assert "Jours dont la présence n'a pas été pointée" in text and "Lancer la facturation" in text
    assert not Invoice.objects.filter(household=household).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = regie_client.post(reverse("billing_runs:run", args=[preview.pk]))
    run = InvoicingRun.objects.filter(dry_run=False).latest("pk")
    assert run.status == RunStatus.DONE
    text = page_text(regie_client.get(response["Location"]))
    assert "Compte rendu" in text and "facture" in text and "émise" in text
    assert Invoice.objects.filter(household=household, month=LAST_MONTH).exists()


def test_progress_page_while_running(regie_client):
    run = InvoicingRun.objects.create(month=LAST_MONTH, dry_run=False, status=RunStatus.RUNNING, total_households=10)
    text = page_text(regie_client.get(reverse("billing_runs:run", args=[run.pk])))
    assert "se met à jour toute seule" in text and "<progress" in regie_client.get(
        reverse("billing_runs:run", args=[run.pk])).content.decode()


def test_quotient_from_a_transmitted_certificate(regie_client, regie_agent):
    from espace_citoyen.core.services_map import TownService
    from espace_citoyen.documents.models import DocumentType
    from espace_citoyen.documents.services import documents_transmit
    from tests.test_query_counts import _upload

    parent, household, _kids = make_family("admin.qf@example.fr", last_name="Quotient")
    caf = _upload(parent, label="Attestation CAF 2026", doc_type=DocumentType.CAF_CERTIFICATE)
    demarche = documents_transmit(user=parent, documents=[caf], service=TownService.REGIE)
    text = page_text(regie_client.get(reverse("billing_quotients:index")))
    assert f"Foyer n° {household.pk}" in text  # an open transmission to the Régie lists the household
    url = reverse("billing_quotients:household", args=[household.pk])
    assert "Attestation CAF 2026" in page_text(regie_client.get(url))
    response = regie_client.post(url, {"school_year": str(make_activity("Cantine QF admin").school_year_id),
                                       "quotient": "650", "certificate": f"{caf.pk}-{demarche.pk}", "note": ""})
    assert response.status_code == 302
    row = HouseholdQuotient.objects.get(household=household)
    assert (row.quotient, row.document, row.demarche, row.set_by) == (650, caf, demarche, regie_agent)
    demarche.refresh_from_db()
    assert demarche.status == "accepted"
    text = page_text(regie_client.get(url))
    assert "650 €" in text and demarche.number in text
    response = regie_client.post(url, {"school_year": str(row.school_year_id), "quotient": "700", "certificate": ""})
    assert response.status_code == 400 and "indiquez d'où vient ce quotient" in page_text(response)


def test_tariff_is_typed_in_euros(regie_client):
    from espace_citoyen.billing.models import ActivityTariff

    activity = make_activity("Atelier tarif admin", tariff=False)
    bracket = activity.school_year.quotient_brackets.order_by("lower_bound").first()
    response = regie_client.post(reverse("billing_tariffs:add"), {
        "activity": str(activity.pk), "outside_town_price_cents": "6,20", "late_surcharge_cents": "1",
        "prices-TOTAL_FORMS": "1", "prices-INITIAL_FORMS": "0", "prices-MIN_NUM_FORMS": "1",
        "prices-MAX_NUM_FORMS": "1000", "prices-0-bracket": str(bracket.pk), "prices-0-unit_price_cents": "3,85",
        "prices-0-ORDER": "1", "prices-0-DELETE": "", "prices-0-id": "",
    })
    assert response.status_code == 302, page_text(response)[:3000]
    tariff = ActivityTariff.objects.get(activity=activity)
    assert (tariff.outside_town_price_cents, tariff.late_surcharge_cents) == (620, 100)
    assert tariff.prices.get().unit_price_cents == 385


def test_exports_quote_formulas(regie_client, regie_agent):
    _parent, invoice = family_invoice("admin.export@example.fr", days=1)
    Invoice.objects.filter(pk=invoice.pk).update(addressee='=HYPERLINK("https://exemple.test")')
    payment_record(invoice=invoice, amount_cents=200, method="cash", actor=regie_agent)
    period = {"start": invoice.issue_date.isoformat(), "end": invoice.issue_date.isoformat()}
    for kind, expected in (("factures", invoice.number), ("paiements", "2,00"), ("impayes", invoice.number)):
        data = dict(period, kind=kind)
        if kind == "impayes":
            data["end"] = (invoice.due_date + datetime.timedelta(days=1)).isoformat()
        response = regie_client.post(reverse("billing_exports:index"), data)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        content = response.content.decode("utf-8-sig")
        assert expected in content, kind
        assert "'=HYPERLINK" in content and "\n=HYPERLINK" not in content and ";=HYPERLINK" not in content
    response = regie_client.post(reverse("billing_exports:index"), {"kind": "avoirs", "end": "2020-01-01"})
    assert response.status_code == 400
