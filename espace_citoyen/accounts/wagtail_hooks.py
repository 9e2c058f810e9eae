"""Back office of the accounts app: the staff's second-factor pages under /admin/."""

from django.urls import path
from wagtail import hooks

from .admin import two_factor


@hooks.register("register_admin_urls")
def register_two_factor_admin_urls():
    """Second factor of the staff: verify or enrol before any other admin page
    (AdminTwoFactorMiddleware lets these URLs through)."""
    return [
        path("double-authentification/verifier/", two_factor.admin_two_factor_verify,
             name="accounts_admin_two_factor_verify"),
        path("double-authentification/activer/", two_factor.admin_two_factor_setup,
             name="accounts_admin_two_factor_setup"),
        path("double-authentification/codes-de-secours/", two_factor.admin_two_factor_codes,
             name="accounts_admin_two_factor_codes"),
    ]
