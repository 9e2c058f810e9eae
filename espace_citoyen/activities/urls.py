"""Citizen URLs of the activities (mounted at /espace-citoyen/, namespace "activities")."""

from django.urls import path  # noqa: F401

from .views import dossiers as dossier_views

from .views import absences as absence_views  # noqa: E402
from .views import agenda as agenda_views  # noqa: E402
from .views import history as history_views  # noqa: E402

app_name = "activities"

urlpatterns = [
    # --- agenda, bookings, calendar feed (views/agenda.py) ---
    path("enfants/<int:child_id>/agenda/", agenda_views.agenda, name="agenda"),
    path("enfants/<int:child_id>/agenda.ics", agenda_views.agenda_ics, name="agenda_ics"),
    path("enfants/<int:child_id>/agenda/semaine-type/", agenda_views.pattern, name="agenda_pattern"),
    path("enfants/<int:child_id>/agenda/reserver/<int:occurrence_id>/", agenda_views.book, name="agenda_book"),
    path("enfants/<int:child_id>/agenda/annuler/<int:occurrence_id>/", agenda_views.cancel, name="agenda_cancel"),
    path("enfants/<int:child_id>/agenda/liste-attente/<int:occurrence_id>/", agenda_views.waiting_join,
         name="agenda_waiting_join"),
    path("enfants/<int:child_id>/agenda/liste-attente/<int:entry_id>/quitter/", agenda_views.waiting_leave,
         name="agenda_waiting_leave"),
    path("enfants/<int:child_id>/agenda/proposition/<int:entry_id>/accepter/", agenda_views.offer_accept,
         name="agenda_offer_accept"),
    path("enfants/<int:child_id>/agenda/proposition/<int:entry_id>/refuser/", agenda_views.offer_decline,
         name="agenda_offer_decline"),
    path("enfants/<int:child_id>/agenda/absence/<str:day>/", absence_views.report, name="absence_report"),
    path("enfants/<int:child_id>/agenda/renouveler-lien/", agenda_views.feed_renew, name="agenda_feed_renew"),
    # --- booking history (views/history.py) ---
    path("enfants/<int:child_id>/historique/", history_views.history, name="history"),
    # --- registration dossiers (views/dossiers.py) ---
    path("enfants/dossiers/", dossier_views.dossier_list, name="dossier_list"),
    path("enfants/<int:child_id>/dossier/<str:school_year_label>/", dossier_views.dossier_edit, name="dossier_edit"),
]
