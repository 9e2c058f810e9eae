import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from espace_citoyen.accounts.models import User
from espace_citoyen.family import selectors
from espace_citoyen.family.models import AuthorizedPerson, Child

from .conftest import make_household, make_user, page_text


def test_database_refuses_pai_details_without_pai_and_empty_person(db):
    user = make_user("a.b@example.fr")
    household = make_household(user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Child.objects.create(household=household, first_name="A", last_name="B", pai_details="x", has_pai=False)
    child = Child.objects.create(household=household, first_name="A", last_name="B",
                                 birth_date=datetime.date(2019, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        AuthorizedPerson.objects.create(child=child, name="", relationship="x", phone="0601020304")


def test_demo_household_has_two_parents_two_children_and_health_information(client, db):
    camille = User.objects.get(email="camille.bernard@example.org")
    julien = User.objects.get(email="julien.bernard@example.org")
    assert julien.is_validated and julien.check_password("Famille-Bernard-2026")
    assert selectors.household_of(user=camille) == selectors.household_of(user=julien)
    assert [c.first_name for c in selectors.children_for(user=julien)] == ["Chloé", "Nathan"]
    chloe = selectors.children_for(user=camille).get(first_name="Chloé")
    assert chloe.has_pai and chloe.authorized_persons.exists()
    assert camille.profile.street != julien.profile.street
    client.force_login(julien)
    html = page_text(client.get(reverse("family:household")))
    assert "Camille Bernard" in html and "allée des Peupliers" in html and "PAI" in html


def test_child_admin_listing_shows_children_without_health_details(client, superuser, otp_login):
    otp_login(client, superuser)
    html = page_text(client.get("/admin/espace-citoyen/enfants/"))
    assert "Chloé" in html and "PAI" not in html


def test_child_admin_listing_refused_to_citizen(client, db):
    client.force_login(User.objects.get(email="camille.bernard@example.org"))
    response = client.get("/admin/espace-citoyen/enfants/")
    assert response.status_code in (302, 403)
    assert "Chloé" not in page_text(response)
