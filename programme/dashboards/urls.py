from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard_index, name="index"),
    path("exports/<int:pk>/status/", views.export_status, name="export_status"),
    path("exports/<int:pk>/download", views.export_download, name="export_download"),
    path("<slug:name>/", views.dashboard_detail, name="dashboard"),
    path("<slug:name>/status/", views.dashboard_status, name="status"),
    path(
        "<slug:name>/export/<slug:table>.<str:file_format>",
        views.dashboard_export,
        name="export",
    ),
]
