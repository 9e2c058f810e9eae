"""Import of the Portail Famille bookings (before the portal, since September 2019)."""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from espace_citoyen.activities.models import Activity, Occurrence, Reservation, ReservationSource, SchoolYear
from espace_citoyen.family.models import Child, Household

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "portail_famille_reservations_sample.csv"


@pytest.fixture
def legacy_children():
    household = Household.objects.create(legacy_id="1042")
    other = Household.objects.create(legacy_id="1043")
    return {
        "1042-1": Child.objects.create(household=household, first_name="Léa", last_name="Martin", legacy_id="1042-1"),
        "1042-2": Child.objects.create(household=household, first_name="Hugo", last_name="Martin", legacy_id="1042-2"),
        "1043-1": Child.objects.create(household=other, first_name="Inès", last_name="Durand", legacy_id="1043-1"),
    }


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_portail_famille_reservations", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_sample_is_imported_idempotently(legacy_children):
    out, err = run(str(SAMPLE))
    assert "5 réservation(s) créée(s)" in out and err == ""
    legacy = Reservation.objects.filter(source=ReservationSource.LEGACY, child__in=legacy_children.values())
    assert legacy.count() == 5
    lea = legacy_children["1042-1"]
    assert set(Reservation.objects.filter(child=lea, status="booked").values_list("occurrence__date", flat=True)) == {
        date(2019, 9, 2), date(2019, 9, 3)}
    assert Reservation.objects.get(legacy_id="PF-R-000103").status == "cancelled"
    year = SchoolYear.objects.get(label="2019-2020")
    assert year.starts_on == date(2019, 9, 1)
    canteen = Activity.objects.get(school_year=year, name="Restauration scolaire")
    day = Occurrence.objects.get(activity=canteen, date=date(2019, 9, 3))
    assert day.booked_count == 1
    # The cancelled booking does not take a place.
    soir = Occurrence.objects.get(activity__name="Accueil du soir", date=date(2019, 9, 3))
    assert soir.booked_count == 0
    counts = (SchoolYear.objects.count(), Activity.objects.count(), Occurrence.objects.count())

    out, err = run(str(SAMPLE))
    assert "0 réservation(s) créée(s), 0 mise(s) à jour, 5 inchangée(s)" in out
    assert legacy.count() == 5
    assert (SchoolYear.objects.count(), Activity.objects.count(), Occurrence.objects.count()) == counts
    assert Occurrence.objects.get(pk=day.pk).booked_count == 1


def test_dry_run_saves_nothing(legacy_children):
    out, _err = run(str(SAMPLE), "--dry-run")
    assert "[essai, rien n'est enregistré] 5 réservation(s) créée(s)" in out
    assert not Reservation.objects.filter(source=ReservationSource.LEGACY, child__in=legacy_children.values()).exists()
    assert not SchoolYear.objects.filter(label="2019-2020").exists()


def test_bad_lines_are_reported_with_line_numbers(legacy_children, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "reservation;enfant;activite;annee;date;statut\n"
        "PF-1;1042-1;Restauration scolaire;2019-2020;31/02/2020;réservé\n"
        "PF-2;9999-9;Restauration scolaire;2019-2020;02/09/2019;réservé\n"
        "PF-3;1042-1;Restauration scolaire;2019-2020;02/09/2019;peut-être\n"
        "PF-4;1042-1;Restauration scolaire;2019-2020;02/09/2019;réservé\n",
        encoding="utf-8",
    )
    out, err = run(str(path))
    assert "1 réservation(s) créée(s)" in out and "3 ligne(s) en erreur" in out
    assert "Ligne 2 : date « 31/02/2020 » invalide" in err
    assert "Ligne 3 : enfant « 9999-9 » introuvable" in err
    assert "Ligne 4 : statut « peut-être » inconnu" in err


def test_capacity_is_raised_rather_than_violating_the_check(legacy_children, tmp_path):
    run(str(SAMPLE))
    day = Occurrence.objects.get(activity__name="Restauration scolaire", date=date(2019, 9, 2))
    Occurrence.objects.filter(pk=day.pk).update(capacity=1)
    path = tmp_path / "r.csv"
    path.write_text("reservation;enfant;activite;annee;date;statut\n"
                    "PF-9;1043-1;Restauration scolaire;2019-2020;02/09/2019;réservé\n", encoding="utf-8")
    out, err = run(str(path))
    assert "1 réservation(s) créée(s)" in out, err
    day.refresh_from_db()
    assert (day.booked_count, day.capacity) == (2, 2)


def test_status_change_is_applied_on_reimport(legacy_children, tmp_path):
    run(str(SAMPLE))
    path = tmp_path / "r.csv"
    path.write_text("reservation;enfant;activite;annee;date;statut\n"
                    "PF-R-000101;1042-1;Restauration scolaire;2019-2020;02/09/2019;annulé\n", encoding="utf-8")
    out, _err = run(str(path))
    assert "1 mise(s) à jour" in out
    assert Reservation.objects.get(legacy_id="PF-R-000101").status == "cancelled"
    assert Occurrence.objects.get(activity__name="Restauration scolaire", date=date(2019, 9, 2)).booked_count == 0
