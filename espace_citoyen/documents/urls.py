from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("ajouter/", views.document_upload, name="upload"),
    path("transmettre/", views.document_transmit, name="transmit"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/telecharger/", views.document_download, name="download"),
    path("<int:pk>/apercu/", views.document_inline, name="inline"),
    path("<int:pk>/modifier/", views.document_edit, name="edit"),
    path("<int:pk>/supprimer/", views.document_delete, name="delete"),
]
