from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("connexion/code/", views.LoginCodeView.as_view(), name="login_code"),
    path("securite/", views.SecurityView.as_view(), name="security"),
    path("securite/activer/", views.TwoFactorSetupView.as_view(), name="two_factor_setup"),
    path("securite/codes-de-secours/", views.TwoFactorBackupCodesView.as_view(), name="two_factor_backup_codes"),
    path("securite/desactiver/", views.TwoFactorDisableView.as_view(), name="two_factor_disable"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/", views.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe-oublie/", views.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe-oublie/courriel-envoye/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("mot-de-passe-oublie/termine/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path(
        "mot-de-passe-oublie/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("activer/<uidb64>/<token>/", views.ActivationView.as_view(), name="activate"),
    path("creer-mon-espace/", views.SignupWizardView.as_view(), name="signup"),
    path("creer-mon-espace/verifiez-votre-boite-mail/", views.signup_sent, name="signup_sent"),
    path("confirmer-mon-courriel/confirme/", views.signup_confirmed, name="signup_confirmed"),
    path("confirmer-mon-courriel/<uidb64>/<token>/", views.signup_confirm, name="signup_confirm"),
    path("coordonnees/", views.contact_details, name="contact_details"),
    path("coordonnees/confirmer-mon-adresse/<str:token>/", views.email_change_confirm, name="email_change_confirm"),
]
