"""Panel "À traiter" of the Wagtail admin home (portal/admin/panels.py): each agent sees the
queues their permissions open, with counts and links; Communication sees no panel; the
number of queries does not grow with the volume. The demo content is seeded once per
session, so the expected counts are read from the database."""

import datetime
import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.utils import timezone

from espace_citoyen.accounts.groups import ensure_relations_population_group
from espace_citoyen.accounts.models import AccountStatus
from espace_citoyen.activities.models import Dossier, DossierStatus, SchoolYear
from espace_citoyen.activities.services.catalogue import catalogue_ensure_group_permissions
from espace_citoyen.billing.models import OPEN_INVOICE_STATUSES, Invoice
from espace_citoyen.core.services_map import SERVICE_GROUPS, TownService, ensure_service_groups
from espace_citoyen.demarches.models import Demarche, DemarcheKind, DemarcheStatus
from espace_citoyen.demarches.services import demarche_open
from espace_citoyen.family.models import Child, Household
from espace_citoyen.portal.admin.panels import ToProcessPanel

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "Panneau-a-traiter-2026"
ADMIN_HOME = "/admin/"
ACCOUNTS_URL = "/admin/espace-citoyen/comptes-a-valider/"
DEMARCHES_URL = "/admin/espace-citoyen/demarches/"
DOSSIERS_URL = "/admin/espace-citoyen/dossiers-inscription/"
RECONCILIATION_URL = "/admin/espace-citoyen/familles-a-rapprocher/"
INVOICES_URL = "/admin/espace-citoyen/factures/"
WAITING = [DemarcheStatus.SENT, DemarcheStatus.IN_PROGRESS]


def make_agent(email, *groups):
    user = User.objects.create_user(email, PASSWORD, first_name="Agent", last_name="Test", is_staff=True,
                                    status=AccountStatus.ACTIVE)
    user.groups.add(*groups)
    return user


@pytest.fixture
def population_agent(db):
    return make_agent("agent.pop.panneau@ville-villennes-sur-seine.fr", ensure_relations_population_group())


@pytest.fixture
def scolaire_agent(db):
    return make_agent("agent.scol.panneau@ville-villennes-sur-seine.fr", catalogue_ensure_group_permissions())


@pytest.fixture
def regie_agent(db):
    ensure_service_groups()
    return make_agent("agent.regie.panneau@ville-villennes-sur-seine.fr",
                      Group.objects.get(name=SERVICE_GROUPS[TownService.REGIE]))


@pytest.fixture
def citizen(db):
    return User.objects.create_user("citoyen.panneau@example.fr", PASSWORD, first_name="Léa", last_name="Panneau",
                                    status=AccountStatus.ACTIVE)


def make_pending(index: int, *, due_at):
    return User.objects.create_user(f"en.attente.{index}@example.fr", PASSWORD, first_name="Léa",
                                    last_name=f"Attente{index}", status=AccountStatus.PENDING,
                                    validation_due_at=due_at)


def make_submitted_dossier(index: int):
    household = Household.objects.create()
    child = Child.objects.create(household=household, first_name=f"Enfant{index}", last_name="Panneau",
                                 school="École des Tilleuls", school_class="CE1")
    return Dossier.objects.create(child=child, school_year=SchoolYear.objects.first(),
                                  status=DossierStatus.SUBMITTED, submitted_at=timezone.now())


@pytest.fixture
def waiting_work(citizen):
    """Two pending accounts (one overdue), démarches of two services (one overdue each,
    one already decided), a submitted and a draft dossier."""
    now = timezone.now()
    make_pending(1, due_at=now - datetime.timedelta(days=2))
    make_pending(2, due_at=now + datetime.timedelta(days=3))
    for service in (TownService.POPULATION, TownService.SCOLAIRE):
        demarche_open(user=citizen, kind=DemarcheKind.OTHER, title="En retard", service=service,
                      due_at=now - datetime.timedelta(days=1))
        demarche_open(user=citizen, kind=DemarcheKind.OTHER, title="À l'heure", service=service,
                      due_at=now + datetime.timedelta(days=5))
        decided = demarche_open(user=citizen, kind=DemarcheKind.OTHER, title="Décidée", service=service,
                                due_at=now - datetime.timedelta(days=1))
        Demarche.objects.filter(pk=decided.pk).update(status=DemarcheStatus.CLOSED)
    make_submitted_dossier(1)
    draft = make_submitted_dossier(2)
    Dossier.objects.filter(pk=draft.pk).update(status=DossierStatus.DRAFT)


def panel(client, otp_login, user):
    """The panel's HTML on the admin home, or None when it is absent."""
    otp_login(client, user)
    response = client.get(ADMIN_HOME)
    assert response.status_code == 200
    content = response.content.decode()
    match = re.search(r'<section[^>]*id="espace-citoyen-a-traiter-section".*?</section>', content, re.S)
    return match.group(0) if match else None


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split()).replace(" )", ")").replace("( ", "(")


def hrefs(fragment: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'href="([^"]+)"', fragment) if not href.startswith("#")]


def expected_accounts():
    now = timezone.now()
    pending = User.objects.filter(status=AccountStatus.PENDING)
    return pending.count(), pending.filter(validation_due_at__lt=now).count()


def expected_demarches(services, *, without_account_creation: bool):
    now = timezone.now()
    waiting = Demarche.objects.filter(service__in=services, status__in=WAITING)
    if without_account_creation:
        waiting = waiting.exclude(kind=DemarcheKind.ACCOUNT_CREATION)
    return waiting.count(), waiting.filter(due_at__lt=now).count()


def test_relations_population_sees_accounts_and_its_demarches(client, otp_login, population_agent, waiting_work):
    fragment = panel(client, otp_login, population_agent)
    assert fragment is not None
    body = text(fragment)
    assert "À traiter" in body

    accounts, accounts_overdue = expected_accounts()
    assert accounts >= 2 and accounts_overdue >= 1
    assert f"Comptes à valider : {accounts} (dont {accounts_overdue} en retard)" in body

    demarches, demarches_overdue = expected_demarches([TownService.POPULATION], without_account_creation=True)
    assert demarches >= 2 and demarches_overdue >= 1
    assert f"Démarches en attente : {demarches} (dont {demarches_overdue} en retard)" in body

    assert "Dossiers d'inscription" not in body
    assert hrefs(fragment) == [ACCOUNTS_URL, f"{ACCOUNTS_URL}?en_retard=1", DEMARCHES_URL, RECONCILIATION_URL]
    assert "Familles à rapprocher : 1" in body  # the demo's Moreau family (portail_famille/demo.py)


def test_the_overdue_link_opens_the_filtered_validation_queue(client, otp_login, population_agent, waiting_work):
    otp_login(client, population_agent)
    content = client.get(f"{ACCOUNTS_URL}?en_retard=1").content.decode()
    assert "en.attente.1@example.fr" in content
    assert "en.attente.2@example.fr" not in content


def test_account_creation_demarches_are_counted_once(client, otp_login, population_agent, waiting_work):
    """A pending account also opens a "création de l'espace" démarche: it is counted under
    "Comptes à valider" only."""
    before = text(panel(client, otp_login, population_agent))
    demarche_open(user=User.objects.get(email="en.attente.2@example.fr"), kind=DemarcheKind.ACCOUNT_CREATION,
                  title="Création de l'espace citoyen", service=TownService.POPULATION)
    after = text(panel(client, otp_login, population_agent))
    demarches, demarches_overdue = expected_demarches([TownService.POPULATION], without_account_creation=True)
    assert f"Démarches en attente : {demarches} (dont {demarches_overdue} en retard)" in before
    assert f"Démarches en attente : {demarches} (dont {demarches_overdue} en retard)" in after


def test_pole_scolaire_sees_its_demarches_and_dossiers(client, otp_login, scolaire_agent, waiting_work):
    fragment = panel(client, otp_login, scolaire_agent)
    body = text(fragment)
    assert "Comptes à valider" not in body

    demarches, demarches_overdue = expected_demarches([TownService.SCOLAIRE], without_account_creation=False)
    assert demarches >= 2 and demarches_overdue >= 1
    assert f"Démarches en attente : {demarches} (dont {demarches_overdue} en retard)" in body

    dossiers = Dossier.objects.filter(status=DossierStatus.SUBMITTED).count()
    assert dossiers >= 1
    assert f"Dossiers d'inscription à examiner : {dossiers}" in body
    assert hrefs(fragment) == [DEMARCHES_URL, f"{DOSSIERS_URL}?status=submitted"]


def test_dossiers_link_lists_the_submitted_dossiers(client, otp_login, scolaire_agent, waiting_work):
    otp_login(client, scolaire_agent)
    response = client.get(f"{DOSSIERS_URL}?status=submitted")
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == Dossier.objects.filter(
        status=DossierStatus.SUBMITTED).count()


def test_counts_follow_the_queues(client, otp_login, scolaire_agent, waiting_work):
    before = Dossier.objects.filter(status=DossierStatus.SUBMITTED).count()
    make_submitted_dossier(3)
    assert f"Dossiers d'inscription à examiner : {before + 1}" in text(panel(client, otp_login, scolaire_agent))


def test_superuser_sees_every_line(client, otp_login, superuser, waiting_work):
    fragment = panel(client, otp_login, superuser)
    body = text(fragment)
    accounts, accounts_overdue = expected_accounts()
    demarches, demarches_overdue = expected_demarches(list(TownService), without_account_creation=True)
    dossiers = Dossier.objects.filter(status=DossierStatus.SUBMITTED).count()
    assert f"Comptes à valider : {accounts} (dont {accounts_overdue} en retard)" in body
    assert f"Démarches en attente : {demarches} (dont {demarches_overdue} en retard)" in body
    assert f"Dossiers d'inscription à examiner : {dossiers}" in body
    invoices = Invoice.objects.filter(status__in=OPEN_INVOICE_STATUSES)
    overdue = invoices.filter(due_date__lt=timezone.localdate()).count()
    assert f"Factures à payer : {invoices.count()} (dont {overdue} en retard)" in body
    expected = [ACCOUNTS_URL, f"{ACCOUNTS_URL}?en_retard=1", DEMARCHES_URL, f"{DOSSIERS_URL}?status=submitted",
                RECONCILIATION_URL, INVOICES_URL] + ([f"{INVOICES_URL}?etat=overdue"] if overdue else [])
    assert hrefs(fragment) == expected


def test_communication_sees_no_panel(client, otp_login, editor, waiting_work):
    assert not editor.is_superuser
    assert panel(client, otp_login, editor) is None


def test_empty_state(client, otp_login, regie_agent):
    from espace_citoyen.billing.models import OPEN_INVOICE_STATUSES, Invoice

    Demarche.objects.filter(service=TownService.REGIE, status__in=WAITING).update(status=DemarcheStatus.CLOSED)
    Invoice.objects.filter(status__in=OPEN_INVOICE_STATUSES).update(status="paid")
    fragment = panel(client, otp_login, regie_agent)
    assert fragment is not None
    body = text(fragment)
    assert "Rien à traiter pour le moment." in body
    assert "Démarches en attente" not in body
    assert hrefs(fragment) == []


def test_lines_with_nothing_waiting_are_left_out(client, otp_login, population_agent, citizen):
    User.objects.filter(status=AccountStatus.PENDING).update(status=AccountStatus.ACTIVE)
    demarche_open(user=citizen, kind=DemarcheKind.OTHER, title="Attestation", service=TownService.POPULATION)
    assert expected_demarches([TownService.POPULATION], without_account_creation=True)[0] > 0
    body = text(panel(client, otp_login, population_agent))
    assert "Comptes à valider" not in body
    assert "Démarches en attente" in body
    assert "Rien à traiter" not in body


# --- Queries ----------------------------------------------------------------------------


def add_volume(citizen, size: int):
    now = timezone.now()
    User.objects.bulk_create([
        User(email=f"volume.{index}@example.fr", first_name="Vol", last_name=f"Ume{index}",
             status=AccountStatus.PENDING, validation_due_at=now + datetime.timedelta(days=index % 5 - 2))
        for index in range(size)
    ])
    Demarche.objects.bulk_create([
        Demarche(number=f"VOL-{index:05d}", kind=DemarcheKind.OTHER, title="Volume", user=citizen,
                 service=list(TownService)[index % 3], status=WAITING[index % 2],
                 due_at=now + datetime.timedelta(days=index % 5 - 2))
        for index in range(size)
    ])
    household = Household.objects.create()
    children = Child.objects.bulk_create([
        Child(household=household, first_name=f"Vol{index}", last_name="Ume") for index in range(size)
    ])
    school_year = SchoolYear.objects.first()
    Dossier.objects.bulk_create([
        Dossier(child=child, school_year=school_year, status=DossierStatus.SUBMITTED) for child in children
    ])


def render_panel(user) -> str:
    request = RequestFactory().get(ADMIN_HOME)
    request.user = user
    return text(ToProcessPanel().render_html({"request": request}))


@pytest.mark.parametrize("agent", ["superuser", "all_groups"])
def test_query_count_does_not_grow_with_the_volume(agent, superuser, population_agent, citizen,
                                                    django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if agent == "superuser":
        user = superuser
    else:
        user = population_agent
        user.groups.add(catalogue_ensure_group_permissions())
    fresh = User.objects.get(pk=user.pk)  # no permission cache
    with CaptureQueriesContext(connection) as small:
        small_html = render_panel(fresh)
    assert "Comptes à valider" in small_html and "Démarches en attente" in small_html

    add_volume(citizen, 60)
    fresh = User.objects.get(pk=user.pk)
    with django_assert_max_num_queries(len(small)):
        large_html = render_panel(fresh)
    assert "Dossiers d'inscription à examiner : " in large_html
    # permissions (2), service groups (3 + 3 in the démarches selector), Pôle scolaire
    # (1 + 1 in the dossiers selector), one count per queue (4, "Familles à rapprocher" included)
    assert len(small) <= 14


def test_whole_admin_home_query_count_does_not_grow(client, otp_login, superuser, citizen,
                                                     django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    otp_login(client, superuser)
    client.get(ADMIN_HOME)  # warm caches (site, content types)
    with CaptureQueriesContext(connection) as small:
        assert client.get(ADMIN_HOME).status_code == 200
    add_volume(citizen, 60)
    with django_assert_max_num_queries(len(small)):
        assert client.get(ADMIN_HOME).status_code == 200


def test_regie_sees_invoices_to_pay_and_credit_notes_to_propose(client, otp_login, regie_agent):
    from espace_citoyen.activities.models import Attendance, AttendanceStatus
    from espace_citoyen.billing.models import OPEN_INVOICE_STATUSES, Invoice
    from espace_citoyen.billing.selectors.staff import credit_proposals

    invoice = Invoice.objects.filter(status__in=OPEN_INVOICE_STATUSES).first()  # the demo's November invoice
    Invoice.objects.filter(pk=invoice.pk).update(due_date=datetime.date(2020, 1, 15))
    line = invoice.lines.filter(credit_lines__isnull=True, reservation__isnull=False).first()
    Attendance.objects.update_or_create(reservation_id=line.reservation_id,
                                        defaults={"status": AttendanceStatus.JUSTIFIED})
    body = text(panel(client, otp_login, regie_agent))
    open_count = Invoice.objects.filter(status__in=OPEN_INVOICE_STATUSES).count()
    assert f"Factures à payer : {open_count} (dont 1 en retard)" in body
    assert f"Avoirs à proposer : {credit_proposals().count()}" in body
