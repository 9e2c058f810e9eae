"""Mes coordonnées: contact details, and the change of the login address (confirmed on the
new address before it replaces the old one, which is told)."""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from espace_citoyen.core.emails import send_templated_email, site_url

from ..models import AccountEvent, AccountEventKind, Profile, User, normalize_email_address
from ..tokens import email_change_make_token, email_change_read_token, email_change_timeout_seconds
from .status import account_record_event

logger = logging.getLogger("espace_citoyen.accounts")


CONTACT_FIELDS = (
    "street_number", "street", "address_complement", "postcode", "city",
    "phone_home", "phone_mobile", "phone_work", "fax", "preferred_contact",
)


def contact_details_update(*, user: User, details: dict) -> list[str]:
    """Saves the contact fields of "Mes coordonnées" (CONTACT_FIELDS only) on the profile
    and writes one history row naming the changed fields. Returns the changed fields."""

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

    new_email = normalize_email_address(new_email)
    if not new_email or new_email == normalize_email_address(user.email):
        return None
    with transaction.atomic():
        request = account_record_event(
            user=user, kind=AccountEventKind.EMAIL_CHANGE_REQUESTED, actor=user, comment=new_email,
        )
        taken = User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists()
        if taken:
            send_templated_email(template="accounts/emails/email_change_existing", to=new_email,
                                 context={"email": new_email})
        else:
            _send_email_change_link(user=user, new_email=new_email, request_id=request.pk)
    logger.info("e-mail change requested user=%s taken=%s", user.pk, taken)
    return request


def _send_email_change_link(*, user: User, new_email: str, request_id: int) -> None:
    token = email_change_make_token(user=user, new_email=new_email, request_id=request_id)
    send_templated_email(template="accounts/emails/email_change_confirm", to=new_email, context={
        "user": user, "new_email": new_email,
        "confirm_url": site_url(reverse("accounts:email_change_confirm", kwargs={"token": token})),
        "days": email_change_timeout_seconds() // (24 * 3600),
    })


class EmailChangeError(ValueError):
    """The link cannot be used (expired, used, superseded, or the address taken since)."""


def email_change_confirm(*, token: str) -> User:
    """The link sent to the new address was followed: the new address replaces the old one
    (if still free), the old address receives a notice (after commit). Raises
    EmailChangeError with a French message otherwise."""


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
            send_templated_email(template="accounts/emails/email_change_notice", to=old_email,
                                 context={"user": user, "old_email": old_email, "new_email": new_email})
    except IntegrityError:  # the same address taken at the same moment
        raise EmailChangeError("Cette adresse e-mail est désormais utilisée par un autre compte : "
                               "choisissez-en une autre depuis « Mes coordonnées ».") from None
    logger.info("e-mail changed user=%s", user.pk)
    return user
