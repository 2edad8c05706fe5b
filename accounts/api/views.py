from __future__ import annotations

from drf_spectacular.utils import extend_schema
from knox.auth import TokenAuthentication
from rest_framework import permissions, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.api.serializers import MeSerializer, TokenSerializer
from accounts.passwords import password_expired

ERR_CHANGE_PASSWORD_FIRST = (
    "请先登录平台页面修改密码（密码已重置、为新账号或已过期），再获取接口令牌。"
)


class MeView(APIView):
    @extend_schema(
        summary="当前用户",
        description="返回当前登录用户的用户名、姓名、角色（代码与中文名称）及所属机构（非医疗机构用户为 null）。",
        responses=MeSerializer,
        tags=["accounts"],
    )
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


class AnyoneObtainsTokenHolderRevokes(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return request.method != "DELETE" or bool(request.user and request.user.is_authenticated)


class TokenView(APIView):
    """POST exchanges a password for a new token; DELETE revokes the token the call carries (logout)."""

    # Token authentication only: a browser's session cookie must not turn the password exchange into a
    # CSRF-checked call, and revoking is done with the token itself.
    authentication_classes = (TokenAuthentication,)
    permission_classes = (AnyoneObtainsTokenHolderRevokes,)

    @extend_schema(
        summary="获取接口令牌",
        description="以用户名和密码换取新的接口令牌；之后在请求头中携带 `Authorization: Token <令牌>` 访问其他接口。"
        "令牌在 expiry 所示时间失效；修改或重置密码将撤销该用户的全部令牌。连续多次密码错误将按用户名与IP锁定。",
        request=AuthTokenSerializer,
        responses=TokenSerializer,
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if user.must_change_password or password_expired(user):
            raise PermissionDenied(ERR_CHANGE_PASSWORD_FIRST)
        token, key = services.token_create(user=user)
        return Response(TokenSerializer({"token": key, "expiry": token.expiry}).data)

    @extend_schema(
        summary="撤销当前令牌（退出）",
        description="撤销本次请求所携带的令牌；该用户的其他令牌不受影响。",
        responses={204: None},
        tags=["auth"],
    )
    def delete(self, request: Request) -> Response:
        services.token_revoke(actor=request.user, token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenSetView(APIView):
    @extend_schema(
        summary="撤销全部令牌",
        description="撤销当前用户的全部接口令牌（包括本次请求所携带的令牌）。",
        responses={204: None},
        tags=["auth"],
    )
    def delete(self, request: Request) -> Response:
        services.tokens_revoke_all(actor=request.user, user=request.user, reason="通过接口撤销")
        return Response(status=status.HTTP_204_NO_CONTENT)
