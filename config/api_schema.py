"""The OpenAPI schema class of every API view (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``): the shared
error responses and nullable fields. A module of its own, named in settings by string, so that the
schema generator (drf-spectacular's openapi/plumbing, which pull in DRF's test client and Django's test
framework) is imported when a schema is generated, not when a web process or a command starts."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from config.api import ErrorSerializer

_ERRORS = {
    "400": OpenApiResponse(ErrorSerializer, description="请求无效：字段错误见 errors"),
    "401": OpenApiResponse(ErrorSerializer, description="未登录或令牌无效"),
    "403": OpenApiResponse(ErrorSerializer, description="无权执行此操作"),
    "404": OpenApiResponse(ErrorSerializer, description="对象不存在或不在您的权限范围内"),
}


class PortalAutoSchema(AutoSchema):
    """Adds the shared error responses to every operation; 400 only where the client sends a body, on
    every list (it refuses unknown parameters) and where query parameters are declared
    (``query_serializer_class``, see ``query_params``). Fields read from nullable columns are nullable."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        query = self._query_serializer()
        return [*parameters, query] if query else parameters

    def _query_serializer(self) -> type[serializers.Serializer] | None:
        serializer_class = getattr(self.view, "query_serializer_class", None)
        return (
            serializer_class
            if serializer_class and self.method == "GET" and self._is_list_view()
            else None
        )

    def _get_serializer_field_meta(self, field, direction):
        """A field read from a nullable model field (``submitted_by``, ``period``, ...) is documented nullable."""
        meta = super()._get_serializer_field_meta(field, direction)
        if field.read_only and _source_is_nullable(field):
            meta["nullable"] = True
        return meta

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status, response in _ERRORS.items():
            if status == "400" and self.method in {"GET", "DELETE"} and not self._validates_query():
                continue
            responses.setdefault(
                status, self._get_response_for_code(response, status, direction=direction)
            )
        return responses

    def _validates_query(self) -> bool:
        """Lists refuse unknown parameters (``config.api_params``); other reads validate what they declare."""
        is_list = getattr(self.view, "action", None) == "list"
        return is_list or any(p.get("in") == "query" for p in self._get_parameters())


def _source_is_nullable(field: serializers.Field) -> bool:
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    for attr in getattr(field, "source_attrs", None) or []:
        try:
            model_field = model._meta.get_field(attr) if model else None
        except FieldDoesNotExist:
            return False
        if model_field is None or not model_field.concrete:
            return False
        if model_field.null:
            return True
        model = model_field.related_model
    return False
