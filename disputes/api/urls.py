from rest_framework.routers import SimpleRouter

from disputes.api.negotiation import MeetingViewSet
from disputes.api.views import DisputeItemViewSet

router = SimpleRouter()
router.register("disputes", DisputeItemViewSet, basename="dispute")
router.register("meetings", MeetingViewSet, basename="meeting")
urlpatterns = router.urls
