from rest_framework.routers import SimpleRouter

from notices.api.views import NoticeViewSet

router = SimpleRouter()
router.register("notices", NoticeViewSet, basename="notice")
urlpatterns = router.urls
