from rest_framework.routers import SimpleRouter

from catalogs.api.views import InstitutionViewSet, RegionViewSet
from catalogs.coefficients.api.views import CoefficientTableViewSet
from catalogs.versions.api.views import CatalogGroupViewSet, CatalogVersionViewSet

router = SimpleRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("institutions", InstitutionViewSet, basename="institution")
router.register("catalog-versions", CatalogVersionViewSet, basename="catalog-version")
router.register("catalog-groups", CatalogGroupViewSet, basename="catalog-group")
router.register("coefficient-tables", CoefficientTableViewSet, basename="coefficient-table")
urlpatterns = router.urls
