"""Reads on accounts that views need (the back office's lists)."""

import dataclasses
import datetime

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from espace_citoyen.core.agents import is_agent_account, is_agent_account_expr
from espace_citoyen.core.search import words_match

from .models import AccountStatus, Profile, User


def _search(queryset: QuerySet, query: str, *extra_lookups: str,
            names: tuple[str, ...] = ("last_name", "first_name")) -> QuerySet:
    """The whole query in the e-mail address or an extra lookup, or every word of it in the
    names (ignoring case and accents: "Helene" finds "Hélène")."""
    query = " ".join((query or "").split())
    if not query:
        return queryset
    condition = Q(email__icontains=query) | words_match(query, *names)
    for lookup in extra_lookups:
        condition |= Q(**{lookup: query})
    return queryset.filter(condition)


def accounts_to_activate(*, query: str = "") -> QuerySet:
    """Imported accounts whose owner has not chosen a password yet."""
    queryset = User.objects.filter(status=AccountStatus.TO_ACTIVATE).order_by("last_name", "first_name", "email")
    return _search(queryset, query, "legacy_key__istartswith")


def accounts_pending_validation(*, query: str = "", overdue_only: bool = False,
                                now: datetime.datetime) -> QuerySet:
    """The validation queue, nearest deadline first, as dicts of the columns its list shows
    (`with_towns()` adds the towns of one page). Dicts rather than accounts: 50 accounts and
    their profiles built as model instances cost 1.3 ms more a page (3 December 2026)."""
    queryset = (
        User.objects.filter(status=AccountStatus.PENDING)
        .order_by("validation_due_at", "pk")
        .values("pk", "first_name", "last_name", "email", "validation_requested_at", "validation_due_at")
    )
    if overdue_only:
        queryset = queryset.filter(validation_due_at__lt=now)
    return _search(queryset, query, names=("last_name", "first_name", "profile__birth_name"))


def with_towns(accounts) -> list[dict]:
    """The accounts (dicts of `accounts_pending_validation`) with their profile's town as
    `city` ("" without a profile), read for these accounts only: joined to the whole queue,
    PostgreSQL hashed the 20,000 profiles of a 10,000-household town before sorting (7 ms
    against 0.5)."""
    accounts = list(accounts)
    towns = dict(Profile.objects.filter(user_id__in=[account["pk"] for account in accounts])
                 .values_list("user_id", "city"))
    return [{**account, "city": towns.get(account["pk"], "")} for account in accounts]


def account_for_review(*, actor: User, pk) -> User:
    """An account of the validation queue's review page (pending, refused or validated):
    agents of the Relations population see citizens' accounts only; staff and admin
    accounts are for superusers. 404 otherwise."""
    queryset = User.objects.select_related("profile").filter(
        status__in=[AccountStatus.PENDING, AccountStatus.REFUSED, AccountStatus.ACTIVE])
    if not actor.is_superuser:
        queryset = queryset.exclude(is_agent_account_expr())
    return get_object_or_404(queryset, pk=pk)


def account_photo_for(*, actor: User, pk):
    """The identity photo of an account for the validation agents (same rule), or 404."""
    queryset = User.objects.select_related("profile")
    if not actor.is_superuser:
        queryset = queryset.exclude(is_agent_account_expr())
    profile = getattr(get_object_or_404(queryset, pk=pk), "profile", None)
    if profile is None or not profile.photo:
        raise Http404
    return profile.photo


# --- Account security (back office "Sécurité des comptes") ------------------------------

SECURITY_VIEW_PERMISSION = "accounts.validate_account"


@dataclasses.dataclass(frozen=True)
class LoginLockState:
    """Recent login failures of an account (django-axes rows within the cool-off) and
    whether it is locked out: AXES_FAILURE_LIMIT failures or more from one IP address."""

    failures: int = 0
    locked: bool = False
    locked_failures: int = 0  # the largest count from one address


def account_security_may_view(*, actor: User) -> bool:
    """Agents of "Relations population" (accounts.validate_account) and superusers."""
    return actor.is_active and (actor.is_superuser or actor.has_perm(SECURITY_VIEW_PERMISSION))


def account_security_may_act(*, actor: User, user: User) -> bool:
    """Who may unlock the login or reset the second factor of `user`: never oneself;
    staff and superuser accounts by superusers only; citizens' by the agents who may view."""
    if actor.pk == user.pk or not account_security_may_view(actor=actor):
        return False
    if is_agent_account(user):
        return actor.is_superuser
    return True


def _with_two_factor(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        has_totp=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        has_static=Exists(StaticDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        has_admin_access=Exists(
            Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
            .filter(Q(group__user=OuterRef("pk")) | Q(user=OuterRef("pk")))
        ),
    )


def accounts_for_security_search(*, query: str = "") -> QuerySet:
    """Accounts whose e-mail address, first or last name contains every word of the query
    (case-insensitive), annotated with has_totp / has_static."""
    queryset = User.objects.order_by("last_name", "first_name", "email").filter(
        words_match(query, "email", "last_name", "first_name"))
    return _with_two_factor(queryset)


def _recent_attempts(*, now: datetime.datetime | None = None) -> QuerySet:
    attempts = AccessAttempt.objects.all()
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=(now or timezone.now()) - cool_off)
    return attempts


def login_lock_states(*, emails, now: datetime.datetime | None = None) -> dict[str, LoginLockState]:
    """LoginLockState per e-mail address (one query); addresses without failures are absent."""

    per_address = (
        _recent_attempts(now=now).filter(username__in=list(emails))
        .values("username", "ip_address").annotate(total=Sum("failures_since_start"))
    )
    totals: dict[str, list[int]] = {}
    for row in per_address:
        totals.setdefault(row["username"], []).append(row["total"] or 0)
    return {
        email: LoginLockState(
            failures=sum(counts), locked=max(counts) >= settings.AXES_FAILURE_LIMIT, locked_failures=max(counts),
        )
        for email, counts in totals.items()
    }


def login_lock_state_for(*, user: User, now: datetime.datetime | None = None) -> LoginLockState:
    return login_lock_states(emails=[user.email], now=now).get(user.email, LoginLockState())


def accounts_locked_out(*, now: datetime.datetime | None = None) -> QuerySet:
    """Accounts locked out at the moment (AXES_FAILURE_LIMIT failures or more from one IP
    address within the cool-off), annotated like accounts_for_security_search."""

    locked_usernames = (
        _recent_attempts(now=now).values("username", "ip_address")
        .annotate(total=Sum("failures_since_start")).filter(total__gte=settings.AXES_FAILURE_LIMIT)
        .values("username")
    )
    return _with_two_factor(User.objects.filter(email__in=locked_usernames).order_by("last_name", "first_name", "email"))


def account_security_events(*, user: User, limit: int = 10) -> list:
    """The last events of the account's history, most recent first."""
    return list(user.account_events.select_related("actor").order_by("-created_at", "-id")[:limit])
