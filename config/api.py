"""API conventions shared by every app: one error shape, documented on every operation."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import permissions, serializers
from rest_framework.exceptions import APIException, NotFound
from rest_framework.request import Request
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.regions import ERR_REGION_OUTSIDE, region_get_for_user
from config.api_params import refuse_unknown_params

ERR_BUREAU_ONLY = "仅经办机构用户可访问此接口。"
ERR_INVALID = "提交的数据有误，请检查后重试。"
# Django's own answers for requests that never reach a DRF view (an id the URL pattern refuses, a
# body over the size limit, a failed CSRF check, a crash), given in the API's error shape.
ERR_BODY_TOO_BIG = (
    "请求体超过 {limit} MB 的上限，未作处理：请分批提交（每批最多 10,000 条结算清单）。"
)
ERR_STATUS = {
    400: "请求无效。",
    403: "无权执行此操作。",
    404: "未找到。",
    500: "服务器内部错误，请稍后重试或联系管理员。",
}


class ErrorSerializer(serializers.Serializer):
    """错误响应 — the body of every 400/401/403/404 answer."""

    detail = serializers.CharField(help_text="Human-readable reason, in Chinese.")
    errors = serializers.DictField(
        required=False, help_text="Field -> list of messages, for validation errors."
    )


class IsBureau(permissions.BasePermission):
    """Bureau users (经办机构) only; everyone else gets 403."""

    message = ERR_BUREAU_ONLY

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_bureau)


def query_params(serializer_class: type[serializers.Serializer], request: Request) -> dict:
    """Validate a list endpoint's query string with a serializer; a bad value is a 400 with ``errors``.

    Keys of the result follow each field's ``source``, so they can be passed straight to a selector.
    A region code (``region_code``) outside the user's regions is a 404, as its objects would be.
    """
    serializer = serializer_class(data=request.query_params)
    refuse_unknown_params(request, known=serializer.fields)
    serializer.is_valid(raise_exception=True)
    if serializer.validated_data.get("region_code"):
        region_in_scope(request.user, serializer.validated_data["region_code"])
    return serializer.validated_data


def region_in_scope(user, code: str):
    """The user's region with this code, or a JSON 404 naming it (``accounts.regions``)."""
    try:
        return region_get_for_user(user, code)
    except Http404:
        raise NotFound(ERR_REGION_OUTSIDE.format(code=code)) from None


class Refused(APIException):
    """A service refused the request (a rule, a quota, an illegal step): 400 with the service's message."""

    status_code = 400
    default_code = "refused"


def refused(error: DjangoValidationError) -> Refused:
    return Refused("；".join(error.messages))


def exception_handler(exc, context):
    """DRF's handler, reshaped so validation errors are ``{"detail": ..., "errors": {...}}``."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        return response
    response.data = {
        "detail": ERR_INVALID,
        "errors": data if isinstance(data, dict) else {"non_field_errors": data},
    }
    return response


def _json_error(detail: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _error_view(status: int, page: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return page(request) if status == 500 else page(request, exception)
        if isinstance(exception, RequestDataTooBig):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
            return _json_error(ERR_BODY_TOO_BIG.format(limit=limit), 413)
        return _json_error(ERR_STATUS[status], status)

    return view


bad_request = _error_view(400, defaults.bad_request)
permission_denied = _error_view(403, defaults.permission_denied)
page_not_found = _error_view(404, defaults.page_not_found)
server_error = _error_view(500, defaults.server_error)
