import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from espace_citoyen.demarches.models import DemarcheKind, DemarcheService, DemarcheStatus
from espace_citoyen.demarches.selectors import demarche_for, demarche_transmitted_documents, demarches_for_staff
from espace_citoyen.demarches.services import (
    demarche_citizen_reply,
    demarche_open,
    demarche_process,
    demarche_set_status,
    normalize_service,
)

pytestmark = pytest.mark.django_db


def test_service_names_become_codes():
    assert normalize_service("Relations population") == "population"
    assert normalize_service("Pôle scolaire") == "scolaire"
    assert normalize_service("regie") == "regie"
    assert normalize_service("") == ""
    with pytest.raises(ValidationError, match="Service inconnu"):
        normalize_service("Police municipale")


def test_set_status_does_not_email_by_default(django_capture_on_commit_callbacks, citizen, agent_scolaire):
    demarche = demarche_open(user=citizen, kind=DemarcheKind.OTHER, title="Demande", service="scolaire")
    with django_capture_on_commit_callbacks(execute=True):
        demarche_set_status(demarche=demarche, status=DemarcheStatus.IN_PROGRESS, actor=agent_scolaire)
    assert not mail.outbox


def test_process_emails_once(django_capture_on_commit_callbacks, citizen, agent_scolaire):
    demarche = demarche_open(user=citizen, kind=DemarcheKind.OTHER, title="Demande", service="scolaire")
    with django_capture_on_commit_callbacks(execute=True):
        demarche_process(demarche=demarche, status=DemarcheStatus.ACCEPTED, actor=agent_scolaire, comment="C'est fait")
    assert len(mail.outbox) == 1 and "acceptée" in mail.outbox[0].subject
    assert "C'est fait" in mail.outbox[0].body


def test_process_by_another_service_is_denied(citizen, agent_population):
    demarche = demarche_open(user=citizen, kind=DemarcheKind.OTHER, title="Demande", service="scolaire")
    with pytest.raises(PermissionDenied):
        demarche_process(demarche=demarche, status=DemarcheStatus.ACCEPTED, actor=agent_population)
    demarche.refresh_from_db()
    assert demarche.status == DemarcheStatus.SENT and demarche.events.count() == 1


def test_forbidden_move_message(citizen, agent_scolaire):
    demarche = demarche_open(user=citizen, kind=DemarcheKind.OTHER, title="Demande", service="scolaire")
    demarche_set_status(demarche=demarche, status=DemarcheStatus.CLOSED, actor=agent_scolaire)
    with pytest.raises(ValidationError, match="Une démarche « Clôturée » ne peut pas passer à « Acceptée »"):
        demarche_process(demarche=demarche, status=DemarcheStatus.ACCEPTED, actor=agent_scolaire)


def test_citizen_reply_only_by_owner_and_when_to_complete(citizen, other_citizen, agent_scolaire):
    demarche = demarche_open(user=citizen, kind=DemarcheKind.OTHER, title="Demande", service="scolaire")
    with pytest.raises(ValidationError, match="n'attend plus de complément"):
        demarche_citizen_reply(demarche=demarche, user=citizen, message="Voici")
    demarche_set_status(demarche=demarche, status=DemarcheStatus.TO_COMPLETE, actor=agent_scolaire, comment="?")
    with pytest.raises(PermissionDenied):
        demarche_citizen_reply(demarche=demarche, user=other_citizen, message="Voici")
    demarche = demarche_citizen_reply(demarche=demarche, user=citizen, message="Voici")
    assert demarche.status == DemarcheStatus.SENT


def test_selectors_scope(citizen, other_citizen, agent_scolaire, agent_population):
    from django.http import Http404

    demarche = demarche_open(user=citizen, kind=DemarcheKind.OTHER, title="Demande", service="scolaire")
    assert demarche_for(user=citizen, number=demarche.number) == demarche
    with pytest.raises(Http404):
        demarche_for(user=other_citizen, number=demarche.number)
    assert demarche in demarches_for_staff(user=agent_scolaire)
    assert demarche not in demarches_for_staff(user=agent_population)
    assert demarche_transmitted_documents(demarche=demarche) == []


def test_account_validation_sends_a_single_email(django_capture_on_commit_callbacks, agent_population):
    """accounts.account_validate moves the account-creation démarche and sends its own e-mail only."""
    from espace_citoyen.accounts.models import AccountStatus
    from espace_citoyen.accounts.services import account_validate

    from .conftest import make_citizen

    pending = make_citizen("attente@example.fr", status=AccountStatus.PENDING)
    demarche = demarche_open(user=pending, kind=DemarcheKind.ACCOUNT_CREATION, title="Création",
                             service=DemarcheService.POPULATION)
    with django_capture_on_commit_callbacks(execute=True):
        account_validate(user=pending, actor=agent_population)
    demarche.refresh_from_db()
    assert demarche.status == DemarcheStatus.ACCEPTED
    assert len(mail.outbox) == 1
