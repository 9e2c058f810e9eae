"""Households (foyers): the adults who share children, and the children."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from espace_citoyen.core.storage import private_storage
from home.choices import ChoiceLabelsMixin


def child_photo_path(instance, filename: str) -> str:
    """A random name: the original file name (possibly personal) is never kept."""
    return f"family/children/{uuid.uuid4().hex}.img"


class Household(models.Model):
    """A foyer. Each parent has their own account; both see the same children."""

    legacy_id = models.CharField(
        _("identifiant Portail Famille"), max_length=32, null=True, blank=True, unique=True,
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("foyer")
        verbose_name_plural = _("foyers")
        ordering = ["id"]

    def __str__(self):
        names = sorted({m.user.last_name for m in self.memberships.all() if m.user.last_name})
        label = " / ".join(names) or "sans adulte"
        return f"Foyer {self.pk} ({label})"


class MemberRole(models.TextChoices):
    PARENT = "parent", _("Parent")
    GUARDIAN = "guardian", _("Représentant légal")


class Membership(ChoiceLabelsMixin, models.Model):
    """An adult's account in a household."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("foyer"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("adulte"),
    )
    role = models.CharField(_("rôle"), max_length=10, choices=MemberRole.choices, default=MemberRole.PARENT)
    joined_at = models.DateTimeField(_("depuis le"), auto_now_add=True)

    class Meta:
        verbose_name = _("adulte du foyer")
        verbose_name_plural = _("adultes du foyer")
        constraints = [models.UniqueConstraint(fields=["household", "user"], name="family_membership_unique")]

    def __str__(self):
        return f"{self.user} – {self.household}"


class Sex(models.TextChoices):
    GIRL = "f", _("Fille")
    BOY = "m", _("Garçon")


class Child(ChoiceLabelsMixin, models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="children", verbose_name=_("foyer"))
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    school = models.CharField(_("école"), max_length=150, blank=True)
    school_class = models.CharField(_("classe"), max_length=50, blank=True)
    photo = models.ImageField(
        _("photo"), upload_to=child_photo_path, storage=private_storage, blank=True, max_length=200,
    )
    # Health information, read by the school and leisure teams.
    allergies = models.TextField(_("allergies"), blank=True)
    has_pai = models.BooleanField(_("PAI (projet d'accueil individualisé)"), default=False)
    pai_details = models.TextField(_("détails du PAI"), blank=True)
    doctor_name = models.CharField(_("médecin traitant"), max_length=150, blank=True)
    doctor_phone = models.CharField(_("téléphone du médecin traitant"), max_length=30, blank=True)
    legacy_id = models.CharField(_("identifiant Portail Famille"), max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("enfant")
        verbose_name_plural = _("enfants")
        ordering = ["birth_date", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(first_name="") & ~Q(last_name=""), name="family_child_names_set",
            ),
            models.CheckConstraint(condition=Q(has_pai=True) | Q(pai_details=""), name="family_child_pai_details_only_with_pai"),
        ]
        # The back office's lists of children by name (reservations, attendance): at 10,000
        # households, ORDER BY name LIMIT 25 went from a 15 ms sort of every child to 0.1 ms.
        indexes = [models.Index(fields=["last_name", "first_name", "id"], name="family_child_name_idx")]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class AuthorizedPerson(models.Model):
    """A person allowed to pick the child up (school, leisure centre)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="authorized_persons", verbose_name=_("enfant"))
    name = models.CharField(_("nom et prénom"), max_length=150)
    relationship = models.CharField(_("lien avec l'enfant"), max_length=80)
    phone = models.CharField(_("téléphone"), max_length=30)

    class Meta:
        verbose_name = _("personne autorisée à récupérer l'enfant")
        verbose_name_plural = _("personnes autorisées à récupérer l'enfant")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name="") & ~Q(phone=""), name="family_authorized_person_name_phone",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.relationship})"


class Invitation(models.Model):
    """An adult of a household invites the other parent by e-mail.

    The link carries a random token; only its SHA-256 is stored. It works once
    (accepted_at) and until expires_at."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("foyer"))
    email = models.EmailField(_("adresse invitée"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invité par"),
    )
    created_at = models.DateTimeField(_("envoyée le"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valable jusqu'au"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("acceptée par"),
    )
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation d'un parent")
        verbose_name_plural = _("invitations de parents")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(accepted_at__isnull=True) | Q(cancelled_at__isnull=True),
                                   name="family_invitation_not_accepted_and_cancelled"),
            models.CheckConstraint(condition=Q(accepted_by__isnull=True) | Q(accepted_at__isnull=False),
                                   name="family_invitation_accepted_by_needs_date"),
        ]

    def __str__(self):
        return f"Invitation de {self.email} ({self.household})"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.cancelled_at is None and self.expires_at > timezone.now()
