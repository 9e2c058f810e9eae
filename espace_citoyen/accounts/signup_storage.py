"""Where the sign-up wizard keeps a photo between its steps: a temporary folder of the
private storage (never public), under a random name. The wizard deletes the file when it
ends or is cancelled; a wizard left half-way keeps it until ``purge_stale`` (the cron
``purge_signup_uploads``) removes it, after the session could no longer use it."""

from __future__ import annotations

import datetime
import logging
import uuid

from django.utils import timezone

from espace_citoyen.core.storage import private_storage

logger = logging.getLogger("espace_citoyen.accounts")


class SignupTemporaryStorage:
    prefix = "inscriptions-en-cours/"

    @staticmethod
    def _storage():
        return private_storage()

    def save(self, name, content, max_length=None):
        extension = ".png" if str(name).lower().endswith(".png") else ".jpg"
        return self._storage().save(f"{self.prefix}{uuid.uuid4().hex}{extension}", content)

    def open(self, name, mode="rb"):
        return self._storage().open(name, mode)

    def delete(self, name):
        self._storage().delete(name)

    def purge_stale(self, *, older_than: datetime.timedelta, now: datetime.datetime | None = None,
                    dry_run: bool = False) -> list[str]:
        """Delete the photos of wizards abandoned for longer than ``older_than``; returns
        their names. Only this folder is read; a file that vanished meanwhile is skipped."""
        storage = self._storage()
        limit = (now or timezone.now()) - older_than
        folder = self.prefix.rstrip("/")
        if not storage.exists(folder):
            return []
        _folders, files = storage.listdir(folder)
        stale = []
        for filename in sorted(files):
            name = f"{self.prefix}{filename}"
            try:
                modified = storage.get_modified_time(name)
            except FileNotFoundError:
                continue
            if modified < limit:
                stale.append(name)
                if not dry_run:
                    storage.delete(name)
        if stale and not dry_run:
            logger.info("abandoned sign-up photos deleted count=%s", len(stale))
        return stale
