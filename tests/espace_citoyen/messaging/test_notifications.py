import pytest
from django.core import mail

from espace_citoyen.accounts.models import ContactMethod
from espace_citoyen.messaging.models import MessageNotification
from espace_citoyen.messaging.services import message_notify_audience

from .conftest import TILLEULS, make_user, publish_message

pytestmark = pytest.mark.django_db


def publish(django_capture_on_commit_callbacks, slug, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return publish_message(slug, **kwargs)


def test_targeted_message_emails_its_audience_once(people, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    page = publish(django_capture_on_commit_callbacks, "test-sortie", audience="activity_families",
                   detail=TILLEULS, title="Sortie au château", sender_service="scolaire")
    # The demo's Bernard family has a child at the Tilleuls too; the other test users do not.
    assert {"parent.tilleuls@example.fr", "camille.bernard@example.org"} <= {m.to[0] for m in mail.outbox}
    tests_only = [m for m in mail.outbox if m.to[0].endswith("@example.fr")]
    assert [message.to for message in tests_only] == [["parent.tilleuls@example.fr"]]
    email = tests_only[0]
    sent = len(mail.outbox)
    assert email.subject == "Nouveau message de la mairie : Sortie au château"
    assert "Le service « Pôle scolaire »" in email.body
    assert "« Sortie au château »" in email.body
    assert f"http://127.0.0.1:8000/espace-citoyen/messages/{page.pk}/" in email.body
    assert MessageNotification.objects.filter(page=page, sent_at__isnull=False).count() == len(mail.outbox)

    # Published again (an edit): nobody gets a second e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert len(mail.outbox) == sent
    assert message_notify_audience(page=page) == 0
    assert len(mail.outbox) == sent
    assert MessageNotification.objects.filter(page=page, user=people["parent_tilleuls"]).count() == 1


def test_a_new_audience_member_gets_the_message_on_republication_only_once(people, django_capture_on_commit_callbacks):
    page = publish(django_capture_on_commit_callbacks, "test-familles-2", audience="families")
    tests_only = sorted(m.to[0] for m in mail.outbox if m.to[0].endswith("@example.fr"))
    assert tests_only == ["parent.parc@example.fr", "parent.tilleuls@example.fr"]
    make_user("nouvelle.famille@example.fr", schools=["École maternelle du Parc"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert [m.to for m in mail.outbox] == [["nouvelle.famille@example.fr"]]


def test_preferred_contact_other_than_email_gets_no_email(people, django_capture_on_commit_callbacks):
    make_user("par.sms@example.fr", contact=ContactMethod.SMS)
    make_user("par.courrier@example.fr", contact=ContactMethod.POST)
    make_user("sans.profil@example.fr", profile=False)
    make_user("par.courriel@example.fr")
    mail.outbox.clear()
    publish(django_capture_on_commit_callbacks, "test-titulaires-2", audience="account_holders")
    recipients = {m.to[0] for m in mail.outbox}
    assert "par.courriel@example.fr" in recipients
    assert "sans.profil@example.fr" in recipients  # no profile: the login address
    assert "par.sms@example.fr" not in recipients
    assert "par.courrier@example.fr" not in recipients
    # Town agents (staff or Wagtail editors) and accounts without a usable space are not e-mailed.
    assert not any(r.endswith("@ville-villennes-sur-seine.fr") for r in recipients)
    assert not recipients & {"a.activer@example.fr", "refuse@example.fr", "agent@ville-villennes-sur-seine.fr"}
    assert len(recipients) == len(mail.outbox)  # one e-mail per person


def test_public_message_sends_no_email(people, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    page = publish(django_capture_on_commit_callbacks, "test-public", audience="everyone")
    assert mail.outbox == []
    assert not MessageNotification.objects.filter(page=page).exists()


def test_nothing_is_sent_before_the_publication_commits(people):
    mail.outbox.clear()
    publish_message("test-non-valide", audience="families")  # on_commit callbacks not run
    assert mail.outbox == []


def test_task_does_nothing_for_a_withdrawn_message(people):
    from espace_citoyen.messaging.tasks import notify_message_audience

    page = publish_message("test-retire", audience="families")
    page.unpublish()
    mail.outbox.clear()
    result = notify_message_audience.enqueue(page_id=page.pk)
    assert result.return_value == 0
    assert mail.outbox == []
    assert not MessageNotification.objects.filter(page=page).exists()
