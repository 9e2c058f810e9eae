"""Mes données (RGPD): the ZIP holds every record linked to the user or their household
and their files, never another household's; the deletion request is a démarche."""

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile

from espace_citoyen.accounts.models import AccountEvent, AccountEventKind, Profile
from espace_citoyen.demarches.models import Demarche, DemarcheKind, DemarcheStatus
from tests.factories import PASSWORD, add_children, add_demarches, add_documents, make_citizen

pytestmark = pytest.mark.django_db
URL = "/espace-citoyen/mes-donnees/"
DOWNLOAD = "/espace-citoyen/mes-donnees/telecharger/"


def _export(client, user) -> tuple[dict, zipfile.ZipFile]:
    client.force_login(user)
    response = client.get(DOWNLOAD)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="mes-donnees-villennes-')
    assert response["Cache-Control"] == "private, no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return json.loads(archive.read("donnees.json")), archive


def _ids(data, label) -> set:
    return {row["id"] for row in data["donnees"].get(label, [])}


@pytest.fixture
def family():
    """A parent with one record of each kind, and another household with its own."""
    from espace_citoyen.documents.models import DocumentTransmission
    from espace_citoyen.family.models import AuthorizedPerson, Invitation
    from espace_citoyen.messaging.models import MessageRead
    from news.models import ServiceMessagePage

    parent = make_citizen("camille.martin@example.fr")
    household = parent.memberships.get().household
    co_parent = make_citizen("dominique.martin@example.fr", first_name="Dominique", household=household)
    profile = Profile.objects.create(user=parent, street="rue de Poissy", city="Villennes-sur-Seine")
    profile.photo.save("photo.jpg", ContentFile(b"\xff\xd8\xffphoto"), save=True)
    event = AccountEvent.objects.create(user=parent, actor=parent, kind=AccountEventKind.PASSWORD_CHANGED)
    (child,) = add_children(parent, 1, first_name="Léa")
    person = AuthorizedPerson.objects.create(child=child, name="Mamie Martin", relationship="grand-mère",
                                             phone="01 39 08 25 40")
    from django.utils import timezone

    invitation = Invitation.objects.create(household=household, email="tata@example.fr", token_hash="x" * 64,
                                           invited_by=parent, expires_at=timezone.now())
    (demarche,) = add_demarches(parent, 1)
    (document,) = add_documents(parent, 1, content=b"\x89PNG-contenu-du-document")
    transmission = DocumentTransmission.objects.create(demarche=demarche, service="population", message="Voici")
    transmission.documents.add(document)
    page = ServiceMessagePage.objects.first()
    read = MessageRead.objects.create(user=parent, page=page) if page else None

    other = make_citizen("sam.petit@example.fr", first_name="Sam", last_name="Petit")
    add_children(other, 1, first_name="Zoé")
    other_demarches = add_demarches(other, 1)
    other_documents = add_documents(other, 1, content=b"\x89PNG-secret-de-sam")
    co_parent_documents = add_documents(co_parent, 1, content=b"\x89PNG-document-du-conjoint")
    return {
        "parent": parent, "co_parent": co_parent, "household": household, "profile": profile, "event": event,
        "child": child, "person": person, "invitation": invitation, "demarche": demarche, "document": document,
        "transmission": transmission, "read": read, "other": other, "other_demarches": other_demarches,
        "other_documents": other_documents, "co_parent_documents": co_parent_documents,
    }


def test_page_requires_login_and_explains(client, family):
    assert client.get(URL).status_code == 302
    assert client.get(DOWNLOAD).status_code == 302
    client.force_login(family["parent"])
    html = client.get(URL).content.decode()
    assert html.count("<h1") == 1
    assert "Télécharger toutes mes données" in html and "Demander la suppression de mon compte" in html
    assert "factures et paiements sont conservés pendant la durée imposée par la loi" in html


def test_export_contains_every_linked_record(client, family):
    data, archive = _export(client, family["parent"])
    records = data["donnees"]
    (user_row,) = records["accounts.user"]
    assert user_row["email"] == "camille.martin@example.fr"
    assert "password" not in user_row
    assert _ids(data, "accounts.profile") == {family["profile"].pk}
    assert family["event"].pk in _ids(data, "accounts.accountevent")
    assert _ids(data, "family.household") == {family["household"].pk}
    assert len(records["family.membership"]) == 2  # both adults of the household
    assert _ids(data, "family.child") == {family["child"].pk}
    (child_row,) = records["family.child"]
    assert child_row["first_name"] == "Léa0" and "allergies" in child_row and "doctor_name" in child_row
    assert _ids(data, "family.authorizedperson") == {family["person"].pk}
    assert _ids(data, "family.invitation") == {family["invitation"].pk}
    assert "token_hash" not in records["family.invitation"][0]
    assert _ids(data, "demarches.demarche") == {family["demarche"].pk}
    assert len(records["demarches.demarcheevent"]) == 1
    assert _ids(data, "documents.document") == {family["document"].pk}
    assert _ids(data, "documents.documenttransmission") == {family["transmission"].pk}
    if family["read"] is not None:
        assert _ids(data, "messaging.messageread") == {family["read"].pk}

    names = archive.namelist()
    document_files = [name for name in names if name.startswith("documents/")]
    assert len(document_files) == 1
    assert archive.read(document_files[0]) == b"\x89PNG-contenu-du-document"
    photos = [name for name in names if name.startswith("photo/")]
    assert len(photos) == 1 and archive.read(photos[0]) == b"\xff\xd8\xffphoto"


def test_export_never_contains_another_users_data(client, family):
    data, archive = _export(client, family["parent"])
    text = json.dumps(data, ensure_ascii=False)
    assert "sam.petit@example.fr" not in text and "Zoé0" not in text
    assert family["other_demarches"][0].number not in text
    assert family["other_documents"][0].pk not in _ids(data, "documents.document")
    # The other adult's own vault stays theirs, even in the same household.
    assert family["co_parent_documents"][0].pk not in _ids(data, "documents.document")
    contents = b"".join(archive.read(name) for name in archive.namelist())
    assert b"secret-de-sam" not in contents and b"document-du-conjoint" not in contents

    other_data, _archive = _export(client, family["other"])
    other_text = json.dumps(other_data, ensure_ascii=False)
    assert "camille.martin@example.fr" not in other_text and "Léa0" not in other_text


def test_deletion_request_needs_the_password(client, family):
    client.force_login(family["parent"])
    response = client.post(URL, {"password": "faux", "reason": "Je déménage"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Le mot de passe est incorrect." in html
    assert "Je déménage" in html  # nothing typed is lost
    assert not Demarche.objects.filter(kind=DemarcheKind.ACCOUNT_DELETION).exists()


def test_deletion_request_opens_one_demarche_for_the_population_service(client, family):
    client.force_login(family["parent"])
    response = client.post(URL, {"password": PASSWORD, "reason": "Je déménage"}, follow=True)
    demarche = Demarche.objects.get(kind=DemarcheKind.ACCOUNT_DELETION)
    assert (demarche.user, demarche.service, demarche.status) == (family["parent"], "population", DemarcheStatus.SENT)
    assert demarche.events.get().comment == "Je déménage"
    html = response.content.decode()
    assert f"Votre demande de suppression est enregistrée sous le numéro {demarche.number}" in html
    assert f"Votre demande de suppression n° {demarche.number}" in html
    client.post(URL, {"password": PASSWORD})
    assert Demarche.objects.filter(kind=DemarcheKind.ACCOUNT_DELETION).count() == 1
    # The account stays until an agent acts on the démarche.
    family["parent"].refresh_from_db()
    assert family["parent"].is_active
