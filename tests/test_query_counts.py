"""N+1 audit of the list-like pages: each page is measured with a small and a large dataset
(after one warm-up request) and must cost the same number of SQL queries.

Pages already measured elsewhere are not repeated here:
- dashboard: tests/espace_citoyen/portal/test_dashboard_tiles.py, activities/test_summary.py
- famille (household page): tests/espace_citoyen/family/test_children.py
- messages inbox: tests/espace_citoyen/messaging/test_views.py
- booking history: tests/espace_citoyen/activities/test_history.py
- attendance sheet: tests/espace_citoyen/activities/test_attendance.py
"""

import datetime
import html

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from espace_citoyen.accounts.models import AccountStatus, Profile
from espace_citoyen.activities.models import (
    Attendance,
    AttendanceStatus,
    Dossier,
    DossierStatus,
    Reservation,
    WaitingListEntry,
    WaitingStatus,
)
from espace_citoyen.demarches.models import DemarcheEvent, DemarcheKind, DemarcheService, DemarcheStatus
from espace_citoyen.demarches.services import demarche_open
from espace_citoyen.documents.models import DocumentType
from espace_citoyen.portail_famille.models import LegacyImportRun, LegacyImportStatus
from espace_citoyen.family.models import AuthorizedPerson, Household, Membership

from .espace_citoyen.activities.agenda_factories import (
    make_activity,
    make_occurrence,
    make_parent,
    next_weekday,
    today,
    validate_dossier,
)
from tests.factories import add_children, add_demarches, add_documents, make_citizen

SMALL, LARGE = 2, 25


def _count(client, url, data=None, *, shows=None, times=1) -> int:
    """Queries of one GET of `url`, after a warm-up request (session, site, settings).
    `shows`: a text the page must contain at least `times` times (the rows are listed)."""
    assert client.get(url, data).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data)
    assert response.status_code == 200, (url, response.status_code)
    if shows is not None:
        assert html.unescape(response.content.decode()).count(shows) >= times, (url, shows, times)
    return len(queries)


def _citizen_count(client, user, url, data=None, **expect) -> int:
    client.force_login(user)
    return _count(client, url, data, **expect)


@pytest.fixture
def admin_client(client, otp_login, superuser):
    otp_login(client, superuser)
    return client


def _pdf(name="piece.pdf"):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "Attestation")
    return SimpleUploadedFile(name, bytes(pdf.output()), content_type="application/pdf")


def _upload(user, label="Attestation", doc_type=DocumentType.INSURANCE_CERTIFICATE):
    from espace_citoyen.documents.services import document_upload

    return document_upload(user=user, uploaded_file=_pdf(), doc_type=doc_type, label=label)


def _transmit(user, documents, service=DemarcheService.SCOLAIRE):
    from espace_citoyen.documents.services import documents_transmit

    return documents_transmit(user=user, documents=documents, service=service)


# --- Citizen pages -------------------------------------------------------------------------


def test_documents_list(db, client):
    def family(email, count):
        user = make_citizen(email)
        documents = add_documents(user, count)
        _transmit(user, documents[: max(1, count // 2)])
        return user

    small = family("qc.docs.small@example.fr", SMALL)
    large = family("qc.docs.large@example.fr", LARGE)
    url = reverse("documents:list")
    assert _citizen_count(client, large, url, shows="Pièce ", times=10) == _citizen_count(client, small, url)


def test_demarches_list(db, client):
    small = make_citizen("qc.dem.small@example.fr")
    add_demarches(small, SMALL)
    large = make_citizen("qc.dem.large@example.fr")
    add_demarches(large, LARGE)
    url = reverse("demarches:list")
    assert _citizen_count(client, large, url, shows="Demande ", times=10) == _citizen_count(client, small, url)


def _demarche_with_timeline(email, events, documents):
    user = make_citizen(email)
    demarche = _transmit(user, [_upload(user, label=f"Pièce {i}") for i in range(documents)])
    agent = get_user_model().objects.create_user(f"agent.{email}", "x-Un-mot-de-passe-42", is_staff=True,
                                                 first_name="Agent", last_name="Mairie")
    for index in range(events):
        DemarcheEvent.objects.create(demarche=demarche, actor=agent if index % 2 else user,
                                     from_status=DemarcheStatus.SENT, to_status=DemarcheStatus.IN_PROGRESS,
                                     comment=f"Commentaire {index}")
    return user, demarche


def test_demarche_detail_timeline(db, client):
    small, small_demarche = _demarche_with_timeline("qc.tl.small@example.fr", SMALL, SMALL)
    large, large_demarche = _demarche_with_timeline("qc.tl.large@example.fr", LARGE, LARGE)
    small_count = _citizen_count(client, small, reverse("demarches:detail", args=[small_demarche.number]))
    large_count = _citizen_count(client, large, reverse("demarches:detail", args=[large_demarche.number]),
                                 shows="Commentaire ", times=LARGE)
    assert large_count == small_count


def _campaign_year():
    from espace_citoyen.activities.selectors.dossiers import current_campaign

    campaign = current_campaign()
    assert campaign is not None, "the demo seeds a registration campaign"
    return campaign.school_year


def _dossier_family(email, count, year, activity):
    user = make_citizen(email)
    document = _upload(user)
    for child in add_children(user, count):
        AuthorizedPerson.objects.create(child=child, name="Mamie", relationship="Grand-mère", phone="0601020304")
        dossier = Dossier.objects.create(child=child, school_year=year, status=DossierStatus.SUBMITTED,
                                         health_confirmed=True, created_by=user)
        dossier.activities.add(activity)
        dossier.documents.add(document)
    return user


def test_citizen_dossiers_list(db, client):
    year = _campaign_year()
    activity = make_activity(name="Cantine QC", label="T-qc")
    small = _dossier_family("qc.dos.small@example.fr", SMALL, year, activity)
    large = _dossier_family("qc.dos.large@example.fr", 12, year, activity)
    url = reverse("activities:dossier_list")
    assert _citizen_count(client, large, url, shows="Enfant", times=12) == _citizen_count(client, small, url)


def _agenda_child(email, *, activities, days, month_start):
    user, (child,) = make_parent(email, children=("Chloé",))
    for index in range(activities):
        activity = make_activity(name=f"Activité QC {email} {index}", label="T-qc")
        validate_dossier(child, activity)
        for offset in range(days):
            day = month_start + datetime.timedelta(days=offset)
            occurrence = make_occurrence(activity, day)
            if offset % 3 == 0:
                WaitingListEntry.objects.create(occurrence=occurrence, child=child, status=WaitingStatus.WAITING)
            else:
                Reservation.objects.create(child=child, occurrence=occurrence)
    return user, child


@pytest.mark.parametrize("view", ["mois", "semaine"])
def test_agenda(db, client, view):
    month_start = (today().replace(day=1) + datetime.timedelta(days=40)).replace(day=1)
    monday = next_weekday(month_start, 0, weeks=1)
    start = monday if view == "semaine" else month_start
    small, small_child = _agenda_child("qc.ag.small@example.fr", activities=1, days=SMALL, month_start=start)
    large, large_child = _agenda_child("qc.ag.large@example.fr", activities=3,
                                       days=5 if view == "semaine" else 25, month_start=start)
    data = ({"vue": "semaine", "semaine": f"{monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}"}
            if view == "semaine" else {"mois": f"{month_start:%Y-%m}"})
    small_count = _citizen_count(client, small, reverse("activities:agenda", args=[small_child.pk]), data)
    large_count = _citizen_count(client, large, reverse("activities:agenda", args=[large_child.pk]), data,
                                 shows="Activité QC", times=3)
    assert large_count == small_count


# --- Back office ---------------------------------------------------------------------------


def _users(prefix, count, **fields):
    User = get_user_model()
    users = []
    for index in range(count):
        user = User.objects.create_user(f"{prefix}{index}@example.fr", "Un-mot-de-passe-solide-42",
                                        first_name="Qcprenom", last_name=f"Qcnom{prefix}", **fields)
        users.append(user)
    return users


def test_validation_queue(admin_client):
    url = reverse("accounts_validation:index")

    def make(prefix, count):
        for user in _users(prefix, count, status=AccountStatus.PENDING,
                           validation_due_at=timezone.now() + datetime.timedelta(days=2)):
            Profile.objects.get_or_create(user=user)
            Membership.objects.create(household=Household.objects.create(), user=user)
            demarche_open(user=user, kind=DemarcheKind.ACCOUNT_CREATION, title="Création de compte")

    make("qcvalsmall", SMALL)
    small = _count(admin_client, url, {"q": "Qcnomqcvalsmall"})
    make("qcvallarge", LARGE)
    large = _count(admin_client, url, {"q": "Qcnomqcvallarge"}, shows="Qcnomqcvallarge", times=LARGE)
    assert large == small


def test_accounts_to_activate(admin_client):
    url = reverse("accounts_to_activate:index")
    _users("qcactsmall", SMALL, status=AccountStatus.TO_ACTIVATE)
    small = _count(admin_client, url, {"q": "Qcnomqcactsmall"})
    _users("qcactlarge", LARGE, status=AccountStatus.TO_ACTIVATE)
    large = _count(admin_client, url, {"q": "Qcnomqcactlarge"}, shows="Qcnomqcactlarge", times=LARGE)
    assert large == small


def test_account_security_index(admin_client):
    from axes.models import AccessAttempt
    from django.conf import settings

    url = reverse("accounts_security:index")

    def make(prefix, count):
        for index, user in enumerate(_users(prefix, count, is_staff=bool(count % 2))):
            AccessAttempt.objects.create(username=user.email, ip_address=f"10.0.0.{index + 1}", user_agent="t",
                                         failures_since_start=settings.AXES_FAILURE_LIMIT)
            from django_otp.plugins.otp_totp.models import TOTPDevice

            TOTPDevice.objects.create(user=user, name="t", confirmed=True)

    make("qcsecsmall", SMALL)
    small = _count(admin_client, url, {"q": "Qcnomqcsecsmall"})
    make("qcseclarge", LARGE)
    large = _count(admin_client, url, {"q": "Qcnomqcseclarge"}, shows="Qcnomqcseclarge", times=LARGE)
    assert large == small
    # Without a search: the locked-out accounts (all of the above, first page of 25).
    locked_large = _count(admin_client, url, shows="Qcnomqcseclarge", times=20)
    assert locked_large == large


def test_import_runs_list(admin_client, superuser):
    url = reverse("portail_famille_import:index")

    def make(count):
        for index in range(count):
            LegacyImportRun.objects.create(created_by=superuser, status=LegacyImportStatus.DONE,
                                           original_filename=f"export-{index}.csv", total_rows=3, done_rows=3,
                                           started_at=timezone.now(), finished_at=timezone.now())

    LegacyImportRun.objects.all().delete()
    make(SMALL)
    small = _count(admin_client, url)
    make(8)  # the page shows the last ten runs
    large = _count(admin_client, url, shows="export-", times=10)
    assert large == small


def test_demarches_queue(admin_client):
    url = reverse("demarches_admin:index")

    def make(prefix, count):
        for index in range(count):
            user = make_citizen(f"{prefix}{index}@example.fr", last_name=f"Qc{prefix}")
            demarche = demarche_open(user=user, kind=DemarcheKind.FAMILY_CHANGE, title=f"Ajout {prefix} {index}",
                                     service=DemarcheService.SCOLAIRE)
            DemarcheEvent.objects.create(demarche=demarche, actor=user, from_status=DemarcheStatus.SENT,
                                         to_status=DemarcheStatus.SENT, comment="Relance")

    make("qcqsmall", SMALL)
    small = _count(admin_client, url)
    make("qcqlarge", LARGE)
    large = _count(admin_client, url, shows="Ajout qcqlarge", times=LARGE)
    assert large == small


def test_transmissions_list(admin_client):
    url = reverse("documents_admin:transmission_list")

    def make(prefix, count):
        for index in range(count):
            user = make_citizen(f"{prefix}{index}@example.fr")
            _transmit(user, add_documents(user, 2))

    make("qctrsmall", SMALL)
    small = _count(admin_client, url)
    make("qctrlarge", LARGE)
    large = _count(admin_client, url, shows="Martin", times=LARGE)
    assert large == small


def test_dossiers_admin_list(admin_client):
    year = _campaign_year()
    activity = make_activity(name="Cantine QC", label="T-qc")
    url = reverse("dossiers_admin:list")
    _dossier_family("qc.adm.dos.small@example.fr", SMALL, year, activity)
    small = _count(admin_client, url, {"status": DossierStatus.SUBMITTED})
    _dossier_family("qc.adm.dos.large@example.fr", LARGE, year, activity)
    large = _count(admin_client, url, {"status": DossierStatus.SUBMITTED}, shows="Enfant", times=LARGE)
    assert large == small


def _review_dossier(email, count):
    year = _campaign_year()
    user = make_citizen(email)
    (child,) = add_children(user, 1)
    for index in range(count):
        AuthorizedPerson.objects.create(child=child, name=f"Personne {index}", relationship="Voisin",
                                        phone="0601020304")
    dossier = Dossier.objects.create(child=child, school_year=year, status=DossierStatus.SUBMITTED,
                                     health_confirmed=True, created_by=user)
    for index in range(count):
        dossier.activities.add(make_activity(name=f"Revue {email} {index}", label="T-qc"))
        dossier.documents.add(_upload(user, label=f"Pièce {index}"))
    return dossier


def test_dossier_review(admin_client):
    small = _review_dossier("qc.rev.small@example.fr", SMALL)
    large = _review_dossier("qc.rev.large@example.fr", 10)
    small_count = _count(admin_client, reverse("dossiers_admin:review", args=[small.pk]))
    large_count = _count(admin_client, reverse("dossiers_admin:review", args=[large.pk]), shows="Revue ", times=10)
    assert large_count == small_count


def test_attendance_index(admin_client):
    url = reverse("activities_attendance:index")
    small_day = next_weekday(today(), 0, weeks=8)
    large_day = next_weekday(today(), 1, weeks=8)

    def make(day, count):
        for index in range(count):
            activity = make_activity(name=f"Présence QC {day} {index}", label="T-qc")
            occurrence = make_occurrence(activity, day)
            user, kids = make_parent(f"qc.att.{day}.{index}@example.fr", children=("A", "B"))
            for kid in kids:
                Reservation.objects.create(child=kid, occurrence=occurrence)

    make(small_day, SMALL)
    make(large_day, LARGE)
    small = _count(admin_client, url, {"date": small_day.isoformat()})
    large = _count(admin_client, url, {"date": large_day.isoformat()}, shows="Présence QC", times=LARGE)
    assert large == small


def test_reservations_index(admin_client):
    url = reverse("reservations_admin:index")

    def make(name, count):
        for index in range(count):
            user, _kids = make_parent(f"qc.res.{name}.{index}@example.fr", last_name=name, children=("A", "B"))
            make_citizen(f"qc.res.{name}.co{index}@example.fr", household=user.memberships.get().household)

    make("Qcressmall", 1)
    small = _count(admin_client, url, {"q": "Qcressmall"})
    make("Qcreslarge", 12)
    large = _count(admin_client, url, {"q": "Qcreslarge"}, shows="Qcreslarge", times=24)
    assert large == small


def _reservation_child(email, count, month_start, agent):
    user, (child,) = make_parent(email, children=("Chloé",))
    make_citizen(f"co.{email}", household=user.memberships.get().household)
    activity = make_activity(name=f"Cantine {email}", label="T-qc")
    validate_dossier(child, activity)
    for offset in range(count):
        occurrence = make_occurrence(activity, month_start + datetime.timedelta(days=offset))
        reservation = Reservation.objects.create(child=child, occurrence=occurrence, created_by=user)
        if offset % 2:
            Attendance.objects.create(reservation=reservation, status=AttendanceStatus.PRESENT, marked_by=agent)
    return child


def test_reservations_child_page(admin_client, superuser):
    month_start = today().replace(day=1)
    small = _reservation_child("qc.rc.small@example.fr", SMALL, month_start, superuser)
    large = _reservation_child("qc.rc.large@example.fr", LARGE, month_start, superuser)
    data = {"mois": f"{month_start:%Y-%m}"}
    small_count = _count(admin_client, reverse("reservations_admin:child", args=[small.pk]), data)
    large_count = _count(admin_client, reverse("reservations_admin:child", args=[large.pk]), data,
                         shows="Cantine qc.rc.large", times=1)
    assert large_count == small_count


# --- Wagtail listings of the "Espace citoyen" menu -------------------------------------------
# The demo already lists some rows: "small" is the demo plus one row, "large" the demo plus 25
# (the listings show 20 rows a page).

def test_households_listing(admin_client):
    url = "/admin/espace-citoyen/foyers/"
    Household.objects.create()
    small = _count(admin_client, url)
    for index in range(LARGE):
        user, _kids = make_parent(f"qc.hh.{index}@example.fr", last_name=f"Qchh{index}", children=("A",))
        make_citizen(f"qc.hh.co{index}@example.fr", household=user.memberships.get().household)
    large = _count(admin_client, url)
    assert large == small


def test_children_listing(admin_client):
    url = "/admin/espace-citoyen/enfants/"
    make_parent("qc.ch.small@example.fr", last_name="Qcchsmall", children=("A",))
    small = _count(admin_client, url)
    for index in range(LARGE):
        make_parent(f"qc.ch.{index}@example.fr", last_name=f"Qcch{index}", children=("A",))
    large = _count(admin_client, url)
    assert large == small


def test_activities_listing(admin_client):
    url = "/admin/espace-citoyen/activites/"
    make_activity(name="Activité listing petite", label="T-qc")
    small = _count(admin_client, url)
    for index in range(LARGE):
        make_activity(name=f"Activité listing {index}", label=f"T-qc{index % 5}")
    large = _count(admin_client, url)
    assert large == small


def test_occurrences_listing_rows(admin_client):
    url = "/admin/espace-citoyen/jours-activite/"
    few = make_activity(name="Jours listing peu", label="T-qc")
    many = make_activity(name="Jours listing beaucoup", label="T-qc")
    for index in range(SMALL):
        make_occurrence(few, today() + datetime.timedelta(days=index))
    for index in range(LARGE):
        make_occurrence(many, today() + datetime.timedelta(days=index))
    small = _count(admin_client, url, {"activity": few.pk})
    large = _count(admin_client, url, {"activity": many.pk}, shows="Jours listing beaucoup", times=20)
    assert large == small


def test_occurrences_listing_activity_filter(admin_client):
    url = "/admin/espace-citoyen/jours-activite/"
    day = today() + datetime.timedelta(days=3)
    target = make_activity(name="Filtre cible", label="T-qc")
    make_occurrence(target, day)
    make_activity(name="Filtre autre", label="T-qc")
    small = _count(admin_client, url, {"activity": target.pk})
    for index in range(LARGE):
        make_activity(name=f"Filtre {index}", label=f"T-qc{index % 5}")
    large = _count(admin_client, url, {"activity": target.pk})
    assert large == small


# --- Invoices (billing) ------------------------------------------------------------------------


def _billing_family(tag: str, *, invoices: int, lines: int):
    """A parent whose household has ``invoices`` invoices of ``lines`` lines each, the last one
    with as many payments and credit notes as lines (capped at 5), written as rows."""
    from espace_citoyen.billing.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment

    user, (child,) = make_parent(f"qc.bill.{tag}@example.fr", last_name=f"Qcbill{tag}", children=("Léa",))
    household = user.memberships.get().household
    created = []
    for index in range(invoices):
        month = datetime.date(2000 + index // 12, index % 12 + 1, 1)
        invoice = Invoice.objects.create(
            number=f"FQC{tag[:3]}-{household.pk}-{index:03d}", household=household, month=month, issue_date=month,
            due_date=month + datetime.timedelta(days=40), total_cents=100 * lines, addressee=f"Qcbill{tag} famille",
            pricing_note="Tarif maximal : quotient non transmis")
        InvoiceLine.objects.bulk_create([
            InvoiceLine(invoice=invoice, child=child, child_name=f"Léa Qcbill{tag}", activity_name="Cantine QC",
                        date=month + datetime.timedelta(days=day), reason="present", unit_price_cents=100,
                        amount_cents=100, bracket_label="Tranche QC") for day in range(lines)])
        created.append(invoice)
    last = created[-1]
    for index, line in enumerate(last.lines.all()[: min(lines, 5)]):
        Payment.objects.create(invoice=last, amount_cents=1, method="cash", received_on=last.issue_date,
                               receipt_number=f"RQC{tag[:3]}-{last.pk}-{index}")
        credit = CreditNote.objects.create(number=f"AQC{tag[:3]}-{last.pk}-{index}", invoice=last,
                                           issue_date=last.issue_date, reason="QC", total_cents=1)
        CreditNoteLine.objects.create(credit_note=credit, invoice_line=line, amount_cents=1)
    return user, last


def test_invoices_list(db, client):
    small, _ = _billing_family("small", invoices=SMALL, lines=1)
    large, _ = _billing_family("large", invoices=LARGE, lines=1)
    url = reverse("billing:list")
    assert _citizen_count(client, large, url, shows="FQClar", times=12) == _citizen_count(client, small, url)


def test_invoice_detail(db, client):
    small, small_invoice = _billing_family("small", invoices=1, lines=SMALL)
    large, large_invoice = _billing_family("large", invoices=1, lines=LARGE)
    small_count = _citizen_count(client, small, reverse("billing:detail", args=[small_invoice.pk]))
    large_count = _citizen_count(client, large, reverse("billing:detail", args=[large_invoice.pk]),
                                 shows="Léa Qcbilllarge", times=1)
    assert large_count == small_count


def test_admin_invoices_list_and_detail(admin_client):
    url = reverse("billing_invoices:index")
    for index in range(SMALL):
        _billing_family(f"adsmall{index}", invoices=1, lines=1)
    small = _count(admin_client, url, {"q": "qcbilladsmall"}, shows="famille", times=SMALL)
    for index in range(LARGE):
        _billing_family(f"adlarge{index}", invoices=1, lines=1)
    large = _count(admin_client, url, {"q": "qcbilladlarge"}, shows="famille", times=LARGE)
    assert large == small
    _user, few = _billing_family("detsmall", invoices=1, lines=SMALL)
    _user, many = _billing_family("detlarge", invoices=1, lines=LARGE)
    assert (_count(admin_client, reverse("billing_invoices:detail", args=[many.pk]), shows="Cantine QC", times=LARGE)
            == _count(admin_client, reverse("billing_invoices:detail", args=[few.pk])))


def test_admin_credit_proposals(admin_client):
    from espace_citoyen.activities.models import Attendance, AttendanceStatus
    from espace_citoyen.billing.models import InvoiceLine

    url = reverse("billing_invoices:proposals")

    def propose(tag, count):
        activity = make_activity(name=f"Cantine prop {tag}", label="T-qcb")
        parent, (child,) = make_parent(f"qc.prop.{tag}@example.fr", last_name=f"Qcprop{tag}", children=("A",))
        _user, invoice = _billing_family(f"prop{tag}", invoices=1, lines=count)
        for index, line in enumerate(invoice.lines.all()):
            occurrence = make_occurrence(activity, today() - datetime.timedelta(days=index + 1))
            reservation = Reservation.objects.create(child=child, occurrence=occurrence)
            Attendance.objects.create(reservation=reservation, status=AttendanceStatus.JUSTIFIED)
            InvoiceLine.objects.filter(pk=line.pk).update(reservation=reservation)

    propose("small", SMALL)
    small = _count(admin_client, url)
    propose("large", LARGE)
    assert _count(admin_client, url, shows="Qcbillproplarge", times=LARGE) == small


def test_admin_quotients_list(admin_client):
    url = reverse("billing_quotients:index")
    for index in range(SMALL):
        _billing_family(f"qfsmall{index}", invoices=1, lines=1)
    small = _count(admin_client, url, {"q": "qcbillqfsmall"})
    for index in range(LARGE):
        _billing_family(f"qflarge{index}", invoices=1, lines=1)
    assert _count(admin_client, url, {"q": "qcbillqflarge"}, shows="Foyer n°", times=LARGE) == small


# --- Public pages, uncached render (issue 14: at most 8 queries) ------------------------------
# Rendered with the whole-page cache off (as for a logged-in visitor): the Site, the routing,
# the menu, the site settings, the private-section check and the page bodies
# ({% pagefragment %}) come from fragments cached per page-cache generation
# (home/page_cache.py). Warm: only what varies per request (the news index's page count).
# Cold, the first render after an editor's change: everything is read once.


@pytest.mark.parametrize("url, shows, warm, cold", [
    ("/", "Dernières actualités", 0, 11),
    ("/actualites/", "Actualités", 1, 12),
    ("/actualites/travaux-rue-de-poissy/", "Retour aux actualités", 0, 12),
    ("/messages-des-services/", "Messages des services", 1, 11),
    ("/plan-du-site/", "Plan du site", 0, 11),
])
def test_public_pages_uncached_render(db, client, settings, url, shows, warm, cold):
    from home.page_cache import bump_generation

    settings.PAGE_CACHE_ENABLED = False
    queries = _count(client, url, shows=shows)
    assert queries <= warm, (url, queries)
    bump_generation()  # what any publication does
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200 and shows in html.unescape(response.content.decode())
    assert len(captured) <= cold, (url, len(captured))


def test_public_pages_after_an_edit_read_the_chrome_once_then_from_the_fragments(db, client, settings):
    from home.models import ContactSettings

    settings.PAGE_CACHE_ENABLED = False
    warm = _count(client, "/")
    contact = ContactSettings.objects.get()
    contact.phone = "01 23 45 67 89"
    contact.save()  # bumps the generation: settings and menu read again once
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert "01 23 45 67 89" in response.content.decode()
    assert len(queries) > warm
    assert _count(client, "/") == warm
