from django.urls import path

from . import views

app_name = "demarches"

urlpatterns = [
    path("", views.demarche_list, name="list"),
    path("<str:number>/", views.demarche_detail, name="detail"),
]
