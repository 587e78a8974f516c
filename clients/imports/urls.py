from django.urls import path

from . import views

urlpatterns = [
    path("imports/clients/", views.import_clients, name="import_clients"),
    path("imports/volumes/", views.import_volumes, name="import_volumes"),
    path(
        "imports/<slug:kind>/template.<slug:file_format>",
        views.import_template,
        name="import_template",
    ),
    path("imports/<int:pk>/", views.import_batch_detail, name="import_batch_detail"),
    path("imports/<int:pk>/progress/", views.import_batch_progress, name="import_batch_progress"),
    path("imports/<int:pk>/commit/", views.import_batch_commit, name="import_batch_commit"),
]
