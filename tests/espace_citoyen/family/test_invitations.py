import datetime
import re

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from espace_citoyen.demarches.models import Demarche
from espace_citoyen.family import selectors
from espace_citoyen.family.models import Child, Household, Invitation, Membership

from .conftest import make_household, make_user, page_text

INVITE = reverse("family:invite")


def _invite(client, parent, email="marc.durand@example.fr") -> str:
    client.force_login(parent)
    response = client.post(INVITE, {"email": email}, follow=True)
    assert f"Une invitation a été envoyée à {email}" in page_text(response)
    match = re.search(r"http://testserver(/espace-citoyen/famille/invitation/[^/\s]+/)", mail.outbox[-1].body)
    return match.group(1)


def test_invitation_email_sent_once_with_single_use_link(client, parent):
    link = _invite(client, parent)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["marc.durand@example.fr"]
    assert "Sophie Durand vous invite à rejoindre son foyer" in message.subject
    assert "valable 7 jours" in message.body
    invitation = Invitation.objects.get()
    assert invitation.token_hash not in message.body and link.split("/")[-2] != invitation.token_hash
    response = client.post(INVITE, {"email": "Marc.Durand@example.fr"})
    assert "Une invitation est déjà en attente pour cette adresse" in page_text(response)
    assert len(mail.outbox) == 1 and Invitation.objects.count() == 1
    assert "Invitation envoyée à marc.durand@example.fr" in page_text(client.get(reverse("family:household")))


def test_own_address_and_existing_member_refused(client, parent):
    client.force_login(parent)
    assert "celle de votre propre compte" in page_text(client.post(INVITE, {"email": parent.email}))
    html = page_text(client.post(INVITE, {"email": "pas-une-adresse"}))
    assert "Saisissez une adresse e-mail valide" in html and 'value="pas-une-adresse"' in html
    assert not mail.outbox


def test_invitee_joins_and_both_parents_see_same_children(client, parent):
    link = _invite(client, parent)
    invitee = make_user("marc.durand@example.fr", first_name="Marc", last_name="Durand", street="rue du Pont")
    client.logout()
    anonymous = page_text(client.get(link))
    assert "Sophie Durand vous invite à rejoindre son foyer" in anonymous
    assert f"/espace-citoyen/connexion/?next={link}" in anonymous
    client.force_login(invitee)
    assert "Rejoindre ce foyer" in page_text(client.get(link))
    response = client.post(link, follow=True)
    html = page_text(response)
    assert "Vous avez rejoint le foyer" in html and "Pôle scolaire" in html
    assert "Emma Durand" in html and "Sophie Durand" in html
    assert "1 rue du Pont" in html and "1 rue de Poissy" in html
    assert list(selectors.children_for(user=invitee)) == list(selectors.children_for(user=parent))
    assert Demarche.objects.get(user=invitee).title == "Arrivée de Marc Durand dans le foyer"
    # The link works once.
    again = client.post(link)
    assert again.status_code == 404
    assert "déjà été utilisé" in page_text(again)
    assert Membership.objects.filter(user=invitee).count() == 1


def test_expired_link_refused(client, parent):
    link = _invite(client, parent)
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    invitee = make_user("marc.durand@example.fr")
    client.force_login(invitee)
    response = client.post(link)
    assert response.status_code == 404 and "a expiré" in page_text(response)
    assert not Membership.objects.filter(user=invitee).exists()


def test_wrong_user_cannot_use_another_persons_link(client, parent, stranger):
    link = _invite(client, parent)
    client.force_login(stranger)
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 404
        assert "envoyée à une autre adresse e-mail" in page_text(response)
        assert "Sophie" not in page_text(response)
    assert not Membership.objects.filter(user=stranger, household__memberships__user=parent).exists()
    assert client.get("/espace-citoyen/famille/invitation/inconnu/").status_code == 404


def test_invitee_with_own_children_is_refused_with_explanation(client, parent):
    link = _invite(client, parent, email="paul.petit@example.fr")
    invitee = make_user("paul.petit@example.fr", first_name="Paul", last_name="Petit")
    make_household(invitee, "Hugo")
    client.force_login(invitee)
    html = page_text(client.get(link))
    assert "les deux foyers ne peuvent pas être réunis" in html and "01 39 08 25 67" in html
    assert "Rejoindre ce foyer" not in html
    client.post(link)
    assert Invitation.objects.get().accepted_at is None
    assert not Membership.objects.filter(user=invitee, household__memberships__user=parent).exists()


def test_invitee_with_empty_household_moves_in(client, parent):
    link = _invite(client, parent)
    invitee = make_user("marc.durand@example.fr")
    empty = make_household(invitee)
    client.force_login(invitee)
    client.post(link)
    assert not Household.objects.filter(pk=empty.pk).exists()
    assert selectors.household_of(user=invitee) == selectors.household_of(user=parent)


def test_cancel_invitation_scoped(client, parent, stranger):
    link = _invite(client, parent)
    invitation = Invitation.objects.get()
    url = reverse("family:invitation_cancel", args=[invitation.pk])
    client.force_login(stranger)
    assert client.post(url).status_code == 404
    client.force_login(parent)
    assert client.get(url).status_code == 405
    client.post(url)
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    client.force_login(make_user("marc.durand@example.fr"))
    assert "a été annulée" in page_text(client.post(link))


def test_leave_household_with_confirmation(client, parent):
    link = _invite(client, parent)
    invitee = make_user("marc.durand@example.fr", first_name="Marc", last_name="Durand")
    client.force_login(invitee)
    client.post(link)
    assert "Quitter ce foyer" in page_text(client.get(reverse("family:household")))
    confirm = page_text(client.get(reverse("family:leave")))
    assert "Quitter ce foyer ?" in confirm and "Sophie Durand" in confirm
    assert Membership.objects.filter(user=invitee).exists()
    response = client.post(reverse("family:leave"), follow=True)
    assert "Vous avez quitté le foyer." in page_text(response)
    assert not Membership.objects.filter(user=invitee).exists()
    assert not selectors.children_for(user=invitee).exists()
    assert Child.objects.filter(first_name="Emma").exists()
    assert Demarche.objects.filter(user=invitee, title="Départ de Marc Durand du foyer").exists()


def test_sole_adult_cannot_leave(client, parent):
    client.force_login(parent)
    assert "Quitter ce foyer" not in page_text(client.get(reverse("family:household")))
    assert "seul adulte de ce foyer" in page_text(client.get(reverse("family:leave")))
    client.post(reverse("family:leave"))
    assert Membership.objects.filter(user=parent).exists()
    assert not Demarche.objects.filter(user=parent).exists()


def test_pending_or_refused_account_cannot_join_until_validated(client, parent):
    """Joining shows the children's health details: only a validated account may."""
    from espace_citoyen.accounts.models import AccountStatus

    link = _invite(client, parent)
    invitee = make_user("marc.durand@example.fr", status=AccountStatus.PENDING, first_name="Marc", last_name="Durand")
    client.force_login(invitee)
    page = page_text(client.get(link))
    assert "Votre espace doit d'abord être validé par la mairie" in page
    assert "Rejoindre ce foyer" not in page
    client.post(link)
    assert not Membership.objects.filter(user=invitee, household__memberships__user=parent).exists()
    assert not selectors.children_for(user=invitee).exists()
    invitee.status = AccountStatus.REFUSED
    invitee.save()
    client.post(link)
    assert not selectors.children_for(user=invitee).exists()
    # Once validated, the same link works.
    invitee.status = AccountStatus.ACTIVE
    invitee.save()
    assert "Vous avez rejoint le foyer" in page_text(client.post(link, follow=True))
    assert list(selectors.children_for(user=invitee)) == list(selectors.children_for(user=parent))


def test_plain_text_invitation_keeps_apostrophes(client, db):
    """Plain-text e-mails are not HTML: "D'Almeida", not "D&#x27;Almeida"."""
    from .conftest import make_household

    inviter = make_user("ines.dalmeida@example.fr", first_name="Inès", last_name="D'Almeida")
    make_household(inviter, "Léo")
    _invite(client, inviter, email="marc.dalmeida@example.fr")
    message = mail.outbox[-1]
    assert message.subject.startswith("Inès D'Almeida vous invite")
    assert "Inès D'Almeida" in message.body and "&#x27;" not in message.body
