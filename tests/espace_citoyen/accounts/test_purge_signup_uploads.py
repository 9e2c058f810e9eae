"""Photos of sign-up wizards abandoned half-way are deleted by the nightly command, and
only those: recent ones (a wizard in progress) and other private files stay."""

import os
import time
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from espace_citoyen.accounts.signup_storage import SignupTemporaryStorage
from espace_citoyen.core.storage import private_storage

pytestmark = pytest.mark.django_db


def _age(name: str, hours: float) -> None:
    path = private_storage().path(name)
    moment = time.time() - hours * 3600
    os.utime(path, (moment, moment))


def test_old_wizard_photos_are_deleted_recent_ones_kept():
    temporary = SignupTemporaryStorage()
    old = temporary.save("photo.jpg", ContentFile(b"old"))
    recent = temporary.save("photo.png", ContentFile(b"recent"))
    elsewhere = private_storage().save("documents/test-purge/piece.pdf", ContentFile(b"%PDF"))
    _age(old, 30)
    _age(recent, 2)
    _age(elsewhere, 1000)

    out = StringIO()
    call_command("purge_signup_uploads", "--dry-run", stdout=out)
    assert "1 photo(s) de création d'espace abandonnée(s) à supprimer." in out.getvalue()
    assert private_storage().exists(old)

    out = StringIO()
    call_command("purge_signup_uploads", stdout=out)
    assert "1 photo(s) de création d'espace abandonnée(s) supprimée(s)." in out.getvalue()
    assert not private_storage().exists(old)
    assert private_storage().exists(recent)
    assert private_storage().exists(elsewhere)

    out = StringIO()
    call_command("purge_signup_uploads", "--hours", "1", stdout=out)
    assert not private_storage().exists(recent)
    private_storage().delete(elsewhere)


def test_hours_must_be_positive():
    with pytest.raises(CommandError, match="au moins 1"):
        call_command("purge_signup_uploads", "--hours", "0")
