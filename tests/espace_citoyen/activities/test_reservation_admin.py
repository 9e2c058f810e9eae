"""Back office "Réservations des familles": a Pôle scolaire agent finds a child and books or
cancels a day for the family, also past the booking deadline, always with a reason; the
family is told by e-mail. Permission matrix, search, month table, history."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from espace_citoyen.accounts.models import AccountStatus, User
from espace_citoyen.activities.models import (
    Attendance,
    AttendanceStatus,
    OccurrenceStatus,
    Reservation,
    ReservationSource,
    ReservationStatus,
    WaitingListEntry,
    WaitingStatus,
)
from espace_citoyen.activities.services.agent_bookings import agent_book
from espace_citoyen.activities.services.booking import BookingError
from espace_citoyen.family.models import Child, Household, Membership

from ._agents import other_staff, pole_scolaire_agent
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

PARENT_EMAIL = "sophie.vasseur-resa.tests@example.org"


@pytest.fixture
def family():
    parent, (chloe,) = make_parent(PARENT_EMAIL, first_name="Sophie", last_name="Vasseur-Resa", children=("Chloé",))
    chloe.school, chloe.school_class = "École des Tilleuls", "CE1"
    chloe.save()
    return parent, chloe


@pytest.fixture
def canteen(family):
    activity = make_activity(name="Restauration scolaire", label="T-resa")
    validate_dossier(family[1], activity)
    return activity


@pytest.fixture
def past_day(canteen):
    """A day of last week: its booking deadline is long past."""
    return make_occurrence(canteen, today() - datetime.timedelta(days=6))


@pytest.fixture
def tomorrow(canteen):
    """Tomorrow: with "J-2 avant 10h", its deadline is past too."""
    return make_occurrence(canteen, today() + datetime.timedelta(days=1))


@pytest.fixture
def open_day(canteen):
    """Three weeks ahead: still bookable by the family."""
    return make_occurrence(canteen, next_weekday(today(), 1, weeks=3))


@pytest.fixture
def agent(client, otp_login):
    user = pole_scolaire_agent()
    otp_login(client, user)
    return user


def child_url(child, day=None):
    url = reverse("reservations_admin:child", args=[child.pk])
    return url + (f"?mois={day:%Y-%m}" if day else "")


def post(client, child, occurrence, action, reason):
    return client.post(reverse("reservations_admin:child", args=[child.pk]),
                       {"jour": occurrence.pk, "mois": f"{occurrence.date:%Y-%m}", "action": action, "motif": reason})


def row_of(text, occurrence):
    match = re.search(rf'<tr id="jour-{occurrence.pk}">(.*?)</tr>', text, re.S)
    assert match, f"no row for occurrence {occurrence.pk}"
    return match.group(1)


def mails_to(email):
    return [m for m in mail.outbox if email in m.to]


def view_only_staff():
    user = User.objects.create_user("lecture.resa.tests@ville-villennes-sur-seine.fr", "Lecture-Seule-2026",
                                    first_name="Léa", last_name="Lecture", is_staff=True, status=AccountStatus.ACTIVE)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
                              Permission.objects.get(content_type__app_label="activities", codename="view_reservation"))
    return user


# --- permissions ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["index", "child"])
def test_staff_without_view_permission_is_denied(client, otp_login, family, name):
    otp_login(client, other_staff())
    url = reverse("reservations_admin:index") if name == "index" else child_url(family[1])
    response = client.get(url)
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    home = page_text(client.get(response.url))
    assert "Désolé, vous n'avez pas les autorisations pour accéder à cette zone." in home


def test_staff_without_view_permission_cannot_book(client, otp_login, family, past_day):
    otp_login(client, other_staff())
    with_mail = len(mail.outbox)
    response = post(client, family[1], past_day, "reserver", "Oubli des parents")
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    assert not Reservation.objects.filter(child=family[1]).exists()
    assert len(mail.outbox) == with_mail


def test_view_only_staff_reads_but_cannot_book(client, otp_login, family, past_day, django_capture_on_commit_callbacks):
    otp_login(client, view_only_staff())
    chloe = family[1]
    index = client.get(reverse("reservations_admin:index"), {"q": "Vasseur-Resa"})
    assert index.status_code == 200 and "Chloé" in page_text(index)
    page = client.get(child_url(chloe, past_day.date))
    assert page.status_code == 200
    text = page_text(page)
    assert "Restauration scolaire" in text and "Délai dépassé" in text
    assert "Vous pouvez consulter ces journées, mais pas les modifier." in text
    assert 'name="motif"' not in text
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, chloe, past_day, "reserver", "Oubli des parents")
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    assert not Reservation.objects.filter(child=chloe).exists()
    past_day.refresh_from_db()
    assert past_day.booked_count == 0
    assert mails_to(PARENT_EMAIL) == []


def test_menu_item_only_for_users_with_the_view_permission(client, otp_login, agent):
    index = reverse("reservations_admin:index")
    content = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "servations des familles" in content and index in content  # label is JSON-escaped in the sidebar
    client.logout()
    otp_login(client, other_staff())
    content = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "servations des familles" not in content and index not in content


def test_unknown_child_is_404(client, agent):
    assert client.get(reverse("reservations_admin:child", args=[999999999])).status_code == 404


# --- search ---------------------------------------------------------------------------------------------------


def test_search_finds_a_child_by_name_words_anded(client, agent, family):
    chloe = family[1]
    response = client.get(reverse("reservations_admin:index"), {"q": "chloé VASSEUR"})
    assert response.status_code == 200
    text = page_text(response)
    assert child_url(chloe) in text
    assert "École des Tilleuls" in text and "CE1" in text
    assert "Sophie Vasseur-Resa" in text  # the household's adult
    assert "<caption" in text and 'scope="col"' in text

    response = client.get(reverse("reservations_admin:index"), {"q": "Chloé Introuvable"})
    text = page_text(response)
    assert child_url(chloe) not in text
    assert "Aucun enfant ne correspond à « Chloé Introuvable »." in text
    assert 'value="Chloé Introuvable"' in text  # the search is kept in the box
    assert '<label class="w-field__label" for="reservations-q">Nom ou prénom de l\'enfant</label>' in text

    # Agents often type without accents or capitals.
    assert child_url(chloe) in page_text(client.get(reverse("reservations_admin:index"), {"q": "chloe vasseur"}))


def test_list_names_every_adult_of_the_household_in_joining_order(client, agent, family):
    parent, chloe = family
    second = User.objects.create_user("marc.vasseur-resa@example.fr", "x-Un-mot-de-passe-long-1",
                                      first_name="Marc", last_name="Vasseur-Resa")
    Membership.objects.create(household=chloe.household, user=second)
    alone = Child.objects.create(household=Household.objects.create(), first_name="Léa", last_name="Vasseur-Seule")
    text = page_text(client.get(reverse("reservations_admin:index"), {"q": "vasseur"}))
    row = text[text.index(child_url(chloe)):]
    row = row[:row.index("</tr>")]
    assert "<td>Sophie Vasseur-Resa, Marc Vasseur-Resa</td>" in row
    row = text[text.index(child_url(alone)):]
    assert "<td>—</td>" in row[:row.index("</tr>")]


def test_search_is_paginated_by_25(client, agent, family):
    household = family[1].household
    for i in range(26):
        Child.objects.create(household=household, first_name=f"Enfant{i:02d}", last_name="Paginette")
    first = page_text(client.get(reverse("reservations_admin:index"), {"q": "paginette"}))
    assert first.count("Paginette Enfant") == 25
    assert "Page 1 sur 2" in first and "Page suivante" in first
    second = page_text(client.get(reverse("reservations_admin:index"), {"q": "paginette", "p": 2}))
    assert second.count("Paginette Enfant") == 1 and "Paginette Enfant25" in second


def _total(client) -> int:
    text = page_text(client.get(reverse("reservations_admin:index")))
    return int(re.search(r"Enfants \((\d+)\)", text).group(1))


def test_the_number_of_children_is_kept_until_a_child_is_added_or_removed(client, agent, family):
    """Without a search the list shows the town's number of children, read once and kept
    (no COUNT on the children at the next visit), and exact again as soon as a child is added
    or removed anywhere: through the family's form, a household deleted, a bulk insert."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from espace_citoyen.core.household_versions import changes_batched
    from espace_citoyen.family.selectors import children_count_changed
    from espace_citoyen.family.services import child_add, child_remove

    base = Child.objects.count()
    assert _total(client) == base
    with CaptureQueriesContext(connection) as queries:
        assert _total(client) == base
    assert not [q for q in queries.captured_queries if 'COUNT' in q["sql"] and '"family_child"' in q["sql"]]

    parent, chloe = family
    louis, _demarche = child_add(user=parent, data={"first_name": "Louis", "last_name": "Vasseur-Resa",
                                                    "sex": chloe.sex, "birth_date": datetime.date(2019, 5, 4)})
    assert _total(client) == base + 1
    child_remove(user=parent, child=louis)
    assert _total(client) == base
    child_add(user=parent, data={"first_name": "Louis", "last_name": "Vasseur-Resa", "sex": chloe.sex,
                                 "birth_date": datetime.date(2019, 5, 4)})
    assert _total(client) == base + 1
    other = Child.objects.create(household=Household.objects.create(), first_name="Léa", last_name="Autre")
    assert _total(client) == base + 2
    other.household.delete()  # the household's children go with it
    assert _total(client) == base + 1
    Child.objects.bulk_create([Child(household=chloe.household, first_name=f"Lot{i}", last_name="Vrac") for i in range(3)])
    children_count_changed()  # as the dataset does after its bulk inserts
    assert _total(client) == base + 4 == Child.objects.count()
    with changes_batched():  # the Portail Famille import: one move at the end, not one a child
        Child.objects.create(household=chloe.household, first_name="Import", last_name="Vrac")
        assert _total(client) == base + 4
    assert _total(client) == base + 5
    text = page_text(client.get(reverse("reservations_admin:index"), {"q": "vrac"}))
    assert "Enfants correspondant à « vrac » (4)" in text  # a search counts its own children


# --- child page -----------------------------------------------------------------------------------------------


def test_child_page_shows_states_and_one_form_per_bookable_row(client, agent, family, canteen, open_day, past_day):
    chloe = family[1]
    evening = make_activity(name="Garderie du soir", label="T-resa")
    study = make_activity(name="Étude surveillée", label="T-resa")
    validate_dossier(chloe, evening, study)
    # Same day as open_day, so that all rows are in the same month whatever today is.
    closed = make_occurrence(evening, open_day.date, status=OccurrenceStatus.CLOSED, closed_reason="Grève")
    full = make_occurrence(study, open_day.date, capacity=1, booked_count=1)
    text = page_text(client.get(child_url(chloe, open_day.date)))
    assert "Mois précédent" in text and "Mois suivant" in text
    assert "Disponible" in row_of(text, open_day) and "Réserver" in row_of(text, open_day)
    assert "0/10" in row_of(text, open_day)
    assert "Fermé (Grève)" in row_of(text, closed) and 'name="motif"' not in row_of(text, closed)
    assert "Complet" in row_of(text, full) and 'name="motif"' not in row_of(text, full)
    assert "1/1" in row_of(text, full)
    ids = re.findall(r'<input type="text" id="([^"]+)" name="motif"', text)
    assert ids and len(ids) == len(set(ids))
    for input_id in ids:
        assert f'<label for="{input_id}">Motif' in text

    past = page_text(client.get(child_url(chloe, past_day.date)))
    assert "Délai dépassé" in row_of(past, past_day) and "Réserver" in row_of(past, past_day)


def test_invalid_month_warns_and_shows_current_month(client, agent, family, canteen):
    response = client.get(child_url(family[1]) + "?mois=2026-13")
    assert response.status_code == 200
    text = page_text(response)
    assert "Le mois demandé n'est pas valide : voici le mois en cours." in text
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
              "novembre", "décembre"]
    assert f"{months[today().month - 1]} {today().year}".capitalize() in text


def test_child_without_validated_dossier_has_empty_state(client, agent):
    _parent, (leo,) = make_parent("leo.sansdossier.tests@example.org", last_name="Sansdossier", children=("Léo",))
    text = page_text(client.get(child_url(leo)))
    assert "Léo n'a aucun dossier d'inscription validé : rien à réserver." in text
    assert "Aucune réservation pour Léo." in text


# --- booking and cancelling -----------------------------------------------------------------------------------


def test_agent_books_past_the_deadline_with_a_reason(client, agent, family, past_day,
                                                     django_capture_on_commit_callbacks):
    chloe = family[1]
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, chloe, past_day, "reserver", "  Oubli signalé par téléphone  ")
    assert response.status_code == 302
    assert response.url == child_url(chloe, past_day.date) + f"#jour-{past_day.pk}"
    reservation = Reservation.objects.get(child=chloe, occurrence=past_day)
    assert reservation.status == ReservationStatus.BOOKED
    assert reservation.source == ReservationSource.AGENT
    assert reservation.created_by == agent
    assert reservation.override_reason == "Oubli signalé par téléphone"
    past_day.refresh_from_db()
    assert past_day.booked_count == 1

    (message,) = mails_to(PARENT_EMAIL)
    assert "Chloé" in message.subject and "Restauration scolaire" in message.subject
    assert "Motif : Oubli signalé par téléphone" in message.body
    assert "a réservé" in message.body and "mairie" in message.body
    from espace_citoyen.core.business_calendar import format_day as day_label_fr

    assert day_label_fr(past_day.date) in message.body

    page = page_text(client.get(response.url))
    assert (f"Réservation enregistrée pour Chloé le {day_label_fr(past_day.date)} (Restauration scolaire). "
            "La famille est prévenue par courriel.") in page
    assert "Réservé" in row_of(page, past_day) and "Annuler" in row_of(page, past_day)
    assert "Agent de la mairie – motif : Oubli signalé par téléphone" in page


@pytest.mark.parametrize("reason", ["", "   "])
def test_booking_without_reason_is_refused(client, agent, family, past_day, reason,
                                           django_capture_on_commit_callbacks):
    chloe = family[1]
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, chloe, past_day, "reserver", reason)
    assert response.status_code == 400
    text = page_text(response)
    assert "Indiquez le motif de la dérogation." in text
    assert f'aria-describedby="motif-{past_day.pk}-error"' in text
    assert not Reservation.objects.filter(child=chloe).exists()
    past_day.refresh_from_db()
    assert past_day.booked_count == 0
    assert mails_to(PARENT_EMAIL) == []


def test_full_day_cannot_be_booked_even_by_an_agent_and_reason_is_kept(client, agent, family, canteen,
                                                                       django_capture_on_commit_callbacks):
    chloe = family[1]
    full = make_occurrence(canteen, next_weekday(today(), 1, weeks=3), capacity=1, booked_count=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, chloe, full, "reserver", "Demande de la directrice")
    assert response.status_code == 400
    text = page_text(response)
    assert "Cette journée est complète" in text
    assert "Motif saisi : « Demande de la directrice »" in row_of(text, full)  # what was typed is not lost
    assert not Reservation.objects.filter(child=chloe).exists()
    full.refresh_from_db()
    assert full.booked_count == 1
    assert mails_to(PARENT_EMAIL) == []


def test_too_long_reason_is_refused_and_kept_in_the_row(client, agent, family, open_day):
    chloe = family[1]
    reason = "Demande écrite de la famille " + "x" * 200
    response = post(client, chloe, open_day, "reserver", reason)
    assert response.status_code == 400
    text = page_text(response)
    assert "Le motif ne doit pas dépasser 200 caractères" in text
    assert f'id="motif-{open_day.pk}" name="motif" value="{reason}"' in row_of(text, open_day)
    assert not Reservation.objects.filter(child=chloe).exists()


def test_closed_day_is_refused(client, agent, family, canteen):
    chloe = family[1]
    closed = make_occurrence(canteen, next_weekday(today(), 3, weeks=3), status=OccurrenceStatus.CLOSED,
                             closed_reason="Sortie scolaire")
    response = post(client, chloe, closed, "reserver", "Demande des parents")
    assert response.status_code == 400
    assert "Cette journée est fermée (Sortie scolaire) : elle ne peut pas être réservée." in page_text(response)
    assert not Reservation.objects.filter(child=chloe).exists()


def test_agent_cancels_a_locked_day_with_a_reason(client, agent, family, tomorrow,
                                                  django_capture_on_commit_callbacks):
    parent, chloe = family
    reservation = Reservation.objects.create(child=chloe, occurrence=tomorrow, created_by=parent)
    tomorrow.booked_count = 1
    tomorrow.save()
    before = page_text(client.get(child_url(chloe, tomorrow.date)))
    assert "Réservé (délai dépassé)" in row_of(before, tomorrow) and "Annuler" in row_of(before, tomorrow)

    with django_capture_on_commit_callbacks(execute=True):
        refused = post(client, chloe, tomorrow, "annuler", "")
    assert refused.status_code == 400 and "Indiquez le motif de la dérogation." in page_text(refused)
    reservation.refresh_from_db()
    assert reservation.status == ReservationStatus.BOOKED

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, chloe, tomorrow, "annuler", "Enfant malade, appel de la mère")
    assert response.status_code == 302
    reservation.refresh_from_db()
    assert reservation.status == ReservationStatus.CANCELLED
    assert reservation.cancelled_by == agent and reservation.cancelled_at is not None
    assert reservation.override_reason == "Enfant malade, appel de la mère"
    tomorrow.refresh_from_db()
    assert tomorrow.booked_count == 0
    (message,) = mails_to(PARENT_EMAIL)
    assert message.subject.startswith("Annulation pour Chloé")
    assert "a annulé la réservation de Chloé" in message.body
    assert "Motif : Enfant malade, appel de la mère" in message.body
    assert "La famille est prévenue par courriel." in page_text(client.get(response.url))


def test_cancel_frees_the_place_for_the_waiting_list(client, agent, family, canteen,
                                                     django_capture_on_commit_callbacks):
    parent, chloe = family
    day = make_occurrence(canteen, next_weekday(today(), 1, weeks=3), capacity=1, booked_count=1)
    Reservation.objects.create(child=chloe, occurrence=day, created_by=parent)
    _other, (lucas,) = make_parent("martin.attente.tests@example.org", last_name="Attente", children=("Lucas",))
    validate_dossier(lucas, canteen)
    entry = WaitingListEntry.objects.create(occurrence=day, child=lucas)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, chloe, day, "annuler", "Changement d'emploi du temps")
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == WaitingStatus.OFFERED
    assert mails_to("martin.attente.tests@example.org")  # the waiting family is offered the place
    assert mails_to(PARENT_EMAIL)


def test_cancelling_a_day_that_is_not_booked_is_a_french_error(client, agent, family, open_day):
    response = post(client, family[1], open_day, "annuler", "Erreur de saisie")
    assert response.status_code == 400
    assert "Chloé n'est pas inscrit(e) ce jour-là." in page_text(response)


def test_day_of_an_activity_outside_the_child_dossier_is_404(client, agent, family):
    other = make_activity(name="Étude surveillée", label="T-resa")
    day = make_occurrence(other, next_weekday(today(), 1, weeks=3))
    assert post(client, family[1], day, "reserver", "Test").status_code == 404
    assert not Reservation.objects.filter(child=family[1]).exists()


def test_service_refuses_a_non_staff_actor(family, past_day):
    parent, chloe = family
    with pytest.raises(BookingError) as error:
        agent_book(child=chloe, occurrence=past_day, actor=parent, reason="Je suis le parent")
    assert error.value.code == "agent"
    assert not Reservation.objects.filter(child=chloe).exists()


# --- history --------------------------------------------------------------------------------------------------


def test_history_lists_imported_reservations_with_attendance(client, agent, family, past_day):
    chloe = family[1]
    imported = Reservation.objects.create(child=chloe, occurrence=past_day, source=ReservationSource.LEGACY,
                                          legacy_id="PF-RESA-TEST-1")
    Attendance.objects.create(reservation=imported, status=AttendanceStatus.PRESENT, marked_by=agent)
    text = page_text(client.get(child_url(chloe)))
    assert "Historique des réservations" in text
    history = text.split("Historique des réservations", 1)[1]
    assert "Portail Famille (reprise)" in history
    assert "Restauration scolaire" in history and "Présent" in history and "Réservé" in history


def test_message_says_when_no_adult_is_emailed(client, otp_login):
    """A family whose adults prefer the phone is not e-mailed: the agent is told to call."""
    from espace_citoyen.accounts.models import ContactMethod, Profile
    from espace_citoyen.core.business_calendar import format_day

    agent = pole_scolaire_agent()
    otp_login(client, agent)
    activity = make_activity(name="Restauration scolaire", label="T-resa")
    parent, (chloe,) = make_parent("telephone.seulement@example.fr", children=("Chloé",))
    Profile.objects.update_or_create(user=parent, defaults={"preferred_contact": ContactMethod.PHONE})
    validate_dossier(chloe, activity)
    day = make_occurrence(activity, next_weekday(today(), 1, weeks=3))
    response = client.post(reverse("reservations_admin:child", args=[chloe.pk]),
                           {"jour": day.pk, "mois": f"{day.date:%Y-%m}", "action": "reserver",
                            "motif": "Demande par téléphone"}, follow=True)
    text = page_text(response)
    assert f"Réservation enregistrée pour Chloé le {format_day(day.date)}" in text
    assert "Aucun adulte du foyer ne souhaite être contacté par courriel : prévenez la famille." in text
    assert not mail.outbox


def test_agent_of_the_group_without_is_staff_books_for_a_family(client, otp_login):
    """Agents created in Wagtail's user admin are not is_staff: the group's admin access is
    what makes them agents, for the screen and for the booking service alike."""
    from espace_citoyen.activities.services.catalogue import catalogue_ensure_group_permissions

    agent = User.objects.create_user("agent.groupe.seul@ville-villennes-sur-seine.fr", "Agent-Groupe-Seul-2026",
                                     first_name="Gaëlle", last_name="Groupe", status=AccountStatus.ACTIVE)
    agent.groups.add(catalogue_ensure_group_permissions())
    assert not agent.is_staff
    otp_login(client, agent)
    activity = make_activity(name="Restauration scolaire", label="T-resa")
    parent, (chloe,) = make_parent("famille.groupe@example.fr", children=("Chloé",))
    validate_dossier(chloe, activity)
    past = make_occurrence(activity, today() - datetime.timedelta(days=1))
    response = client.post(reverse("reservations_admin:child", args=[chloe.pk]),
                           {"jour": past.pk, "mois": f"{past.date:%Y-%m}", "action": "reserver",
                            "motif": "Oubli signalé par téléphone"})
    assert response.status_code == 302
    reservation = Reservation.objects.get(child=chloe, occurrence=past)
    assert reservation.source == "agent" and reservation.created_by == agent


# --- weekly pattern booked by an agent --------------------------------------------------------


def pattern_url(child):
    return reverse("reservations_admin:pattern", args=[child.pk])


def test_agent_books_a_weekly_pattern_for_the_family_with_one_email(client, agent, family, canteen,
                                                                    django_capture_on_commit_callbacks):
    """Set up at the counter for a family without Internet: Mondays and Thursdays over three
    weeks, the past ones included (deadline overridden), a full day reported; one e-mail."""
    parent, chloe = family
    monday = next_weekday(today(), 0) - datetime.timedelta(days=14)  # two weeks ago: past the deadline
    days = [monday + datetime.timedelta(days=offset) for offset in (0, 3, 7, 10, 14, 17)]
    occurrences = [make_occurrence(canteen, day) for day in days]
    full = occurrences[-1]
    full.capacity = 1
    full.booked_count = 1
    full.save()
    page = page_text(client.get(child_url(chloe)))
    assert pattern_url(chloe) in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(pattern_url(chloe), {
            "activity": canteen.pk, "weekdays": ["0", "3"], "start": f"{days[0]:%d/%m/%Y}",
            "end": f"{days[-1]:%d/%m/%Y}", "exceptions": f"{days[2]:%d/%m/%Y}", "children": [chloe.pk],
            "reason": "Inscription faite au guichet",
        })
    assert response.status_code == 200
    text = page_text(response)
    assert "Journées réservées : 4." in text and "Complètes (1)" in text
    booked = Reservation.objects.filter(child=chloe, status=ReservationStatus.BOOKED)
    assert sorted(r.occurrence.date for r in booked) == [days[0], days[1], days[3], days[4]]
    assert {(r.source, r.override_reason, r.created_by) for r in booked} == {
        (ReservationSource.AGENT, "Inscription faite au guichet", agent)}
    (message,) = mails_to(PARENT_EMAIL)
    assert "4 journée(s)" in message.subject and "Inscription faite au guichet" in message.body
    assert message.body.count("- Chloé : ") == 4


def test_weekly_pattern_needs_a_reason_and_the_change_permission(client, otp_login, family, canteen):
    parent, chloe = family
    day = make_occurrence(canteen, next_weekday(today(), 0, weeks=2)).date
    data = {"activity": canteen.pk, "weekdays": ["0"], "start": f"{day:%d/%m/%Y}", "end": f"{day:%d/%m/%Y}",
            "children": [chloe.pk], "reason": ""}
    otp_login(client, view_only_staff())
    assert client.get(pattern_url(chloe)).status_code == 302  # Wagtail's "permission denied"
    client.post(pattern_url(chloe), {**data, "reason": "Motif"})
    assert not Reservation.objects.filter(child=chloe).exists()

    otp_login(client, pole_scolaire_agent("autre.agent.pattern@ville-villennes-sur-seine.fr"))
    response = client.post(pattern_url(chloe), data)
    assert response.status_code == 400
    text = page_text(response)
    assert "Indiquez le motif de la dérogation." in text
    assert f'value="{day:%d/%m/%Y}"' in text  # what was typed is kept
    assert not Reservation.objects.filter(child=chloe).exists() and not mail.outbox


def test_weekly_pattern_lists_children_with_family_name_and_class(client, agent, family, canteen):
    """Two children of the same first name must not look alike in the agent's form."""
    parent, chloe = family
    twin = Child.objects.create(household=chloe.household, first_name="Chloé", last_name="Martin",
                                birth_date=datetime.date(2019, 1, 1), school_class="CP")
    text = page_text(client.get(pattern_url(chloe)))
    assert "Vasseur-Resa Chloé – CE1, École des Tilleuls" in text
    assert "Martin Chloé – CP" in text
    assert twin.pk
