"""Households (foyers): the adults who share children, and the children."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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


class Membership(models.Model):
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


class Child(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="children", verbose_name=_("foyer"))
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    school = models.CharField(_("école"), max_length=150, blank=True)
    school_class = models.CharField(_("classe"), max_length=50, blank=True)
    legacy_id = models.CharField(_("identifiant Portail Famille"), max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("enfant")
        verbose_name_plural = _("enfants")
        ordering = ["birth_date", "first_name"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"
