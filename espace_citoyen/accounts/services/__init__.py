"""Every write on accounts, by sub-domain: status.py (status changes and history), signup.py
(the wizard and the e-mail confirmation), validation.py (the Relations population's decision,
the deletion request), activation.py (accounts imported from the Portail Famille),
passwords.py, two_factor.py, contact.py (Mes coordonnées, change of login address),
security.py (the agents' "Sécurité des comptes"). The names below are the app's service API."""

from .activation import account_activate, activation_correct_email_and_resend, activation_send
from .contact import (
    CONTACT_FIELDS,
    EmailChangeError,
    contact_details_update,
    email_change_confirm,
    email_change_pending,
    email_change_request,
)
from .passwords import password_change, password_reset
from .security import account_login_unlock, account_two_factor_reset
from .signup import account_confirm_email, account_signup
from .status import account_record_event, account_set_status
from .two_factor import (
    two_factor_backup_codes_regenerate,
    two_factor_confirm,
    two_factor_disable,
    two_factor_is_throttled,
    two_factor_start,
    two_factor_verify,
)
from .validation import account_deletion_request, account_refuse, account_validate

__all__ = [
    "CONTACT_FIELDS", "EmailChangeError", "account_activate", "account_confirm_email", "account_deletion_request",
    "account_login_unlock", "account_record_event", "account_refuse", "account_set_status", "account_signup",
    "account_two_factor_reset", "account_validate", "activation_correct_email_and_resend", "activation_send",
    "contact_details_update", "email_change_confirm", "email_change_pending", "email_change_request",
    "password_change", "password_reset", "two_factor_backup_codes_regenerate", "two_factor_confirm",
    "two_factor_disable", "two_factor_is_throttled", "two_factor_start", "two_factor_verify",
]
