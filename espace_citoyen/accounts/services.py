"""Writes on accounts. Keyword-only, typed, each in a transaction."""

import logging

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import AccountEvent, AccountEventKind, User

logger = logging.getLogger("espace_citoyen.accounts")

TOWN_HALL_PHONE = "01 39 08 25 40"


def password_change(*, user: User, new_password: str) -> None:
    """Sets a new password chosen by the user, then e-mails them a notice (after commit),
    so that someone who did not make the change can react."""
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        AccountEvent.objects.create(user=user, actor=user, kind=AccountEventKind.PASSWORD_CHANGED)
        transaction.on_commit(lambda: _send_password_changed_notice(user=user))
    password_validation.password_changed(new_password, user)
    logger.info("password changed email=%s", user.email)


def password_reset(*, user: User, new_password: str) -> None:
    """Sets the password chosen through a reset link (the link proves the mailbox). The
    link stops working at once: Django's token depends on the password hash."""
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        AccountEvent.objects.create(user=user, actor=user, kind=AccountEventKind.PASSWORD_RESET)
    password_validation.password_changed(new_password, user)
    logger.info("password reset email=%s", user.email)


def _send_password_changed_notice(*, user: User) -> None:
    context = {"user": user, "phone": TOWN_HALL_PHONE, "changed_at": timezone.localtime()}
    subject = render_to_string("accounts/emails/password_changed_subject.txt", context).strip()
    body = render_to_string("accounts/emails/password_changed_body.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception:  # the password is changed already: report, do not fail the request
        logger.exception("password change notice not sent email=%s", user.email)


# --- Status changes and audit (shared by the validation queue, import and activation) ---


def account_record_event(
    *, user: User, kind: str, actor: User | None, comment: str = "", from_status: str = "", to_status: str = ""
) -> AccountEvent:
    """Writes one row of the account's history."""
    return AccountEvent.objects.create(
        user=user, actor=actor, kind=kind, comment=comment, from_status=from_status, to_status=to_status,
    )


def account_set_status(*, user: User, new_status: str, actor: User | None, kind: str, comment: str = "") -> User:
    """The one way to change an account's status: refuses a move that
    ALLOWED_STATUS_TRANSITIONS does not list, and writes the history row."""
    from .models import ALLOWED_STATUS_TRANSITIONS

    with transaction.atomic():
        old_status = user.status
        if new_status not in ALLOWED_STATUS_TRANSITIONS.get(old_status, set()):
            raise ValueError(f"Changement d'état impossible : {old_status} → {new_status}.")
        user.status = new_status
        user.status_changed_at = timezone.now()
        user.save(update_fields=["status", "status_changed_at"])
        account_record_event(
            user=user, kind=kind, actor=actor, comment=comment, from_status=old_status, to_status=new_status,
        )
    return user


# --- Former Portail Famille: import and activation (see docs/legacy-import.md) ---------


def activation_send(*, user: User, actor: User | None) -> None:
    """Sends (after commit) a fresh activation e-mail to an account "à activer". The new
    send time is part of the token, so links of earlier e-mails stop working."""
    from .models import AccountStatus

    if user.status != AccountStatus.TO_ACTIVATE:
        raise ValueError("Seul un compte « à activer » peut recevoir un courriel d'activation.")
    with transaction.atomic():
        user.activation_sent_at = timezone.now()
        user.save(update_fields=["activation_sent_at"])
        account_record_event(user=user, kind=AccountEventKind.ACTIVATION_SENT, actor=actor, comment=user.email)
        transaction.on_commit(lambda: _send_activation_email(user=user))


def _send_activation_email(*, user: User) -> None:
    from django.core.mail import EmailMultiAlternatives
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from .tokens import activation_token_generator

    path = reverse(
        "accounts:activate",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": activation_token_generator.make_token(user)},
    )
    context = {
        "user": user,
        "activation_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path,
        "days": settings.ESPACE_CITOYEN_ACTIVATION_DAYS,
        "phone": "01 39 08 25 67",
    }
    subject = render_to_string("accounts/emails/activation_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject, render_to_string("accounts/emails/activation_body.txt", context), settings.DEFAULT_FROM_EMAIL, [user.email],
    )
    message.attach_alternative(render_to_string("accounts/emails/activation_body.html", context), "text/html")
    try:
        message.send()
    except Exception:  # the agent can resend from the admin; do not break the import
        logger.exception("activation e-mail not sent email=%s", user.email)


def account_activate(*, user: User, new_password: str) -> User:
    """The owner of an imported account chose a password through the activation link."""
    from .models import AccountStatus

    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        account_set_status(user=user, new_status=AccountStatus.ACTIVE, actor=user, kind=AccountEventKind.ACTIVATED)
    password_validation.password_changed(new_password, user)
    logger.info("account activated email=%s", user.email)
    return user


def activation_correct_email_and_resend(*, user: User, email: str, actor: User) -> bool:
    """"Vous n'avez pas reçu d'email d'activation": an agent checks or corrects the
    address, then a fresh activation e-mail goes to it. Returns True if the address changed."""
    from .models import normalize_email_address

    new_email = normalize_email_address(email)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        old_email = user.email
        changed = new_email != old_email
        if changed:
            if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
                raise ValueError("Cette adresse e-mail est déjà utilisée par un autre compte.")
            user.email = new_email
            user.save(update_fields=["email"])
            account_record_event(
                user=user, kind=AccountEventKind.EMAIL_CORRECTED, actor=actor, comment=f"{old_email} → {new_email}",
            )
        activation_send(user=user, actor=actor)
    return changed


# --- Two-factor authentication (django-otp: TOTP app + static backup codes) ------------

TWO_FACTOR_DEVICE_NAME = "Application d'authentification"
BACKUP_CODES_DEVICE_NAME = "Codes de secours"


def two_factor_start(*, user: User):
    """A new, unconfirmed TOTP device (a fresh secret key) for the set-up page; replaces
    any earlier unconfirmed one. Refused while a confirmed device exists: disable first."""
    from django_otp import user_has_device
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        if user_has_device(user, confirmed=True):
            raise ValueError("La double authentification est déjà activée.")
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=TWO_FACTOR_DEVICE_NAME, confirmed=False)


def two_factor_confirm(*, user: User, device, code: str) -> list[str] | None:
    """Checks the first code of the app against the unconfirmed device. On success the
    device is confirmed, backup codes are generated (returned once, never shown again),
    the history row is written and a notice e-mailed. None when the code is wrong."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
        if not device.verify_token(_normalize_code(code)):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = _replace_backup_codes(user=user)
        account_record_event(user=user, kind=AccountEventKind.TWO_FACTOR_ENABLED, actor=user)
        transaction.on_commit(lambda: _send_two_factor_notice(user=user, enabled=True))
    logger.info("two-factor enabled email=%s", user.email)
    return codes


def two_factor_backup_codes_regenerate(*, user: User) -> list[str]:
    """New backup codes; the previous ones stop working."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise ValueError("La double authentification n'est pas activée.")
        codes = _replace_backup_codes(user=user)
    logger.info("two-factor backup codes replaced email=%s", user.email)
    return codes


def two_factor_disable(*, user: User, actor: User) -> None:
    """Removes every device (app and backup codes) of the account; history row and
    e-mail notice. The caller has checked the password."""
    with transaction.atomic():
        _two_factor_delete_devices(user=user)
        account_record_event(user=user, kind=AccountEventKind.TWO_FACTOR_DISABLED, actor=actor)
        transaction.on_commit(lambda: _send_two_factor_notice(user=user, enabled=False))
    logger.info("two-factor disabled email=%s actor=%s", user.email, actor.email)


def _two_factor_delete_devices(*, user: User) -> int:
    """Deletes the app (TOTP) and backup-code devices of the account; returns how many
    confirmed ones there were. Shared by two_factor_disable and account_two_factor_reset."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    confirmed = 0
    for model in (TOTPDevice, StaticDevice):
        devices = model.objects.filter(user=user)
        confirmed += devices.filter(confirmed=True).count()
        devices.delete()
    return confirmed


def two_factor_verify(*, user: User, code: str):
    """The confirmed device accepting this code (a 6-digit app code or a backup code, which
    is then used up), or None. Each device throttles its own failures (django-otp: the
    n-th successive failure blocks that device for 2^(n-1) seconds)."""
    code = _normalize_code(code)
    if not code:
        return None
    with transaction.atomic():
        for device in _devices_for_code(user=user, code=code).select_for_update():
            if device.verify_token(code):
                return device
    return None


def two_factor_is_throttled(*, user: User, code: str) -> bool:
    """True while the devices that would check this code wait after failed codes (read only)."""
    devices = list(_devices_for_code(user=user, code=_normalize_code(code)))
    return bool(devices) and all(not device.verify_is_allowed()[0] for device in devices)


def _devices_for_code(*, user: User, code: str):
    """A 6-digit code is for the app (TOTP), anything else is a backup code."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    return model.objects.filter(user=user, confirmed=True)


def _normalize_code(code: str) -> str:
    return "".join(str(code or "").split()).replace("-", "").lower()


def _replace_backup_codes(*, user: User) -> list[str]:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_CODES_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _send_two_factor_notice(*, user: User, enabled: bool) -> None:
    context = {"user": user, "phone": TOWN_HALL_PHONE, "changed_at": timezone.localtime(), "enabled": enabled}
    subject = render_to_string("accounts/emails/two_factor_subject.txt", context).strip()
    body = render_to_string("accounts/emails/two_factor_body.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception:  # the change is made already: report, do not fail the request
        logger.exception("two-factor notice not sent email=%s", user.email)


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
    from base64 import b32decode

    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

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


# --- Sign-up wizard, e-mail confirmation and staff validation ---------------------------
# Account creation by a citizen: email_unconfirmed → (link of the e-mail) pending →
# (agent of "Relations population") active or refused. See templates/accounts/signup/.


def _site_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _send_account_email(*, user_email: str, template: str, context: dict) -> None:
    """Sends templates/accounts/emails/<template>_{subject,body}.txt; a failure is logged
    (the change is recorded already: the agent or the citizen can try again)."""
    context = {"phone": TOWN_HALL_PHONE, **context}
    subject = render_to_string(f"accounts/emails/{template}_subject.txt", context).strip()
    body = render_to_string(f"accounts/emails/{template}_body.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user_email])
    except Exception:
        logger.exception("account e-mail %s not sent email=%s", template, user_email)


def _send_signup_confirmation(*, user: User) -> None:
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from .tokens import email_confirmation_token_generator

    path = reverse(
        "accounts:signup_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": email_confirmation_token_generator.make_token(user)},
    )
    _send_account_email(user_email=user.email, template="signup_confirm", context={
        "user": user, "confirm_url": _site_url(path), "days": settings.ESPACE_CITOYEN_EMAIL_CONFIRMATION_DAYS,
    })


def _send_signup_existing(*, email: str) -> None:
    from django.urls import reverse

    _send_account_email(user_email=email, template="signup_existing", context={
        "email": email,
        "login_url": _site_url(reverse("accounts:login")),
        "reset_url": _site_url(reverse("accounts:password_reset")),
    })


def account_signup(
    *, email: str, password: str, first_name: str, last_name: str, profile: dict, photo=None,
    privacy_notice_accepted: bool, actor: User | None = None,
) -> User | None:
    """The last step of the creation wizard. Creates the account ("courriel à confirmer")
    with its profile and e-mails the confirmation link (after commit).

    No enumeration: when the address already belongs to an account, nothing is created
    and that address receives a warning with the login and password-reset links instead;
    the caller shows the same page either way (returns None). An account whose address was
    never confirmed is not anyone's yet: a new sign-up replaces its details and password
    and sends a fresh link (earlier links stop working)."""
    from django.contrib.auth.hashers import make_password
    from django.db import IntegrityError

    from .models import AccountStatus, Profile, normalize_email_address

    if not privacy_notice_accepted:
        raise ValueError("La notice relative aux données personnelles doit être acceptée.")
    email = normalize_email_address(email)
    now = timezone.now()
    try:
        with transaction.atomic():
            user = User.objects.select_for_update().filter(email__iexact=email).first()
            if user is not None and user.status != AccountStatus.EMAIL_UNCONFIRMED:
                make_password(password)  # same work as a creation: no timing difference
                transaction.on_commit(lambda: _send_signup_existing(email=email))
                logger.info("sign-up with an address already in use email=%s", email)
                return None
            renewed = user is not None
            if user is None:
                user = User(email=email, status=AccountStatus.EMAIL_UNCONFIRMED, status_changed_at=now)
            user.first_name, user.last_name = first_name, last_name
            user.set_password(password)
            user.save()
            user_profile, _created = Profile.objects.get_or_create(user=user)
            for name, value in profile.items():
                setattr(user_profile, name, value)
            user_profile.privacy_notice_accepted_at = now
            if photo is not None:
                if user_profile.photo:
                    user_profile.photo.delete(save=False)
                user_profile.photo.save(photo.name, photo, save=False)
            user_profile.save()
            account_record_event(
                user=user, kind=AccountEventKind.CREATED, actor=actor or user, to_status=AccountStatus.EMAIL_UNCONFIRMED,
                comment="Nouvelle demande avec une adresse pas encore confirmée" if renewed else "",
            )
            transaction.on_commit(lambda: _send_signup_confirmation(user=user))
    except IntegrityError:  # the same address signed up at the same moment
        transaction.on_commit(lambda: _send_signup_existing(email=email))
        return None
    password_validation.password_changed(password, user)
    logger.info("account created email=%s", email)
    return user


def account_confirm_email(*, user: User) -> User:
    """The link of the confirmation e-mail was opened: the address is proved; the account
    waits for an agent's validation, due within the business-hours delay. The request is
    recorded as the account's first démarche."""
    from espace_citoyen.core.business_calendar import validation_deadline
    from espace_citoyen.demarches.models import DemarcheKind
    from espace_citoyen.demarches.services import demarche_open

    from .models import AccountStatus

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        now = timezone.now()
        account_set_status(user=user, new_status=AccountStatus.PENDING, actor=user, kind=AccountEventKind.EMAIL_CONFIRMED)
        user.email_confirmed_at = now
        user.validation_requested_at = now
        user.validation_due_at = validation_deadline(now)
        user.save(update_fields=["email_confirmed_at", "validation_requested_at", "validation_due_at"])
        demarche_open(
            user=user, kind=DemarcheKind.ACCOUNT_CREATION, title="Création de l'espace citoyen", actor=user,
            service="Relations population", due_at=user.validation_due_at,
        )
    logger.info("account e-mail confirmed email=%s", user.email)
    return user


def _account_creation_demarche(user: User):
    from espace_citoyen.demarches.models import Demarche, DemarcheKind

    return Demarche.objects.filter(user=user, kind=DemarcheKind.ACCOUNT_CREATION).open().order_by("-created_at").first()


def account_validate(*, user: User, actor: User) -> User:
    """An agent validates a pending account: it may now register children, book and pay.
    The démarche is accepted and the citizen e-mailed (after commit)."""
    from espace_citoyen.demarches.models import DemarcheStatus
    from espace_citoyen.demarches.services import demarche_set_status

    from .models import AccountStatus

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        account_set_status(user=user, new_status=AccountStatus.ACTIVE, actor=actor, kind=AccountEventKind.VALIDATED)
        user.refusal_reason = ""
        user.save(update_fields=["refusal_reason"])
        demarche = _account_creation_demarche(user)
        if demarche is not None:
            demarche_set_status(demarche=demarche, status=DemarcheStatus.ACCEPTED, actor=actor,
                                comment="Espace citoyen validé")
        transaction.on_commit(lambda: _send_account_email(
            user_email=user.email, template="signup_validated",
            context={"user": user, "login_url": _site_url("/espace-citoyen/connexion/")},
        ))
    logger.info("account validated email=%s actor=%s", user.email, actor.email)
    return user


def account_refuse(*, user: User, actor: User, reason: str) -> User:
    """An agent refuses a pending account, with a reason that the citizen receives by
    e-mail (with the town hall's phone number); the démarche is refused with it."""
    from espace_citoyen.demarches.models import DemarcheStatus
    from espace_citoyen.demarches.services import demarche_set_status

    from .models import AccountStatus

    reason = (reason or "").strip()
    if not reason:
        raise ValueError("Le motif du refus est obligatoire.")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        account_set_status(user=user, new_status=AccountStatus.REFUSED, actor=actor, kind=AccountEventKind.REFUSED,
                           comment=reason)
        user.refusal_reason = reason
        user.save(update_fields=["refusal_reason"])
        demarche = _account_creation_demarche(user)
        if demarche is not None:
            demarche_set_status(demarche=demarche, status=DemarcheStatus.REFUSED, actor=actor, comment=reason)
        transaction.on_commit(lambda: _send_account_email(
            user_email=user.email, template="signup_refused", context={"user": user, "reason": reason},
        ))
    logger.info("account refused email=%s actor=%s", user.email, actor.email)
    return user


# --- Mes coordonnées: contact details and change of e-mail address -----------------------

CONTACT_FIELDS = (
    "street_number", "street", "address_complement", "postcode", "city",
    "phone_home", "phone_mobile", "phone_work", "fax", "preferred_contact",
)


def contact_details_update(*, user: User, details: dict) -> list[str]:
    """Saves the contact fields of "Mes coordonnées" (CONTACT_FIELDS only) on the profile
    and writes one history row naming the changed fields. Returns the changed fields."""
    from .models import Profile

    with transaction.atomic():
        profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
        changed = [name for name in CONTACT_FIELDS if name in details and getattr(profile, name) != details[name]]
        for name in changed:
            setattr(profile, name, details[name])
        if changed:
            profile.save(update_fields=changed)
            labels = ", ".join(str(Profile._meta.get_field(name).verbose_name) for name in changed)
            account_record_event(user=user, kind=AccountEventKind.CONTACT_UPDATED, actor=user, comment=labels)
    return changed


def email_change_pending(*, user: User):
    """The pending request of a new address (AccountEvent, comment = the new address), or
    None: the latest request, younger than the link's lifetime, not followed by a change."""
    from datetime import timedelta

    from .tokens import email_change_timeout_seconds

    latest = (
        AccountEvent.objects.filter(
            user=user, kind__in=[AccountEventKind.EMAIL_CHANGE_REQUESTED, AccountEventKind.EMAIL_CHANGED,
                                 AccountEventKind.EMAIL_CORRECTED],
        ).order_by("-created_at", "-id").first()
    )
    if latest is None or latest.kind != AccountEventKind.EMAIL_CHANGE_REQUESTED:
        return None
    if latest.created_at < timezone.now() - timedelta(seconds=email_change_timeout_seconds()):
        return None
    return latest


def email_change_request(*, user: User, new_email: str) -> AccountEvent | None:
    """The citizen asked for a new login address. Nothing changes yet: a single-use link
    valid EMAIL_CHANGE_DAYS days is e-mailed to the NEW address (after commit). No
    enumeration: when the address already belongs to an account, that address receives a
    notice instead of a link, and the caller shows the same message either way.
    Returns the request row, or None when the address is the current one."""
    from .models import normalize_email_address

    new_email = normalize_email_address(new_email)
    if not new_email or new_email == normalize_email_address(user.email):
        return None
    with transaction.atomic():
        request = account_record_event(
            user=user, kind=AccountEventKind.EMAIL_CHANGE_REQUESTED, actor=user, comment=new_email,
        )
        taken = User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists()
        if taken:
            transaction.on_commit(lambda: _send_account_email(
                user_email=new_email, template="email_change_existing", context={"email": new_email},
            ))
        else:
            transaction.on_commit(lambda: _send_email_change_link(user=user, new_email=new_email, request_id=request.pk))
    logger.info("e-mail change requested user=%s taken=%s", user.pk, taken)
    return request


def _send_email_change_link(*, user: User, new_email: str, request_id: int) -> None:
    from django.urls import reverse

    from .tokens import email_change_make_token, email_change_timeout_seconds

    token = email_change_make_token(user=user, new_email=new_email, request_id=request_id)
    _send_account_email(user_email=new_email, template="email_change_confirm", context={
        "user": user, "new_email": new_email,
        "confirm_url": _site_url(reverse("accounts:email_change_confirm", kwargs={"token": token})),
        "days": email_change_timeout_seconds() // (24 * 3600),
    })


class EmailChangeError(ValueError):
    """The link cannot be used (expired, used, superseded, or the address taken since)."""


def email_change_confirm(*, token: str) -> User:
    """The link sent to the new address was followed: the new address replaces the old one
    (if still free), the old address receives a notice (after commit). Raises
    EmailChangeError with a French message otherwise."""
    from django.db import IntegrityError

    from .tokens import email_change_read_token

    payload = email_change_read_token(token)
    invalid = EmailChangeError("Ce lien n'est plus valable : il a expiré, a déjà servi ou une demande plus récente "
                               "l'a remplacé.")
    if payload is None:
        raise invalid
    try:
        with transaction.atomic():
            user = User.objects.select_for_update().filter(pk=payload["u"]).first()
            if user is None or user.email != payload["o"]:
                raise invalid
            pending = email_change_pending(user=user)
            if pending is None or pending.pk != payload["r"] or pending.comment != payload["n"]:
                raise invalid
            new_email, old_email = payload["n"], user.email
            if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
                raise EmailChangeError("Cette adresse e-mail est désormais utilisée par un autre compte : "
                                       "choisissez-en une autre depuis « Mes coordonnées ».")
            user.email = new_email
            user.save(update_fields=["email"])
            account_record_event(user=user, kind=AccountEventKind.EMAIL_CHANGED, actor=user,
                                 comment=f"{old_email} → {new_email}")
            transaction.on_commit(lambda: _send_account_email(
                user_email=old_email, template="email_change_notice",
                context={"user": user, "old_email": old_email, "new_email": new_email},
            ))
    except IntegrityError:  # the same address taken at the same moment
        raise EmailChangeError("Cette adresse e-mail est désormais utilisée par un autre compte : "
                               "choisissez-en une autre depuis « Mes coordonnées ».") from None
    logger.info("e-mail changed user=%s", user.pk)
    return user


# --- Mes données (RGPD): request of the deletion of the account --------------------------


def account_deletion_request(*, user: User, reason: str = ""):
    """Opens a démarche "Suppression du compte" for the Relations population service, who
    delete the account (invoices are kept as the law requires). Returns the démarche; an
    open request is returned as is instead of a second one."""
    from espace_citoyen.demarches.models import DemarcheKind
    from espace_citoyen.demarches.selectors import open_deletion_request_for
    from espace_citoyen.demarches.services import demarche_open

    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        existing = open_deletion_request_for(user=user)
        if existing is not None:
            return existing
        demarche = demarche_open(
            user=user, kind=DemarcheKind.ACCOUNT_DELETION, title="Suppression de mon compte", actor=user,
            service="population", comment=(reason or "").strip(),
        )
    logger.info("account deletion requested user=%s demarche=%s", user.pk, demarche.number)
    return demarche


# --- Account security, by an agent of the town (back office "Sécurité des comptes") ------


def _check_may_act_on_security(*, user: User, actor: User) -> None:
    from django.core.exceptions import PermissionDenied

    from .selectors import account_security_may_act

    if not account_security_may_act(actor=actor, user=user):
        raise PermissionDenied("Vous ne pouvez pas agir sur la sécurité de ce compte.")


def account_login_unlock(*, user: User, actor: User) -> int:
    """Lifts the login lock (django-axes) of the account: deletes every AccessAttempt row
    of its e-mail address, from every IP address; failures of other accounts (which also
    count towards a per-address lock) are left alone. Records who did it. Returns the
    number of failures forgotten; ValueError when there was none to forget."""
    from axes.models import AccessAttempt
    from django.db.models import Sum

    _check_may_act_on_security(user=user, actor=actor)
    with transaction.atomic():
        attempts = AccessAttempt.objects.filter(username=user.email)
        failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
        if not attempts.exists():
            raise ValueError("Aucun échec de connexion n'est enregistré pour ce compte.")
        attempts.delete()
        account_record_event(
            user=user, kind=AccountEventKind.LOGIN_UNLOCKED, actor=actor,
            comment=f"{failures} échec(s) de connexion effacé(s)",
        )
    logger.info("login unlocked email=%s actor=%s failures=%s", user.email, actor.email, failures)
    return failures


def account_two_factor_reset(*, user: User, actor: User, reason: str) -> None:
    """For someone who lost their phone and backup codes: an agent who has checked their
    identity removes their second factor (the same devices as two_factor_disable). The
    reason is required and kept in the history; the person is e-mailed (after commit). A
    staff user is sent to enrolment at their next admin access (AdminTwoFactorMiddleware).
    ValueError without a reason or when the account has no second factor."""
    from django.urls import reverse

    from espace_citoyen.core.agents import is_agent_account

    reason = (reason or "").strip()
    if not reason:
        raise ValueError("Indiquez le motif de la réinitialisation (vérification d'identité effectuée).")
    _check_may_act_on_security(user=user, actor=actor)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not _two_factor_delete_devices(user=user):
            raise ValueError("La double authentification n'est pas activée sur ce compte.")
        account_record_event(user=user, kind=AccountEventKind.TWO_FACTOR_RESET, actor=actor, comment=reason)
        transaction.on_commit(lambda: _send_account_email(user_email=user.email, template="two_factor_reset", context={
            "user": user, "changed_at": timezone.localtime(), "is_staff": is_agent_account(user),
            "security_url": _site_url(reverse("accounts:security")),
        }))
    logger.info("two-factor reset email=%s actor=%s", user.email, actor.email)
