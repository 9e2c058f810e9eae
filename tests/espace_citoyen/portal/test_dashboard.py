import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen(db):
    return get_user_model().objects.create_user("camille.martin@example.fr", "Un-mot-de-passe-solide-42",
                                                first_name="Camille")


def test_dashboard_requires_login(client):
    response = client.get("/espace-citoyen/")
    assert response.status_code == 302
    assert response.url == "/espace-citoyen/connexion/?next=/espace-citoyen/"


def test_dashboard_greets_the_user_and_links_to_account_pages(client, citizen):
    client.force_login(citizen)
    response = client.get("/espace-citoyen/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Tableau de bord" in html
    assert "Bonjour Camille" in html
    assert 'href="/espace-citoyen/mot-de-passe/"' in html and "Modifier mon mot de passe" in html
    # Logging out is a POST form, never a link.
    assert '<form method="post" action="/espace-citoyen/deconnexion/">' in html
    assert 'href="/espace-citoyen/deconnexion/"' not in html


def test_dashboard_greets_by_email_without_first_name(client, db):
    user = get_user_model().objects.create_user("sans.prenom@example.fr", "Un-mot-de-passe-solide-42")
    client.force_login(user)
    assert "Bonjour sans.prenom@example.fr" in client.get("/espace-citoyen/").content.decode()


def test_header_link_to_the_citizen_space(client, citizen):
    html = client.get("/").content.decode()
    assert '<a href="/espace-citoyen/connexion/">Se connecter à l\'espace citoyen</a>' in html
    assert '<a href="/espace-citoyen/">Mon espace citoyen</a>' not in html

    client.force_login(citizen)
    html = client.get("/").content.decode()
    assert '<a href="/espace-citoyen/">Mon espace citoyen</a>' in html
    assert "Se connecter à l'espace citoyen" not in html
