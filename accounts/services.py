from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from axes.utils import reset as axes_reset
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from knox.models import AuthToken

from accounts.choices import Role
from accounts.models import PasswordHistory, User
from accounts.passwords import password_generate
from accounts.regions import region_cache_clear
from audit.services import audit_record, audited_update, snapshot

if TYPE_CHECKING:
    from audit.models import AuditEvent
    from catalogs.models import Region

# Audit actions of the login page (登录审计).
ACTION_LOGIN = "login"
ACTION_LOGOUT = "logout"
ACTION_LOGIN_FAILED = "login_failed"
ACTION_LOCKED_OUT = "login_locked_out"

# Audit actions of API tokens (接口令牌).
ACTION_TOKEN_CREATE = "api_token_create"
ACTION_TOKEN_REVOKE = "api_token_revoke"
ACTION_TOKENS_REVOKE_ALL = "api_tokens_revoke_all"

AUTH_MESSAGES = {
    ACTION_LOGIN: "登录成功",
    ACTION_LOGOUT: "退出登录",
    ACTION_LOGIN_FAILED: "登录失败",
    ACTION_LOCKED_OUT: "连续登录失败，该用户名在此地址被暂时锁定",
}


ERR_SELF = "不能停用自己的账号。"
ERR_HOSPITAL_REGIONS = "医疗机构用户随所属机构的统筹区，不能另行绑定统筹区。"
MSG_DISABLED, MSG_ENABLED = "停用账号", "启用账号"


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    institution=None,
    email: str = "",
    phone: str = "",
    must_change_password: bool = False,
    regions: Iterable[Region] = (),
    province_wide: bool = False,
) -> User:
    """Create a user in one role; the role alone decides the permissions, and bureau users may also use
    the Django admin within them. Bureau users and experts work in the ``regions`` bound here (or in all,
    ``province_wide``); a hospital user in its institution's region."""
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        institution=institution,
        email=email,
        phone=phone,
        must_change_password=must_change_password,
        password_changed_at=timezone.now(),
        province_wide=province_wide,
    )
    user.set_password(password)
    user.full_clean()
    user.save()  # the role's group and staff status follow (``receivers.on_user_role_saved``)
    _regions_bind(user, regions)
    audit_record(actor=actor, action="user_create", instance=user, after=_with_regions(user))
    return user


def _regions_bind(user: User, regions: Iterable[Region]) -> None:
    regions = list(regions)
    if regions and user.role == Role.HOSPITAL:
        raise ValidationError({"regions": ERR_HOSPITAL_REGIONS})
    user.regions.set(regions)
    region_cache_clear(user)


def _with_regions(user: User) -> dict:
    return {**snapshot(user), "regions": sorted(user.regions.values_list("code", flat=True))}


@transaction.atomic
def user_regions_set(
    *, actor, user: User, regions: Iterable[Region], province_wide: bool = False
) -> User:
    """Bind a bureau user or an expert to regions (所属统筹区), or make it a province-level user (省级用户)."""
    before = _with_regions(user)
    user.province_wide = province_wide
    user.save(update_fields=["province_wide"])
    _regions_bind(user, regions)
    after = _with_regions(user)
    audit_record(
        actor=actor,
        action="user_regions_set",
        instance=user,
        before=before,
        after=after,
        message=f"设置 {user.username} 的统筹区：{'、'.join(after['regions']) or '无'}{'（省级）' if province_wide else ''}",
    )
    return user


def _password_store(user: User, password: str, *, must_change: bool) -> None:
    """Set the password, keep the one it replaces in the history, and stamp the change."""
    if user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
    user.set_password(password)
    user.must_change_password = must_change
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])


@transaction.atomic
def user_password_change(*, user: User, password: str) -> None:
    """The user sets a new password (already validated by the form): the old one goes to the history, a
    forced change is satisfied, and saving it revokes every API token of the user (``receivers.on_user_saved``)."""
    _password_store(user, password, must_change=False)
    audit_record(actor=user, action="password_change", instance=user, message="用户修改密码")


@transaction.atomic
def user_password_reset(*, actor, user: User) -> str:
    """Reset a user's password to a random one (shown to the admin once); the user must change it at
    the next login."""
    password = password_generate()
    _password_store(user, password, must_change=True)
    audit_record(
        actor=actor,
        action="password_reset",
        instance=user,
        message=f"重置 {user.username} 的密码，下次登录须修改",
    )
    return password


@transaction.atomic
def user_active_set(*, actor, user: User, active: bool) -> User:
    """Disable (停用) or enable (启用) an account; a disabled user cannot log in or use the API."""
    if not active and getattr(actor, "pk", None) == user.pk:
        raise ValidationError(ERR_SELF)
    return audited_update(
        actor=actor,
        instance=user,
        action="user_enable" if active else "user_disable",
        message=MSG_ENABLED if active else MSG_DISABLED,
        is_active=active,
    )


@transaction.atomic
def user_unlock(*, actor, user: User) -> int:
    """Lift the login lockout (连续登录失败锁定) of a user, from every address."""
    count = axes_reset(username=user.username)
    audit_record(
        actor=actor, action="user_unlock", instance=user, message=f"解除 {user.username} 的登录锁定"
    )
    return count


def _client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", "")


@transaction.atomic
def auth_event_record(
    *, action: str, request: HttpRequest | None, user: User | None = None, username: str = ""
) -> AuditEvent:
    """Audit a login, logout, failed login or lockout with the client's address. Never sees a password.

    A failed attempt has no authenticated actor: the name typed in the login form stands in for it,
    and the account it names (if any) is the event's object.
    """
    if user is None and username:
        user = User.objects.filter(username=username).first()
    username = username or (user.get_username() if user else "")
    actor = user if action in {ACTION_LOGIN, ACTION_LOGOUT} else (username or "匿名")
    return audit_record(
        actor=actor,
        action=action,
        instance=user,
        object_type=User._meta.label_lower,
        message=f"{AUTH_MESSAGES[action]}；用户名 {username}；IP {_client_ip(request) or '未知'}",
    )


@transaction.atomic
def token_create(*, user: User) -> tuple[AuthToken, str]:
    """Issue an API token (接口令牌) that expires after ``REST_KNOX["TOKEN_TTL"]``. Returns the row and
    the key; only the key's digest is stored, so the key is shown to the user once and never again."""
    token, key = AuthToken.objects.create(user=user)
    audit_record(
        actor=user,
        action=ACTION_TOKEN_CREATE,
        instance=user,
        message=f"创建接口令牌 {token.token_key}…，有效期至 {token.expiry:%Y-%m-%d %H:%M}",
    )
    return token, key


@transaction.atomic
def token_revoke(*, actor: User, token: AuthToken) -> None:
    """Revoke one token; ``actor`` is its owner (the page and ``auth/logout/`` look it up among theirs)."""
    token.delete()
    audit_record(
        actor=actor,
        action=ACTION_TOKEN_REVOKE,
        instance=token.user,
        message=f"撤销接口令牌 {token.token_key}…",
    )


@transaction.atomic
def tokens_revoke_all(*, actor, user: User, reason: str) -> int:
    """Revoke every token of ``user`` (the user's own choice, or a password change or reset)."""
    count, _ = AuthToken.objects.filter(user=user).delete()
    audit_record(
        actor=actor,
        action=ACTION_TOKENS_REVOKE_ALL,
        instance=user,
        message=f"{reason}：撤销全部接口令牌（{count} 个）",
    )
    return count
