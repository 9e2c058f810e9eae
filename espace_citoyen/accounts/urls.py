from django.urls import path

from .views import activation, contact, login, passwords, signup, two_factor

app_name = "accounts"

urlpatterns = [
    path("connexion/", login.LoginView.as_view(), name="login"),
    path("connexion/code/", login.LoginCodeView.as_view(), name="login_code"),
    path("securite/", two_factor.SecurityView.as_view(), name="security"),
    path("securite/activer/", two_factor.TwoFactorSetupView.as_view(), name="two_factor_setup"),
    path("securite/codes-de-secours/", two_factor.TwoFactorBackupCodesView.as_view(), name="two_factor_backup_codes"),
    path("securite/desactiver/", two_factor.TwoFactorDisableView.as_view(), name="two_factor_disable"),
    path("deconnexion/", login.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/", passwords.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe-oublie/", passwords.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe-oublie/courriel-envoye/", passwords.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("mot-de-passe-oublie/termine/", passwords.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path(
        "mot-de-passe-oublie/<uidb64>/<token>/",
        passwords.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("activer/<uidb64>/<token>/", activation.ActivationView.as_view(), name="activate"),
    path("creer-mon-espace/", signup.SignupWizardView.as_view(), name="signup"),
    path("creer-mon-espace/verifiez-votre-boite-mail/", signup.signup_sent, name="signup_sent"),
    path("confirmer-mon-courriel/confirme/", signup.signup_confirmed, name="signup_confirmed"),
    path("confirmer-mon-courriel/<uidb64>/<token>/", signup.signup_confirm, name="signup_confirm"),
    path("coordonnees/", contact.contact_details, name="contact_details"),
    path("coordonnees/confirmer-mon-adresse/<str:token>/", contact.email_change_confirm, name="email_change_confirm"),
]
