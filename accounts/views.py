from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from knox.settings import knox_settings

from accounts import selectors, services
from accounts.regions import region_select

MSG_PASSWORD_CHANGED = "密码已修改；您的全部接口令牌已撤销。"
MSG_FIRST_PASSWORD = "密码已修改，以后请使用新密码登录。"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Ends the browser session only. API tokens belong to scripts, not to a session: they are revoked on
    the tokens page (one or all), by ``DELETE /api/v1/auth/token/``, by expiry, or by a password change."""


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:token_list")

    def form_valid(self, form):
        # A first login or a reset sent the user here from wherever it was going: back to the home page
        # then, not to the token page (a new account has no tokens to speak of).
        forced = form.user.must_change_password
        services.user_password_change(user=form.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, form.user)
        if forced:
            messages.success(self.request, MSG_FIRST_PASSWORD)
            return redirect("portal:home")
        messages.success(self.request, MSG_PASSWORD_CHANGED)
        return redirect(self.get_success_url())


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's API tokens (接口令牌); POST issues a new one, whose key this answer shows once."""
    new_token = services.token_create(user=request.user)[1] if request.method == "POST" else None
    context = {
        "tokens": selectors.token_list_for_user(request.user),
        "new_token": new_token,
        "ttl_hours": int(knox_settings.TOKEN_TTL.total_seconds() // 3600),
    }
    return render(request, "accounts/token_list.html", context)


@require_POST
@login_required
def token_revoke(request: HttpRequest) -> HttpResponse:
    token = get_object_or_404(
        selectors.token_list_for_user(request.user), pk=request.POST.get("token", "")
    )
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, f"接口令牌 {token.token_key}… 已撤销。")
    return redirect("accounts:token_list")


@require_POST
@login_required
def token_revoke_all(request: HttpRequest) -> HttpResponse:
    count = services.tokens_revoke_all(
        actor=request.user, user=request.user, reason="用户在令牌页撤销"
    )
    messages.success(request, f"已撤销全部接口令牌（{count} 个）。")
    return redirect("accounts:token_list")


@require_POST
@login_required
def region_switch(request: HttpRequest) -> HttpResponse:
    """The header's region selector (统筹区切换): make one of the user's regions the current one."""
    region = region_select(request, request.POST.get("region", ""))
    messages.success(request, f"当前统筹区：{region.name}")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("portal:home")
    return redirect(target)
