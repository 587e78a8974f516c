from django.urls import path

from . import views
from .imports import urls as import_urls

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="client_list"),
    path("<int:pk>/", views.client_detail, name="client_detail"),
    *import_urls.urlpatterns,
]
