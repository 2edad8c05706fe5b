"""What the home dashboard shows each role. Reads only, all through ``for_user``; case figures come from
the monthly case aggregates (settlement.aggregates), never from the case table per request."""

from __future__ import annotations

from django.db.models import Count

from accounts.regions import in_user_regions, regions_for_user
from catalogs.choices import InstitutionLevel
from catalogs.models import Institution
from jobs.models import Job
from settlement.aggregates.selectors import case_months_for_user, case_total_for_user
from settlement.models import SettlementPeriod


def dashboard_for_user(user) -> dict:
    context = {
        "by_month": case_months_for_user(user),
        "recent_jobs": Job.objects.for_user(user).order_by("-created_at")[:5],
    }
    if user.is_bureau:
        context.update(
            regions=regions_for_user(user).annotate(n_institutions=Count("institutions")),
            institutions_by_level=institutions_by_level(user),
            open_periods=in_user_regions(
                SettlementPeriod.objects.filter(status="open"), user
            ).count(),
            case_count=case_total_for_user(user),
        )
    elif user.is_hospital:
        context["institution"] = user.institution
        context["case_count"] = case_total_for_user(user)
    return context


def institutions_by_level(user) -> list[dict]:
    """Institution counts per level in the user's regions, in the order of ``InstitutionLevel`` (三级甲等 first),
    with Chinese labels."""
    counts = dict(Institution.objects.for_user(user).values_list("level").annotate(n=Count("id")))
    return [
        {"level": level.label, "n": counts[level.value]}
        for level in InstitutionLevel
        if counts.get(level.value)
    ]
