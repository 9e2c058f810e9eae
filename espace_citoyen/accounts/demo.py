"""Demo accounts of the citizen space, for `manage.py seed_demo` (idempotent).

- an agent of "Relations population";
- a validated parent with a household and two children;
- a parent whose account awaits validation (with its account-creation démarche);
"""

import datetime
from base64 import b32decode

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from espace_citoyen.core.business_calendar import validation_deadline
from espace_citoyen.demarches.models import Demarche, DemarcheKind
from espace_citoyen.demarches.services import demarche_open
from home.demo import DemoLogin

from .groups import ensure_relations_population_group
from .models import AccountEventKind, AccountStatus, Civility, Profile, User
from .services.status import account_record_event, account_set_status
from .services.two_factor import BACKUP_CODES_DEVICE_NAME, TWO_FACTOR_DEVICE_NAME

# Demo only (seed_demo): fixed, published secrets so that the demo staff can get past the
# TOTP step of /admin/. Never use these on a real site.
DEMO_TOTP_KEY_BASE32 = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


DEMO_BACKUP_CODES = (
    "demo0001", "demo0002", "demo0003", "demo0004", "demo0005",
    "demo0006", "demo0007", "demo0008", "demo0009", "demo0010",
)


def demo_totp_device(*, user: User) -> None:
    """Gives a demo account a confirmed TOTP device with DEMO_TOTP_KEY_BASE32 and backup
    codes DEMO_BACKUP_CODES. Idempotent: running it again restores the same secrets."""
    key_hex = b32decode(DEMO_TOTP_KEY_BASE32).hex()
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(key=key_hex, confirmed=True).delete()
        TOTPDevice.objects.get_or_create(
            user=user, key=key_hex, confirmed=True, defaults={"name": TWO_FACTOR_DEVICE_NAME},
        )
        static, _ = StaticDevice.objects.get_or_create(
            user=user, name=BACKUP_CODES_DEVICE_NAME, defaults={"confirmed": True},
        )
        StaticDevice.objects.filter(user=user).exclude(pk=static.pk).delete()
        static.token_set.all().delete()
        StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in DEMO_BACKUP_CODES)


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
