"""Back office: "Démarches à traiter" per service and "Changer l'état" (Wagtail admin)."""

import datetime
import html
import json

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.utils import timezone

from espace_citoyen.demarches.models import Demarche, DemarcheKind, DemarcheService, DemarcheStatus
from espace_citoyen.demarches.services import demarche_set_status

from .conftest import make_agent

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/espace-citoyen/demarches/"
MENU_LABEL = json.dumps("Démarches à traiter")[1:-1]  # the sidebar menu is JSON in the page


def detail_url(demarche):
    return f"{LIST_URL}{demarche.pk}/"


def text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def scolaire_demarche(citizen, open_demarche):
    return open_demarche(citizen, title="Ajout de Léo", service=DemarcheService.SCOLAIRE)


@pytest.fixture
def population_demarche(citizen, open_demarche):
    return open_demarche(citizen, title="Changement d'adresse", kind=DemarcheKind.OTHER,
                         service=DemarcheService.POPULATION)


def test_anonymous_goes_to_login(client, scolaire_demarche):
    for url in (LIST_URL, detail_url(scolaire_demarche)):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response.url


def test_communication_editor_sees_nothing(client, otp_login, editor, scolaire_demarche):
    otp_login(client, editor)
    for url in (LIST_URL, detail_url(scolaire_demarche)):
        response = client.get(url)
        assert response.status_code == 302 and response.url == "/admin/"
    response = client.post(detail_url(scolaire_demarche), {"status": "accepted", "comment": ""})
    assert response.status_code == 302 and response.url == "/admin/"
    scolaire_demarche.refresh_from_db()
    assert scolaire_demarche.status == DemarcheStatus.SENT
    assert not mail.outbox
    assert MENU_LABEL not in client.get("/admin/").content.decode()


def test_staff_with_admin_access_only_is_denied(client, otp_login, scolaire_demarche):
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.create_user("stagiaire@ville-villennes-sur-seine.fr", "Stagiaire-2026-mdp",
                                                 is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="access_admin"))
    otp_login(client, staff)
    assert client.get(LIST_URL).url == "/admin/"


def test_queue_is_scoped_to_the_agents_service(client, otp_login, agent_scolaire, scolaire_demarche,
                                               population_demarche):
    otp_login(client, agent_scolaire)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    content = text(response)
    assert scolaire_demarche.number in content
    assert population_demarche.number not in content
    assert client.get(detail_url(population_demarche)).status_code == 404
    response = client.post(detail_url(population_demarche), {"status": "accepted"})
    assert response.status_code == 404
    population_demarche.refresh_from_db()
    assert population_demarche.status == DemarcheStatus.SENT
    assert MENU_LABEL in client.get("/admin/").content.decode()


def test_superuser_sees_every_service(client, otp_login, superuser, scolaire_demarche, population_demarche):
    otp_login(client, superuser)
    content = text(client.get(LIST_URL))
    assert scolaire_demarche.number in content and population_demarche.number in content


def test_queue_line_shows_labels_and_requester(client, otp_login, agent_scolaire, citizen, other_citizen,
                                               open_demarche):
    """Each line: type, service and state by their French labels, the citizen's name and
    address (the address alone when the account has no name); a closed démarche past its
    deadline is not "En retard"."""
    Demarche.objects.all().delete()
    past = timezone.now() - datetime.timedelta(days=2)
    open_demarche(citizen, title="Ajout de Tom", due_at=past)
    closed = open_demarche(other_citizen, title="Réglée", due_at=past)
    demarche_set_status(demarche=closed, status=DemarcheStatus.ACCEPTED, actor=agent_scolaire, comment="")
    other_citizen.first_name = other_citizen.last_name = ""
    other_citizen.save()
    otp_login(client, agent_scolaire)
    content = text(client.get(LIST_URL))
    first = content[content.index("Ajout de Tom"):content.index("</tr>", content.index("Ajout de Tom"))]
    assert "<td>Modification de la famille</td>" in first
    assert "<td>Pôle scolaire</td>" in first
    assert "<td>Envoyée</td>" in first
    assert "<td>Léa Durand<br>lea.durand@example.fr</td>" in first
    assert "En retard" in first
    second = content[content.index("Réglée"):content.index("</tr>", content.index("Réglée"))]
    assert "<td>marc.petit@example.fr<br>marc.petit@example.fr</td>" in second
    assert "<td>Acceptée</td>" in second and "En retard" not in second


def test_queue_filters_search_order_and_overdue(client, otp_login, agent_scolaire, citizen, other_citizen,
                                                open_demarche):
    Demarche.objects.all().delete()  # only this test's démarches (the demo's are seeded too)
    now = timezone.now()
    later = open_demarche(citizen, title="Échéance lointaine", due_at=now + datetime.timedelta(days=5))
    overdue = open_demarche(other_citizen, title="Échéance dépassée", due_at=now - datetime.timedelta(days=1))
    no_due = open_demarche(citizen, title="Sans échéance")
    to_complete = open_demarche(citizen, title="Attente de pièces", kind=DemarcheKind.DOCUMENT_TRANSMISSION)
    demarche_set_status(demarche=to_complete, status=DemarcheStatus.TO_COMPLETE, actor=agent_scolaire, comment="?")
    otp_login(client, agent_scolaire)
    content = text(client.get(LIST_URL))
    assert content.index(overdue.number) < content.index(later.number) < content.index(no_due.number)
    assert content.count('w-status--primary">En retard') == 1
    by_status = text(client.get(LIST_URL, {"etat": "to_complete"}))
    assert to_complete.number in by_status and later.number not in by_status
    by_kind = text(client.get(LIST_URL, {"type": "document_transmission"}))
    assert to_complete.number in by_kind and overdue.number not in by_kind
    by_name = text(client.get(LIST_URL, {"q": "Petit"}))
    assert overdue.number in by_name and later.number not in by_name
    by_email = text(client.get(LIST_URL, {"q": "lea.durand@"}))
    assert later.number in by_email and overdue.number not in by_email
    by_number = text(client.get(LIST_URL, {"q": no_due.number}))
    assert no_due.number in by_number and later.number not in by_number
    only_late = text(client.get(LIST_URL, {"en_retard": "on"}))
    assert overdue.number in only_late and later.number not in only_late
    population = open_demarche(citizen, title="Autre service", service=DemarcheService.POPULATION)
    foreign_service = text(client.get(LIST_URL, {"service": "population"}))
    assert population.number not in foreign_service  # another service's filter never widens the queue


def test_detail_shows_citizen_timeline_and_allowed_moves(client, otp_login, agent_scolaire, scolaire_demarche):
    otp_login(client, agent_scolaire)
    response = client.get(detail_url(scolaire_demarche))
    assert response.status_code == 200
    content = text(response)
    assert "lea.durand@example.fr" in content and "Ajout de Léo" in content
    assert "Changer l'état" in content
    assert '<option value="in_progress">En cours de traitement</option>' in content
    assert '<option value="sent">' not in content  # not a move from "envoyée"
    assert "Démarche envoyée" in content


def test_status_change_records_event_and_emails_once(client, otp_login, agent_scolaire, citizen, scolaire_demarche,
                                                     django_capture_on_commit_callbacks):
    otp_login(client, agent_scolaire)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail_url(scolaire_demarche), {
            "status": "to_complete", "comment": "Merci d'indiquer la classe de Léo.",
        })
    assert response.status_code == 302 and response.url == detail_url(scolaire_demarche)
    scolaire_demarche.refresh_from_db()
    assert scolaire_demarche.status == DemarcheStatus.TO_COMPLETE
    event = scolaire_demarche.events.last()
    assert event.actor == agent_scolaire
    assert event.from_status == DemarcheStatus.SENT and event.to_status == DemarcheStatus.TO_COMPLETE
    assert event.comment == "Merci d'indiquer la classe de Léo."
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [citizen.email]
    assert scolaire_demarche.number in message.subject and "à compléter" in message.subject
    assert "Merci d'indiquer la classe de Léo." in message.body
    assert "Message du service Pôle scolaire" in message.body
    assert f"/espace-citoyen/demarches/{scolaire_demarche.number}/" in message.body
    assert "Lemaire" not in message.body
    followed = text(client.get(detail_url(scolaire_demarche)))
    assert "passée à « À compléter »" in followed
    assert "Sophie Lemaire" in followed  # agents see who did what


@pytest.mark.parametrize("status", ["to_complete", "refused"])
def test_comment_required_to_ask_or_refuse(client, otp_login, agent_scolaire, scolaire_demarche, status):
    otp_login(client, agent_scolaire)
    response = client.post(detail_url(scolaire_demarche), {"status": status, "comment": "  "})
    assert response.status_code == 400
    assert "Un commentaire est obligatoire" in text(response)
    scolaire_demarche.refresh_from_db()
    assert scolaire_demarche.status == DemarcheStatus.SENT
    assert not mail.outbox


def test_move_not_allowed_is_refused_in_french(client, otp_login, agent_scolaire, scolaire_demarche):
    demarche_set_status(demarche=scolaire_demarche, status=DemarcheStatus.ACCEPTED, actor=agent_scolaire)
    otp_login(client, agent_scolaire)
    response = client.post(detail_url(scolaire_demarche), {"status": "in_progress", "comment": "Je reprends"})
    assert response.status_code == 400
    content = text(response)
    assert "Cet état n'est pas possible depuis l'état actuel de la démarche." in content
    assert "Je reprends" in content  # what the agent typed is kept
    scolaire_demarche.refresh_from_db()
    assert scolaire_demarche.status == DemarcheStatus.ACCEPTED
    assert not mail.outbox


def test_closed_demarche_has_no_form(client, otp_login, agent_scolaire, scolaire_demarche):
    demarche_set_status(demarche=scolaire_demarche, status=DemarcheStatus.CLOSED, actor=agent_scolaire)
    otp_login(client, agent_scolaire)
    content = text(client.get(detail_url(scolaire_demarche)))
    assert "Cette démarche est clôturée" in content and 'name="status"' not in content


def test_account_creation_is_processed_in_the_validation_queue(client, otp_login, citizen, open_demarche):
    agent = make_agent("agent.pop2@ville-villennes-sur-seine.fr", DemarcheService.POPULATION)
    demarche = open_demarche(citizen, kind=DemarcheKind.ACCOUNT_CREATION, title="Création",
                             service=DemarcheService.POPULATION)
    otp_login(client, agent)
    content = text(client.get(detail_url(demarche)))
    assert "se valide ou se refuse depuis" in content and 'name="status"' not in content
    client.post(detail_url(demarche), {"status": "accepted"})
    assert Demarche.objects.get(pk=demarche.pk).status == DemarcheStatus.SENT
    assert not mail.outbox
