"""Demo family (idempotent), after accounts/demo.py: Camille Bernard's household (Chloé and
Nathan, made with her account), then a second parent living at another address, health information and persons allowed to
pick the children up, and one family-change démarche per change."""

import datetime

from django.utils import timezone

from espace_citoyen.accounts.models import AccountEventKind, AccountStatus, Civility, Profile, User
from espace_citoyen.accounts.services import account_record_event
from espace_citoyen.demarches.models import Demarche, DemarcheKind
from home.demo import DemoLogin

from .models import AuthorizedPerson, Child, Household, Membership, Sex
from .services import FAMILY_SERVICE, _open_family_demarche

FIRST_PARENT_EMAIL = "camille.bernard@example.org"
SECOND_PARENT = DemoLogin("Second parent (foyer Bernard)", "julien.bernard@example.org",
                          "Famille-Bernard-2026", "/espace-citoyen/famille/")


def _second_parent() -> User:
    user = User.objects.filter(email__iexact=SECOND_PARENT.email).first()
    if user is not None:
        return user
    user = User.objects.create_user(SECOND_PARENT.email, SECOND_PARENT.password, first_name="Julien",
                                    last_name="Bernard", status=AccountStatus.ACTIVE)
    Profile.objects.create(
        user=user, civility=Civility.MONSIEUR, street_number="3", street="allée des Peupliers", postcode="78670",
        city="Villennes-sur-Seine", phone_mobile="06 34 34 34 34", privacy_notice_accepted_at=timezone.now(),
    )
    account_record_event(user=user, kind=AccountEventKind.CREATED, actor=user, to_status=AccountStatus.ACTIVE)
    return user


def _first_household(camille: User) -> Membership:
    """Camille Bernard's household with Chloé and Nathan, created with her account."""
    membership = Membership.objects.filter(user=camille).select_related("household").first()
    if membership is not None:
        return membership
    household = Household.objects.create()
    Child.objects.create(household=household, first_name="Chloé", last_name="Bernard", sex=Sex.GIRL,
                         birth_date=datetime.date(2017, 5, 3), school="École élémentaire des Tilleuls",
                         school_class="CE2")
    Child.objects.create(household=household, first_name="Nathan", last_name="Bernard", sex=Sex.BOY,
                         birth_date=datetime.date(2020, 9, 18), school="École maternelle du Parc",
                         school_class="MS")
    return Membership.objects.create(household=household, user=camille)


def seed(*, stdout):
    camille = User.objects.filter(email__iexact=FIRST_PARENT_EMAIL).first()
    if camille is None:
        return []
    membership = _first_household(camille)
    household = membership.household
    julien = _second_parent()
    if not Membership.objects.filter(user=julien).exists():
        Membership.objects.create(household=household, user=julien)
        _open_family_demarche(user=julien, title="Arrivée de Julien Bernard dans le foyer",
                              comment="Invitation envoyée par Camille Bernard et acceptée depuis l'espace citoyen.")
    chloe = Child.objects.filter(household=household, first_name="Chloé").first()
    if chloe is not None and not chloe.authorized_persons.exists():
        chloe.allergies = "Arachide et fruits à coque."
        chloe.has_pai = True
        chloe.pai_details = "PAI alimentaire : trousse d'urgence (adrénaline auto-injectable) à l'école et au centre de loisirs."
        chloe.doctor_name = "Dr Sophie Lambert"
        chloe.doctor_phone = "01 39 75 12 34"
        chloe.save()
        AuthorizedPerson.objects.create(child=chloe, name="Monique Bernard", relationship="Grand-mère",
                                        phone="06 45 45 45 45")
        if not Demarche.objects.filter(user=camille, kind=DemarcheKind.FAMILY_CHANGE, service=FAMILY_SERVICE,
                                       title__contains="Chloé").exists():
            _open_family_demarche(user=camille, title="Modification des informations de l'enfant Chloé Bernard",
                                  comment="Informations modifiées : allergies, PAI, médecin traitant, "
                                          "personnes autorisées à récupérer l'enfant.")
    nathan = Child.objects.filter(household=household, first_name="Nathan").first()
    if nathan is not None and not nathan.authorized_persons.exists():
        nathan.doctor_name = "Dr Sophie Lambert"
        nathan.doctor_phone = "01 39 75 12 34"
        nathan.save()
        AuthorizedPerson.objects.create(child=nathan, name="Monique Bernard", relationship="Grand-mère",
                                        phone="06 45 45 45 45")
        AuthorizedPerson.objects.create(child=nathan, name="Inès Haddad", relationship="Assistante maternelle",
                                        phone="06 56 56 56 56")
    stdout.write("Famille : foyer Bernard avec deux parents (adresses différentes) et deux enfants.")
    return [SECOND_PARENT]
