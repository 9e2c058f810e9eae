"""Every write on households: children, authorized persons, invitations, joining and
leaving. Each change the town must check opens a démarche "Modification de la famille"
for the Pôle scolaire."""

import datetime
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from espace_citoyen.core.emails import send_templated_email
from espace_citoyen.core.town import town_contact
from espace_citoyen.demarches.models import Demarche, DemarcheKind
from espace_citoyen.demarches.services import demarche_open

from .models import AuthorizedPerson, Child, Household, Invitation, Membership
from .signals import household_member_left
from .tokens import hash_token, new_token

FAMILY_SERVICE = "scolaire"
INVITATION_DAYS = 7

# The fields of a child a parent fills in (photo apart).
CHILD_FIELDS = [
    "first_name", "last_name", "sex", "birth_date", "school", "school_class",
    "allergies", "has_pai", "pai_details", "doctor_name", "doctor_phone",
]
PERSON_FIELDS = ["name", "relationship", "phone"]


def _open_family_demarche(*, user, title: str, comment: str = "") -> Demarche:
    return demarche_open(user=user, kind=DemarcheKind.FAMILY_CHANGE, title=title[:200], service=FAMILY_SERVICE,
                         comment=comment)


def _display_name(user) -> str:
    return user.get_full_name().strip() or user.email


def _membership_end(membership: Membership) -> None:
    """Remove an adult from a household and tell the other domains (calendar feeds...)."""
    household, user = membership.household, membership.user
    membership.delete()
    household_member_left.send(sender=Household, household=household, user=user)


@transaction.atomic
def household_create_for(*, user) -> Household:
    """The user's household, created (with the user as parent) if they have none."""
    membership = Membership.objects.select_for_update().filter(user=user).select_related("household").first()
    if membership is not None:
        return membership.household
    household = Household.objects.create()
    Membership.objects.create(household=household, user=user)
    return household


def _set_persons(*, child: Child, persons: Iterable[dict]) -> bool:
    """Replace the child's authorized persons; True when the list changed."""
    before = [tuple(getattr(p, f) for f in PERSON_FIELDS) for p in child.authorized_persons.order_by("id")]
    after = [tuple(str(p.get(f, "")).strip() for f in PERSON_FIELDS) for p in persons]
    if before == after:
        return False
    child.authorized_persons.all().delete()
    AuthorizedPerson.objects.bulk_create(
        [AuthorizedPerson(child=child, **dict(zip(PERSON_FIELDS, row))) for row in after]
    )
    return True


def _clean_child_data(data: dict) -> dict:
    values = {field: data[field] for field in CHILD_FIELDS if field in data}
    if not values.get("has_pai"):
        values["pai_details"] = ""
    return values


@transaction.atomic
def child_add(*, user, data: dict, persons: Iterable[dict] = (), photo=None) -> tuple[Child, Demarche]:
    """Add a child to the user's household (created if needed) and send the change to the services."""
    household = household_create_for(user=user)
    child = Child(household=household, **_clean_child_data(data))
    child.full_clean(exclude=["photo"])
    child.save()
    if photo:
        child.photo.save("photo", photo, save=True)
    _set_persons(child=child, persons=persons)
    demarche = _open_family_demarche(
        user=user, title=f"Ajout de l'enfant {child.first_name} {child.last_name}",
        comment=f"Enfant ajouté par {_display_name(user)} depuis l'espace citoyen.",
    )
    return child, demarche


@transaction.atomic
def child_update(*, user, child: Child, data: dict, persons: Iterable[dict], photo=None,
                 remove_photo: bool = False) -> Demarche | None:
    """Change a child's identity, school, health information and authorized persons.

    `child` must come from a selector scoped to `user`. Opens a démarche when something
    changed; returns None otherwise."""
    child = Child.objects.select_for_update().get(pk=child.pk, household__memberships__user=user)
    values = _clean_child_data(data)
    changed = [field for field, value in values.items() if getattr(child, field) != value]
    for field, value in values.items():
        setattr(child, field, value)
    child.full_clean(exclude=["photo"])
    old_photo = child.photo.name if child.photo else ""
    if photo:
        child.photo.save("photo", photo, save=False)
        changed.append("photo")
    elif remove_photo and old_photo:
        child.photo = ""
        changed.append("photo")
    child.save()
    if old_photo and "photo" in changed:
        child.photo.storage.delete(old_photo)
    if _set_persons(child=child, persons=persons):
        changed.append("authorized_persons")
    if not changed:
        return None
    labels = [str(Child._meta.get_field(f).verbose_name) for f in changed if f != "authorized_persons"]
    if "authorized_persons" in changed:
        labels.append("personnes autorisées à récupérer l'enfant")
    return _open_family_demarche(
        user=user, title=f"Modification des informations de l'enfant {child.first_name} {child.last_name}",
        comment="Informations modifiées : " + ", ".join(labels) + ".",
    )


@transaction.atomic
def child_remove(*, user, child: Child) -> Demarche:
    """Remove a child from the household (its photo file too); the services are told."""
    child = Child.objects.select_for_update().get(pk=child.pk, household__memberships__user=user)
    name = f"{child.first_name} {child.last_name}"
    photo = child.photo.name if child.photo else ""
    storage = child.photo.storage
    child.delete()
    if photo:
        transaction.on_commit(lambda: storage.delete(photo))
    return _open_family_demarche(user=user, title=f"Retrait de l'enfant {name} du foyer",
                                 comment=f"Enfant retiré par {_display_name(user)} depuis l'espace citoyen.")


@transaction.atomic
def invitation_send(*, user, email: str, accept_url: Callable[[str], str]) -> Invitation:
    """Invite another adult to the user's household: one e-mail with a single-use link
    valid INVITATION_DAYS days. `accept_url(token)` builds the absolute link."""
    email = email.strip()
    household = household_create_for(user=user)
    if email.lower() == user.email.lower():
        raise ValidationError("Cette adresse est celle de votre propre compte : indiquez l'adresse de l'autre parent.")
    if Membership.objects.filter(household=household, user__email__iexact=email).exists():
        raise ValidationError("La personne qui utilise cette adresse fait déjà partie de votre foyer.")
    pending = Invitation.objects.filter(
        household=household, email__iexact=email, accepted_at__isnull=True, cancelled_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).first()
    if pending is not None:
        raise ValidationError(
            f"Une invitation est déjà en attente pour cette adresse (valable jusqu'au "
            f"{timezone.localtime(pending.expires_at):%d/%m/%Y}). Annulez-la pour en envoyer une nouvelle."
        )
    token = new_token()
    invitation = Invitation.objects.create(
        household=household, email=email, token_hash=hash_token(token), invited_by=user,
        expires_at=timezone.now() + datetime.timedelta(days=INVITATION_DAYS),
    )
    send_templated_email(template="family/emails/invitation", to=email, on_commit=False, context={
        "inviter": _display_name(user), "url": accept_url(token), "days": INVITATION_DAYS,
        "expires_at": timezone.localtime(invitation.expires_at),
    })
    return invitation


@transaction.atomic
def invitation_cancel(*, user, invitation: Invitation) -> None:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk, household__memberships__user=user)
    if invitation.accepted_at is None and invitation.cancelled_at is None:
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at"])


def invitation_refusal_reason(*, user, invitation: Invitation) -> str:
    """Why `user` may not accept `invitation` (French), or "" when they may."""
    if invitation.accepted_at is not None:
        return "Ce lien d'invitation a déjà été utilisé : il ne fonctionne qu'une fois."
    if invitation.cancelled_at is not None:
        return "Cette invitation a été annulée par la personne qui l'avait envoyée."
    if invitation.expires_at <= timezone.now():
        return (f"Ce lien d'invitation a expiré (il était valable {INVITATION_DAYS} jours). "
                "Demandez à l'autre parent de vous envoyer une nouvelle invitation.")
    if user.email.lower() != invitation.email.lower():
        return ("Cette invitation a été envoyée à une autre adresse e-mail que celle de votre compte. "
                "Connectez-vous avec le compte de l'adresse qui a reçu l'invitation.")
    if not getattr(user, "is_validated", False):
        # A pending or refused account would see the children's health details.
        return ("Votre espace doit d'abord être validé par la mairie : vous pourrez rejoindre ce foyer une fois "
                "votre compte validé. Si ce lien a expiré d'ici là, demandez-en un nouveau à l'autre parent.")
    if Membership.objects.filter(household=invitation.household, user=user).exists():
        return "Vous faites déjà partie de ce foyer."
    if Child.objects.filter(household__memberships__user=user).exists():
        return (
            "Votre compte appartient déjà à un foyer avec des enfants : les deux foyers ne peuvent pas être "
            "réunis depuis l'espace citoyen. Le Pôle scolaire peut regrouper vos foyers : contactez-le au "
            f"{town_contact().phone_schools}."
        )
    return ""


@transaction.atomic
def invitation_accept(*, user, invitation: Invitation) -> Demarche:
    """The invited adult joins the household (leaving their own empty household, if any)."""
    invitation = Invitation.objects.select_for_update().select_related("household").get(pk=invitation.pk)
    reason = invitation_refusal_reason(user=user, invitation=invitation)
    if reason:
        raise ValidationError(reason)
    for membership in Membership.objects.filter(user=user).select_related("household"):
        old = membership.household
        _membership_end(membership)
        if not old.memberships.exists() and not old.children.exists():
            try:
                with transaction.atomic():
                    old.delete()
            except ProtectedError:  # records that must outlive it (invoices) keep the household
                pass
    Membership.objects.create(household=invitation.household, user=user)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    inviter = _display_name(invitation.invited_by) if invitation.invited_by else "un autre parent"
    return _open_family_demarche(
        user=user, title=f"Arrivée de {_display_name(user)} dans le foyer",
        comment=f"Invitation envoyée par {inviter} et acceptée depuis l'espace citoyen.",
    )


@transaction.atomic
def household_leave(*, user) -> Demarche:
    """The user leaves their household; another adult must remain to look after the children."""
    membership = Membership.objects.select_for_update().filter(user=user).select_related("household").first()
    if membership is None:
        raise ValidationError("Vous ne faites partie d'aucun foyer.")
    if not Membership.objects.filter(household=membership.household).exclude(user=user).exists():
        raise ValidationError(
            "Vous êtes le seul adulte de ce foyer : vous ne pouvez pas le quitter. "
            f"Pour toute question, contactez le Pôle scolaire au {town_contact().phone_schools}."
        )
    _membership_end(membership)
    return _open_family_demarche(
        user=user, title=f"Départ de {_display_name(user)} du foyer",
        comment="Départ du foyer demandé depuis l'espace citoyen.",
    )
