from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("bare/", views.bare, name="bare"),
    path("health/", views.health, name="health"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("clients/", include("clients.urls")),
    path("programmes/", include("programme.urls")),
    path("dashboards/", include("programme.dashboards.urls")),
    path("", include("feedback.urls")),
    path("api/v1/", include("clients.api")),
    path("api/v1/", include("clients.imports.api")),
    path("api/v1/", include("programme.api")),
    path("api/v1/", include("programme.dashboards.api")),
    path("api/v1/", include("feedback.api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]
