"""View helpers shared by the bureau's pages: the role/permission decorator and the workflow-step view."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
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


def admin_view(message: str) -> Callable:
    """Login required; only the bureau admin (经办机构管理员) passes, everyone else gets 403 with ``message``."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_bureau_admin:
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def error_messages(request: HttpRequest, error: ValidationError) -> None:
    """Every message of a refused service call, as page messages."""
    for message in error.messages:
        messages.error(request, message)


def workflow_view(
    *,
    get: Callable,
    action: Callable,
    target: str,
    detail: Callable,
    success: str,
    form_class: type | None = None,
    invalid: str = "",
) -> Callable:
    """A POST view for one workflow step of a versioned record (submit, return, approve, revise …):
    ``get(request, pk)`` finds the record (tenancy included), the optional form supplies the step's
    arguments (its non-empty cleaned values), ``action(actor=…, <target>=record, …)`` is the service,
    and the user lands back on ``detail(record)`` with the service's message or refusal."""

    def view(request: HttpRequest, pk: int) -> HttpResponse:
        record = get(request, pk)
        kwargs = {}
        if form_class is not None:
            form = form_class(request.POST)
            if not form.is_valid():
                messages.error(request, invalid)
                return detail(record)
            kwargs = {
                key: value for key, value in form.cleaned_data.items() if value not in (None, "")
            }
        try:
            result = action(actor=request.user, **{target: record}, **kwargs)
        except ValidationError as refused:
            error_messages(request, refused)
            return detail(record)
        messages.success(request, success)
        return detail(result)

    return view
