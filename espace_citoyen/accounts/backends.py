"""Who may log in, whatever the door (citizen login, admin login, any later API) and for as
long as a session lasts: Django calls ``user_can_authenticate`` both when a password is
checked and when a session's user is loaded, so an account that may not log in has no
session either."""

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef
from django_otp import device_classes

from espace_citoyen.core.compiled_query import CompiledQuery, is_database_integer

from .models import AccountStatus

# An address never confirmed proves nothing; an imported account has no password until
# its owner activates it.
NO_LOGIN_STATUSES = frozenset({AccountStatus.EMAIL_UNCONFIRMED, AccountStatus.TO_ACTIVATE})


def may_log_in(user) -> bool:
    return user.is_active and getattr(user, "status", None) not in NO_LOGIN_STATUSES


class AccountBackend(ModelBackend):
    """Django's ModelBackend, refusing the accounts whose status forbids logging in."""

    def user_can_authenticate(self, user):
        return may_log_in(user)

    def get_user(self, user_id):
        """The session's user, read with whether they have a confirmed second factor
        (`has_confirmed_device`, asked by AdminTwoFactorMiddleware on every request) and
        Wagtail's user profile in the same query, compiled once per connection
        (core.compiled_query: compiling it cost more than running it). The synchronous path:
        `aget_user` (ASGI, not used by this site) is Django's."""
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        if not is_database_integer(user_id):
            return None
        users = _session_user_query().objects(user_id)
        if not users:
            return None
        user = users[0]
        user._has_confirmed_device = any(getattr(user, name) for name in _device_flags())
        return user if self.user_can_authenticate(user) else None

    def _get_permissions(self, user_obj, obj, from_name):
        """Django's, with the permissions of an agent (not a superuser) read by a query
        compiled once per connection: loading them cost 2.2 ms of Python on every admin page
        of an agent, against 0.2 ms to run the two queries (4 December 2026). Kept on the
        user object for the request, as Django keeps them."""
        if (not user_obj.is_active or user_obj.is_anonymous or obj is not None or user_obj.is_superuser
                or not isinstance(user_obj.pk, int) or not is_database_integer(user_obj.pk)):
            return super()._get_permissions(user_obj, obj, from_name)
        cache_name = f"_{from_name}_perm_cache"
        if not hasattr(user_obj, cache_name):
            permissions = _permissions_query(from_name).objects(user_obj.pk)
            setattr(user_obj, cache_name, {f"{perm.content_type.app_label}.{perm.codename}" for perm in permissions})
        return getattr(user_obj, cache_name)


def _users_with_device_flags():
    """Users with Wagtail's profile (language, time zone, theme: every admin page reads it,
    wagtail.admin.localization; None for citizens) and one EXISTS per device model."""
    checks = confirmed_device_checks(OuterRef("pk"))
    return get_user_model()._default_manager.select_related("wagtail_userprofile").annotate(**checks)


@functools.cache
def _device_flags() -> tuple[str, ...]:
    return tuple(confirmed_device_checks(OuterRef("pk")))


@functools.cache
def _session_user_query() -> CompiledQuery:
    return CompiledQuery(lambda user_id: _users_with_device_flags().filter(pk=user_id).order_by())


@functools.cache
def _permissions_query(from_name: str) -> CompiledQuery:
    """The permissions given to a user directly ("user") or through their groups ("group"),
    as ModelBackend's _get_user_permissions and _get_group_permissions find them."""
    lookup = "user" if from_name == "user" else "group__user"
    return CompiledQuery(lambda user_id: Permission.objects.select_related("content_type").filter(
        **{lookup: user_id}).only("codename", "content_type__app_label").order_by())


def confirmed_device_checks(user_ref) -> dict:
    """One EXISTS per django-otp device model (TOTP, backup codes): a confirmed device of
    `user_ref` (a user, or OuterRef("pk") in a query on users)."""
    return {f"_confirmed_device_{index}": Exists(model.objects.filter(user=user_ref, confirmed=True))
            for index, model in enumerate(device_classes())}


def has_confirmed_device(user) -> bool:
    """django_otp.user_has_device(user, confirmed=True), free when the session's user was
    loaded by AccountBackend, else in one query (instead of one per device model)."""
    known = getattr(user, "_has_confirmed_device", None)
    if known is not None:
        return known
    checks = confirmed_device_checks(user.pk)
    row = get_user_model()._default_manager.filter(pk=user.pk).annotate(**checks).values_list(*checks).first()
    return bool(row) and any(row)
