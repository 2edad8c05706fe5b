"""Reads of province runs: those touching the user's regions, and each one's parts and summary within them."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from accounts.regions import in_user_regions, region_filter_for_user
from settlement.province.choices import PartState
from settlement.province.domain import PartResult, ProvinceSummary, province_summary
from settlement.province.models import ProvinceRun, ProvinceRunPart


def _parts(user=None) -> QuerySet[ProvinceRunPart]:
    """Parts with their region and run; in the user's regions, or all of them without a user (commands)."""
    parts = ProvinceRunPart.objects.select_related("region", "run").defer(
        "run__institution_states", "run__inputs", "run__summary"
    )
    return parts if user is None else in_user_regions(parts, user)


def province_run_list_for_user(user) -> QuerySet[ProvinceRun]:
    """Province runs with a part in the user's regions, each with those parts (prefetched); bureau only."""
    runs = ProvinceRun.objects.select_related("started_by")
    if not getattr(user, "is_bureau", False):
        return runs.none()
    ids = region_filter_for_user(user)
    if ids is not None:
        runs = runs.filter(parts__region__in=ids).distinct()
    return runs.prefetch_related(Prefetch("parts", queryset=_parts(user), to_attr="visible"))


def province_run_get_for_user(user, pk: int) -> ProvinceRun:
    """One province run with its parts in the user's regions; ``DoesNotExist`` outside them."""
    return province_run_list_for_user(user).get(pk=pk)


def province_run_get(pk: int) -> ProvinceRun:
    """One province run with all its parts, for the shell (``manage.py province_run``)."""
    parts = Prefetch("parts", queryset=_parts(), to_attr="visible")
    return ProvinceRun.objects.select_related("started_by").prefetch_related(parts).get(pk=pk)


def part_get_for_user(user, *, province: ProvinceRun, pk: int) -> ProvinceRunPart:
    return _parts(user).get(province_run=province, pk=pk)


def part_state(part: ProvinceRunPart) -> str:
    return part.run.status if part.run_id else PartState.REFUSED


def part_result(part: ProvinceRunPart) -> PartResult:
    run, state = part.run, part_state(part)
    done = state == PartState.COMPLETED
    return PartResult(
        region=part.region.code,
        scheme=part.scheme,
        category=part.category,
        state=state,
        point_value=run.point_value if done else None,
        total=run.total if done else None,
        pool=run.pool if done else None,
        cases=run.case_count if done else 0,
        error=(run.error if run else part.error),
    )


def province_summary_of(province: ProvinceRun) -> ProvinceSummary:
    """The summary of the parts read with the province run (``visible``: the user's regions)."""
    return province_summary([part_result(part) for part in province.visible])
