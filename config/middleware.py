"""Cross-cutting response headers."""

from __future__ import annotations

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme

from config.spreadsheets.cells import CellTooLong


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


class SpreadsheetRefusedMiddleware:
    """A download whose workbook would have had to cut a cell (``CellTooLong``) answers with the reason,
    never a 500: a page goes back where the user came from (on this site) with the message shown; the
    API answers 400 in JSON like every other error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, CellTooLong):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": exception.message},
                status=400,
                json_dumps_params={"ensure_ascii": False},
            )
        messages.error(request, exception.message)
        back = request.META.get("HTTP_REFERER", "")
        safe = url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return redirect(back if safe else "/")
