from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from agentstudio import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages without an icon link (admin, API docs): no 404.
    path(
        "favicon.ico",
        login_not_required(RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    ),
    path("", include("observability.urls")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("api/", include("workspaces.api.urls")),
    path("api/", include("agents.api.urls")),
    path("api/", include("conversations.api.urls")),
    path("api/", include("evaluations.api.urls")),
    path("api/", include("orchestrations.api.urls")),
    path("", include("audit.urls")),
    path("", include("workspaces.urls")),
    path("", include("agents.urls")),
    path("", include("conversations.urls")),
    path("", include("evaluations.urls")),
    path("", include("orchestrations.urls")),
]
# Off, there is no /sandbox/ at all: it would be an open door to every tenant's remote state.
if settings.SANDBOX_ENABLED:
    urlpatterns.insert(0, path("sandbox/", include("sandbox.urls")))
