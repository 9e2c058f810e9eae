"""Attendance sheets: health notes and pick-up persons, print, CSV export, marking
present / absent / absent with a medical certificate of the child's household."""


import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from espace_citoyen.activities.models import Attendance, AttendanceStatus, Reservation
from espace_citoyen.documents.models import Document, DocumentType
from espace_citoyen.family.models import Child

from tests.factories import demo_absent_day, demo_canteen_day

from ._agents import other_staff, pole_scolaire_agent
from .agenda_factories import today

pytestmark = pytest.mark.django_db


def certificate(owner, label="Certificat médical du Dr Lambert", doc_type=DocumentType.MEDICAL_CERTIFICATE):
    return Document.objects.create(owner=owner, doc_type=doc_type, label=label,
                                   file=SimpleUploadedFile("c.pdf", b"%PDF-1.4 test"), original_filename="c.pdf",
                                   content_type="application/pdf", size=13)


@pytest.fixture
def canteen_day():
    return demo_canteen_day()


@pytest.fixture
def nathan_booking(canteen_day):
    return Reservation.objects.get(occurrence=canteen_day, child__first_name="Nathan", status="booked")


@pytest.fixture
def agent(client, otp_login):
    user = pole_scolaire_agent()
    otp_login(client, user)
    return user


def test_sheet_lists_children_with_health_and_pickup(client, agent, canteen_day):
    response = client.get(reverse("activities_attendance:sheet", args=[canteen_day.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Bernard Chloé" in content and "Bernard Nathan" in content
    assert "Arachide et fruits à coque." in content and "PAI :" in content
    assert "Monique Bernard (Grand-mère)" in content and "Inès Haddad (Assistante maternelle)" in content
    assert "Imprimer" in content and "@media print" in content
    assert "Exporter (CSV)" in content


def test_index_lists_days(client, agent, canteen_day):
    response = client.get(reverse("activities_attendance:index"), {"date": canteen_day.date.isoformat()})
    assert response.status_code == 200
    assert reverse("activities_attendance:sheet", args=[canteen_day.pk]) in response.content.decode()
    bad = client.get(reverse("activities_attendance:index"), {"date": "32/13/2026"})
    assert "Saisissez une date valide." in bad.content.decode()


def test_index_filters_by_activity(client, agent, canteen_day):
    """The activity filter lists every activity with its school year and keeps the one
    chosen; an unknown one is refused in French."""
    activity = canteen_day.activity
    url = reverse("activities_attendance:index")
    day = canteen_day.date.isoformat()
    page = client.get(url, {"date": day, "activity": activity.pk}).content.decode()
    assert f'<option value="{activity.pk}" selected>{activity.name} ({activity.school_year})</option>' in page
    assert reverse("activities_attendance:sheet", args=[canteen_day.pk]) in page
    other = client.get(url, {"date": day, "activity": activity.pk + 100000}).content.decode()
    assert "Sélectionnez un choix valide" in other  # Django's French message
    assert f'<option value="{activity.pk}">' in other and " selected>" not in other


@pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side cursors exist on PostgreSQL only (CI)")
def test_index_reads_the_activities_without_a_server_side_cursor(client, agent, canteen_day):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("activities_attendance:index"), {"date": canteen_day.date.isoformat()})
    assert canteen_day.activity.name in page.content.decode()
    assert not [query for query in queries.captured_queries if "DECLARE" in query["sql"]]


def test_csv_export(client, agent, canteen_day):
    response = client.get(reverse("activities_attendance:csv", args=[canteen_day.pk]))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Activité;Date;Nom;Prénom")
    chloe = next(line for line in lines if ";Chloé;" in line)
    assert "Arachide" in chloe and ";oui;" in chloe and "Monique Bernard (Grand-mère) 06 45 45 45 45" in chloe


def test_mark_present_and_absent(client, agent, canteen_day, nathan_booking):
    url = reverse("activities_attendance:sheet", args=[canteen_day.pk])
    response = client.post(url, {"reservation": nathan_booking.pk, "status": "present"})
    assert response.status_code == 302
    assert Attendance.objects.get(reservation=nathan_booking).status == AttendanceStatus.PRESENT
    client.post(url, {"reservation": nathan_booking.pk, "status": "absent"})
    attendance = Attendance.objects.get(reservation=nathan_booking)
    assert attendance.status == AttendanceStatus.ABSENT and attendance.marked_by == agent


def test_justified_absence_needs_a_household_medical_certificate(client, agent, canteen_day, nathan_booking):
    url = reverse("activities_attendance:sheet", args=[canteen_day.pk])
    response = client.post(url, {"reservation": nathan_booking.pk, "status": "justified"})
    assert response.status_code == 400
    assert "Choisissez le certificat médical qui justifie l&#x27;absence." in response.content.decode()
    assert not Attendance.objects.filter(reservation=nathan_booking).exists()

    parent = nathan_booking.child.household.memberships.first().user
    stranger_doc = certificate(agent, label="Certificat d'un autre foyer")
    response = client.post(url, {"reservation": nathan_booking.pk, "status": "justified",
                                  "justification": stranger_doc.pk})
    assert response.status_code == 400
    assert not Attendance.objects.filter(reservation=nathan_booking).exists()

    doc = certificate(parent)
    # Still in the family's private vault: neither offered nor accepted.
    page = client.get(url).content.decode()
    assert "Certificat médical du Dr Lambert" not in page
    assert "Aucun certificat médical transmis au Pôle scolaire par cette famille" in page
    response = client.post(url, {"reservation": nathan_booking.pk, "status": "justified", "justification": doc.pk})
    assert response.status_code == 400
    assert not Attendance.objects.filter(reservation=nathan_booking).exists()
    # Sent to the Pôle scolaire in one click from "Mes documents": now it justifies the absence.
    from espace_citoyen.core.services_map import TownService
    from espace_citoyen.documents.services import documents_transmit

    documents_transmit(user=parent, documents=[doc], service=TownService.SCOLAIRE, message="Nathan est malade.")
    page = client.get(url).content.decode()
    assert "Certificat médical du Dr Lambert" in page
    response = client.post(url, {"reservation": nathan_booking.pk, "status": "justified", "justification": doc.pk})
    assert response.status_code == 302
    attendance = Attendance.objects.get(reservation=nathan_booking)
    assert attendance.status == AttendanceStatus.JUSTIFIED and attendance.justification == doc


def test_service_refuses_other_document_types(nathan_booking):
    from django.core.exceptions import ValidationError

    from espace_citoyen.activities.services.attendance import attendance_mark

    parent = nathan_booking.child.household.memberships.first().user
    tax = certificate(parent, label="Avis", doc_type=DocumentType.TAX_NOTICE)
    with pytest.raises(ValidationError):
        attendance_mark(reservation=nathan_booking, status="justified", actor=None, justification=tax)
    with pytest.raises(ValidationError):
        attendance_mark(reservation=nathan_booking, status="maybe", actor=None)


@pytest.mark.parametrize("name", ["sheet", "csv", "index"])
def test_refused_without_permission(client, otp_login, canteen_day, name):
    otp_login(client, other_staff())
    args = [] if name == "index" else [canteen_day.pk]
    response = client.get(reverse(f"activities_attendance:{name}", args=args))
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")


def test_marking_refused_without_permission(client, otp_login, canteen_day, nathan_booking):
    otp_login(client, other_staff())
    client.post(reverse("activities_attendance:sheet", args=[canteen_day.pk]),
                {"reservation": nathan_booking.pk, "status": "present"})
    assert not Attendance.objects.filter(reservation=nathan_booking).exists()


def test_demo_has_attendance_for_past_days():
    nathan = Child.objects.get(first_name="Nathan", last_name="Bernard")
    absent = Attendance.objects.get(reservation__child=nathan, reservation__occurrence__date=demo_absent_day(),
                                    reservation__occurrence__activity__name="Restauration scolaire")
    assert absent.status == AttendanceStatus.ABSENT
    assert not Attendance.objects.filter(reservation__occurrence__date__gte=today()).exists()


def _sheet_queries(client, occurrence) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("activities_attendance:sheet", args=[occurrence.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_sheet_query_count_does_not_grow_with_the_children(client, agent):
    """A canteen day has a hundred children: the sheet reads them, their pick-up persons,
    attendance and their households' certificates in a fixed number of queries."""
    from espace_citoyen.family.models import AuthorizedPerson

    from .agenda_factories import make_activity, make_occurrence, make_parent, next_weekday, today

    activity = make_activity(name="Cantine des tests", capacity=50, label="T-sheet")
    small_day = make_occurrence(activity, next_weekday(today(), 0, weeks=5))
    large_day = make_occurrence(activity, next_weekday(today(), 1, weeks=5))

    def family(number, day, *, count):
        parent, kids = make_parent(f"presence{number}@example.fr", last_name=f"Famille{number}",
                                   children=[f"Enfant{number}-{i}" for i in range(count)])
        from espace_citoyen.core.services_map import TownService
        from espace_citoyen.documents.services import documents_transmit

        documents_transmit(user=parent, documents=[certificate(parent, label=f"Certificat {number}")],
                           service=TownService.SCOLAIRE)
        for kid in kids:
            AuthorizedPerson.objects.create(child=kid, name=f"Nounou {number}", relationship="Assistante maternelle",
                                            phone="0601020304")
            reservation = Reservation.objects.create(child=kid, occurrence=day)
            Attendance.objects.create(reservation=reservation, status=AttendanceStatus.JUSTIFIED,
                                      justification=Document.objects.filter(owner=parent).first(), marked_by=agent)
        return kids

    family(0, small_day, count=1)
    for number in range(1, 9):
        family(number, large_day, count=3)
    small = _sheet_queries(client, small_day)
    large = _sheet_queries(client, large_day)
    assert large == small
    html = client.get(reverse("activities_attendance:sheet", args=[large_day.pk])).content.decode()
    assert html.count("Absent, justifié") >= 24 and "Certificat 8" in html
