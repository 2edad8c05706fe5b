"""API conventions shared by every app: one error shape, documented on every operation."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.views import exception_handler as drf_exception_handler

ERR_BUREAU_ONLY = "仅经办机构用户可访问此接口。"


class ErrorSerializer(serializers.Serializer):
    """错误响应 — the body of every 400/401/403/404 answer."""

    detail = serializers.CharField(help_text="Human-readable reason, in Chinese.")
    errors = serializers.DictField(required=False, help_text="Field -> list of messages, for validation errors.")


_ERRORS = {
    "400": OpenApiResponse(ErrorSerializer, description="请求无效：字段错误见 errors"),
    "401": OpenApiResponse(ErrorSerializer, description="未登录或令牌无效"),
    "403": OpenApiResponse(ErrorSerializer, description="无权执行此操作"),
    "404": OpenApiResponse(ErrorSerializer, description="对象不存在或不在您的权限范围内"),
}


class PortalAutoSchema(AutoSchema):
    """Adds the shared error responses to every operation; 400 only where the client sends a body or
    a list view validates its query string (``query_serializer_class``, see ``query_params``)."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        query = self._query_serializer()
        return [*parameters, query] if query else parameters

    def _query_serializer(self) -> type[serializers.Serializer] | None:
        serializer_class = getattr(self.view, "query_serializer_class", None)
        return serializer_class if serializer_class and self.method == "GET" and self._is_list_view() else None

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status, response in _ERRORS.items():
            if status == "400" and self.method in {"GET", "DELETE"} and not self._query_serializer():
                continue
            responses.setdefault(status, self._get_response_for_code(response, status, direction=direction))
        return responses


class IsBureau(permissions.BasePermission):
    """Bureau users (经办机构) only; everyone else gets 403."""

    message = ERR_BUREAU_ONLY

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_bureau)


def query_params(serializer_class: type[serializers.Serializer], request: Request) -> dict:
    """Validate a list endpoint's query string with a serializer; a bad value is a 400 with ``errors``.

    Keys of the result follow each field's ``source``, so they can be passed straight to a selector.
    """
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def exception_handler(exc, context):
    """DRF's handler, reshaped so validation errors are ``{"detail": ..., "errors": {...}}``."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        return response
    response.data = {"detail": "提交的数据有误，请检查后重试。", "errors": data if isinstance(data, dict) else {"non_field_errors": data}}
    return response
