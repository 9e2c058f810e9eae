"""'Signaler une absence': past the deadline a parent reports the child absent today or on a
coming locked day, with an optional medical certificate (from the vault or uploaded); the
attendance is pre-filled for the Pôle scolaire, the family gets an acknowledgement, billing
follows the justification rule (absent with a certificate = justified)."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from espace_citoyen.accounts.models import AccountStatus
from espace_citoyen.activities.models import (
    AbsenceReport,
    Attendance,
    AttendanceStatus,
    OccurrenceStatus,
    Reservation,
    ReservationStatus,
)
from espace_citoyen.core.services_map import TownService
from espace_citoyen.documents.models import Document, DocumentTransmission, DocumentType
from tests.factories import make_pdf

from ._agents import pole_scolaire_agent
from .agenda_factories import make_activity, make_occurrence, make_parent, next_weekday, page_text, today, validate_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def family():
    canteen = make_activity(name="Restauration scolaire")
    evening = make_activity(name="Accueil du soir")
    parent, (chloe,) = make_parent("absence.parent@example.fr", children=("Chloé",))
    validate_dossier(chloe, canteen, evening)
    day = today()  # today is always past its deadline ("J-2 avant 10h")
    bookings = []
    for activity in (canteen, evening):
        occurrence = make_occurrence(activity, day)
        bookings.append(Reservation.objects.create(child=chloe, occurrence=occurrence, status=ReservationStatus.BOOKED))
        occurrence.booked_count = 1
        occurrence.save()
    stranger, (hugo,) = make_parent("absence.stranger@example.fr", first_name="Paul", last_name="Petit",
                                    children=("Hugo",))
    return {"parent": parent, "chloe": chloe, "day": day, "bookings": bookings, "stranger": stranger,
            "canteen": canteen}


def report_url(child, day):
    return reverse("activities:absence_report", args=[child.pk, day.isoformat() if hasattr(day, "isoformat") else day])


def certificate(owner, label="Certificat du Dr Lambert"):
    document = Document(owner=owner, doc_type=DocumentType.MEDICAL_CERTIFICATE, label=label,
                        original_filename="certificat.pdf", content_type="application/pdf", size=20)
    document.file.save("c.pdf", SimpleUploadedFile("c.pdf", make_pdf("Certificat")), save=False)
    document.save()
    return document


def test_the_day_panel_offers_to_report_an_absence(client, family):
    client.force_login(family["parent"])
    text = page_text(client.get(reverse("activities:agenda", args=[family["chloe"].pk])))
    assert "Signaler une absence" in text and report_url(family["chloe"], family["day"]) in text


def test_report_without_certificate(client, family, django_capture_on_commit_callbacks):
    client.force_login(family["parent"])
    url = report_url(family["chloe"], family["day"])
    form = page_text(client.get(url))
    assert "Restauration scolaire" in form and "Accueil du soir" in form and "Motif de l'absence" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reservations": [b.pk for b in family["bookings"]], "reason": "illness",
                                     "details": "Fièvre"}, follow=True)
    assert "est signalée au Pôle scolaire" in page_text(response)
    for booking in family["bookings"]:
        report = AbsenceReport.objects.get(reservation=booking)
        assert (report.reason, report.details, report.certificate, report.reported_by) == (
            "illness", "Fièvre", None, family["parent"])
        # Without a certificate: absent (billed, as the rule says), pre-filled for the agent.
        assert Attendance.objects.get(reservation=booking).status == AttendanceStatus.ABSENT
    message = mail.outbox[-1]
    assert message.to == ["absence.parent@example.fr"] and "Absence de Chloé" in message.subject
    assert "reste facturée" in message.body and "Restauration scolaire" in message.body
    # The agenda says so on the day.
    agenda = page_text(client.get(reverse("activities:agenda", args=[family["chloe"].pk])))
    assert "Absence signalée le" in agenda


def test_report_with_a_certificate_uploaded_on_the_spot(client, family, django_capture_on_commit_callbacks):
    client.force_login(family["parent"])
    upload = SimpleUploadedFile("certificat.pdf", make_pdf("Certificat médical"), content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(report_url(family["chloe"], family["day"]), {
            "reservations": [family["bookings"][0].pk], "reason": "illness", "new_certificate": upload}, follow=True)
    assert "avec le certificat médical" in page_text(response)
    document = Document.objects.get(owner=family["parent"], doc_type=DocumentType.MEDICAL_CERTIFICATE)
    assert DocumentTransmission.objects.filter(service=TownService.SCOLAIRE, documents=document).exists()
    attendance = Attendance.objects.get(reservation=family["bookings"][0])
    assert attendance.status == AttendanceStatus.JUSTIFIED and attendance.justification == document
    assert not Attendance.objects.filter(reservation=family["bookings"][1]).exists()  # not ticked
    assert "ne vous seront pas facturées" in mail.outbox[-1].body


def test_report_with_a_certificate_of_the_vault_then_complete_a_report(client, family):
    client.force_login(family["parent"])
    url = report_url(family["chloe"], family["day"])
    client.post(url, {"reservations": [family["bookings"][0].pk], "reason": "medical"})
    assert Attendance.objects.get(reservation=family["bookings"][0]).status == AttendanceStatus.ABSENT
    document = certificate(family["parent"])
    assert "Certificat du Dr Lambert" in page_text(client.get(url))
    client.post(url, {"reservations": [family["bookings"][0].pk], "reason": "medical", "certificate": document.pk})
    report = AbsenceReport.objects.get(reservation=family["bookings"][0])
    assert report.certificate == document and report.transmission is not None
    assert Attendance.objects.get(reservation=family["bookings"][0]).status == AttendanceStatus.JUSTIFIED
    # Sent again with the same certificate: one transmission only.
    client.post(url, {"reservations": [family["bookings"][0].pk], "reason": "medical", "certificate": document.pk})
    assert DocumentTransmission.objects.filter(documents=document).count() == 1


@pytest.mark.parametrize("data, message", [
    ({}, "Cochez au moins une activité de ce jour."),
    ({"reason": "illness"}, "Cochez au moins une activité de ce jour."),
    ({"reservations": "BOOKING", "reason": "n-importe-quoi"}, "Choisissez un motif de la liste."),
    ({"reservations": "999999", "reason": "illness"}, "Cochez une activité de la liste."),
    ({"reservations": "BOOKING", "reason": "illness", "certificate": "STRANGER"},
     "Choisissez un certificat de la liste."),
    ({"reservations": "BOOKING", "reason": "illness", "details": "x" * 301},
     "Les précisions ne doivent pas dépasser 300 caractères."),
])
def test_bad_input_is_a_french_message_and_nothing_recorded(client, family, data, message):
    stranger_doc = certificate(family["stranger"], label="Certificat d'un autre foyer")
    data = {key: {"BOOKING": family["bookings"][0].pk, "STRANGER": stranger_doc.pk}.get(value, value)
            for key, value in data.items()}
    client.force_login(family["parent"])
    response = client.post(report_url(family["chloe"], family["day"]), data)
    assert response.status_code == 200 and message in page_text(response)
    assert not AbsenceReport.objects.exists() and not mail.outbox
    assert not Attendance.objects.filter(reservation__in=family["bookings"]).exists()


def test_a_file_that_is_not_a_certificate_format_and_both_sources(client, family):
    client.force_login(family["parent"])
    url = report_url(family["chloe"], family["day"])
    bad = SimpleUploadedFile("certificat.pdf", b"pas un PDF du tout", content_type="application/pdf")
    response = client.post(url, {"reservations": [family["bookings"][0].pk], "reason": "illness",
                                 "new_certificate": bad})
    assert response.status_code == 200 and "n'est pas au format PDF, JPEG ou PNG" in page_text(response)
    both = SimpleUploadedFile("c.pdf", make_pdf(), content_type="application/pdf")
    response = client.post(url, {"reservations": [family["bookings"][0].pk], "reason": "illness",
                                 "certificate": certificate(family["parent"]).pk, "new_certificate": both})
    assert "pas les deux" in page_text(response)
    assert not AbsenceReport.objects.exists()
    assert Document.objects.filter(owner=family["parent"]).count() == 1  # nothing uploaded


def test_a_day_still_modifiable_or_past_or_closed_cannot_be_reported(client, family):
    client.force_login(family["parent"])
    future = make_occurrence(family["canteen"], next_weekday(today(), 1, weeks=3))
    Reservation.objects.create(child=family["chloe"], occurrence=future, status=ReservationStatus.BOOKED)
    yesterday = make_occurrence(family["canteen"], today() - datetime.timedelta(days=1))
    Reservation.objects.create(child=family["chloe"], occurrence=yesterday, status=ReservationStatus.BOOKED)
    for day in (future.date, yesterday.date):
        response = client.get(report_url(family["chloe"], day), follow=True)
        assert "Aucune absence ne peut être signalée" in page_text(response)
        response = client.post(report_url(family["chloe"], day), {"reason": "illness"}, follow=True)
        assert "Aucune absence ne peut être signalée" in page_text(response)
    family["bookings"][0].occurrence.__class__.objects.filter(pk=family["bookings"][0].occurrence_id).update(
        status=OccurrenceStatus.CLOSED)
    response = client.post(report_url(family["chloe"], family["day"]),
                           {"reservations": [family["bookings"][0].pk], "reason": "illness"})
    assert "Cochez une activité de la liste." in page_text(response)
    assert not AbsenceReport.objects.exists()


def test_a_child_marked_present_cannot_be_reported_absent(client, family):
    agent = pole_scolaire_agent()
    Attendance.objects.create(reservation=family["bookings"][0], status=AttendanceStatus.PRESENT, marked_by=agent)
    client.force_login(family["parent"])
    response = client.post(report_url(family["chloe"], family["day"]),
                           {"reservations": [family["bookings"][0].pk], "reason": "illness"})
    assert "déjà pointé Chloé présent(e)" in page_text(response)
    assert not AbsenceReport.objects.exists()


@pytest.mark.parametrize("day", ["2026-13-01", "n-importe-quoi", "0000-00-00", "99999-01-01"])
def test_bad_days_are_404(client, family, day):
    client.force_login(family["parent"])
    assert client.get(report_url(family["chloe"], day)).status_code == 404


def test_another_household_gets_404(client, family):
    client.force_login(family["stranger"])
    url = report_url(family["chloe"], family["day"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reservations": [family["bookings"][0].pk], "reason": "illness"}).status_code == 404
    assert not AbsenceReport.objects.exists()


def test_login_and_validated_account_required(client, family):
    url = report_url(family["chloe"], family["day"])
    assert client.get(url).status_code == 302
    family["parent"].status = AccountStatus.PENDING
    family["parent"].save()
    client.force_login(family["parent"])
    assert client.post(url, {"reservations": [family["bookings"][0].pk], "reason": "illness"}).status_code == 403
    assert not AbsenceReport.objects.exists()


def test_the_attendance_sheet_shows_the_report_prefilled(client, family, otp_login):
    client.force_login(family["parent"])
    document = certificate(family["parent"])
    client.post(report_url(family["chloe"], family["day"]), {
        "reservations": [family["bookings"][0].pk], "reason": "illness", "details": "Varicelle",
        "certificate": document.pk})
    agent = pole_scolaire_agent()
    otp_login(client, agent)
    sheet = page_text(client.get(reverse("activities_attendance:sheet", args=[family["bookings"][0].occurrence_id])))
    assert "Absence signalée par la famille" in sheet and "Maladie – Varicelle" in sheet
    assert 'value="justified" checked' in sheet  # pre-filled "absent, justifié"
    assert f'<option value="{document.pk}" selected>' in sheet
    report = AbsenceReport.objects.get()
    link = reverse("documents_admin:transmission_document", args=[report.transmission.demarche_id, document.pk])
    assert link in sheet and client.get(link).status_code == 200
    csv = client.get(reverse("activities_attendance:csv", args=[family["bookings"][0].occurrence_id]))
    assert "Maladie (signalée le" in csv.content.decode("utf-8-sig")
