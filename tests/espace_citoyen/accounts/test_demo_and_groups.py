import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from espace_citoyen.accounts.models import AccountEvent, AccountStatus, User
from espace_citoyen.demarches.models import Demarche, DemarcheKind
from espace_citoyen.family.models import Child, Household


@pytest.mark.django_db
def test_demo_accounts_cover_every_state():
    agent = User.objects.get(email="relations.population@ville-villennes-sur-seine.fr")
    assert list(agent.groups.values_list("name", flat=True)) == ["Relations population"]
    assert agent.has_perm("accounts.validate_account") and agent.has_perm("wagtailadmin.access_admin")
    assert not agent.has_perm("wagtailusers.change_user") and not agent.is_superuser

    validated = User.objects.get(email="camille.bernard@example.org")
    assert validated.status == AccountStatus.ACTIVE
    household = Household.objects.get(memberships__user=validated)
    assert sorted(household.children.values_list("first_name", flat=True)) == ["Chloé", "Nathan"]

    pending = User.objects.get(email="thomas.moreau@example.org")
    assert pending.status == AccountStatus.PENDING and pending.validation_due_at > pending.validation_requested_at
    demarche = Demarche.objects.get(user=pending, kind=DemarcheKind.ACCOUNT_CREATION)
    assert demarche.due_at == pending.validation_due_at

    imported = User.objects.filter(legacy_key__startswith="2001-").order_by("legacy_key")
    assert [u.status for u in imported] == [AccountStatus.TO_ACTIVATE, AccountStatus.TO_ACTIVATE]
    assert not any(u.has_usable_password() for u in imported)
    assert Household.objects.get(legacy_id="2001").memberships.count() == 2
    assert Child.objects.filter(household__legacy_id="2001").count() == 1


@pytest.mark.django_db
def test_demo_accounts_seed_is_idempotent(mailoutbox):
    counts = (User.objects.count(), AccountEvent.objects.count(), Demarche.objects.count(), Child.objects.count())
    call_command("seed_demo", force=True, stdout=io.StringIO())
    assert (User.objects.count(), AccountEvent.objects.count(), Demarche.objects.count(),
            Child.objects.count()) == counts
    assert mailoutbox == []


@pytest.mark.django_db
def test_setup_group_command_restores_missing_permissions():
    group = Group.objects.get(name="Relations population")
    group.permissions.clear()
    out = io.StringIO()
    call_command("setup_espace_citoyen_groups", stdout=out)
    assert group.permissions.filter(codename="validate_account").exists()
    assert "Relations population" in out.getvalue()


@pytest.mark.django_db
def test_demo_staff_have_the_documented_second_factor():
    from django_otp import devices_for_user
    from django_otp.oath import totp

    from espace_citoyen.accounts.demo import DEMO_BACKUP_CODES

    for email in ["admin@ville-villennes-sur-seine.fr", "communication@ville-villennes-sur-seine.fr",
                  "relations.population@ville-villennes-sur-seine.fr"]:
        user = User.objects.get(email=email)
        devices = list(devices_for_user(user, confirmed=True))
        totp_device = next(d for d in devices if d.__class__.__name__ == "TOTPDevice")
        assert totp_device.verify_token(f"{totp(totp_device.bin_key):06d}")
        static = next(d for d in devices if d.__class__.__name__ == "StaticDevice")
        assert sorted(static.token_set.values_list("token", flat=True)) == sorted(DEMO_BACKUP_CODES)
    citizen = User.objects.get(email="camille.bernard@example.org")
    assert list(devices_for_user(citizen)) == []
