"""Cross-cutting response headers."""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Every answer to an authenticated caller (page, download or API, session or token) may carry
    patient-level data, so no browser or proxy may keep it: ``Cache-Control: no-store``. Static files
    are served by WhiteNoise before this middleware and stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # DRF writes the token's user back to request.user, so this also sees API token callers.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
