from django.urls import path

from . import views

app_name = "family"

urlpatterns = [
    path("", views.household, name="household"),
    path("enfants/ajouter/", views.child_add, name="child_add"),
    path("enfants/<int:child_id>/", views.child_detail, name="child_detail"),
    path("enfants/<int:child_id>/modifier/", views.child_edit, name="child_edit"),
    path("enfants/<int:child_id>/retirer/", views.child_remove, name="child_remove"),
    path("enfants/<int:child_id>/photo/", views.child_photo, name="child_photo"),
    path("inviter/", views.invite, name="invite"),
    path("invitations/<int:invitation_id>/annuler/", views.invitation_cancel, name="invitation_cancel"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("quitter/", views.leave, name="leave"),
]
