"""The town's name and contact details as the site settings hold them (home.ContactSettings
of the default site), for e-mails and pages that have no request-bound settings at hand.
Templates rendered with a request can also read ``settings.home.ContactSettings``."""

from dataclasses import dataclass

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


def town_contact() -> TownContact:
    """The default site's contact settings (two queries at most); blank when unset."""

    site = Site.objects.filter(is_default_site=True).first()
    settings = ContactSettings.for_site(site) if site else ContactSettings()
    return TownContact(
        name=settings.town_name or "", phone=settings.phone or "", phone_secondary=settings.phone_secondary or "",
        email=settings.email or "", address=settings.address or "",
    )
