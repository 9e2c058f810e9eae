from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from espace_citoyen.demarches.models import Demarche, DemarcheKind
from espace_citoyen.family.models import AuthorizedPerson, Child

from .conftest import child_post, page_text, png_bytes

ADD = reverse("family:child_add")


def _child(user, first_name):
    return Child.objects.get(household__memberships__user=user, first_name=first_name)


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("family:household"))
    assert response.status_code == 302 and "/connexion/" in response["Location"]


def test_household_page_lists_adults_children_and_addresses(client, parent):
    client.force_login(parent)
    response = client.get(reverse("family:household"))
    html = page_text(response)
    assert response.status_code == 200
    assert "<h1>Ma famille</h1>" in html
    assert "Sophie Durand" in html and "(vous)" in html
    assert "1 rue de Poissy, 78670 Villennes-sur-Seine" in html
    assert "Emma Durand" in html
    assert 'aria-hidden="true"' in html
    assert "Ajouter des membres à votre famille" in html
    assert "Hugo" not in html


def test_add_child_creates_child_persons_and_demarche(client, parent):
    client.force_login(parent)
    response = client.post(ADD, child_post(allergies="Lait", has_pai="on", pai_details="Trousse d'urgence"),
                           follow=True)
    child = _child(parent, "Léa")
    assert response.redirect_chain[-1][0] == reverse("family:child_detail", args=[child.pk])
    assert child.has_pai and child.pai_details == "Trousse d'urgence" and child.doctor_phone == "01 39 75 00 00"
    person = child.authorized_persons.get()
    assert (person.name, person.relationship, person.phone) == ("Monique Durand", "Grand-mère", "06 45 45 45 45")
    demarche = Demarche.objects.get(user=parent, kind=DemarcheKind.FAMILY_CHANGE)
    assert demarche.title == "Ajout de l'enfant Léa Durand" and demarche.service == "scolaire"
    html = page_text(response)
    assert "Votre demande a été transmise au Pôle scolaire" in html and demarche.number in html
    assert "Monique Durand" in html


def test_household_is_created_on_first_child(client, db):
    from .conftest import make_user

    user = make_user("sans.foyer@example.fr")
    client.force_login(user)
    assert "Votre foyer n'est pas encore créé" in page_text(client.get(reverse("family:household")))
    client.post(ADD, child_post())
    assert _child(user, "Léa").household.memberships.get().user == user


def test_validation_errors_are_french_and_keep_typed_data(client, parent):
    client.force_login(parent)
    response = client.post(ADD, child_post(first_name="Zélie", birth_date="01/01/2099", doctor_phone="12",
                                           **{"personnes-0-phone": "abc"}))
    html = page_text(response)
    assert response.status_code == 200
    assert "La date de naissance ne peut pas être dans le futur." in html
    assert "Numéro de téléphone invalide, par exemple 01 39 08 25 40" in html
    assert "Personne 1 – Téléphone" in html
    assert 'value="Zélie"' in html and 'value="Monique Durand"' in html and 'value="01/01/2099"' in html
    assert html.count('id="resume-erreurs"') == 1
    assert not Child.objects.filter(first_name="Zélie").exists()


def test_line_breaks_in_names_are_refused(client, parent):
    """Names go into e-mail subjects (a line break there makes the e-mail fail) and CSV cells."""
    client.force_login(parent)
    response = client.post(ADD, child_post(first_name="Léa\nBcc: x@evil.example", **{"personnes-0-name": "Mo\rnique"}))
    html = page_text(response)
    assert response.status_code == 200
    assert html.count("Ce champ tient sur une seule ligne") == 4  # two fields, each in the summary and in place
    assert not Child.objects.filter(household__memberships__user=parent, first_name__startswith="Léa").exists()


def test_absurd_birth_date_and_missing_pai_details_refused(client, parent):
    client.force_login(parent)
    html = page_text(client.post(ADD, child_post(birth_date="01/01/1950", has_pai="on")))
    assert "l'enfant aurait plus de 25 ans" in html
    assert "Décrivez le PAI" in html
    assert not Child.objects.filter(first_name="Léa").exists()


def test_add_person_button_adds_a_row_and_keeps_data(client, parent):
    client.force_login(parent)
    response = client.post(ADD, child_post(first_name="Zélie", ajouter_personne="1", birth_date="pas une date"))
    html = page_text(response)
    assert response.status_code == 200
    assert 'name="personnes-TOTAL_FORMS" value="2"' in html
    assert "Personne 2" in html
    assert 'value="Zélie"' in html and 'value="Monique Durand"' in html and 'value="pas une date"' in html
    assert "Une ligne a été ajoutée" in html
    assert 'id="resume-erreurs"' not in html
    assert not Child.objects.filter(first_name="Zélie").exists()


def test_removed_person_row_is_not_saved(client, parent):
    client.force_login(parent)
    client.post(ADD, child_post(**{"personnes-0-DELETE": "on"}))
    assert not AuthorizedPerson.objects.filter(child__first_name="Léa").exists()


def test_edit_child_opens_demarche_only_when_something_changed(client, parent):
    child = _child(parent, "Emma")
    client.force_login(parent)
    url = reverse("family:child_edit", args=[child.pk])
    page = page_text(client.get(url))
    assert 'value="Emma"' in page
    data = child_post(first_name="Emma", last_name="Durand", birth_date="01/01/2018", allergies="Pollen",
                      **{"personnes-TOTAL_FORMS": "0"})
    response = client.post(url, data, follow=True)
    assert "Votre demande a été transmise au Pôle scolaire" in page_text(response)
    child.refresh_from_db()
    assert child.allergies == "Pollen"
    demarche = Demarche.objects.get(user=parent)
    assert demarche.title == "Modification des informations de l'enfant Emma Durand"
    assert "allergies" in demarche.events.get().comment
    response = client.post(url, data, follow=True)
    assert "Aucune information n'a changé." in page_text(response)
    assert Demarche.objects.filter(user=parent).count() == 1


def test_remove_child_asks_confirmation_then_removes(client, parent):
    child = _child(parent, "Emma")
    client.force_login(parent)
    url = reverse("family:child_remove", args=[child.pk])
    response = client.get(url)
    assert "Retirer Emma Durand de ma famille ?" in page_text(response)
    assert Child.objects.filter(pk=child.pk).exists()
    response = client.post(url, follow=True)
    assert "Emma Durand a été retiré(e) de votre famille." in page_text(response)
    assert not Child.objects.filter(pk=child.pk).exists()
    assert Demarche.objects.get(user=parent).title == "Retrait de l'enfant Emma Durand du foyer"


def test_other_household_gets_404_on_every_child_url(client, parent, stranger):
    child = _child(parent, "Emma")
    client.force_login(stranger)
    for name in ["child_detail", "child_edit", "child_remove", "child_photo"]:
        assert client.get(reverse(f"family:{name}", args=[child.pk])).status_code == 404, name
    assert client.post(reverse("family:child_remove", args=[child.pk])).status_code == 404
    assert client.post(reverse("family:child_edit", args=[child.pk]), child_post()).status_code == 404
    assert Child.objects.filter(pk=child.pk, first_name="Emma").exists()


def test_pending_account_can_view_but_not_add(client, pending):
    from .conftest import make_household

    make_household(pending, "Inès")
    child = _child(pending, "Inès")
    client.force_login(pending)
    page = page_text(client.get(reverse("family:household")))
    assert "Inès Roux" in page and "en attente de validation" in page
    assert "Ajouter un enfant" not in page
    assert client.get(reverse("family:child_detail", args=[child.pk])).status_code == 200
    for method, url in [("get", ADD), ("post", ADD), ("get", reverse("family:child_edit", args=[child.pk])),
                        ("post", reverse("family:child_remove", args=[child.pk])), ("get", reverse("family:invite"))]:
        response = getattr(client, method)(url, child_post() if method == "post" else None)
        assert response.status_code == 403, url
        assert "Votre espace est en attente de validation" in page_text(response)
    assert not Child.objects.filter(first_name="Léa").exists()
    assert Child.objects.filter(pk=child.pk).exists()


def test_photo_is_private_checked_and_scoped(client, parent, stranger):
    client.force_login(parent)
    photo = SimpleUploadedFile("moi.png", png_bytes(), content_type="image/png")
    client.post(ADD, {**child_post(), "photo": photo})
    child = _child(parent, "Léa")
    assert child.photo.name.startswith("family/children/") and "moi" not in child.photo.name
    response = client.get(reverse("family:child_photo", args=[child.pk]))
    assert response.status_code == 200
    # Re-encoded as JPEG (at most 600 px, metadata such as GPS position stripped).
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")
    client.force_login(stranger)
    assert client.get(reverse("family:child_photo", args=[child.pk])).status_code == 404


def test_fake_image_is_refused(client, parent):
    client.force_login(parent)
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", content_type="image/png")
    html = page_text(client.post(ADD, {**child_post(first_name="Zélie"), "photo": fake}))
    assert "Ce fichier n'est pas une image JPEG ou PNG lisible." in html
    assert 'value="Zélie"' in html
    assert not Child.objects.filter(first_name="Zélie").exists()


def test_emptied_row_is_ignored(client, parent):
    child = _child(parent, "Emma")
    child.authorized_persons.create(name="Jean Durand", relationship="Oncle", phone="06 01 02 03 04")
    client.force_login(parent)
    data = child_post(first_name="Emma", birth_date="01/01/2018", **{
        "personnes-TOTAL_FORMS": "2", "personnes-INITIAL_FORMS": "1",
        "personnes-0-name": "", "personnes-0-relationship": "", "personnes-0-phone": "",
        "personnes-1-name": "Ana Lopez", "personnes-1-relationship": "Voisine", "personnes-1-phone": "0612345678",
    })
    client.post(reverse("family:child_edit", args=[child.pk]), data)
    assert [p.name for p in child.authorized_persons.all()] == ["Ana Lopez"]


def test_household_page_query_count_does_not_grow_with_children(client, parent, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(parent)
    client.get(reverse("family:household"))  # warm-up: the page chrome (menu, settings) is then cached
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("family:household"))
    household = _child(parent, "Emma").household
    for name in ["Alice", "Basile", "Chiara", "Denis"]:
        child = Child.objects.create(household=household, first_name=name, last_name="Durand")
        child.authorized_persons.create(name="X Y", relationship="Oncle", phone="0601020304")
    client.get(reverse("family:household"))  # warm-up again: new children change the cached unread count's facts
    with CaptureQueriesContext(connection) as large:
        html = page_text(client.get(reverse("family:household")))
    assert "Denis Durand" in html
    assert len(large.captured_queries) == len(small.captured_queries)
