from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

admin.site.site_header = "医保支付方式管理平台 · 后台管理"
admin.site.site_title = "医保支付方式管理平台"
admin.site.index_title = "数据维护"

urlpatterns = [
    path("", include("accounts.urls")),
    path("budgets/", include("budgets.urls")),
    path("catalogs/", include("catalogs.urls")),
    path("settlement/", include("settlement.urls")),
    path("disputes/", include("disputes.urls")),
    path("jobs/", include("jobs.urls")),
    path("reports/", include("reports.urls")),
    path("manage/", include("portal.urls")),
    path("audit/", include("audit.urls")),
    path("supervision/", include("audit.supervision_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
