from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path

from config.api_docs import schema_view

admin.site.site_header = "医保支付方式管理平台 · 后台管理"
admin.site.site_title = "医保支付方式管理平台"
admin.site.index_title = "数据维护"

urlpatterns = [
    path("", include("portal.urls")),  # the shell: home (/), account administration (/manage/)
    path("", include("accounts.urls")),
    path("budgets/", include("budgets.urls")),
    path("catalogs/", include("catalogs.urls")),
    path("settlement/", include("settlement.urls")),
    path("disputes/", include("disputes.urls")),
    path("notices/", include("notices.urls")),
    path("jobs/", include("jobs.urls")),
    path("reports/", include("reports.urls")),
    path("reconciliation/", include("reconciliation.urls")),
    path("audit/", include("audit.urls")),
    path("supervision/", include("supervision.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/v1/schema/", schema_view("SpectacularAPIView"), name="api-schema"),
    # The split view serves Swagger UI's start script as a file (?script=), so no inline script is needed
    # under the Content-Security-Policy; the pages send anonymous visitors to the login page. ReDoc
    # renders through styled-components, which inject <style> elements: that page alone allows inline
    # styles (it shows the schema, no data; scripts stay this server's only).
    path(
        "api/v1/docs/",
        login_required(schema_view("SpectacularSwaggerSplitView", url_name="api-schema")),
        name="api-docs",
    ),
    path(
        "api/v1/redoc/",
        csp_update({"style-src": [UNSAFE_INLINE]})(
            login_required(schema_view("SpectacularRedocView", url_name="api-schema"))
        ),
        name="api-redoc",
    ),
]

# Under /api/ every error Django answers itself is JSON in the API's error shape (config/api.py).
handler400 = "config.api.bad_request"
handler403 = "config.api.permission_denied"
handler404 = "config.api.page_not_found"
handler500 = "config.api.server_error"
