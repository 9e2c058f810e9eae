"""Root URLconf of the citizen space, mounted at /espace-citoyen/ by site_cms/urls.py.
Each domain app of the space is included here under its own namespace."""

from django.urls import include, path

from espace_citoyen.billing.urls import webhook_patterns

from . import views

portal_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("mes-donnees/", views.my_data, name="my_data"),
    path("mes-donnees/telecharger/", views.my_data_download, name="my_data_download"),
]

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    path("", include("espace_citoyen.accounts.urls")),
    path("famille/", include("espace_citoyen.family.urls")),
    path("documents/", include("espace_citoyen.documents.urls")),
    path("demarches/", include("espace_citoyen.demarches.urls")),
    path("messages/", include("espace_citoyen.messaging.urls")),
    path("", include("espace_citoyen.activities.urls")),
    path("factures/", include("espace_citoyen.billing.urls")),
    path("paiement/", include((webhook_patterns, "billing_webhook"))),
]
