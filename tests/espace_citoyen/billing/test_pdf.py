"""The invoice's PDF as a family reads it (text extracted with pypdf): the town's header from
the site settings, household, number and dates, lines by child and activity with their days
and unit price, the bracket (or "tarif maximal : quotient non transmis"), total, paid,
balance, due date and how to pay."""

import io

import pytest
from pypdf import PdfReader

from espace_citoyen.activities.models import AttendanceStatus
from espace_citoyen.billing.pdf import _safe, render_invoice
from espace_citoyen.billing.services.pricing import quotient_set
from espace_citoyen.core.town import TownContact

from .conftest import LAST_MONTH, book, issue_invoice, make_activity, make_family, make_year, weekdays_of

pytestmark = pytest.mark.django_db

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
          "décembre"]


def _text(content: bytes) -> str:
    """The pages' text, spaces and line breaks collapsed (a cell may wrap anywhere)."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace("\u00a0", " ")
    return " ".join(text.split())


def _stored_text(invoice) -> str:
    with invoice.pdf.open("rb") as handle:
        return _text(handle.read())


def test_invoice_pdf_content(regie_agent):
    year = make_year()
    canteen = make_activity("Restauration PDF", year=year)
    evening = make_activity("Accueil du soir PDF", year=year, prices=(90, 150, 200, 250))
    _user, household, (first, second) = make_family("pdf@example.fr", children=("Léa", "Tom"), last_name="Pédéf")
    quotient_set(household=household, school_year=year, quotient=842, actor=regie_agent)
    tuesdays = weekdays_of(LAST_MONTH, 1)
    for day in tuesdays[:3]:
        book(first, canteen, day, attendance=AttendanceStatus.PRESENT)
    book(second, evening, tuesdays[0], attendance=AttendanceStatus.ABSENT)
    invoice = issue_invoice(household)
    text = _stored_text(invoice)
    for expected in (
        "Mairie de Villennes-sur-Seine", "1, place de la Mairie", "01 39 08 25 40",  # site settings
        "FACTURE", f"N° {invoice.number}", "Sophie Pédéf", "2 rue des Tests", "78670 Villennes-sur-Seine",
        f"{invoice.issue_date:%d/%m/%Y}", f"{MONTHS[LAST_MONTH.month - 1]} {LAST_MONTH.year}",
        f"{invoice.due_date:%d/%m/%Y}",
        "Léa Pédéf", "Restauration PDF", "Tom Pédéf", "Accueil du soir PDF", "absence non justifiée",
        "Quotient familial de 842 € : tranche de 500 € à 899 €",
        "2,50 €", "7,50 €", "1,50 €",  # unit price, 3 days, the evening
        "Total de la facture", "9,00 €", "Déjà payé", "0,00 €", "Reste à payer",
        "Au guichet de la mairie", "Trésor public", "/espace-citoyen/factures/",
    ):
        assert expected in text, expected
    assert f"mar. {tuesdays[0].day}" in text or "mar. 1er" in text


def test_no_quotient_says_why_and_how_to_send_one():
    activity = make_activity("Cantine sans QF")
    _user, household, (child,) = make_family("pdf.sansqf@example.fr")
    book(child, activity, weekdays_of(LAST_MONTH, 3)[0])
    text = _stored_text(issue_invoice(household))
    assert "Tarif maximal : quotient non transmis" in text
    assert "transmettez votre attestation" in text
    assert "5,00 €" in text


def test_surcharge_and_regularisation_are_written():
    from espace_citoyen.billing.models import Invoice, InvoiceLine

    activity = make_activity("Cantine majorée")
    _user, household, (child,) = make_family("pdf.majoration@example.fr")
    book(child, activity, weekdays_of(LAST_MONTH, 1)[0])
    invoice = issue_invoice(household)
    InvoiceLine.objects.filter(invoice=invoice).update(surcharge_cents=100, amount_cents=600, is_regularisation=True)
    invoice = Invoice.objects.get(pk=invoice.pk)
    text = _text(render_invoice(invoice=invoice, lines=list(invoice.lines.all()), site_url="https://example.fr",
                                town=TownContact(name="Villennes-sur-Seine", phone="", phone_secondary="", email="",
                                                 address=""), online_payment=True))
    assert "régularisation" in text and "majoration pour réservation tardive : 1,00 €" in text
    assert "En ligne, par carte bancaire : https://example.fr/espace-citoyen/factures/" in text


def test_long_invoices_break_pages_with_their_headings():
    activity = make_activity("Cantine longue")
    _user, household, children = make_family("pdf.long@example.fr", children=tuple(f"Enfant{i}" for i in range(12)))
    for index, child in enumerate(children):
        book(child, activity, weekdays_of(LAST_MONTH, index % 5)[0])
    invoice = issue_invoice(household)
    with invoice.pdf.open("rb") as handle:
        reader = PdfReader(handle)
        pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 2 and all(invoice.number in page for page in pages)
    assert "page 1/" in pages[0].replace("\u00a0", " ")


def test_characters_outside_the_pdf_font_are_replaced():
    assert _safe("Zoë Œdipe «ok» 12\u00a0€") == "Zoë Œdipe «ok» 12\u00a0€"
    assert _safe("Łukasz 李") == "Lukasz ?"
