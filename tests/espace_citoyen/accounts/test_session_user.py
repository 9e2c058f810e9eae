"""The session's user and second-factor device, read by queries compiled once per connection
(accounts.backends.AccountBackend.get_user, accounts.middleware.OTPMiddleware): the same
user, profile and device as Django's and django-otp's own reads, through every page."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.users.models import UserProfile

from espace_citoyen.accounts.backends import AccountBackend, _users_with_device_flags
from espace_citoyen.accounts.models import AccountStatus

pytestmark = pytest.mark.django_db


def fields(obj):
    return {field.attname: getattr(obj, field.attname) for field in type(obj)._meta.concrete_fields}


def test_an_agent_is_read_with_the_profile_and_device_flag_in_one_query(superuser, django_assert_num_queries):
    profile = fields(UserProfile.get_for_user(superuser))
    TOTPDevice.objects.create(user=superuser, name="Téléphone", confirmed=True)
    with django_assert_num_queries(1):
        user = AccountBackend().get_user(superuser.pk)
        assert user._has_confirmed_device is True
        assert fields(user.wagtail_userprofile) == profile
    assert fields(user) == fields(get_user_model().objects.get(pk=superuser.pk))


def test_a_citizen_without_profile_nor_device(citizen, django_assert_num_queries):
    expected = _users_with_device_flags().get(pk=citizen.pk)
    with django_assert_num_queries(1):
        user = AccountBackend().get_user(citizen.pk)
        assert user._has_confirmed_device is False
        assert hasattr(user, "wagtail_userprofile") is hasattr(expected, "wagtail_userprofile") is False
    assert fields(user) == fields(expected)
    StaticDevice.objects.create(user=citizen, name="Codes de secours", confirmed=True)
    assert AccountBackend().get_user(citizen.pk)._has_confirmed_device is True


def test_no_user_for_an_unknown_or_malformed_id_nor_a_closed_account(citizen):
    backend = AccountBackend()
    assert backend.get_user(citizen.pk + 100_000) is None
    assert backend.get_user("abc") is None
    assert backend.get_user(None) is None
    assert backend.get_user(2**64) is None
    assert backend.get_user(str(citizen.pk)).pk == citizen.pk
    citizen.status = AccountStatus.TO_ACTIVATE
    citizen.save()
    assert backend.get_user(citizen.pk) is None


def test_pages_see_the_session_user_and_no_longer_after_their_account_is_closed(client, citizen):
    client.force_login(citizen)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    assert citizen.first_name in response.content.decode()
    get_user_model().objects.filter(pk=citizen.pk).update(is_active=False)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def admin_with_device(client, user, device_id: str):
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device_id
    session.save()
    return client.get(reverse("wagtailadmin_home"))


def test_the_admin_opens_with_the_sessions_confirmed_device_only(client, superuser, citizen):
    own = TOTPDevice.objects.create(user=superuser, name="Téléphone", confirmed=True)
    assert admin_with_device(client, superuser, own.persistent_id).status_code == 200
    others = TOTPDevice.objects.create(user=citizen, name="Autre", confirmed=True)
    unconfirmed = TOTPDevice.objects.create(user=superuser, name="Pas encore", confirmed=False)
    for device_id in (others.persistent_id, unconfirmed.persistent_id, "otp_totp.totpdevice/999999",
                      "otp_totp.totpdevice/abc", "nope.nope/1", "accounts.user/1", "sans-barre"):
        response = admin_with_device(client, superuser, device_id)
        assert response.status_code == 302, device_id
        assert response["Location"].startswith("/admin/double-authentification/verifier/?next="), device_id
        assert DEVICE_ID_SESSION_KEY not in client.session, device_id


def test_neither_read_is_compiled_again(superuser, monkeypatch):
    from django.db.models.sql.compiler import SQLCompiler

    from espace_citoyen.accounts.middleware import OTPMiddleware

    device = TOTPDevice.objects.create(user=superuser, name="Téléphone", confirmed=True)
    middleware = OTPMiddleware(lambda request: None)
    AccountBackend().get_user(superuser.pk)
    middleware._device_from_persistent_id(device.persistent_id)
    compiled = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or original(self, *a, **k))
    assert AccountBackend().get_user(superuser.pk).pk == superuser.pk
    assert middleware._device_from_persistent_id(device.persistent_id) == device
    assert compiled == []


def test_the_device_is_the_one_django_otp_finds(superuser, citizen):
    from django_otp.models import Device

    from espace_citoyen.accounts.middleware import OTPMiddleware

    own = TOTPDevice.objects.create(user=superuser, name="Téléphone", confirmed=True)
    codes = StaticDevice.objects.create(user=citizen, name="Codes de secours", confirmed=False)
    middleware = OTPMiddleware(lambda request: None)
    for device_id in (own.persistent_id, codes.persistent_id, f"otp_totp.TOTPDevice/{own.pk}",
                      f"django_otp.plugins.otp_totp.models.TOTPDevice/{own.pk}",  # the former form
                      "otp_totp.totpdevice/999999", "otp_totp.totpdevice/abc", "nope.nope/1", "sans-barre"):
        expected = Device.from_persistent_id(middleware._normalize_persistent_id(device_id))
        assert middleware._device_from_persistent_id(device_id) == expected, device_id
    assert middleware._device_from_persistent_id(f"django_otp.plugins.otp_totp.models.TOTPDevice/{own.pk}") == own
    # Where django-otp 1.7 fails: not a device model, a number no row can have.
    assert middleware._device_from_persistent_id("accounts.user/1") is None
    assert middleware._device_from_persistent_id(f"otp_totp.totpdevice/{2**64}") is None
