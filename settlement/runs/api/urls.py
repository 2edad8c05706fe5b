from django.urls import path
from rest_framework.routers import SimpleRouter

from settlement.runs.api.views import CasePointsView, RunViewSet, StatementViewSet

router = SimpleRouter()
router.register("runs", RunViewSet, basename="run")
router.register("statements", StatementViewSet, basename="statement")

urlpatterns = [path("cases/<int:pk>/points/", CasePointsView.as_view(), name="case-points"), *router.urls]
