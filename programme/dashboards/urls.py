from django.urls import path  # noqa: F401  (the dashboards are added here)

app_name = "dashboards"

urlpatterns = []
