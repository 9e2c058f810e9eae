import pytest

from tests import factories
from django.contrib.auth import get_user_model

from espace_citoyen.accounts.models import AccountStatus
from espace_citoyen.demarches.models import DemarcheKind, DemarcheService
from espace_citoyen.demarches.services import demarche_open
from espace_citoyen.family.models import Membership

User = get_user_model()
PASSWORD = "Un-mot-de-passe-solide-42"


def make_citizen(email, *, first_name="Léa", last_name="Durand", status=AccountStatus.ACTIVE, household=None):
    return factories.make_citizen(email, first_name=first_name, last_name=last_name, status=status, household=household)


def make_agent(email, service, *, first_name="Agent", last_name="Scolaire"):
    return factories.make_service_agent(email, service, first_name=first_name, last_name=last_name)


@pytest.fixture
def citizen(db):
    return make_citizen("lea.durand@example.fr")


@pytest.fixture
def co_parent(citizen):
    return make_citizen("paul.durand@example.fr", first_name="Paul",
                        household=Membership.objects.get(user=citizen).household)


@pytest.fixture
def other_citizen(db):
    return make_citizen("marc.petit@example.fr", first_name="Marc", last_name="Petit")


@pytest.fixture
def agent_scolaire(db):
    return make_agent("agent.scolaire@ville-villennes-sur-seine.fr", DemarcheService.SCOLAIRE,
                      first_name="Sophie", last_name="Lemaire")


@pytest.fixture
def agent_population(db):
    return make_agent("agent.pop@ville-villennes-sur-seine.fr", DemarcheService.POPULATION,
                      first_name="Henri", last_name="Roux")


@pytest.fixture
def open_demarche():
    def make(user, *, title="Ajout d'un enfant", kind=DemarcheKind.FAMILY_CHANGE, service=DemarcheService.SCOLAIRE,
             **kwargs):
        return demarche_open(user=user, kind=kind, title=title, service=service, **kwargs)

    return make
