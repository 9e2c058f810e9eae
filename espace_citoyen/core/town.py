"""The town's name and contact details as the site settings hold them (home.ContactSettings
of the default site), for e-mails and pages that have no request-bound settings at hand.
Templates rendered with a request can also read ``settings.home.ContactSettings``."""

import time
from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save
from wagtail.models import Site

from home.models import ContactSettings


@dataclass(frozen=True)
class TownContact:
    name: str
    phone: str  # the town hall (Service Relations à la Population)
    phone_secondary: str  # the Pôle scolaire
    email: str
    address: str

    @property
    def phone_schools(self) -> str:
        return self.phone_secondary or self.phone


# Every e-mail's footer reads these details: a batch (legacy import of 5,000 families, the
# monthly invoicing) sends thousands of e-mails in one process, and reading the settings for
# each cost two queries and ~30 % of the import's time (pyinstrument, README « Performance »).
# Kept for MEMO_SECONDS in the process; a change saved in this process clears it at once,
# another process (app server, worker) sees it within MEMO_SECONDS.
MEMO_SECONDS = 30.0
_memo: tuple[float, "TownContact"] | None = None


def _forget(**_kwargs) -> None:
    global _memo
    _memo = None


for _model in (ContactSettings, Site):
    post_save.connect(_forget, sender=_model, dispatch_uid=f"town_contact_forget_{_model.__name__}")
    post_delete.connect(_forget, sender=_model, dispatch_uid=f"town_contact_forget_del_{_model.__name__}")


def town_contact() -> TownContact:
    """The default site's contact settings (two queries at most, then kept MEMO_SECONDS);
    blank when unset."""
    global _memo
    now = time.monotonic()
    if _memo is not None and _memo[0] > now:
        return _memo[1]
    site = Site.objects.filter(is_default_site=True).first()
    settings = ContactSettings.for_site(site) if site else ContactSettings()
    contact = TownContact(
        name=settings.town_name or "", phone=settings.phone or "", phone_secondary=settings.phone_secondary or "",
        email=settings.email or "", address=settings.address or "",
    )
    _memo = (now + MEMO_SECONDS, contact)
    return contact
