"""Citizen URLs of the activities (mounted at /espace-citoyen/, namespace "activities")."""

from django.urls import path  # noqa: F401

app_name = "activities"

urlpatterns = [
    # --- agenda, bookings, calendar feed (views/agenda.py) ---
    # --- registration dossiers (views/dossiers.py) ---
]
