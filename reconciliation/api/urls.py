from django.urls import path
from rest_framework.routers import SimpleRouter

from reconciliation.api.views import (
    DiffListView,
    InstitutionListView,
    ReconciliationViewSet,
    UploadListView,
)

router = SimpleRouter()
router.register("reconciliations", ReconciliationViewSet, basename="reconciliation")

urlpatterns = [
    path("national-uploads/", UploadListView.as_view(), name="national-upload-list"),
    path(
        "reconciliations/<int:pk>/cases/", DiffListView.as_view(), name="reconciliation-case-list"
    ),
    path(
        "reconciliations/<int:pk>/institutions/",
        InstitutionListView.as_view(),
        name="reconciliation-institution-list",
    ),
    *router.urls,
]
