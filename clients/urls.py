from django.urls import path

from . import views, views_history
from .imports import urls as import_urls

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="client_list"),
    path("<int:pk>/", views.client_detail, name="client_detail"),
    path("<int:pk>/history/", views_history.client_history_view, name="client_history"),
    path("<int:pk>/contacts/add/", views.contact_add, name="contact_add"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/confirm/", views.contact_confirm, name="contact_confirm"),
    path("contacts/<int:pk>/left/", views.contact_mark_left, name="contact_mark_left"),
    *import_urls.urlpatterns,
]
