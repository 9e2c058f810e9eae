"""The creation wizard ("Je n'ai pas d'espace" → Créer mon espace), the confirmation of the
address, the pending state (decorator, dashboard) and the absence of account enumeration."""

import datetime
import io
import re
from html import unescape
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.urls import include, path
from PIL import Image

from espace_citoyen.accounts import services
from espace_citoyen.accounts.decorators import validated_account_required
from espace_citoyen.accounts.models import AccountEventKind, AccountStatus, Civility, Profile
from espace_citoyen.demarches.models import Demarche, DemarcheKind, DemarcheStatus

pytestmark = pytest.mark.django_db

User = get_user_model()
URL = "/espace-citoyen/creer-mon-espace/"
MANAGEMENT = "signup_wizard_view-current_step"
PASSWORD = "Tilleuls-du-parc-2026"
EMAIL = "lea.dupont@example.fr"
LINK_RE = re.compile(r"https?://[^/\s]+(/espace-citoyen/confirmer-mon-courriel/[^/\s]+/[^/\s]+/)")
PARIS = ZoneInfo("Europe/Paris")

IDENTITY = {
    "identite-civility": "mme", "identite-last_name": "Dupont", "identite-birth_name": "Martin",
    "identite-first_name": "Léa", "identite-birth_date": "14/03/1985", "identite-birth_country": "France",
    "identite-birth_department": "78", "identite-birth_city": "Poissy",
}
CONTACT = {
    "coordonnees-street_number": "12", "coordonnees-street": "rue de Poissy", "coordonnees-address_complement": "",
    "coordonnees-postcode": "78670", "coordonnees-city": "Villennes-sur-Seine",
    "coordonnees-phone_home": "0139082540", "coordonnees-phone_mobile": "06 12 34 56 78",
    "coordonnees-phone_work": "", "coordonnees-fax": "", "coordonnees-email": EMAIL,
    "coordonnees-preferred_contact": "sms",
}
PASSWORD_STEP = {
    "mot-de-passe-password1": PASSWORD, "mot-de-passe-password2": PASSWORD, "mot-de-passe-privacy_notice": "on",
}


def step(client, name, data, **extra):
    return client.post(URL, {MANAGEMENT: name, **data, **extra})


def image_file(fmt="PNG", size=(1200, 900), name="photo.png", exif=False):
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "Appareil secret"  # Make
        kwargs["exif"] = data
    image.save(buffer, format=fmt, **kwargs)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def run_wizard(client, identity=IDENTITY, contact=CONTACT, password=PASSWORD_STEP):
    client.get(URL)
    assert step(client, "identite", identity).status_code == 200
    assert step(client, "coordonnees", contact).status_code == 200
    return step(client, "mot-de-passe", password)


def confirmation_link(message) -> str:
    match = LINK_RE.search(message.body)
    assert match, message.body
    return match.group(1)


def signed_up(client, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        response = run_wizard(client, **kwargs)
    assert response.status_code == 302
    return User.objects.get(email=EMAIL)


# --- Wizard ----------------------------------------------------------------------------


def test_login_page_links_to_the_wizard(client):
    html = client.get("/espace-citoyen/connexion/").content.decode()
    assert "Je n'ai pas d'espace" in html
    assert f'href="{URL}"' in html and "Créer mon espace" in html


def test_first_step_shows_the_identity_fields_with_stars(client):
    html = client.get(URL).content.decode()
    assert "Étape 1 sur 3 : Identité" in html
    assert "Les champs précédés d'un astérisque (*) doivent obligatoirement être renseignés" in html
    assert '<span class="required-mark">*</span> Nom usuel' in html
    assert '<span class="required-mark">*</span> Civilité' in html
    assert '<span class="required-mark">*</span> Nom de naissance' not in html
    for label in ("Prénom(s)", "Date de naissance", "Pays de naissance", "Département de naissance",
                  "Commune de naissance", "Photo"):
        assert label in html
    assert 'enctype="multipart/form-data"' in html
    assert ">Suivant<" in html and ">Annuler<" in html and ">Précédent<" not in html


def test_identity_errors_are_french_and_tied_to_fields(client):
    client.get(URL)
    response = step(client, "identite", {"identite-birth_date": "12/12/2999"})
    html = response.content.decode()
    assert "Étape 1 sur 3" in html
    assert "Indiquez votre civilité." in html
    assert "Indiquez votre nom usuel." in html
    assert "Indiquez votre prénom." in html
    assert "La date de naissance ne peut pas être dans le futur." in html
    assert 'id="id_identite-last_name_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'href="#id_identite-last_name"' in html  # error summary links to the field
    response = step(client, "identite", {**IDENTITY, "identite-birth_date": "31/02/1990"})
    assert "Saisissez une date valide, par exemple 14/03/1985." in response.content.decode()


def test_contact_errors_are_french(client):
    client.get(URL)
    step(client, "identite", IDENTITY)
    response = step(client, "coordonnees", {
        **CONTACT, "coordonnees-email": "pas-une-adresse", "coordonnees-postcode": "7867",
        "coordonnees-phone_home": "12345", "coordonnees-fax": "abc",
    })
    html = response.content.decode()
    assert "Étape 2 sur 3 : Coordonnées" in html
    assert "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr." in html
    assert "Le code postal compte 5 chiffres, par exemple 78670." in html
    assert html.count("Numéro de téléphone invalide, par exemple 01 39 08 25 40") >= 4  # 2 fields + summary
    response = step(client, "coordonnees", {**CONTACT, "coordonnees-email": ""})
    assert "Indiquez votre adresse e-mail." in response.content.decode()


@pytest.mark.parametrize(
    ("password1", "password2", "message"),
    [
        ("Court-1", "Court-1", "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères."),
        ("password1234", "password1234", "Ce mot de passe est trop courant."),
        ("Villennes-2026-soleil", "Villennes-2026-soleil", "le nom de la commune"),
        (PASSWORD, PASSWORD + "x", "Les deux mots de passe saisis ne sont pas identiques."),
        ("lea.dupont@example.fr", "lea.dupont@example.fr", "Le mot de passe est trop semblable"),
    ],
)
def test_password_step_refuses_weak_or_mismatched_passwords(client, password1, password2, message):
    response = run_wizard(client, password={
        "mot-de-passe-password1": password1, "mot-de-passe-password2": password2, "mot-de-passe-privacy_notice": "on",
    })
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(email=EMAIL).exists()


def test_privacy_notice_must_be_accepted(client):
    response = run_wizard(client, password={**PASSWORD_STEP, "mot-de-passe-privacy_notice": ""})
    assert "Cochez la case pour accepter la notice relative aux données personnelles." in response.content.decode()
    assert not User.objects.filter(email=EMAIL).exists()


def test_last_step_summarises_what_will_be_sent(client):
    client.get(URL)
    step(client, "identite", IDENTITY)
    html = step(client, "coordonnees", CONTACT).content.decode()
    assert "Étape 3 sur 3 : Mot de passe" in html
    assert "Récapitulatif des informations envoyées" in html
    for value in ("Madame", "Dupont", "Martin", "Léa", "14/03/1985", "78 - Yvelines", "rue de Poissy", "78670",
                  "01 39 08 25 40", "06 12 34 56 78", EMAIL, "SMS"):
        assert value in html, value


def test_back_and_forth_keeps_every_step(client):
    client.get(URL)
    step(client, "identite", IDENTITY)
    # Step 2, partly typed and even invalid, then PRÉCÉDENT: what was typed is kept.
    partial = {"coordonnees-street": "chemin des Vignes", "coordonnees-postcode": "78", "coordonnees-email": ""}
    back = step(client, "coordonnees", partial, wizard_goto_step="identite")
    html = back.content.decode()
    assert "Étape 1 sur 3" in html
    assert 'value="Dupont"' in html and 'value="Léa"' in html and 'value="14/03/1985"' in html
    assert "Erreur" not in html
    # SUIVANT again without changes: step 2 shows what was typed before.
    html = step(client, "identite", IDENTITY).content.decode()
    assert "Étape 2 sur 3" in html
    assert 'value="chemin des Vignes"' in html and 'value="78"' in html
    # Complete step 2, go to 3, then back to 2 and 1, then forward again: all kept.
    step(client, "coordonnees", CONTACT)
    html = step(client, "mot-de-passe", {"mot-de-passe-privacy_notice": "on"}, wizard_goto_step="coordonnees").content.decode()
    assert 'value="rue de Poissy"' in html and f'value="{EMAIL}"' in html
    html = step(client, "coordonnees", CONTACT, wizard_goto_step="identite").content.decode()
    assert 'value="Martin"' in html
    step(client, "identite", IDENTITY)
    html = step(client, "coordonnees", CONTACT).content.decode()
    assert "Étape 3 sur 3" in html
    assert "checked" in html  # the notice accepted before
    assert PASSWORD not in html  # passwords are never shown again
    response = step(client, "mot-de-passe", PASSWORD_STEP)
    assert response.status_code == 302
    assert User.objects.filter(email=EMAIL).exists()


def test_passwords_are_not_kept_in_the_session(client):
    run_wizard(client, password={**PASSWORD_STEP, "mot-de-passe-password2": "autre-chose-encore"})
    assert PASSWORD not in str(dict(client.session))


def test_cancel_clears_everything_and_goes_back_to_login(client):
    client.get(URL)
    step(client, "identite", {**IDENTITY, "identite-photo": image_file()})
    response = step(client, "coordonnees", CONTACT, wizard_cancel="1")
    assert response.status_code == 302
    assert response.url == "/espace-citoyen/connexion/"
    login_page = client.get(response.url).content.decode()
    assert "La création de votre espace est annulée" in login_page
    html = client.get(URL).content.decode()
    assert "Étape 1 sur 3" in html
    assert "Dupont" not in html
    assert not User.objects.filter(email=EMAIL).exists()


def temporary_photos(settings):
    folder = settings.PRIVATE_ROOT / "inscriptions-en-cours"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_temporary_photo_lives_in_the_private_storage_and_goes_away(client, settings):
    before = temporary_photos(settings)
    client.get(URL)
    step(client, "identite", {**IDENTITY, "identite-photo": image_file()})
    kept = [path for path in temporary_photos(settings) if path not in before]
    assert len(kept) == 1
    assert str(settings.MEDIA_ROOT) not in str(kept[0])
    # A new photo replaces the first one.
    step(client, "coordonnees", CONTACT, wizard_goto_step="identite")
    step(client, "identite", {**IDENTITY, "identite-photo": image_file(name="autre.png")})
    replaced = [path for path in temporary_photos(settings) if path not in before]
    assert len(replaced) == 1 and replaced != kept
    # ANNULER deletes it.
    step(client, "coordonnees", CONTACT, wizard_cancel="1")
    assert [path for path in temporary_photos(settings) if path not in before] == []


def test_photo_is_checked_resized_and_stripped(client, django_capture_on_commit_callbacks, settings):
    before = temporary_photos(settings)
    client.get(URL)
    photo = image_file(fmt="JPEG", size=(2000, 1500), name="vacances.jpg", exif=True)
    assert b"Appareil secret" in photo.read()
    photo.seek(0)
    step(client, "identite", {**IDENTITY, "identite-photo": photo})
    html = step(client, "coordonnees", CONTACT).content.decode()
    assert "Photo jointe" in html
    with django_capture_on_commit_callbacks(execute=True):
        step(client, "mot-de-passe", PASSWORD_STEP)
    profile = Profile.objects.get(user__email=EMAIL)
    with profile.photo.open("rb") as stored:
        data = stored.read()
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert max(image.size) == 600
    assert b"Appareil secret" not in data
    assert profile.photo.name.startswith("photos/")
    assert temporary_photos(settings) == before  # the wizard's copy is deleted


def test_photo_kept_when_going_back_without_new_upload(client, django_capture_on_commit_callbacks):
    client.get(URL)
    step(client, "identite", {**IDENTITY, "identite-photo": image_file()})
    html = step(client, "coordonnees", CONTACT, wizard_goto_step="identite").content.decode()
    assert "Une photo est déjà jointe" in html
    step(client, "identite", IDENTITY)
    step(client, "coordonnees", CONTACT)
    with django_capture_on_commit_callbacks(execute=True):
        step(client, "mot-de-passe", PASSWORD_STEP)
    assert Profile.objects.get(user__email=EMAIL).photo


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("photo.jpg", b"ceci n'est pas une image", content_type="image/jpeg"),
         "Le fichier n'est pas une photo lisible"),
        (image_file(fmt="GIF", name="anim.gif"), "La photo doit être au format JPEG ou PNG."),
    ],
)
def test_photo_refused_when_not_a_jpeg_or_png(client, upload, message):
    client.get(URL)
    html = unescape(step(client, "identite", {**IDENTITY, "identite-photo": upload}).content.decode())
    assert "Étape 1 sur 3" in html
    assert message in html


def test_photo_over_5_mb_refused(client):
    from espace_citoyen.core import validation

    client.get(URL)
    with mock.patch.object(validation, "PHOTO_MAX_BYTES", 100):
        html = step(client, "identite", {**IDENTITY, "identite-photo": image_file()}).content.decode()
    assert "La photo dépasse 5 Mo" in html


# --- Finish, confirmation e-mail, confirmation link ---------------------------------------


def test_finishing_creates_an_unconfirmed_account_and_sends_the_link(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = run_wizard(client)
    assert response.url == "/espace-citoyen/creer-mon-espace/verifiez-votre-boite-mail/"
    page = client.get(response.url).content.decode()
    assert "Vérifiez votre boîte mail" in page and EMAIL in page

    user = User.objects.get(email=EMAIL)
    assert user.status == AccountStatus.EMAIL_UNCONFIRMED
    assert user.is_active and user.check_password(PASSWORD)
    assert (user.first_name, user.last_name) == ("Léa", "Dupont")
    profile = user.profile
    assert profile.civility == Civility.MADAME
    assert profile.birth_date == datetime.date(1985, 3, 14)
    assert (profile.birth_department, profile.birth_city, profile.postcode) == ("78", "Poissy", "78670")
    assert (profile.phone_home, profile.phone_mobile) == ("01 39 08 25 40", "06 12 34 56 78")
    assert profile.preferred_contact == "sms"
    assert profile.privacy_notice_accepted_at is not None
    event = user.account_events.get()
    assert (event.kind, event.to_status, event.actor) == (AccountEventKind.CREATED, AccountStatus.EMAIL_UNCONFIRMED, user)
    (message,) = mail.outbox
    assert message.to == [EMAIL]
    assert "Confirmez votre adresse" in message.subject
    assert confirmation_link(message)
    # The wizard is reset.
    assert "Dupont" not in client.get(URL).content.decode()


def test_unconfirmed_account_cannot_log_in(client, django_capture_on_commit_callbacks):
    signed_up(client, django_capture_on_commit_callbacks)
    response = client.post("/espace-citoyen/connexion/", {"username": EMAIL, "password": PASSWORD})
    assert response.status_code == 200
    assert "Votre adresse e-mail n'est pas encore confirmée" in unescape(response.content.decode())
    assert "_auth_user_id" not in client.session
    # Wrong password: the generic message only.
    response = client.post("/espace-citoyen/connexion/", {"username": EMAIL, "password": "Mauvais-mot-de-passe-1"})
    html = response.content.decode()
    assert "Adresse e-mail ou mot de passe incorrect." in html
    assert "pas encore confirmée" not in html


def test_confirmation_link_works_once_and_shows_the_deadline(client, django_capture_on_commit_callbacks):
    user = signed_up(client, django_capture_on_commit_callbacks)
    url = confirmation_link(mail.outbox[0])
    friday = datetime.datetime(2026, 5, 22, 10, 0, tzinfo=PARIS)
    # Opening the link (a mail scanner does) confirms nothing: one button does.
    page = client.get(url).content.decode()
    assert "Confirmer mon adresse e-mail" in page and 'method="post"' in page
    user.refresh_from_db()
    assert user.status == AccountStatus.EMAIL_UNCONFIRMED and not Demarche.objects.filter(user=user).exists()
    with mock.patch("django.utils.timezone.now", return_value=friday):
        response = client.post(url, follow=True)
    html = response.content.decode()
    assert "Votre adresse e-mail est confirmée" in html
    assert "Votre demande sera traitée au plus tard le mercredi 27 mai 2026 à 10:00" in html
    assert 'href="/espace-citoyen/connexion/"' in html

    user.refresh_from_db()
    assert user.status == AccountStatus.PENDING
    assert user.email_confirmed_at == friday and user.validation_requested_at == friday
    assert user.validation_due_at == datetime.datetime(2026, 5, 27, 10, 0, tzinfo=PARIS)
    event = user.account_events.get(kind=AccountEventKind.EMAIL_CONFIRMED)
    assert (event.from_status, event.to_status, event.actor) == (AccountStatus.EMAIL_UNCONFIRMED, AccountStatus.PENDING, user)
    demarche = Demarche.objects.get(user=user)
    assert demarche.kind == DemarcheKind.ACCOUNT_CREATION and demarche.status == DemarcheStatus.SENT
    assert demarche.due_at == user.validation_due_at

    again = client.post(url)
    assert "Ce lien de confirmation n'est plus valide" in again.content.decode()
    assert Demarche.objects.filter(user=user).count() == 1


def test_expired_confirmation_link_is_refused(client, django_capture_on_commit_callbacks, settings):
    user = signed_up(client, django_capture_on_commit_callbacks)
    url = confirmation_link(mail.outbox[0])
    later = datetime.datetime.now() + datetime.timedelta(days=settings.ESPACE_CITOYEN_EMAIL_CONFIRMATION_DAYS + 1)
    with mock.patch("espace_citoyen.accounts.tokens.EmailConfirmationTokenGenerator._now", return_value=later):
        html = client.post(url).content.decode()
    assert "Ce lien de confirmation n'est plus valide" in html
    user.refresh_from_db()
    assert user.status == AccountStatus.EMAIL_UNCONFIRMED


def test_tampered_confirmation_link_is_refused(client, django_capture_on_commit_callbacks):
    signed_up(client, django_capture_on_commit_callbacks)
    url = confirmation_link(mail.outbox[0])
    assert "n'est plus valide" in client.get(url[:-3] + "zz/").content.decode()
    assert "n'est plus valide" in client.get("/espace-citoyen/confirmer-mon-courriel/xx/abc-def/").content.decode()


def test_new_sign_up_with_an_unconfirmed_address_replaces_it(client, django_capture_on_commit_callbacks):
    signed_up(client, django_capture_on_commit_callbacks)
    first_link = confirmation_link(mail.outbox[0])
    client.get(URL)
    with django_capture_on_commit_callbacks(execute=True):
        run_wizard(client, identity={**IDENTITY, "identite-first_name": "Léa-Marie"},
                   password={**PASSWORD_STEP, "mot-de-passe-password1": "Autre-phrase-longue-7",
                             "mot-de-passe-password2": "Autre-phrase-longue-7"})
    assert User.objects.filter(email=EMAIL).count() == 1
    user = User.objects.get(email=EMAIL)
    assert user.first_name == "Léa-Marie" and user.check_password("Autre-phrase-longue-7")
    assert "n'est plus valide" in client.get(first_link).content.decode()
    assert client.post(confirmation_link(mail.outbox[1])).status_code == 302


# --- No enumeration -----------------------------------------------------------------------


def test_existing_address_same_pages_no_account_and_a_warning(client, django_capture_on_commit_callbacks):
    existing = User.objects.create_user(EMAIL.upper(), "Deja-un-compte-2024", first_name="Léa")
    with django_capture_on_commit_callbacks(execute=True):
        response = run_wizard(client)
    assert response.status_code == 302
    assert response.url == "/espace-citoyen/creer-mon-espace/verifiez-votre-boite-mail/"
    page = client.get(response.url).content.decode()
    assert "Vérifiez votre boîte mail" in page
    assert "existe" not in page and "déjà" not in page
    assert User.objects.filter(email__iexact=EMAIL).count() == 1
    existing.refresh_from_db()
    assert existing.check_password("Deja-un-compte-2024") and existing.status == AccountStatus.ACTIVE
    assert not Profile.objects.filter(user=existing).exists()
    (message,) = mail.outbox
    assert message.to == [EMAIL]
    assert "Tentative de création" in message.subject
    assert "/espace-citoyen/connexion/" in message.body and "/espace-citoyen/mot-de-passe-oublie/" in message.body
    assert "/confirmer-mon-courriel/" not in message.body


def test_existing_address_step_two_says_nothing(client):
    User.objects.create_user(EMAIL, "Deja-un-compte-2024")
    client.get(URL)
    step(client, "identite", IDENTITY)
    html = step(client, "coordonnees", CONTACT).content.decode()
    assert "Étape 3 sur 3" in html
    assert "déjà utilisée" not in html


def test_signed_in_user_is_sent_to_the_dashboard(client):
    user = User.objects.create_user("deja@example.fr", "Deja-un-compte-2024")
    client.force_login(user)
    assert client.get(URL).url == "/espace-citoyen/"


# --- Pending accounts ---------------------------------------------------------------------


@validated_account_required
def family_feature(request):
    return HttpResponse("inscription des enfants")


urlpatterns = [path("famille/", family_feature), path("", include("site_cms.urls"))]


def pending_user(**extra):
    due = datetime.datetime(2026, 5, 27, 10, 0, tzinfo=PARIS)
    return User.objects.create_user(
        "attente@example.fr", PASSWORD, first_name="Nina", status=AccountStatus.PENDING, validation_due_at=due, **extra
    )


@pytest.mark.urls(__name__)
def test_decorator_refuses_pending_and_refused_accounts(client):
    user = pending_user()
    client.force_login(user)
    response = client.get("/famille/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Votre espace est en attente de validation" in html
    assert "mercredi 27 mai 2026 à 10:00" in html
    user.status = AccountStatus.REFUSED
    user.refusal_reason = "Justificatif de domicile illisible"
    user.save()
    response = client.get("/famille/")
    assert response.status_code == 403
    assert "Justificatif de domicile illisible" in response.content.decode()


@pytest.mark.urls(__name__)
def test_decorator_lets_validated_accounts_in_and_asks_anonymous_to_log_in(client):
    response = client.get("/famille/")
    assert response.status_code == 302 and "connexion" in response.url
    client.force_login(User.objects.create_user("valide@example.fr", PASSWORD))
    response = client.get("/famille/")
    assert response.status_code == 200 and response.content == b"inscription des enfants"


def test_pending_account_logs_in_and_sees_its_status_on_the_dashboard(client):
    pending_user()
    response = client.post("/espace-citoyen/connexion/", {"username": "attente@example.fr", "password": PASSWORD})
    assert response.status_code == 302
    html = client.get("/espace-citoyen/").content.decode()
    assert "État de votre espace : En attente de validation" in html
    assert "Votre demande sera traitée au plus tard le mercredi 27 mai 2026 à 10:00" in html


def test_refused_account_sees_the_reason_on_the_dashboard(client):
    client.force_login(pending_user(refusal_reason="Adresse hors commune"))
    user = User.objects.get(email="attente@example.fr")
    user.status = AccountStatus.REFUSED
    user.save()
    html = client.get("/espace-citoyen/").content.decode()
    assert "État de votre espace : Refusé" in html
    assert "Adresse hors commune" in html and "01 39 08 25 40" in html


def test_validated_account_dashboard_has_no_status_notice(client):
    client.force_login(User.objects.create_user("valide@example.fr", PASSWORD))
    assert "État de votre espace" not in client.get("/espace-citoyen/").content.decode()


def test_signup_service_requires_the_privacy_notice():
    with pytest.raises(ValueError):
        services.account_signup(email=EMAIL, password=PASSWORD, first_name="A", last_name="B", profile={},
                                privacy_notice_accepted=False)
