"""Citizen pages: /espace-citoyen/demarches/ (history) and /espace-citoyen/demarches/<number>/."""

import html

import pytest
from django.core import mail

from espace_citoyen.accounts.models import AccountStatus
from espace_citoyen.demarches.models import Demarche, DemarcheEvent, DemarcheKind, DemarcheService, DemarcheStatus
from espace_citoyen.demarches.services import demarche_set_status
from espace_citoyen.demarches.views import PAGE_SIZE

from .conftest import make_citizen

pytestmark = pytest.mark.django_db

LIST_URL = "/espace-citoyen/demarches/"


def detail_url(demarche):
    return f"{LIST_URL}{demarche.number}/"


def test_login_required(client, citizen, open_demarche):
    demarche = open_demarche(citizen)
    for url in (LIST_URL, detail_url(demarche)):
        response = client.get(url)
        assert response.status_code == 302 and "connexion" in response.url


def test_empty_state(client, citizen):
    client.force_login(citizen)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert "Vous n'avez encore fait aucune démarche" in response.content.decode()


def test_list_shows_only_my_demarches_newest_first(client, citizen, other_citizen, co_parent, open_demarche):
    first = open_demarche(citizen, title="Première demande")
    second = open_demarche(citizen, title="Seconde demande", kind=DemarcheKind.OTHER,
                           service=DemarcheService.POPULATION)
    open_demarche(other_citizen, title="Demande d'un autre foyer")
    open_demarche(co_parent, title="Demande personnelle de l'autre parent")
    demarche_set_status(demarche=first, status=DemarcheStatus.IN_PROGRESS, actor=citizen)
    client.force_login(citizen)
    content = client.get(LIST_URL).content.decode()
    assert "Demande d'un autre foyer" not in content
    assert "Demande personnelle de l'autre parent" not in content
    assert content.index(second.number) < content.index(first.number)
    assert "En cours de traitement" in content and "Envoyée" in content
    assert "Autre demande" in content and "Modification de la famille" in content
    assert "2 démarches" in content


def test_filters_by_status_and_type(client, citizen, open_demarche):
    kept = open_demarche(citizen, title="Demande à compléter")
    demarche_set_status(demarche=kept, status=DemarcheStatus.TO_COMPLETE, actor=citizen, comment="Précisez")
    other = open_demarche(citizen, title="Demande simplement envoyée")
    other_kind = open_demarche(citizen, title="Transmission à compléter", kind=DemarcheKind.DOCUMENT_TRANSMISSION)
    demarche_set_status(demarche=other_kind, status=DemarcheStatus.TO_COMPLETE, actor=citizen, comment="Précisez")
    client.force_login(citizen)
    content = client.get(LIST_URL, {"etat": "to_complete", "type": "family_change"}).content.decode()
    assert kept.number in content
    assert other.number not in content and other_kind.number not in content
    assert '<label class="form-field__label" for="id_etat">État</label>' in content
    assert "1 démarche correspondant à ces critères" in content
    empty = client.get(LIST_URL, {"etat": "refused"}).content.decode()
    assert "Aucune démarche ne correspond à ces critères" in empty


def test_bad_filter_value_does_not_crash(client, citizen, open_demarche):
    demarche = open_demarche(citizen)
    client.force_login(citizen)
    response = client.get(LIST_URL, {"etat": "nimporte-quoi"})
    assert response.status_code == 200
    assert demarche.number in response.content.decode()


def test_pagination(client, citizen, open_demarche):
    for index in range(PAGE_SIZE + 3):
        open_demarche(citizen, title=f"Demande {index:02d}")
    client.force_login(citizen)
    first_page = client.get(LIST_URL).content.decode()
    assert "Page 1 sur 2" in first_page
    assert "Demande 00" not in first_page and f"Demande {PAGE_SIZE + 2:02d}" in first_page
    second_page = client.get(LIST_URL, {"page": 2}).content.decode()
    assert "Demande 00" in second_page


def test_pending_account_sees_its_history(client, open_demarche):
    pending = make_citizen("attente@example.fr", status=AccountStatus.PENDING)
    demarche = open_demarche(pending, title="Création de mon espace citoyen", kind=DemarcheKind.ACCOUNT_CREATION,
                             service="Relations population")
    assert demarche.service == DemarcheService.POPULATION
    client.force_login(pending)
    assert client.get(LIST_URL).status_code == 200
    response = client.get(detail_url(demarche))
    assert response.status_code == 200
    assert "Création de mon espace citoyen" in response.content.decode()


def test_detail_of_another_household_or_user_is_404(client, citizen, other_citizen, co_parent, open_demarche):
    foreign = open_demarche(other_citizen)
    co_parents = open_demarche(co_parent)
    client.force_login(citizen)
    assert client.get(detail_url(foreign)).status_code == 404
    assert client.get(detail_url(co_parents)).status_code == 404
    assert client.get(f"{LIST_URL}D2099-999999/").status_code == 404
    # A reply to someone else's démarche changes nothing.
    demarche_set_status(demarche=foreign, status=DemarcheStatus.TO_COMPLETE, actor=other_citizen, comment="?")
    assert client.post(detail_url(foreign), {"message": "Intrusion"}).status_code == 404
    assert not DemarcheEvent.objects.filter(comment="Intrusion").exists()


def test_timeline_shows_service_not_agent_name(client, citizen, agent_scolaire, open_demarche):
    demarche = open_demarche(citizen, title="Ajout de Léo")
    demarche_set_status(demarche=demarche, status=DemarcheStatus.IN_PROGRESS, actor=agent_scolaire,
                        comment="Nous vérifions le certificat de scolarité.")
    client.force_login(citizen)
    response = client.get(detail_url(demarche))
    content = response.content.decode()
    assert response.status_code == 200
    assert content.count("<h1>") == 1 and "Ajout de Léo" in content
    assert "Envoyée → En cours de traitement" in content
    assert "Nous vérifions le certificat de scolarité." in content
    assert "Le service Pôle scolaire" in content
    assert "Lemaire" not in content and "Sophie" not in content
    assert "Compléter ma démarche" not in content  # no reply form unless "à compléter"


def test_citizen_reply_sends_the_demarche_back(client, citizen, agent_scolaire, open_demarche):
    demarche = open_demarche(citizen)
    demarche_set_status(demarche=demarche, status=DemarcheStatus.TO_COMPLETE, actor=agent_scolaire,
                        comment="Indiquez la classe de l'enfant.")
    client.force_login(citizen)
    page = client.get(detail_url(demarche)).content.decode()
    assert "Compléter ma démarche" in page and 'for="id_message"' in page
    response = client.post(detail_url(demarche), {"message": "Il sera en CE1."})
    assert response.status_code == 302 and response.url == detail_url(demarche)
    demarche.refresh_from_db()
    assert demarche.status == DemarcheStatus.SENT
    event = demarche.events.last()
    assert event.actor == citizen and event.comment == "Il sera en CE1."
    assert event.from_status == DemarcheStatus.TO_COMPLETE
    followed = client.get(detail_url(demarche)).content.decode()
    assert "Votre réponse est envoyée au service" in followed
    assert "(Vous)" in followed
    assert not mail.outbox  # the citizen is not e-mailed about their own reply


def test_empty_reply_is_refused_in_french(client, citizen, agent_scolaire, open_demarche):
    demarche = open_demarche(citizen)
    demarche_set_status(demarche=demarche, status=DemarcheStatus.TO_COMPLETE, actor=agent_scolaire, comment="?")
    client.force_login(citizen)
    response = client.post(detail_url(demarche), {"message": "   "})
    assert response.status_code == 400
    assert "Écrivez votre réponse au service." in response.content.decode()
    demarche.refresh_from_db()
    assert demarche.status == DemarcheStatus.TO_COMPLETE


def test_long_reply_keeps_the_text(client, citizen, agent_scolaire, open_demarche):
    demarche = open_demarche(citizen)
    demarche_set_status(demarche=demarche, status=DemarcheStatus.TO_COMPLETE, actor=agent_scolaire, comment="?")
    client.force_login(citizen)
    text = "mot " * 1300
    response = client.post(detail_url(demarche), {"message": text})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Votre réponse dépasse 5000 caractères" in content
    assert "mot mot mot" in content


def test_reply_when_not_to_complete_is_refused(client, citizen, open_demarche):
    demarche = open_demarche(citizen)
    client.force_login(citizen)
    response = client.post(detail_url(demarche), {"message": "Bonjour"}, follow=True)
    assert "n'attend plus de complément" in html.unescape(response.content.decode())
    assert demarche.events.count() == 1


def test_transmitted_documents_are_listed_when_present(client, citizen, open_demarche):
    demarche = open_demarche(citizen, kind=DemarcheKind.DOCUMENT_TRANSMISSION, title="Transmission de documents")
    client.force_login(citizen)
    response = client.get(detail_url(demarche))
    assert response.status_code == 200
    assert "Documents transmis" not in response.content.decode()  # no transmission: no section, no crash
    assert Demarche.objects.filter(pk=demarche.pk).exists()
