from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from espace_citoyen.core.storage import private_storage


def normalize_email_address(email: str) -> str:
    """E-mail addresses are logins: compare and store them trimmed and lower-cased."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email__iexact=normalize_email_address(username))

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=normalize_email_address(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("Un super-utilisateur doit avoir is_staff et is_superuser.")
        return self._create_user(email, password, **extra_fields)


class AccountStatus(models.TextChoices):
    EMAIL_UNCONFIRMED = "email_unconfirmed", _("Courriel à confirmer")
    PENDING = "pending", _("En attente de validation")
    ACTIVE = "active", _("Validé")
    REFUSED = "refused", _("Refusé")
    TO_ACTIVATE = "to_activate", _("À activer")


# The only status moves a service may make; anything else is refused.
ALLOWED_STATUS_TRANSITIONS = {
    AccountStatus.EMAIL_UNCONFIRMED: {AccountStatus.PENDING},
    AccountStatus.PENDING: {AccountStatus.ACTIVE, AccountStatus.REFUSED},
    AccountStatus.REFUSED: {AccountStatus.PENDING, AccountStatus.ACTIVE},
    AccountStatus.TO_ACTIVATE: {AccountStatus.ACTIVE},
    AccountStatus.ACTIVE: set(),
}


class User(AbstractUser):
    """A person who logs in with an e-mail address: resident, parent or town agent.

    Accounts made by the town's staff are active from the start; a citizen's own account
    goes e-mail confirmation → pending validation → active (or refused); an account imported
    from the former Portail Famille is "à activer" until its owner chooses a password.
    """

    username = None
    email = models.EmailField(_("adresse e-mail"), unique=True)
    status = models.CharField(
        _("état du compte"), max_length=20, choices=AccountStatus.choices, default=AccountStatus.ACTIVE
    )
    status_changed_at = models.DateTimeField(_("changement d'état le"), null=True, blank=True)
    email_confirmed_at = models.DateTimeField(_("courriel confirmé le"), null=True, blank=True)
    validation_requested_at = models.DateTimeField(_("validation demandée le"), null=True, blank=True)
    validation_due_at = models.DateTimeField(_("à valider au plus tard le"), null=True, blank=True)
    refusal_reason = models.TextField(_("motif du refus"), blank=True)
    legacy_key = models.CharField(
        _("identifiant Portail Famille"), max_length=64, null=True, blank=True, unique=True,
        help_text=_("Famille et rang du parent dans l'ancien Portail Famille, par exemple « 1042-1 »."),
    )
    activation_sent_at = models.DateTimeField(_("courriel d'activation envoyé le"), null=True, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]
        indexes = [models.Index(fields=["status", "validation_due_at"])]
        permissions = [
            ("validate_account", "Peut valider ou refuser les espaces citoyens"),
            ("import_portail_famille", "Peut importer les familles du Portail Famille"),
            ("send_activation", "Peut corriger l'adresse et renvoyer le courriel d'activation"),
        ]

    def clean(self):
        super().clean()
        self.email = normalize_email_address(self.email)

    def save(self, *args, **kwargs):
        self.email = normalize_email_address(self.email)
        super().save(*args, **kwargs)

    def __str__(self):
        full_name = self.get_full_name()
        return f"{full_name} <{self.email}>" if full_name else self.email

    @property
    def is_validated(self) -> bool:
        """Validated accounts may register children, book and pay."""
        return self.status == AccountStatus.ACTIVE


class Civility(models.TextChoices):
    MADAME = "mme", _("Madame")
    MONSIEUR = "m", _("Monsieur")


class ContactMethod(models.TextChoices):
    EMAIL = "email", _("Courriel")
    PHONE = "phone", _("Téléphone")
    SMS = "sms", _("SMS")
    POST = "post", _("Courrier")


class Profile(models.Model):
    """Identity and contact details of a citizen, as asked by the creation wizard."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile", verbose_name=_("compte"))
    civility = models.CharField(_("civilité"), max_length=3, choices=Civility.choices, blank=True)
    birth_name = models.CharField(_("nom de naissance"), max_length=150, blank=True)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    birth_country = models.CharField(_("pays de naissance"), max_length=80, blank=True)
    birth_department = models.CharField(_("département de naissance"), max_length=3, blank=True)
    birth_city = models.CharField(_("commune de naissance"), max_length=120, blank=True)
    photo = models.ImageField(
        _("photo"), upload_to="photos/%Y/%m/", blank=True, storage=private_storage,
    )
    street_number = models.CharField(_("numéro"), max_length=10, blank=True)
    street = models.CharField(_("voie"), max_length=200, blank=True)
    address_complement = models.CharField(_("complément d'adresse"), max_length=200, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    city = models.CharField(_("commune"), max_length=120, blank=True)
    phone_home = models.CharField(_("téléphone domicile"), max_length=20, blank=True)
    phone_mobile = models.CharField(_("téléphone mobile"), max_length=20, blank=True)
    phone_work = models.CharField(_("téléphone professionnel"), max_length=20, blank=True)
    fax = models.CharField(_("fax"), max_length=20, blank=True)
    preferred_contact = models.CharField(
        _("moyen de contact préféré"), max_length=10, choices=ContactMethod.choices, default=ContactMethod.EMAIL
    )
    privacy_notice_accepted_at = models.DateTimeField(_("notice de confidentialité acceptée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("profil")
        verbose_name_plural = _("profils")

    def __str__(self):
        return f"Profil de {self.user}"

    @property
    def address_lines(self) -> list[str]:
        first = " ".join(part for part in (self.street_number, self.street) if part)
        last = " ".join(part for part in (self.postcode, self.city) if part)
        return [line for line in (first, self.address_complement, last) if line]


class AccountEventKind(models.TextChoices):
    CREATED = "created", _("Espace créé")
    EMAIL_CONFIRMED = "email_confirmed", _("Courriel confirmé")
    VALIDATED = "validated", _("Compte validé")
    REFUSED = "refused", _("Compte refusé")
    IMPORTED = "imported", _("Importé du Portail Famille")
    IMPORT_UPDATED = "import_updated", _("Mis à jour par l'import du Portail Famille")
    ACTIVATION_SENT = "activation_sent", _("Courriel d'activation envoyé")
    ACTIVATED = "activated", _("Compte activé")
    EMAIL_CORRECTED = "email_corrected", _("Adresse e-mail corrigée par un agent")
    PASSWORD_CHANGED = "password_changed", _("Mot de passe modifié")
    PASSWORD_RESET = "password_reset", _("Mot de passe réinitialisé")
    TWO_FACTOR_ENABLED = "2fa_enabled", _("Double authentification activée")
    TWO_FACTOR_DISABLED = "2fa_disabled", _("Double authentification désactivée")
    CONTACT_UPDATED = "contact_updated", _("Coordonnées modifiées")
    EMAIL_CHANGE_REQUESTED = "email_change_request", _("Changement d'adresse e-mail demandé")
    EMAIL_CHANGED = "email_changed", _("Adresse e-mail remplacée")
    LOGIN_UNLOCKED = "login_unlocked", _("Connexion débloquée par un agent")
    TWO_FACTOR_RESET = "2fa_reset", _("Double authentification réinitialisée par un agent")
    LEGACY_MATCHED = "legacy_matched", _("Famille du Portail Famille à rapprocher")
    LEGACY_ATTACHED = "legacy_attached", _("Famille du Portail Famille rattachée")
    LEGACY_SEPARATE = "legacy_separate", _("Famille du Portail Famille importée à part")
    LEGACY_REJECTED = "legacy_rejected", _("Famille du Portail Famille écartée")


class AccountEvent(models.Model):
    """Audit trail of an account: who did what, when (agents' actions included)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_events", verbose_name=_("compte"))
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("auteur"),
    )
    kind = models.CharField(_("événement"), max_length=20, choices=AccountEventKind.choices)
    from_status = models.CharField(_("état avant"), max_length=20, choices=AccountStatus.choices, blank=True)
    to_status = models.CharField(_("état après"), max_length=20, choices=AccountStatus.choices, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)
    created_at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("événement de compte")
        verbose_name_plural = _("historique des comptes")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.user.email}"
