from rest_framework.routers import SimpleRouter

from settlement.province.api.views import ProvinceRunViewSet

router = SimpleRouter()
router.register("province-runs", ProvinceRunViewSet, basename="province-run")
urlpatterns = router.urls
