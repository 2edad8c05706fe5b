"""/api/v1/: each app contributes its routes from its own api/urls.py (URL names ``api:<model>-<action>``)."""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("budgets.api.urls")),
    path("", include("catalogs.api.urls")),
    path("", include("settlement.api.urls")),
    path("", include("settlement.runs.api.urls")),
    path("", include("settlement.province.api.urls")),
    path("", include("settlement.publication.api.urls")),
    path("", include("jobs.api.urls")),
    path("", include("disputes.api.urls")),
    path("", include("notices.api.urls")),
    path("", include("reconciliation.api.urls")),
]
