from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import MeSerializer


class MeView(APIView):
    @extend_schema(
        summary="当前用户",
        description="返回当前登录用户的用户名、姓名、角色（代码与中文名称）及所属机构（非医疗机构用户为 null）。",
        responses=MeSerializer,
        tags=["accounts"],
    )
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


class TokenObtainView(ObtainAuthToken):
    # No session authentication here: a browser's session cookie must not turn this into a CSRF-checked call.
    authentication_classes = ()

    @extend_schema(
        summary="获取接口令牌",
        description="以用户名和密码换取接口令牌；之后在请求头中携带 `Authorization: Token <令牌>` 访问其他接口。"
        "连续多次密码错误将按用户名与IP锁定。",
        tags=["auth"],
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)
