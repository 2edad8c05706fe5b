"""View decorators shared by the bureau's pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

ERR_BUREAU_ONLY = "仅经办机构用户可以访问此页面。"
ERR_NO_PERMISSION = "您没有执行此操作的权限。"


def bureau_view(permission: str, *, message: str = ERR_BUREAU_ONLY) -> Callable:
    """Login required; hospital and expert users get 403 with ``message``; bureau users need ``permission``."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_bureau:
                raise PermissionDenied(message)
            if not request.user.has_perm(permission):
                raise PermissionDenied(ERR_NO_PERMISSION)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
