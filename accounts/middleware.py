"""Forced password change (强制修改密码): after a reset, for a new account, or once the password has
expired, a signed-in user reaches nothing but the password page and logout until the password is changed."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.passwords import password_expired

MSG_MUST_CHANGE = "请先修改密码：管理员重置了您的密码或为您新建了账号，首次登录须设置自己的密码。"
MSG_EXPIRED = "您的密码已过期，请先修改密码。"
ALLOWED = ("accounts:password_change", "accounts:logout")


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        reason = (
            MSG_MUST_CHANGE
            if user.must_change_password
            else MSG_EXPIRED
            if password_expired(user)
            else None
        )
        if (
            reason is None
            or request.path in {reverse(name) for name in ALLOWED}
            or request.path.startswith("/static/")
        ):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": reason}, status=403)
        messages.warning(request, reason)
        return redirect("accounts:password_change")
