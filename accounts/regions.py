"""Region scope (统筹区范围): the one place that decides which pooling regions a user may see, and which
one a page works on.

- A superuser or a province-level user (省级用户) sees every region.
- A bureau user or an expert sees the regions bound to the account (``User.regions``).
- A hospital user sees the region of its institution.

Pages work on the *current region*: the one chosen in the header's selector (kept in the session),
else the first region the user may see; pages that take ``?region=<code>`` validate it here. A region
outside the user's scope is never current: asking for it answers 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import QuerySet
from django.forms import ModelChoiceField
from django.http import Http404, HttpRequest

if TYPE_CHECKING:
    from catalogs.models import Region

SESSION_KEY = "region_code"
ERR_REGION_OUTSIDE = "统筹区 {code} 不存在或不在您的权限范围内。"


def sees_all_regions(user) -> bool:
    return bool(user.is_superuser or getattr(user, "province_wide", False))


def regions_for_user(user) -> QuerySet[Region]:
    """The regions a user may read, ordered by code."""
    # by name: catalogs.models imports the tenancy module, which imports this one
    regions = apps.get_model("catalogs", "Region").objects.order_by("code")
    if user is None or not user.is_authenticated or not user.is_active:
        return regions.none()
    if sees_all_regions(user):
        return regions
    if user.is_hospital:
        return regions.filter(institutions=user.institution_id)
    return regions.filter(users=user)


def region_list_for_user(user) -> list[Region]:
    """``regions_for_user`` read once per request (cached on the request's user object)."""
    cached = getattr(user, "_region_list", None)
    if cached is None:
        cached = list(regions_for_user(user))
        if user is not None and user.is_authenticated:
            user._region_list = cached
    return cached


def region_cache_clear(user) -> None:
    """Forget the cached regions after the user's binding changed."""
    user.__dict__.pop("_region_list", None)


def region_ids_for_user(user) -> list[int] | None:
    """The ids of the user's regions, or ``None`` when the user sees them all (no filter needed)."""
    if user is not None and user.is_authenticated and sees_all_regions(user):
        return None
    return [region.pk for region in region_list_for_user(user)]


def region_filter_for_user(user) -> list[int] | QuerySet | None:
    """The right-hand side of a ``region__in`` filter: the cached ids if this request already read them,
    else a subquery (no query of its own); ``None`` when the user sees every region."""
    if user is not None and user.is_authenticated and sees_all_regions(user):
        return None
    cached = getattr(user, "_region_list", None)
    return (
        [region.pk for region in cached]
        if cached is not None
        else regions_for_user(user).values("pk")
    )


def region_get_for_user(user, code: str) -> Region:
    """One region of the user's scope by its code; 404 for an unknown code or a region out of scope."""
    region = regions_for_user(user).filter(code=(code or "").strip()).first()
    if region is None:
        raise Http404(ERR_REGION_OUTSIDE.format(code=code))
    return region


def region_check(user, region_id: int | None) -> None:
    """404 unless the user may see the region with this id (for objects reached by their own id)."""
    ids = region_ids_for_user(user)
    if ids is not None and region_id not in ids:
        raise Http404(ERR_REGION_OUTSIDE.format(code=region_id))


def region_current(request: HttpRequest) -> Region | None:
    """The region a page works on: the session's choice if still in scope, else the user's first."""
    regions = region_list_for_user(request.user)
    code = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    return next(
        (region for region in regions if region.code == code), regions[0] if regions else None
    )


def region_from_query(request: HttpRequest) -> Region | None:
    """``?region=<code>`` (or the POSTed field) if given — 404 when out of scope — else the current region."""
    code = request.GET.get("region") or request.POST.get("region")
    return region_get_for_user(request.user, code) if code else region_current(request)


def region_select(request: HttpRequest, code: str) -> Region:
    """Make a region of the user's scope the current one (404 if out of scope)."""
    region = region_get_for_user(request.user, code)
    request.session[SESSION_KEY] = region.code
    return region


def region_fields_scope(form, request: HttpRequest):
    """Limit every region choice of a form to the user's regions and preselect the current region, so a
    form can neither show nor accept a region out of scope (an out-of-scope choice is an invalid choice)."""
    current = region_current(request)
    for name, field in form.fields.items():
        if (
            isinstance(field, ModelChoiceField)
            and field.queryset.model._meta.label == "catalogs.Region"
        ):
            field.queryset = regions_for_user(request.user)
            if field.required and not form.is_bound and current is not None:
                form.initial.setdefault(name, current)
    return form


def in_user_regions(queryset: QuerySet, user, field: str = "region") -> QuerySet:
    """The rows of a region-keyed queryset (budgets, catalogs, runs ...) in the user's regions."""
    ids = region_filter_for_user(user)
    return queryset if ids is None else queryset.filter(**{f"{field}__in": ids})
