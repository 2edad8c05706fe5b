from rest_framework.routers import SimpleRouter

from disputes.api.views import DisputeItemViewSet

router = SimpleRouter()
router.register("disputes", DisputeItemViewSet, basename="dispute")
urlpatterns = router.urls
