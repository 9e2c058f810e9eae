"""Account creation by a citizen ("Je n'ai pas d'espace"): the wizard's last step and the
e-mail confirmation. Account life: email_unconfirmed → (link of the e-mail) pending →
(agent of the Relations population, validation.py) active or refused."""

import logging

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from espace_citoyen.core.business_calendar import validation_deadline
from espace_citoyen.core.emails import send_templated_email, site_url
from espace_citoyen.core.services_map import TownService
from espace_citoyen.demarches.models import DemarcheKind
from espace_citoyen.demarches.services import demarche_open

from ..models import AccountEventKind, AccountStatus, Profile, User, normalize_email_address
from ..tokens import email_confirmation_token_generator
from .status import account_record_event, account_set_status

logger = logging.getLogger("espace_citoyen.accounts")


def _send_signup_confirmation(*, user: User) -> None:
    path = reverse(
        "accounts:signup_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": email_confirmation_token_generator.make_token(user)},
    )
    send_templated_email(template="accounts/emails/signup_confirm", to=user.email, context={
        "user": user, "confirm_url": site_url(path), "days": settings.ESPACE_CITOYEN_EMAIL_CONFIRMATION_DAYS,
    })


def _send_signup_existing(*, email: str) -> None:
    send_templated_email(template="accounts/emails/signup_existing", to=email, context={
        "email": email,
        "login_url": site_url(reverse("accounts:login")),
        "reset_url": site_url(reverse("accounts:password_reset")),
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


    if not privacy_notice_accepted:
        raise ValueError("La notice relative aux données personnelles doit être acceptée.")
    email = normalize_email_address(email)
    now = timezone.now()
    try:
        with transaction.atomic():
            user = User.objects.select_for_update().filter(email__iexact=email).first()
            if user is not None and user.status != AccountStatus.EMAIL_UNCONFIRMED:
                make_password(password)  # same work as a creation: no timing difference
                _send_signup_existing(email=email)
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
            _send_signup_confirmation(user=user)
    except IntegrityError:  # the same address signed up at the same moment
        _send_signup_existing(email=email)
        return None
    password_validation.password_changed(password, user)
    logger.info("account created email=%s", email)
    return user


def account_confirm_email(*, user: User) -> User:
    """The link of the confirmation e-mail was opened: the address is proved; the account
    waits for an agent's validation, due within the business-hours delay. The request is
    recorded as the account's first démarche."""


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
            service=TownService.POPULATION, due_at=user.validation_due_at,
        )
    logger.info("account e-mail confirmed email=%s", user.email)
    return user
