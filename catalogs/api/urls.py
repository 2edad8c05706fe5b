from rest_framework.routers import SimpleRouter

from catalogs.api.views import InstitutionViewSet, RegionViewSet

router = SimpleRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("institutions", InstitutionViewSet, basename="institution")
urlpatterns = router.urls
