"""Mes coordonnées: contact fields saved at once, a new e-mail address only once the link
sent to it is followed (single use, 2 days), the old address told, no enumeration."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from espace_citoyen.accounts.models import AccountEvent, AccountEventKind, AccountStatus, Profile

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
URL = "/espace-citoyen/coordonnees/"


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """client.post, running the after-commit callbacks (the e-mails) as a commit would."""

    def _post(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(*args, **kwargs)

    return _post


def _form(**overrides):
    data = {
        "street_number": "12", "street": "rue de Poissy", "address_complement": "", "postcode": "78670",
        "city": "Villennes-sur-Seine", "phone_home": "", "phone_mobile": "06 12 34 56 78", "phone_work": "",
        "fax": "", "email": "camille.martin@example.fr", "preferred_contact": "sms",
    }
    data.update(overrides)
    return data


def _link(message) -> str:
    return re.search(r"https?://\S+/coordonnees/confirmer-mon-adresse/\S+/", message.body).group(0)


def _path(url: str) -> str:
    return url[url.index("/espace-citoyen/"):]


def test_login_required(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith("/espace-citoyen/connexion/")


def test_page_shows_current_details(client, post, citizen):
    Profile.objects.create(user=citizen, street="rue de Poissy", postcode="78670", city="Villennes-sur-Seine")
    client.force_login(citizen)
    html = client.get(URL).content.decode()
    assert html.count("<h1") == 1 and "Mes coordonnées" in html
    assert 'value="rue de Poissy"' in html and 'value="camille.martin@example.fr"' in html
    assert '<label class="form-field__label" for="id_postcode">' in html


def test_contact_fields_are_saved_with_a_history_row(client, post, citizen):
    client.force_login(citizen)
    response = post(URL, _form(phone_mobile="0612345678"), follow=True)
    assert "Vos coordonnées sont enregistrées." in response.content.decode()
    profile = Profile.objects.get(user=citizen)
    assert (profile.street, profile.postcode, profile.phone_mobile, profile.preferred_contact) == (
        "rue de Poissy", "78670", "06 12 34 56 78", "sms")
    event = AccountEvent.objects.get(user=citizen, kind=AccountEventKind.CONTACT_UPDATED)
    assert "code postal" in event.comment
    assert mail.outbox == []


def test_pending_account_may_edit_its_details(client, post):
    user = get_user_model().objects.create_user("attente@example.fr", PASSWORD, status=AccountStatus.PENDING)
    client.force_login(user)
    assert client.get(URL).status_code == 200
    post(URL, _form(email="attente@example.fr"))
    assert Profile.objects.get(user=user).city == "Villennes-sur-Seine"


def test_bad_input_is_refused_in_french_and_kept(client, post, citizen):
    client.force_login(citizen)
    response = post(URL, _form(postcode="7867", phone_mobile="12", email="pas-une-adresse"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Le code postal compte 5 chiffres, par exemple 78670." in html
    assert "Numéro de téléphone invalide" in html
    assert "Saisissez une adresse e-mail valide" in html
    assert 'value="7867"' in html and 'value="rue de Poissy"' in html
    assert 'aria-invalid="true"' in html
    assert not Profile.objects.filter(user=citizen, postcode="7867").exists()


def test_new_email_is_confirmed_on_the_new_address_then_old_one_is_told(client, post, citizen):
    client.force_login(citizen)
    response = post(URL, _form(email="Camille.Nouvelle@Example.fr"), follow=True)
    html = response.content.decode()
    assert "Nous avons envoyé un lien de confirmation à camille.nouvelle@example.fr" in html
    assert "Changement d'adresse e-mail en attente" in html
    citizen.refresh_from_db()
    assert citizen.email == "camille.martin@example.fr"  # not applied yet
    (message,) = mail.outbox
    assert message.to == ["camille.nouvelle@example.fr"]
    link = _path(_link(message))

    page = client.get(link)
    assert page.status_code == 200 and "Confirmer mon adresse camille.nouvelle@example.fr" in page.content.decode()
    citizen.refresh_from_db()
    assert citizen.email == "camille.martin@example.fr"  # a GET (mail scanner) changes nothing

    response = post(link, follow=True)
    assert "Votre adresse e-mail est maintenant camille.nouvelle@example.fr" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.email == "camille.nouvelle@example.fr"
    notice = mail.outbox[1]
    assert notice.to == ["camille.martin@example.fr"]
    assert "Votre adresse a été remplacée par camille.nouvelle@example.fr" in notice.body
    assert "01 39 08 25 40" in notice.body
    assert AccountEvent.objects.filter(user=citizen, kind=AccountEventKind.EMAIL_CHANGED,
                                       comment="camille.martin@example.fr → camille.nouvelle@example.fr").exists()
    # Single use.
    again = post(link)
    assert again.status_code == 400 and "est plus valable : il a expiré" in again.content.decode()
    # The new address is the login now.
    client.logout()
    response = post("/espace-citoyen/connexion/", {"username": "camille.nouvelle@example.fr", "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == citizen.pk


def test_link_expires_after_two_days(client, post, citizen):
    client.force_login(citizen)
    post(URL, _form(email="nouvelle@example.fr"))
    link = _path(_link(mail.outbox[0]))
    from django.core import signing

    real_time = signing.time.time
    signing.time.time = lambda: real_time() + 3 * 24 * 3600
    try:
        response = post(link)
    finally:
        signing.time.time = real_time
    assert response.status_code == 400
    citizen.refresh_from_db()
    assert citizen.email == "camille.martin@example.fr"
    # Past the link's lifetime, the page no longer shows the request as pending.
    assert "Changement d'adresse e-mail en attente" in client.get(URL).content.decode()
    AccountEvent.objects.filter(kind=AccountEventKind.EMAIL_CHANGE_REQUESTED).update(
        created_at=timezone.now() - timedelta(days=3))
    assert "Changement d'adresse e-mail en attente" not in client.get(URL).content.decode()


def test_a_newer_request_supersedes_the_older_link(client, post, citizen):
    client.force_login(citizen)
    post(URL, _form(email="premiere@example.fr"))
    post(URL, _form(email="seconde@example.fr"))
    first, second = (_path(_link(message)) for message in mail.outbox)
    assert post(first).status_code == 400
    post(second)
    citizen.refresh_from_db()
    assert citizen.email == "seconde@example.fr"


def test_address_of_another_account_gets_a_notice_not_a_link(client, post, citizen):
    get_user_model().objects.create_user("deja.pris@example.fr", PASSWORD)
    client.force_login(citizen)
    response = post(URL, _form(email="Deja.Pris@example.fr"), follow=True)
    # Same message as for a free address: no enumeration.
    assert "Nous avons envoyé un lien de confirmation à deja.pris@example.fr" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["deja.pris@example.fr"]
    assert "confirmer-mon-adresse" not in message.body
    assert "déjà celle d'un espace" in message.body


def test_address_taken_after_the_request_is_refused(client, post, citizen):
    client.force_login(citizen)
    post(URL, _form(email="libre@example.fr"))
    link = _path(_link(mail.outbox[0]))
    get_user_model().objects.create_user("LIBRE@example.fr", PASSWORD)
    response = post(link)
    assert response.status_code == 400
    assert "désormais utilisée par un autre compte" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.email == "camille.martin@example.fr"


def test_tampered_or_foreign_token_does_not_change_anything(client, post, citizen):
    other = get_user_model().objects.create_user("autre@example.fr", PASSWORD)
    client.force_login(citizen)
    post(URL, _form(email="nouvelle@example.fr"))
    link = _path(_link(mail.outbox[0]))
    assert post(link[:-5] + "abcd/").status_code == 400
    # A link of another account only ever changes that account.
    client.force_login(other)
    post(link)
    other.refresh_from_db()
    citizen.refresh_from_db()
    assert other.email == "autre@example.fr" and citizen.email == "nouvelle@example.fr"
