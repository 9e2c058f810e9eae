"""Forms of the accounts, by sub-domain (login, passwords, security, signup); imported from here."""

from .login import EMAIL_UNCONFIRMED_LOGIN, INVALID_LOGIN, AdminLoginForm, LoginForm
from .passwords import PASSWORD_MISMATCH, ChangePasswordForm, NewPasswordForm, PasswordResetRequestForm
from .security import (
    WRONG_CODE,
    AccountDeletionRequestForm,
    ReauthenticationForm,
    TwoFactorCodeForm,
    TwoFactorDisableForm,
)
from .signup import (
    AccountRefusalForm,
    ContactDetailsForm,
    SignupContactForm,
    SignupIdentityForm,
    SignupPasswordForm,
)

__all__ = [
    "EMAIL_UNCONFIRMED_LOGIN", "INVALID_LOGIN", "PASSWORD_MISMATCH", "WRONG_CODE", "AccountDeletionRequestForm",
    "AccountRefusalForm", "AdminLoginForm", "ChangePasswordForm", "ContactDetailsForm", "LoginForm",
    "NewPasswordForm", "PasswordResetRequestForm", "ReauthenticationForm", "SignupContactForm", "SignupIdentityForm",
    "SignupPasswordForm", "TwoFactorCodeForm", "TwoFactorDisableForm",
]
