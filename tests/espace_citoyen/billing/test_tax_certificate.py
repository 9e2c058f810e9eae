"""The « attestation de frais de garde » (tax certificate for the care of children under
six): what is certified (children under six on 1 January as the tax form reads it, childcare
activities only – meals excluded –, payments received in the year, credit notes deducted,
partial payments spread pro rata), the PDF a family reads (town, parents, child, birth date,
amount, date and place, the mayor's line, the rule in a footnote), when it is offered (from
January of the next year), household scoping (404), and the Régie's screen with and without
the permission.

Every test runs "on" a fixed day (``timezone.localdate`` patched): 4 January 2027 unless it
says otherwise, so that the year 2026 is over and its certificate offered."""

from __future__ import annotations

import datetime
import io
import itertools

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from espace_citoyen.activities.models import Activity
from espace_citoyen.billing.models import Invoice, InvoiceLine, LineReason
from espace_citoyen.billing.selectors import certificates as selectors
from espace_citoyen.billing.services.credit_notes import credit_note_create
from espace_citoyen.billing.services.payments import payment_record
from espace_citoyen.family.models import Child, Membership

from tests.espace_citoyen.activities._agents import pole_scolaire_agent
from tests.factories import demo_school_year_label

from .conftest import make_activity, make_agent, make_family, make_year, page_text

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2027, 1, 4)
_numbers = itertools.count(1)
_real_localdate = timezone.localdate


def set_today(monkeypatch, day: D) -> None:
    """``timezone.localdate()`` answers ``day`` everywhere (a given value is still converted)."""
    monkeypatch.setattr(timezone, "localdate", lambda value=None, *args, **kwargs: (
        day if value is None else _real_localdate(value, *args, **kwargs)))


@pytest.fixture(autouse=True)
def on_fourth_of_january(monkeypatch):
    set_today(monkeypatch, TODAY)


def pdf_text(content: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace("\u00a0", " ")
    return " ".join(text.split())


def euros(cents: int) -> str:
    whole, rest = divmod(cents, 100)
    return f"{whole:,}".replace(",", " ") + f",{rest:02d} €"


@pytest.fixture
def catalogue(db):
    year = make_year("T-garde")
    care = make_activity("Accueil du soir AFG", year=year, tariff=False)
    leisure = make_activity("Accueil de loisirs AFG", year=year, tariff=False)
    canteen = make_activity("Restauration AFG", year=year, tariff=False)
    Activity.objects.filter(pk__in=[care.pk, leisure.pk]).update(childcare=True)
    return {"care": care, "leisure": leisure, "canteen": canteen}


def child(household, first_name: str, birth_date: D, last_name: str = "Garde") -> Child:
    return Child.objects.create(household=household, first_name=first_name, last_name=last_name,
                                birth_date=birth_date)


def invoice(household, month: D, lines: list[tuple[Child, Activity, int]]) -> Invoice:
    """An issued invoice of ``month`` with one line per (child, activity, cents)."""
    number = f"FT-{next(_numbers):05d}"
    issued = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    created = Invoice.objects.create(number=number, household=household, month=month, issue_date=issued,
                                     due_date=issued + datetime.timedelta(days=15), addressee="Sophie Garde",
                                     total_cents=sum(cents for _c, _a, cents in lines), pricing_note="Test")
    InvoiceLine.objects.bulk_create([
        InvoiceLine(invoice=created, child=kid, child_name=f"{kid.first_name} {kid.last_name}", activity=activity,
                    activity_name=activity.name, date=month, reason=LineReason.PRESENT, unit_price_cents=cents,
                    amount_cents=cents, bracket_label="Test")
        for kid, activity, cents in lines])
    return created


def pay(invoice_row: Invoice, cents: int, on: D, agent):
    return payment_record(invoice=invoice_row, amount_cents=cents, method="cash", received_on=on, actor=agent)


def amounts(household, year: int) -> dict[str, int]:
    certificate = selectors.childcare_certificate(household=household, year=year)
    return {kid.first_name: kid.amount_cents for kid in certificate.children} if certificate else {}


# --- What is certified --------------------------------------------------------------------


def test_under_six_on_first_january_as_the_tax_form_reads_it(catalogue, regie_agent):
    _user, household, _kids = make_family("afg.age@example.fr", children=(), last_name="Garde")
    born_on_first_january = child(household, "Lou", D(2020, 1, 1))  # 6 on 1 January 2026: "né en 2020" counts
    six_and_a_day = child(household, "Max", D(2019, 12, 31))  # 6 years and a day on 1 January 2026
    five = child(household, "Zoé", D(2021, 6, 15))
    october = invoice(household, D(2026, 10, 1), [(born_on_first_january, catalogue["care"], 3000),
                                                   (six_and_a_day, catalogue["care"], 2000),
                                                   (five, catalogue["leisure"], 4500)])
    pay(october, 9500, D(2026, 11, 5), regie_agent)
    assert amounts(household, 2026) == {"Lou": 3000, "Zoé": 4500}
    assert selectors.eligible_birth_date(2026) == D(2020, 1, 1)


def test_meals_are_excluded(catalogue, regie_agent):
    _user, household, _kids = make_family("afg.repas@example.fr", children=(), last_name="Garde")
    zoe = child(household, "Zoé", D(2021, 6, 15))
    mixed = invoice(household, D(2026, 9, 1), [(zoe, catalogue["canteen"], 4000), (zoe, catalogue["care"], 2000)])
    pay(mixed, 6000, D(2026, 10, 2), regie_agent)
    assert amounts(household, 2026) == {"Zoé": 2000}
    meals_only = invoice(household, D(2026, 10, 1), [(zoe, catalogue["canteen"], 4000)])
    pay(meals_only, 4000, D(2026, 11, 2), regie_agent)
    assert amounts(household, 2026) == {"Zoé": 2000}


def test_payments_count_in_the_year_they_are_received(catalogue, regie_agent, monkeypatch):
    set_today(monkeypatch, D(2026, 1, 5))
    _user, household, _kids = make_family("afg.annee@example.fr", children=(), last_name="Garde")
    zoe = child(household, "Zoé", D(2021, 6, 15))
    november = invoice(household, D(2025, 11, 1), [(zoe, catalogue["care"], 1500)])
    december = invoice(household, D(2025, 12, 1), [(zoe, catalogue["care"], 2500)])
    pay(november, 1500, D(2025, 12, 31), regie_agent)  # the last day of 2025
    pay(december, 2500, D(2026, 1, 1), regie_agent)  # the first day of 2026, for a month of 2025
    assert amounts(household, 2025) == {"Zoé": 1500}
    assert amounts(household, 2026) == {"Zoé": 2500}
    assert amounts(household, 2024) == {}


def test_partial_payments_are_spread_pro_rata_after_credit_notes(catalogue, regie_agent):
    _user, household, _kids = make_family("afg.partiel@example.fr", children=(), last_name="Garde")
    zoe = child(household, "Zoé", D(2021, 6, 15))
    row = invoice(household, D(2025, 11, 1), [(zoe, catalogue["care"], 6000), (zoe, catalogue["canteen"], 4000)])
    care_line = row.lines.get(activity=catalogue["care"])
    credit_note_create(invoice=row, lines={care_line.pk: 1000}, reason="Accueil fermé un soir", actor=regie_agent,
                       today=D(2025, 12, 2))
    # Net: 90,00 € of which 50,00 € of care. 30,00 € paid in 2025, 60,00 € in 2026.
    pay(row, 3000, D(2025, 12, 15), regie_agent)
    pay(row, 6000, D(2026, 1, 3), regie_agent)
    assert amounts(household, 2025) == {"Zoé": 1667}  # 30 × 50 / 90 = 16,666… → 16,67 €
    assert amounts(household, 2026) == {"Zoé": 3333}  # 60 × 50 / 90 = 33,33 €: 50,00 € over the two years


def test_a_credit_note_after_payment_is_deducted(catalogue, regie_agent):
    """Paid in full, then a day credited: the family is refunded, what it kept paying is 15 €."""
    _user, household, _kids = make_family("afg.avoir@example.fr", children=(), last_name="Garde")
    zoe = child(household, "Zoé", D(2021, 6, 15))
    row = invoice(household, D(2026, 11, 1), [(zoe, catalogue["care"], 2000)])
    pay(row, 2000, D(2026, 12, 3), regie_agent)
    assert amounts(household, 2026) == {"Zoé": 2000}
    credit_note_create(invoice=row, lines={row.lines.get().pk: 500}, reason="Jour fermé", actor=regie_agent,
                       today=D(2026, 12, 10))
    assert amounts(household, 2026) == {"Zoé": 1500}


def test_unpaid_or_cancelled_invoices_certify_nothing(catalogue, regie_agent):
    _user, household, _kids = make_family("afg.impaye@example.fr", children=(), last_name="Garde")
    zoe = child(household, "Zoé", D(2021, 6, 15))
    invoice(household, D(2026, 11, 1), [(zoe, catalogue["care"], 2000)])  # not paid
    cancelled = invoice(household, D(2026, 10, 1), [(zoe, catalogue["care"], 1000)])
    credit_note_create(invoice=cancelled, lines=None, reason="Annulée", actor=regie_agent, today=D(2026, 11, 2))
    assert amounts(household, 2026) == {}
    assert selectors.childcare_certificate_years(household_ids=[household.pk]) == []


# --- The PDF --------------------------------------------------------------------------------


@pytest.fixture
def family(catalogue, regie_agent):
    """Sophie and Marc Garde; Lou (5) with care and canteen paid in 2026, Max (7) with care;
    another household with its own certificate."""
    user, household, _kids = make_family("afg.famille@example.fr", children=(), last_name="Garde")
    second = make_family("afg.conjoint@example.fr", children=(), last_name="Garde")[0]
    second.first_name = "Marc"
    second.save(update_fields=["first_name"])
    Membership.objects.filter(user=second).update(household=household)
    lou = child(household, "Lou", D(2021, 3, 9))
    max_ = child(household, "Max", D(2019, 5, 2))
    row = invoice(household, D(2026, 10, 1), [(lou, catalogue["care"], 4250), (lou, catalogue["canteen"], 3000),
                                              (max_, catalogue["care"], 1800)])
    pay(row, 9050, D(2026, 11, 4), regie_agent)
    other_user, other_household, _ = make_family("afg.autre@example.fr", children=(), last_name="Autre")
    other_child = child(other_household, "Inès", D(2022, 2, 2), last_name="Autre")
    pay(invoice(other_household, D(2026, 10, 1), [(other_child, catalogue["care"], 1234)]), 1234, D(2026, 11, 4),
        regie_agent)
    return {"user": user, "household": household, "row": row, "other_user": other_user,
            "other_household": other_household}


def test_certificate_pdf_reads_as_a_certificate(client, family):
    client.force_login(family["user"])
    response = client.get(reverse("billing:childcare_certificate", args=[2026]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="attestation-frais-de-garde-2026.pdf"' == response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    for expected in (
        "Mairie de Villennes-sur-Seine", "1, place de la Mairie", "01 39 08 25 40",  # the town's settings
        "ATTESTATION DE FRAIS DE GARDE", f"AFG-2026-{family['household'].pk:05d}",
        "Sophie Garde et Marc Garde", "2 rue des Tests", "78670 Villennes-sur-Seine",
        "Frais de garde des enfants de moins de 6 ans – année 2026",
        "ont payé à la commune, du 1er janvier au 31 décembre 2026", "Lou Garde", "9 mars 2021",
        euros(4250), family["row"].number, "octobre 2026", "Total payé en 2026",
        "Fait à Villennes-sur-Seine, le 4 janvier 2027", "Le Maire / Pour le Maire",
        "nés à compter du 1er janvier 2020", "Les repas (restauration scolaire) sont exclus",
        "Les avoirs sont déduits", "au prorata", "7GA",
    ):
        assert expected in text, expected
    assert "Max Garde" not in text  # 7 on 1 January 2026
    assert euros(7250) not in text and euros(3000) not in text  # the canteen is not care
    assert "Inès" not in text and euros(1234) not in text
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1  # one page per child


def test_one_page_per_child(client, family, catalogue, regie_agent):
    zoe = child(family["household"], "Zoé", D(2023, 8, 20))
    pay(invoice(family["household"], D(2026, 11, 1), [(zoe, catalogue["leisure"], 900)]), 900, D(2026, 12, 20),
        regie_agent)
    client.force_login(family["user"])
    reader = PdfReader(io.BytesIO(client.get(reverse("billing:childcare_certificate", args=[2026])).content))
    pages = [" ".join(page.extract_text().replace("\u00a0", " ").split()) for page in reader.pages]
    assert len(pages) == 2
    assert "Lou Garde" in pages[0] and euros(4250) in pages[0] and "Zoé" not in pages[0]
    assert "Zoé Garde" in pages[1] and "20 août 2023" in pages[1] and euros(900) in pages[1]
    assert "page 2/2" in pages[1]


# --- When and to whom it is offered -------------------------------------------------------------


def test_offered_on_the_invoices_page_from_january(client, family, monkeypatch):
    client.force_login(family["user"])
    set_today(monkeypatch, D(2026, 12, 31))
    text = page_text(client.get(reverse("billing:list")))
    assert "Attestation de frais de garde 2026" not in text
    assert "Aucune attestation à télécharger" in text
    assert "L'attestation de 2026 sera proposée ici à partir de janvier 2027" in text
    assert client.get(reverse("billing:childcare_certificate", args=[2026])).status_code == 404
    set_today(monkeypatch, D(2027, 1, 1))
    response = client.get(reverse("billing:list"))
    text = page_text(response)
    assert "Attestation de frais de garde 2026 (PDF)" in text
    assert reverse("billing:childcare_certificate", args=[2026]) in response.content.decode()
    assert client.get(reverse("billing:childcare_certificate", args=[2026])).status_code == 200


def test_nothing_to_certify_says_why(client, catalogue, regie_agent):
    user, household, _kids = make_family("afg.rien@example.fr", children=(), last_name="Garde")
    older = child(household, "Léo", D(2017, 4, 4))
    pay(invoice(household, D(2026, 10, 1), [(older, catalogue["care"], 1500)]), 1500, D(2026, 10, 20), regie_agent)
    client.force_login(user)
    text = page_text(client.get(reverse("billing:list")))
    assert "Aucune attestation à télécharger" in text and "moins de 6 ans au 1er janvier" in text
    assert client.get(reverse("billing:childcare_certificate", args=[2026])).status_code == 404


def test_another_household_gets_a_404(client, family):
    client.force_login(family["other_user"])
    response = client.get(reverse("billing:childcare_certificate", args=[2026]))
    text = pdf_text(response.content)
    assert "Inès Autre" in text and "Lou Garde" not in text and "Sophie Garde" not in text
    assert client.get(reverse("billing:childcare_certificate", args=[2025])).status_code == 404
    outsider = make_family("afg.seul@example.fr", children=())[0]
    client.force_login(outsider)
    assert client.get(reverse("billing:childcare_certificate", args=[2026])).status_code == 404


def test_anonymous_is_sent_to_login(client, family):
    response = client.get(reverse("billing:childcare_certificate", args=[2026]))
    assert response.status_code == 302 and "connexion" in response["Location"]


# --- The Régie's screen ---------------------------------------------------------------------------


def test_regie_agent_finds_a_household_and_downloads_its_certificate(client, otp_login, regie_agent, family):
    otp_login(client, regie_agent)
    index = reverse("billing_childcare_certificates:index")
    response = client.get(index, {"q": "garde sophie", "annee": "2026"})
    text = page_text(response)
    assert response.status_code == 200
    assert f"Foyer n° {family['household'].pk}" in text and "Lou Garde" in text
    assert euros(4250) in text and f"Foyer n° {family['other_household'].pk}" not in text
    url = reverse("billing_childcare_certificates:pdf", args=[family["household"].pk, 2026])
    assert url in response.content.decode()
    pdf = client.get(url)
    assert pdf.status_code == 200 and "Lou Garde" in pdf_text(pdf.content)
    # From the household's quotient page, then a year with nothing, then one not over.
    text = page_text(client.get(index, {"foyer": family["household"].pk, "annee": "2025"}))
    assert "Rien à attester pour 2025" in text
    assert client.get(reverse("billing_childcare_certificates:pdf", args=[family["household"].pk, 2025])
                      ).status_code == 404
    assert client.get(reverse("billing_childcare_certificates:pdf", args=[family["household"].pk, 2027])
                      ).status_code == 404
    text = page_text(client.get(index, {"q": "garde", "annee": "2027"}))
    assert "choisissez une année" in text
    quotients = page_text(client.get(reverse("billing_quotients:household", args=[family["household"].pk])))
    assert "Attestations de frais de garde de ce foyer" in quotients


def test_without_the_permission_the_screen_is_refused(client, otp_login, family, scolaire_agent):
    otp_login(client, scolaire_agent)
    for url in (reverse("billing_childcare_certificates:index") + "?q=garde",
                reverse("billing_childcare_certificates:pdf", args=[family["household"].pk, 2026]),
                reverse("billing_childcare_certificates:pdf", args=[999999, 2026])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home"), url
    relations = make_agent("afg.rp@ville-villennes-sur-seine.fr", Group.objects.get_or_create(name="Sans droits")[0])
    otp_login(client, relations)
    assert client.get(reverse("billing_childcare_certificates:index")).status_code == 302


# --- The catalogue's flag ---------------------------------------------------------------------


def test_demo_flags_care_and_leisure_not_the_canteen():
    flags = dict(Activity.objects.filter(school_year__label=demo_school_year_label()).values_list("name", "childcare"))
    assert flags["Accueil du matin"] and flags["Accueil du soir"]
    assert flags["Accueil de loisirs du mercredi"] and flags["Accueil de loisirs des vacances"]
    assert not flags["Restauration scolaire"] and not flags["Étude surveillée"]


def test_pole_scolaire_ticks_childcare_in_the_catalogue(client, otp_login):
    otp_login(client, pole_scolaire_agent())
    activity = Activity.objects.exclude(booking_rule=None).filter(childcare=False).select_related(
        "school_year").first()
    url = reverse("activities_activities:edit", args=[activity.pk])
    form = page_text(client.get(url))
    assert "Garde d'enfants (périscolaire, accueil de loisirs…) : comptée dans l'attestation de frais de garde. " \
           "Les repas ne le sont pas." in form
    data = {"school_year": activity.school_year_id, "name": activity.name, "period": activity.period,
            "weekdays": [str(day) for day in activity.weekdays], "classes": ", ".join(activity.classes),
            "capacity": str(activity.capacity), "booking_rule": activity.booking_rule_id,
            "schools": list(activity.schools.values_list("pk", flat=True)), "childcare": "on"}
    if activity.is_active:
        data["is_active"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, page_text(response)[:2000]
    activity.refresh_from_db()
    assert activity.childcare


def test_query_count_does_not_grow_with_invoices(catalogue, regie_agent):
    def household_with(invoices: int, tag: str):
        _user, household, _kids = make_family(f"afg.requetes.{tag}@example.fr", children=(), last_name="Garde")
        kids = [child(household, name, D(2021, 1, 10)) for name in ("Lou", "Zoé")]
        for index in range(invoices):
            row = invoice(household, D(2026, 1 + index, 1), [(kid, catalogue["care"], 1000) for kid in kids])
            pay(row, 2000, D(2026, 2 + index, 3), regie_agent)
        return household

    small, large = household_with(1, "petit"), household_with(6, "grand")
    with CaptureQueriesContext(connection) as few:
        assert amounts(small, 2026) == {"Lou": 1000, "Zoé": 1000}
    with CaptureQueriesContext(connection) as many:
        assert amounts(large, 2026) == {"Lou": 6000, "Zoé": 6000}
    assert len(few) == len(many) <= 6
