from rest_framework.routers import SimpleRouter

from settlement.api.views import CaseViewSet, PeriodViewSet

router = SimpleRouter()
router.register("periods", PeriodViewSet, basename="period")
router.register("cases", CaseViewSet, basename="case")
urlpatterns = router.urls
