"""Second factor (django-otp: a TOTP app and static backup codes), set up and removed by the
account's owner; verified at login and before any /admin/ page."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from espace_citoyen.core.emails import send_templated_email

from ..models import AccountEventKind, User
from .status import account_record_event

logger = logging.getLogger("espace_citoyen.accounts")


TWO_FACTOR_DEVICE_NAME = "Application d'authentification"


BACKUP_CODES_DEVICE_NAME = "Codes de secours"


def two_factor_start(*, user: User):
    """A new, unconfirmed TOTP device (a fresh secret key) for the set-up page; replaces
    any earlier unconfirmed one. Refused while a confirmed device exists: disable first."""

    with transaction.atomic():
        if user_has_device(user, confirmed=True):
            raise ValueError("La double authentification est déjà activée.")
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=TWO_FACTOR_DEVICE_NAME, confirmed=False)


def two_factor_confirm(*, user: User, device, code: str) -> list[str] | None:
    """Checks the first code of the app against the unconfirmed device. On success the
    device is confirmed, backup codes are generated (returned once, never shown again),
    the history row is written and a notice e-mailed. None when the code is wrong."""

    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
        if not device.verify_token(_normalize_code(code)):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = _replace_backup_codes(user=user)
        account_record_event(user=user, kind=AccountEventKind.TWO_FACTOR_ENABLED, actor=user)
        _send_two_factor_notice(user=user, enabled=True)
    logger.info("two-factor enabled email=%s", user.email)
    return codes


def two_factor_backup_codes_regenerate(*, user: User) -> list[str]:
    """New backup codes; the previous ones stop working."""

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
        two_factor_delete_devices(user=user)
        account_record_event(user=user, kind=AccountEventKind.TWO_FACTOR_DISABLED, actor=actor)
        _send_two_factor_notice(user=user, enabled=False)
    logger.info("two-factor disabled email=%s actor=%s", user.email, actor.email)


def two_factor_delete_devices(*, user: User) -> int:
    """Deletes the app (TOTP) and backup-code devices of the account; returns how many
    confirmed ones there were. Shared by two_factor_disable and account_two_factor_reset."""

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

    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    return model.objects.filter(user=user, confirmed=True)


def _normalize_code(code: str) -> str:
    return "".join(str(code or "").split()).replace("-", "").lower()


def _replace_backup_codes(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_CODES_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _send_two_factor_notice(*, user: User, enabled: bool) -> None:
    """E-mailed after commit: someone who did not make the change can react."""
    send_templated_email(template="accounts/emails/two_factor", to=user.email,
                         context={"user": user, "changed_at": timezone.localtime(), "enabled": enabled})
