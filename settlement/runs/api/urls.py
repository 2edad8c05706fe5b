from django.urls import path
from rest_framework.routers import SimpleRouter

from settlement.runs.api.views import CasePointsView, MemberShareView, RunViewSet, StatementViewSet

router = SimpleRouter()
router.register("runs", RunViewSet, basename="run")
router.register("statements", StatementViewSet, basename="statement")

urlpatterns = [
    path("cases/<int:pk>/points/", CasePointsView.as_view(), name="case-points"),
    path("member-shares/", MemberShareView.as_view(), name="member-share-list"),
    *router.urls,
]
