"""Journey of "Familles à rapprocher": the demo's Moreau family of the Portail Famille waits in
the queue because Thomas Moreau created his account with the wizard before the import (still
awaiting validation), and its bookings wait too. An agent of the Relations population opens
the queue, compares the family with the account side by side, validates the account and
attaches the family; the bookings import runs again; Thomas Moreau logs in and sees his
children and Léo's bookings since 2019. Our part of each page has no serious or critical
axe violation."""

import re

import pytest
from django.core import mail

from espace_citoyen.accounts.demo import DEMO_TOTP_KEY_BASE32
from espace_citoyen.accounts.models import AccountEventKind, AccountStatus, User
from espace_citoyen.activities.models import Reservation
from espace_citoyen.family.models import Child
from espace_citoyen.portail_famille.demo import MOREAU_BOOKING_LINES
from espace_citoyen.portail_famille.models import FamilyReconciliation
from espace_citoyen.portail_famille.services.bookings import import_reservations

from .conftest import assert_accessible
from .test_agent_reservations_browser import assert_main_accessible
from .test_two_factor_browser import app_code

pytestmark = pytest.mark.browser

AGENT_EMAIL = "relations.population@ville-villennes-sur-seine.fr"
AGENT_PASSWORD = "Agent-Population-2026"
PARENT_EMAIL = "thomas.moreau@example.org"
PARENT_PASSWORD = "Attente-Moreau-2026"
BOOKINGS_HEADER = "reservation;enfant;activite;annee;date;statut"


def test_agent_attaches_a_family_and_the_parent_sees_the_children_and_their_history(live_site, browser_page):
    page = browser_page
    entry = FamilyReconciliation.objects.get(legacy_id="2002")
    thomas = User.objects.get(email=PARENT_EMAIL)
    assert entry.status == "pending" and entry.account == thomas and thomas.status == AccountStatus.PENDING
    waiting = import_reservations([BOOKINGS_HEADER, *MOREAU_BOOKING_LINES])
    assert waiting.created == 0 and len(waiting.waiting) == 4  # not attached to anybody yet

    # The agent logs in (second factor) and opens the queue from the admin home.
    page.goto(live_site.url + "/admin/login/")
    page.locator("input[name=username]").fill(AGENT_EMAIL)
    page.locator("input[name=password]").fill(AGENT_PASSWORD)
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/double-authentification/verifier/"))
    page.locator("input[name=code]").fill(app_code(DEMO_TOTP_KEY_BASE32))
    page.get_by_role("button", name="Valider le code").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    page.get_by_role("link", name="Familles à rapprocher : 1").click()
    page.wait_for_url(re.compile(r"/admin/espace-citoyen/familles-a-rapprocher/$"))
    assert "Thomas Moreau / Sarah Moreau" in page.locator("main").inner_text()
    assert_main_accessible(page)

    # Side by side: the line of the file and the existing account, then the children.
    page.get_by_role("link", name="Comparer la famille 2002").click()
    page.wait_for_url(re.compile(rf"/familles-a-rapprocher/{entry.pk}/$"))
    main = page.locator("main")
    comparison = main.get_by_role("table").first.inner_text()
    assert "Portail Famille (famille 2002)" in comparison and "Espace citoyen (compte existant)" in comparison
    assert "thomas.moreau@example.org" in comparison and "En attente de validation" in comparison
    assert "identiques" in comparison  # same name, same address
    assert "Léo Moreau, né(e) le 14/06/2015" in main.inner_text()
    assert "Ce compte n'a pas encore de foyer" in main.inner_text()
    assert_main_accessible(page)

    # A known family of the town: the agent validates the account, then attaches the family.
    page.get_by_role("button", name="Valider le compte de Thomas Moreau").click()
    page.wait_for_selector("text=Espace de thomas.moreau@example.org validé")
    page.get_by_role("button", name="Rattacher au foyer de ce compte").click()
    page.wait_for_selector("text=Famille 2002 rattachée au foyer de thomas.moreau@example.org")
    decision = page.locator("main").inner_text()
    assert "Décision : rattachée au foyer du compte" in decision
    assert "Sarah Moreau : compte créé (sarah.moreau@example.org)" in decision
    assert "Famille du Portail Famille rattachée" in decision  # the account's history
    assert_main_accessible(page)

    thomas.refresh_from_db()
    assert thomas.status == AccountStatus.ACTIVE
    assert {AccountEventKind.VALIDATED, AccountEventKind.LEGACY_ATTACHED} <= set(
        thomas.account_events.values_list("kind", flat=True))
    assert any(PARENT_EMAIL in m.to and "rattachée" in m.subject for m in mail.outbox)
    assert any("sarah.moreau@example.org" in m.to for m in mail.outbox)  # her activation link

    # The bookings import, run again, now attaches Léo's bookings to him.
    after = import_reservations([BOOKINGS_HEADER, *MOREAU_BOOKING_LINES])
    assert (after.created, after.waiting, after.errors) == (4, [], [])
    leo = Child.objects.get(legacy_id="2002-1")
    assert Reservation.objects.filter(child=leo).count() == 4

    # Thomas Moreau logs in: his children, and Léo's history since 2019.
    page.context.clear_cookies()
    page.goto(live_site.url + "/espace-citoyen/connexion/")
    page.get_by_label("Identifiant (adresse e-mail)").fill(PARENT_EMAIL)
    page.get_by_label("Mot de passe").fill(PARENT_PASSWORD)
    page.get_by_role("button", name="Me connecter").click()
    page.wait_for_url(re.compile(r"/espace-citoyen/$"))
    family = page.locator("section[aria-labelledby=ma-famille]").inner_text()
    assert "Léo Moreau" in family and "Jade Moreau" in family
    assert_accessible(page)

    page.get_by_role("link", name="Léo Moreau").click()
    page.wait_for_url(re.compile(rf"/espace-citoyen/enfants/{leo.pk}/agenda/$"))
    page.get_by_role("link", name="Historique des réservations").click()
    page.wait_for_url(re.compile(rf"/espace-citoyen/enfants/{leo.pk}/historique/$"))
    history = page.locator("table").inner_text()
    assert "2019" in history and "2025" in history
    assert "Portail Famille" in history
    assert history.count("Réservé") >= 3 and "Annulé" in history
    assert_accessible(page)
