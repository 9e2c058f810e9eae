"""The citizen booking history of a child: every reservation (booked, cancelled, made on the
portal, by an agent, or imported from the Portail Famille whatever the year), filters,
pagination, CSV download, scoping to the household and a bounded number of queries."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from espace_citoyen.accounts.models import AccountStatus
from espace_citoyen.portail_famille.services.bookings import import_reservations
from espace_citoyen.activities.models import (
    AttendanceStatus,
    Dossier,
    Reservation,
    ReservationSource,
    ReservationStatus,
    SchoolYear,
)
from espace_citoyen.activities.services.attendance import attendance_mark
from espace_citoyen.activities.services.booking import reservation_book, reservation_cancel
from espace_citoyen.core.business_calendar import PARIS

from ._agents import pole_scolaire_agent
from .agenda_factories import (
    make_activity,
    make_occurrence,
    make_parent,
    next_weekday,
    page_text,
    today,
    validate_dossier,
)

pytestmark = pytest.mark.django_db

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]


def short_label(day: datetime.date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def history_url(child, **params):
    url = reverse("activities:history", args=[child.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


@pytest.fixture
def family():
    parent, (chloe,) = make_parent("historique.parent@example.fr", children=("Chloé",))
    stranger, (hugo,) = make_parent("historique.voisin@example.fr", first_name="Paul", last_name="Petit",
                                    children=("Hugo",))
    return {"parent": parent, "chloe": chloe, "stranger": stranger, "hugo": hugo}


def legacy_import(child, rows):
    """Import Portail Famille bookings for ``child`` through the real import function."""
    child.legacy_id = "H-9001-1"
    child.save(update_fields=["legacy_id"])
    lines = ["reservation;enfant;activite;annee;date;statut"]
    lines += [f"{legacy_id};H-9001-1;{activity};{year};{day};{status}" for legacy_id, activity, year, day, status
              in rows]
    report = import_reservations(io.StringIO("\n".join(lines) + "\n"))
    assert report.errors == [] and report.created == len(rows)
    return report


def bulk_reservations(child, count, *, name="Accueil du soir"):
    """``count`` booked days of one activity, created directly (a read-only page is tested)."""
    activity = make_activity(name=name, label="T-histo")
    start = today() - datetime.timedelta(days=100)
    for offset in range(count):
        occurrence = make_occurrence(activity, start + datetime.timedelta(days=offset))
        Reservation.objects.create(child=child, occurrence=occurrence, status=ReservationStatus.BOOKED)
    return activity


def test_booked_and_cancelled_with_origin_and_presence(client, family, django_capture_on_commit_callbacks):
    chloe, parent = family["chloe"], family["parent"]
    activity = make_activity(name="Restauration scolaire", label="T-histo")
    validate_dossier(chloe, activity)
    tuesday = next_weekday(today(), 1, weeks=3)
    thursday = next_weekday(today(), 3, weeks=3)
    friday = next_weekday(today(), 4, weeks=4)
    occ_tuesday, occ_thursday = make_occurrence(activity, tuesday), make_occurrence(activity, thursday)
    occ_friday = make_occurrence(activity, friday)
    with django_capture_on_commit_callbacks(execute=True):
        reservation_book(child=chloe, occurrence=occ_tuesday, actor=parent)
        cancelled = reservation_book(child=chloe, occurrence=occ_thursday, actor=parent)
        reservation_cancel(reservation=cancelled, actor=parent)
        agent = pole_scolaire_agent()
        by_agent = reservation_book(child=chloe, occurrence=occ_friday, actor=agent,
                                    override_reason="Demande par téléphone")
    attendance_mark(reservation=by_agent, status=AttendanceStatus.ABSENT, actor=agent)
    cancelled.refresh_from_db()

    client.force_login(parent)
    response = client.get(history_url(chloe))
    text = page_text(response)
    assert response.status_code == 200
    assert "<h1>Historique des réservations de Chloé</h1>" in text
    assert "<caption>Réservations de Chloé" in text and '<th scope="col">Origine</th>' in text
    assert "3 réservation(s)" in text
    assert f"mardi {tuesday.day if tuesday.day > 1 else '1er'} {MONTHS[tuesday.month - 1]}" in text.lower()
    cancelled_on = cancelled.cancelled_at.astimezone(PARIS).date()
    assert f"Annulé le {short_label(cancelled_on)}" in text
    assert text.count(">Réservé<") == 2
    assert "Espace citoyen" in text
    assert "Agent de la mairie – motif : Demande par téléphone" in text
    assert '<td data-label="Présence">Absent</td>' in text
    assert '<td data-label="Présence">—</td>' in text
    # Newest day first: the agent's Friday comes before the Tuesday.
    assert text.index(short_label(friday)) < text.index(short_label(tuesday))


def test_legacy_booking_shows_without_any_dossier(client, family):
    chloe = family["chloe"]
    legacy_import(chloe, [("PF-H-1", "Restauration scolaire", "2019-2020", "03/09/2019", "réservé"),
                          ("PF-H-2", "Accueil du soir", "2019-2020", "05/11/2019", "annulé")])
    assert not Dossier.objects.filter(child=chloe).exists()
    assert Reservation.objects.filter(child=chloe, source=ReservationSource.LEGACY).count() == 2

    client.force_login(family["parent"])
    text = page_text(client.get(history_url(chloe)))
    assert "Mardi 3 septembre 2019" in text
    assert "Mardi 5 novembre 2019" in text
    assert text.count("Portail Famille (reprise)") == 2
    assert "2 réservation(s)" in text
    assert '<option value="2019-2020">2019-2020</option>' in text


def test_year_and_activity_filters(client, family):
    chloe = family["chloe"]
    legacy_import(chloe, [("PF-H-10", "Restauration scolaire", "2019-2020", "03/09/2019", "réservé"),
                          ("PF-H-11", "Restauration scolaire", "2020-2021", "08/09/2020", "réservé"),
                          ("PF-H-12", "Accueil du soir", "2020-2021", "10/09/2020", "réservé")])
    client.force_login(family["parent"])

    text = page_text(client.get(history_url(chloe, annee="2019-2020")))
    assert "1 réservation(s) correspondant à ces critères" in text
    assert "3 septembre 2019" in text and "8 septembre 2020" not in text
    assert '<option value="2019-2020" selected>' in text
    assert '<label class="form-field__label" for="id_annee">Année scolaire</label>' in text
    assert '<label class="form-field__label" for="id_activite">Activité</label>' in text
    assert "Accueil du soir" not in text  # activity choices limited to the chosen year

    all_years = page_text(client.get(history_url(chloe)))
    assert "3 réservation(s)" in all_years and "Toutes les années" in all_years
    assert "Accueil du soir (2020-2021)" in all_years

    soir = Reservation.objects.get(legacy_id="PF-H-12").occurrence.activity
    text = page_text(client.get(history_url(chloe, annee="2020-2021", activite=soir.pk)))
    assert "1 réservation(s)" in text and "10 septembre 2020" in text and "8 septembre 2020" not in text

    # Bad values: ignored with a notice, no crash, everything shown.
    response = client.get(history_url(chloe, annee="1999-2000", activite="abc"))
    text = page_text(response)
    assert response.status_code == 200
    assert "L'année scolaire « 1999-2000 » n'apparaît pas dans l'historique de Chloé" in text
    assert "L'activité demandée n'apparaît pas dans cet historique" in text
    assert "3 réservation(s)" in text
    # An activity of another year than the one chosen is ignored too.
    text = page_text(client.get(history_url(chloe, annee="2019-2020", activite=soir.pk)))
    assert "L'activité demandée n'apparaît pas" in text and "1 réservation(s)" in text


def test_empty_states(client, family):
    chloe = family["chloe"]
    client.force_login(family["parent"])
    text = page_text(client.get(history_url(chloe)))
    assert "Aucune réservation pour Chloé." in text
    assert "<table" not in text and "Télécharger l'historique" not in text
    legacy_import(chloe, [("PF-H-20", "Restauration scolaire", "2019-2020", "03/09/2019", "réservé")])
    # A real school year in which Chloé has no reservation: the empty state of that year.
    SchoolYear.objects.create(label="2031-2032", starts_on=datetime.date(2031, 9, 1),
                              ends_on=datetime.date(2032, 7, 4))
    response = client.get(history_url(chloe, annee="2031-2032"))
    text = page_text(response)
    assert response.status_code == 200
    assert "Aucune réservation pour Chloé pour cette année scolaire." in text
    assert '<option value="2031-2032" selected>' in text and "n'apparaît pas" not in text


def test_pagination_keeps_filters(client, family):
    chloe = family["chloe"]
    bulk_reservations(chloe, 30)
    client.force_login(family["parent"])
    first = page_text(client.get(history_url(chloe)))
    assert "30 réservation(s)" in first
    assert "Page 1 sur 2" in first and "Page suivante" in first and "Page précédente" not in first
    assert first.count('<th scope="row">') == 25

    second = page_text(client.get(history_url(chloe, annee="T-histo", page=2)))
    assert "Page 2 sur 2" in second and "Page précédente" in second
    assert second.count('<th scope="row">') == 5
    assert 'href="?annee=T-histo&page=1" rel="prev"' in second  # the filter is kept
    oldest = today() - datetime.timedelta(days=100)
    assert short_label(oldest) in second and short_label(oldest) not in first


def test_csv_download(client, family):
    chloe = family["chloe"]
    legacy_import(chloe, [("PF-H-30", "Restauration scolaire", "2019-2020", "03/09/2019", "réservé"),
                          ("PF-H-31", "Accueil du soir", "2020-2021", "10/09/2020", "annulé")])
    client.force_login(family["parent"])
    page = page_text(client.get(history_url(chloe)))
    assert "Télécharger l'historique (CSV)" in page and "?format=csv" in page

    response = client.get(history_url(chloe, format="csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="historique-chloe-{chloe.pk}.csv"'
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Date", "Activité", "État", "Origine", "Présence"]
    # The export does not say when a booking was cancelled: no made-up date (not the import's).
    assert Reservation.objects.get(legacy_id="PF-H-31").cancelled_at is None
    assert rows[1] == ["jeudi 10 septembre 2020", "Accueil du soir", "Annulé",
                       "Portail Famille (reprise)", "—"]
    assert rows[2] == ["mardi 3 septembre 2019", "Restauration scolaire", "Réservé", "Portail Famille (reprise)",
                       "—"]
    assert len(rows) == 3

    filtered = client.get(history_url(chloe, annee="2019-2020", format="csv"))
    rows = list(csv.reader(io.StringIO(filtered.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2 and rows[1][0] == "mardi 3 septembre 2019"


def test_csv_has_every_row_not_only_one_page(client, family):
    chloe = family["chloe"]
    bulk_reservations(chloe, 30)
    client.force_login(family["parent"])
    response = client.get(history_url(chloe, format="csv"))
    assert len(response.content.decode("utf-8-sig").strip().splitlines()) == 31


def test_other_household_gets_404(client, family):
    legacy_import(family["chloe"], [("PF-H-40", "Restauration scolaire", "2019-2020", "03/09/2019", "réservé")])
    client.force_login(family["stranger"])
    assert client.get(history_url(family["chloe"])).status_code == 404
    assert client.get(history_url(family["chloe"], format="csv")).status_code == 404
    # Their own child is fine.
    assert client.get(history_url(family["hugo"])).status_code == 200


def test_anonymous_redirected_to_login(client, family):
    for url in (history_url(family["chloe"]), history_url(family["chloe"], format="csv")):
        response = client.get(url)
        assert response.status_code == 302 and "next=" in response["Location"]


def test_pending_account_may_read(client):
    parent, (lou,) = make_parent("historique.attente@example.fr", status=AccountStatus.PENDING, children=("Lou",))
    legacy_import(lou, [("PF-H-50", "Restauration scolaire", "2019-2020", "03/09/2019", "réservé")])
    client.force_login(parent)
    response = client.get(history_url(lou))
    assert response.status_code == 200 and "Portail Famille (reprise)" in page_text(response)


def _mixed_history(child, count, agent, *, name):
    """``count`` reservations: every other one marked present, every third one cancelled by an agent."""
    activity = bulk_reservations(child, count, name=name)
    reservations = list(Reservation.objects.filter(child=child, occurrence__activity=activity))
    for reservation in reservations[::2]:
        attendance_mark(reservation=reservation, status=AttendanceStatus.PRESENT, actor=agent)
    Reservation.objects.filter(pk__in=[r.pk for r in reservations[1::3]]).update(
        status=ReservationStatus.CANCELLED, cancelled_at=timezone.now(), cancelled_by=agent,
        override_reason="Fermeture exceptionnelle")


def test_query_count_does_not_grow_with_rows(client, family, django_assert_max_num_queries):
    agent = pole_scolaire_agent()
    client.force_login(family["parent"])
    few_child, many_child = family["chloe"], make_parent("historique.nombreux@example.fr", children=("Max",))[1][0]
    many_parent = many_child.household.memberships.get().user
    _mixed_history(few_child, 3, agent, name="Accueil du matin")
    with django_assert_max_num_queries(30) as few:
        response = client.get(history_url(few_child))
    assert response.status_code == 200 and "3 réservation(s)" in page_text(response)
    with django_assert_max_num_queries(12) as few_csv:
        response = client.get(history_url(few_child, format="csv"))
    assert response.content.decode("utf-8-sig").count("\n") == 4

    _mixed_history(many_child, 30, agent, name="Accueil du soir")
    client.force_login(many_parent)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(history_url(many_child))
    text = page_text(response)
    assert "30 réservation(s)" in text and "Présent" in text and "Fermeture exceptionnelle" in text
    with django_assert_max_num_queries(len(few_csv.captured_queries)):
        response = client.get(history_url(many_child, format="csv"))
    assert response.content.decode("utf-8-sig").count("\n") == 31


def test_agenda_links_to_history(client, family):
    client.force_login(family["parent"])
    text = page_text(client.get(reverse("activities:agenda", args=[family["chloe"].pk])))
    url = reverse("activities:history", args=[family["chloe"].pk])
    assert f'<a href="{url}">Historique des réservations</a>' in text
