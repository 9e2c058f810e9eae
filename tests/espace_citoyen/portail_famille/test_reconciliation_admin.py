"""The back office of "Familles à rapprocher" (portail_famille/admin/reconciliation.py): who may
see it (Relations population, not the Pôle scolaire), the side-by-side page, each decision
posted as an agent does it, validating a pending account from the same page, and the
accounts of agents kept for superusers."""

import datetime
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from espace_citoyen.accounts.models import AccountEventKind, AccountStatus, User
from espace_citoyen.family.models import Household, Membership
from espace_citoyen.portail_famille.models import FamilyReconciliation
from espace_citoyen.portail_famille.services import families
from tests.factories import ChildFactory, make_citizen, make_staff

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "portail_famille_sample.csv"
INDEX = "/admin/espace-citoyen/familles-a-rapprocher/"


@pytest.fixture
def population(db):
    """The demo agent of the Relations population (import, validation)."""
    return User.objects.get(email="relations.population@ville-villennes-sur-seine.fr")


@pytest.fixture
def scolaire(db):
    return User.objects.get(email="pole.scolaire@ville-villennes-sur-seine.fr")


@pytest.fixture
def queued(db, django_capture_on_commit_callbacks):
    """Claire Martin (validated, Léa declared) and Anne Petit (pending, no household) have an
    account: families 1042 and 1045 of the sample wait in the queue."""
    claire = make_citizen("claire.martin@example.org", first_name="Claire", last_name="Martin",
                          profile={"street_number": "12", "street": "rue du Général-de-Gaulle", "postcode": "78670",
                                   "city": "Villennes-sur-Seine"})
    ChildFactory(household=Membership.objects.get(user=claire).household, first_name="Léa", last_name="Martin",
                 birth_date=datetime.date(2016, 3, 14))
    anne = make_citizen("anne.petit@example.org", first_name="Anne", last_name="Petit",
                        status=AccountStatus.PENDING, household=False)
    with django_capture_on_commit_callbacks(execute=True):
        families.legacy_import_file(data=SAMPLE.read_bytes(), actor=None)
    mail.outbox.clear()
    return {
        "claire": claire, "anne": anne,
        "1042": FamilyReconciliation.objects.get(legacy_id="1042"),
        "1045": FamilyReconciliation.objects.get(legacy_id="1045"),
    }


def detail(entry) -> str:
    return reverse("portail_famille_reconciliation:detail", args=[entry.pk])


def test_the_queue_is_for_agents_who_import(client, otp_login, queued, scolaire):
    otp_login(client, scolaire)
    for url in (INDEX, detail(queued["1042"])):
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    response = client.post(detail(queued["1042"]), {"action": "attach"})
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    assert FamilyReconciliation.objects.get(legacy_id="1042").status == "pending"
    assert "Familles à rapprocher" not in client.get("/admin/").content.decode()

    client.logout()
    otp_login(client, make_staff("sans.droit@ville-villennes-sur-seine.fr"))
    assert client.get(INDEX).status_code == 302
    response = client.get(detail(queued["1042"]))
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")


def test_the_queue_lists_the_waiting_families(client, otp_login, queued, population):
    otp_login(client, population)
    page = client.get(INDEX).content.decode()
    assert "Familles à rapprocher" in page
    assert "Julien Martin / Claire Martin" in page and "claire.martin@example.org" in page
    assert "Anne Petit / Marc Petit" in page and "En attente de validation" in page
    assert "Thomas Moreau / Sarah Moreau" in page  # the demo's
    assert f'href="{detail(queued["1042"])}"' in page
    found = client.get(INDEX, {"q": "petit"}).content.decode()
    assert "anne.petit@example.org" in found and "claire.martin@example.org" not in found
    assert "Aucune famille traitée" in client.get(INDEX, {"etat": "traitees"}).content.decode()
    admin_home = client.get("/admin/").content.decode()
    assert INDEX in admin_home and "Familles à rapprocher : 3" in admin_home


def test_the_page_compares_side_by_side(client, otp_login, queued, population):
    otp_login(client, population)
    response = client.get(detail(queued["1042"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Portail Famille (famille 1042)" in page and "Espace citoyen (compte existant)" in page
    assert "Claire.Martin@example.org" not in page and "claire.martin@example.org" in page
    assert "rue du Général-de-Gaulle" in page
    comparison = response.context["same"]
    assert comparison == {"name": True, "address": True, "phone": False}
    rows = response.context["child_rows"]
    assert [(row["legacy"].first_name, row["match"] is not None) for row in rows] == [("Léa", True), ("Hugo", False)]
    assert "les deux fiches n'en font qu'une" in page
    assert "Julien Martin – julien.martin@example.org" in page
    assert "Famille du Portail Famille à rapprocher" in page  # the account's history
    assert "Rattacher au foyer de ce compte" in page
    assert "Valider le compte" not in page  # validated already


def test_attach_from_the_page(client, otp_login, queued, population, django_capture_on_commit_callbacks):
    otp_login(client, population)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail(queued["1042"]), {"action": "attach"})
    assert response.status_code == 302 and response.url == detail(queued["1042"])
    entry = FamilyReconciliation.objects.get(legacy_id="1042")
    assert (entry.status, entry.decided_by) == ("attached", population)
    household = Membership.objects.get(user=queued["claire"]).household
    assert sorted(household.children.values_list("legacy_id", flat=True)) == ["1042-1", "1042-2"]
    page = client.get(response.url).content.decode()
    assert "rattachée au foyer de claire.martin@example.org" in page
    assert "Décision : rattachée au foyer du compte" in page and "Hugo" in page
    assert "Rattacher au foyer de ce compte" not in page
    assert "Famille du Portail Famille rattachée" in page
    assert {tuple(m.to) for m in mail.outbox} == {("claire.martin@example.org",), ("julien.martin@example.org",)}
    # Posting again changes nothing.
    client.post(detail(entry), {"action": "reject", "reason": "Erreur"})
    assert FamilyReconciliation.objects.get(legacy_id="1042").status == "attached"
    assert f'href="{detail(entry)}"' in client.get(INDEX, {"etat": "traitees"}).content.decode()
    assert f'href="{detail(entry)}"' not in client.get(INDEX).content.decode()


def test_separate_and_reject_check_their_fields(client, otp_login, queued, population):
    otp_login(client, population)
    url = detail(queued["1042"])
    response = client.post(url, {"action": "separate", "email": "anne.petit@example.org"})
    assert response.status_code == 200
    assert "Cette adresse e-mail est déjà utilisée par un autre compte." in response.content.decode()
    response = client.post(url, {"action": "reject", "reason": ""})
    assert response.status_code == 200 and "Indiquez le motif" in response.content.decode()
    assert FamilyReconciliation.objects.get(legacy_id="1042").status == "pending"

    response = client.post(url, {"action": "separate", "email": "claire.autre@example.org"})
    assert response.status_code == 302
    entry = FamilyReconciliation.objects.get(legacy_id="1042")
    assert entry.status == "separate" and Household.objects.filter(legacy_id="1042").exists()
    assert User.objects.get(legacy_key="1042-2").email == "claire.autre@example.org"

    response = client.post(detail(queued["1045"]), {"action": "reject", "reason": "Doublon signalé par la famille"})
    assert response.status_code == 302
    assert FamilyReconciliation.objects.get(legacy_id="1045").reason == "Doublon signalé par la famille"
    assert queued["anne"].account_events.filter(kind=AccountEventKind.LEGACY_REJECTED).exists()


def test_a_pending_account_is_validated_from_the_same_page(client, otp_login, queued, population,
                                                          django_capture_on_commit_callbacks):
    otp_login(client, population)
    url = detail(queued["1045"])
    page = client.get(url).content.decode()
    assert "Valider le compte de Anne Petit" in page and "Ce compte n'a pas encore de foyer" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "validate"})
    assert response.status_code == 302
    anne = User.objects.get(pk=queued["anne"].pk)
    assert anne.status == AccountStatus.ACTIVE
    assert anne.account_events.get(kind=AccountEventKind.VALIDATED).actor == population
    assert [m.to for m in mail.outbox] == [["anne.petit@example.org"]]
    assert FamilyReconciliation.objects.get(legacy_id="1045").status == "pending"  # still to decide


def test_validating_needs_its_own_permission(client, otp_login, queued):
    importer = make_staff("import.seul@ville-villennes-sur-seine.fr", "import_portail_famille")
    otp_login(client, importer)
    url = detail(queued["1045"])
    assert "Valider le compte" not in client.get(url).content.decode()
    client.post(url, {"action": "validate"})
    assert User.objects.get(pk=queued["anne"].pk).status == AccountStatus.PENDING


def test_an_agents_account_is_for_superusers_only(client, otp_login, population, superuser,
                                                  django_capture_on_commit_callbacks):
    make_staff("claire.martin@example.org")  # an agent who is also a parent of the file
    with django_capture_on_commit_callbacks(execute=True):
        families.legacy_import_file(data=SAMPLE.read_bytes(), actor=None)
    entry = FamilyReconciliation.objects.get(legacy_id="1042")
    otp_login(client, population)
    assert client.get(detail(entry)).status_code == 404
    assert "claire.martin@example.org" not in client.get(INDEX).content.decode()
    client.logout()
    otp_login(client, superuser)
    assert client.get(detail(entry)).status_code == 200


def test_the_import_report_lists_the_queued_lines_with_a_link(client, otp_login, population,
                                                              django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    make_citizen("claire.martin@example.org", first_name="Claire", last_name="Martin")
    otp_login(client, population)
    for dry_run in (True, False):
        upload = SimpleUploadedFile("familles.csv", SAMPLE.read_bytes(), content_type="text/csv")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/admin/espace-citoyen/import-portail-famille/",
                                   {"file": upload, **({"dry_run": "on"} if dry_run else {})})
        page = client.get(response.url).content.decode()
        assert "ligne 2 (famille 1042) : l&#x27;adresse claire.martin@example.org" in page
        if dry_run:
            assert "Familles qui iraient dans « Familles à rapprocher » (1)" in page
            assert not FamilyReconciliation.objects.filter(legacy_id="1042").exists()
        else:
            assert f'<a href="{INDEX}">Familles à rapprocher</a>' in page
            assert FamilyReconciliation.objects.filter(legacy_id="1042", status="pending").exists()
