from django.urls import path
from rest_framework.routers import SimpleRouter

from settlement.api.intake import CaseBatchCreateView
from settlement.api.parameters import ParameterSetViewSet
from settlement.api.preview import GroupingPreviewView
from settlement.api.views import CaseViewSet, PeriodViewSet

router = SimpleRouter()
router.register("periods", PeriodViewSet, basename="period")
router.register("cases", CaseViewSet, basename="case")
router.register("parameter-sets", ParameterSetViewSet, basename="parameterset")

# Case intake comes before the router so that "batches" is never read as a case id.
urlpatterns = [
    path("cases/batches/", CaseBatchCreateView.as_view(), name="case-batch-create"),
    path("grouping/preview/", GroupingPreviewView.as_view(), name="grouping-preview"),
    *router.urls,
]
