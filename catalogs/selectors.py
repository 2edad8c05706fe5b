from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404

from catalogs.models import Institution, Region


def region_list():
    """统筹区 — not institution-owned; callers limit it to bureau users."""
    return Region.objects.all()


def institution_list_for_user(user, *, q: str = "", level: str = "", type: str = ""):
    institutions = Institution.objects.for_user(user).select_related("region", "consortium_lead")
    if q:
        institutions = institutions.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if level:
        institutions = institutions.filter(level=level)
    if type:
        institutions = institutions.filter(type=type)
    return institutions


def institution_get_for_user(user, code: str) -> Institution:
    return get_object_or_404(institution_list_for_user(user), code=code)
