"""/api/v1/: each app contributes its routes from its own api/urls.py."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api.urls")),
]
