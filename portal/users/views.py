"""Account administration pages (账号管理), for the bureau admin only: the user list, a new account in
one step, hospital accounts in bulk from a workbook, and per account: disable/enable, password reset
(forces a change at the next login), unlock. New passwords are shown once, never stored in clear."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.choices import Role
from accounts.decorators import admin_view, error_messages
from accounts.models import User
from accounts.regions import region_current, region_fields_scope, regions_for_user, sees_all_regions
from audit.models import AuditEvent
from config.lists import ListPage
from config.spreadsheets import download_response
from portal.users import excel, selectors, services
from portal.users.filtersets import UserFilters
from portal.users.forms import AccountCreateForm, AccountImportForm, RegionsForm
from portal.users.tables import UserTable

ERR_ADMIN_ONLY = "只有经办机构管理员可以管理账号。"


class UserListView(ListPage):
    """账号管理: the accounts the admin manages, by role and name."""

    table_class = UserTable
    filterset_class = UserFilters
    template_name = "portal/users/user_list.html"
    export_name = "账号"

    def get_queryset(self):
        if not self.request.user.is_bureau_admin:
            raise PermissionDenied(ERR_ADMIN_ONLY)
        return selectors.user_list_for_admin(self.request.user).order_by("role", "username")


def _regions_scoped(form: RegionsForm, request: HttpRequest) -> RegionsForm:
    """The admin grants only regions of its own scope, and the province-level flag only if it has it."""
    region_fields_scope(form, request)
    if not sees_all_regions(request.user):
        del form.fields["province_wide"]
    return form


@admin_view(ERR_ADMIN_ONLY)
def user_create(request: HttpRequest) -> HttpResponse:
    form = _regions_scoped(AccountCreateForm(request.POST or None), request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["role"] != Role.HOSPITAL and not data["regions"] and not data.get("province_wide"):
            data["regions"] = [region for region in [region_current(request)] if region]
        try:
            user, password = services.account_create(actor=request.user, **data)
        except ValidationError as refused:
            error_messages(request, refused)
        else:
            return render(
                request,
                "portal/users/passwords.html",
                {"accounts": [(user, password)], "title": "账号已创建"},
            )
    return render(request, "portal/users/user_create.html", {"form": form})


@admin_view(ERR_ADMIN_ONLY)
def user_import(request: HttpRequest) -> HttpResponse:
    form = AccountImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            rows = excel.accounts_read(form.cleaned_data["file"].read())
            created = services.hospital_accounts_import(actor=request.user, rows=rows)
        except ValidationError as refused:
            errors = refused.messages
        else:
            return render(
                request,
                "portal/users/passwords.html",
                {"accounts": created, "title": f"已导入 {len(created)} 个医疗机构账号"},
            )
    return render(request, "portal/users/user_import.html", {"form": form, "errors": errors})


@admin_view(ERR_ADMIN_ONLY)
def user_import_template(request: HttpRequest) -> HttpResponse:
    return download_response(excel.template_workbook(), "医疗机构账号导入模板.xlsx")


@admin_view(ERR_ADMIN_ONLY)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(selectors.user_list_for_admin(request.user), pk=pk)
    events = AuditEvent.objects.filter(
        object_type=User._meta.label_lower, object_id=str(user.pk)
    ).order_by("-pk")[:20]
    regions_form = (
        None
        if user.is_hospital
        else _regions_scoped(
            RegionsForm(
                initial={"regions": list(user.regions.all()), "province_wide": user.province_wide}
            ),
            request,
        )
    )
    context = {
        "account": user,
        "locked": selectors.is_locked(user),
        "failures": selectors.login_failures(user),
        "events": events,
        "expert": getattr(user, "expert_profile", None),
        "regions_form": regions_form,
    }
    return render(request, "portal/users/user_detail.html", context)


def _account_action(action: Callable[[HttpRequest, User], str]) -> Callable:
    @require_POST
    @admin_view(ERR_ADMIN_ONLY)
    @wraps(action)
    def wrapped(request: HttpRequest, pk: int) -> HttpResponse:
        user = get_object_or_404(selectors.user_list_for_admin(request.user), pk=pk)
        try:
            result = action(request, user)
        except ValidationError as refused:
            error_messages(request, refused)
            return redirect("portal:user_detail", pk=pk)
        if isinstance(result, HttpResponse):
            return result
        messages.success(request, result)
        return redirect("portal:user_detail", pk=pk)

    return wrapped


@_account_action
def user_disable(request: HttpRequest, user: User) -> str:
    account_services.user_active_set(actor=request.user, user=user, active=False)
    return f"已停用 {user.username}。"


@_account_action
def user_enable(request: HttpRequest, user: User) -> str:
    account_services.user_active_set(actor=request.user, user=user, active=True)
    return f"已启用 {user.username}。"


@_account_action
def user_unlock(request: HttpRequest, user: User) -> str:
    account_services.user_unlock(actor=request.user, user=user)
    return f"已解除 {user.username} 的登录锁定。"


@_account_action
def user_password_reset(request: HttpRequest, user: User) -> HttpResponse:
    password = account_services.user_password_reset(actor=request.user, user=user)
    return render(
        request,
        "portal/users/passwords.html",
        {"accounts": [(user, password)], "title": "密码已重置"},
    )


@_account_action
def user_regions(request: HttpRequest, user: User) -> str:
    """Bind the account to regions (所属统筹区) or make it province-level; out-of-scope choices are invalid."""
    form = _regions_scoped(RegionsForm(request.POST), request)
    if form.is_valid():
        form.regions_checked(user.role)
    if not form.is_valid():
        raise ValidationError([error for errors in form.errors.values() for error in errors])
    # Regions beyond the admin's own scope, and a flag it may not grant, stay as they are.
    kept = list(user.regions.exclude(pk__in=regions_for_user(request.user)))
    keep_province = user.province_wide and "province_wide" not in form.fields
    account_services.user_regions_set(
        actor=request.user,
        user=user,
        regions=[*form.cleaned_data["regions"], *kept],
        province_wide=form.cleaned_data.get("province_wide", keep_province),
    )
    return f"已更新 {user.username} 的所属统筹区。"
