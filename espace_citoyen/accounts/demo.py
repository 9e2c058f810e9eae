"""Demo accounts of the citizen space, for `manage.py seed_demo` (idempotent).

- an agent of "Relations population";
- a validated parent with a household and two children;
- a parent whose account awaits validation (with its account-creation démarche);
"""

import datetime

from django.utils import timezone

from espace_citoyen.core.business_calendar import validation_deadline
from espace_citoyen.demarches.models import Demarche, DemarcheKind
from espace_citoyen.demarches.services import demarche_open
from espace_citoyen.family.models import Child, Household, Membership, Sex
from home.demo import DemoLogin

from .groups import ensure_relations_population_group
from .models import AccountEventKind, AccountStatus, Civility, Profile, User
from .services import (
    DEMO_BACKUP_CODES,
    DEMO_TOTP_KEY_BASE32,
    account_record_event,
    account_set_status,
    demo_totp_device,
)

AGENT = DemoLogin(
    "Agent Relations population", "relations.population@ville-villennes-sur-seine.fr", "Agent-Population-2026",
    "/admin/",
)
VALIDATED_PARENT = DemoLogin("Parent (espace validé)", "camille.bernard@example.org", "Famille-Bernard-2026",
                             "/espace-citoyen/")
PENDING_PARENT = DemoLogin("Parent (en attente de validation)", "thomas.moreau@example.org", "Attente-Moreau-2026",
                           "/espace-citoyen/")
def _citizen(login: DemoLogin, *, first_name, last_name, civility, status) -> tuple[User, bool]:
    user = User.objects.filter(email__iexact=login.email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(login.email, login.password, first_name=first_name, last_name=last_name,
                                    status=status)
    Profile.objects.create(
        user=user, civility=civility, street_number="14", street="rue de Poissy", postcode="78670",
        city="Villennes-sur-Seine", phone_mobile="06 12 12 12 12", privacy_notice_accepted_at=timezone.now(),
    )
    account_record_event(user=user, kind=AccountEventKind.CREATED, actor=user, to_status=status)
    return user, True


def seed_agent():
    group = ensure_relations_population_group()
    agent = User.objects.filter(email__iexact=AGENT.email).first()
    if agent is None:
        agent = User.objects.create_user(AGENT.email, AGENT.password, first_name="Marie-Claude",
                                         last_name="Filipe")
    agent.groups.add(group)
    return agent


def seed_validated_parent(agent):
    parent, created = _citizen(VALIDATED_PARENT, first_name="Camille", last_name="Bernard",
                               civility=Civility.MADAME, status=AccountStatus.ACTIVE)
    if created:
        household = Household.objects.create()
        Membership.objects.create(household=household, user=parent)
        Child.objects.create(household=household, first_name="Chloé", last_name="Bernard", sex=Sex.GIRL,
                             birth_date=datetime.date(2017, 5, 3), school="École élémentaire des Tilleuls",
                             school_class="CE2")
        Child.objects.create(household=household, first_name="Nathan", last_name="Bernard", sex=Sex.BOY,
                             birth_date=datetime.date(2020, 9, 18), school="École maternelle du Parc",
                             school_class="MS")
    return parent


def seed_pending_parent():
    parent, created = _citizen(PENDING_PARENT, first_name="Thomas", last_name="Moreau",
                               civility=Civility.MONSIEUR, status=AccountStatus.EMAIL_UNCONFIRMED)
    if created:
        requested = timezone.now() - datetime.timedelta(hours=20)
        account_set_status(user=parent, new_status=AccountStatus.PENDING, actor=parent,
                           kind=AccountEventKind.EMAIL_CONFIRMED)
        parent.email_confirmed_at = requested
        parent.validation_requested_at = requested
        parent.validation_due_at = validation_deadline(requested)
        parent.save(update_fields=["email_confirmed_at", "validation_requested_at", "validation_due_at"])
    if not Demarche.objects.filter(user=parent, kind=DemarcheKind.ACCOUNT_CREATION).exists():
        demarche_open(user=parent, kind=DemarcheKind.ACCOUNT_CREATION, title="Création de mon espace citoyen",
                      service="population", due_at=parent.validation_due_at)
    return parent


STAFF_EMAILS = [
    "admin@ville-villennes-sur-seine.fr",
    "communication@ville-villennes-sur-seine.fr",
    AGENT.email,
]


def seed_staff_two_factor():
    """Staff must pass TOTP before any admin page: demo staff share one documented key."""
    for user in User.objects.filter(email__in=STAFF_EMAILS):
        demo_totp_device(user=user)


def demo_notes() -> list[str]:
    key = " ".join(DEMO_TOTP_KEY_BASE32[i:i + 4] for i in range(0, len(DEMO_TOTP_KEY_BASE32), 4))
    return [
        "Double authentification des comptes du personnel de démonstration (obligatoire pour /admin/) :",
        f"  clé TOTP à saisir dans une application d'authentification : {key}",
        f"  ou un code de secours (usage unique, recréés à chaque make run) : {', '.join(DEMO_BACKUP_CODES)}",
    ]


def seed(*, stdout):
    agent = seed_agent()
    seed_staff_two_factor()
    seed_validated_parent(agent)
    seed_pending_parent()
    stdout.write("Espace citoyen : agent et parents prêts.")
    return [AGENT, VALIDATED_PARENT, PENDING_PARENT]
