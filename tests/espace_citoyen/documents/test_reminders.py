import datetime

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from espace_citoyen.documents.models import Document
from espace_citoyen.documents.tasks import send_document_expiry_reminders


def test_reminder_sends_one_email_per_user_once(owner, other, upload):
    today = timezone.localdate()
    soon = upload(owner, label="Attestation d'assurance", valid_until=today + datetime.timedelta(days=10))
    later = upload(owner, label="Justificatif de domicile", valid_until=today + datetime.timedelta(days=30))
    upload(owner, label="Lointain", valid_until=today + datetime.timedelta(days=31))
    upload(owner, label="Déjà expiré", valid_until=today - datetime.timedelta(days=1))
    upload(owner, label="Sans date")
    upload(other, label="Certificat médical", valid_until=today + datetime.timedelta(days=2))
    mail.outbox.clear()

    send_document_expiry_reminders.enqueue()

    ours = [message for message in mail.outbox if message.to[0] in (owner.email, other.email)]
    assert len(ours) == 2
    by_recipient = {message.to[0]: message for message in ours}
    body = by_recipient[owner.email].body
    assert "2 documents de votre espace citoyen arrivent à expiration" == by_recipient[owner.email].subject
    assert "Attestation d'assurance" in body and "Justificatif de domicile" in body
    assert "Lointain" not in body and "Déjà expiré" not in body and "Sans date" not in body
    assert "Certificat médical" in by_recipient[other.email].body
    assert Document.objects.filter(pk__in=[soon.pk, later.pk], expiry_reminder_sent_at__isnull=False).count() == 2

    mail.outbox.clear()
    send_document_expiry_reminders.enqueue()
    call_command("send_document_expiry_reminders", stdout=open("/dev/null", "w"))
    assert mail.outbox == []


def test_new_document_in_window_gets_its_own_reminder_later(owner, upload):
    today = timezone.localdate()
    upload(owner, label="Premier", valid_until=today + datetime.timedelta(days=3))
    send_document_expiry_reminders.enqueue()
    upload(owner, label="Second", valid_until=today + datetime.timedelta(days=4))
    mail.outbox.clear()
    send_document_expiry_reminders.enqueue()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Un document de votre espace citoyen arrive à expiration"
    assert "Second" in mail.outbox[0].body and "Premier" not in mail.outbox[0].body
