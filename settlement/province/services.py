"""Province runs (全省结算): start one settlement run per region × scheme × category, rerun one part alone.

Each part is started by ``settlement.runs.services.run_start`` — the same checks, job, transaction,
hashes and supersede rules as a run started on its own — so each runs as an independent job on
whichever worker takes it, and one region's failure touches no other. The parts are recorded and their
jobs dispatched in one transaction: either the whole province run is queued or nothing is.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import audit_record
from catalogs.models import Region
from jobs.services import job_sweep
from settlement.parameters.models import ParameterSet, ParameterStatus
from settlement.province.models import ProvinceRun, ProvinceRunPart
from settlement.runs.choices import RunStatus, RunType
from settlement.runs.services import run_start

ERR_NO_REGIONS = "请至少选择一个您权限范围内的统筹区。"
ERR_NO_PARAMETERS = "{region}{year}年没有已批准的结算参数，未发起结算运行。"
ERR_PART_ACTIVE = "{region}的结算运行 #{pk} 仍在排队或计算中，请等待其完成后再重新运行。"


def _targets(*, region: Region, year: int, scheme: str, category: str) -> list[tuple[str, str]]:
    """The (scheme, category) pairs the region has approved parameters for in the year."""
    sets = ParameterSet.objects.filter(
        region=region, year=year, status__in=[ParameterStatus.IN_FORCE, ParameterStatus.SUPERSEDED]
    )
    if scheme:
        sets = sets.filter(scheme=scheme)
    if category:
        sets = sets.filter(category=category.upper())
    return sorted(set(sets.values_list("scheme", "category")))


def _run_started(
    actor, province: ProvinceRun, region: Region, scheme: str, category: str, dispatch
):
    """The part's run, or the reason it was refused (the refusal rolls back only this part)."""
    try:
        with transaction.atomic():
            return run_start(
                actor=actor,
                region=region,
                year=province.year,
                scheme=scheme,
                category=category,
                run_type=province.run_type,
                number=province.number,
                dispatch=dispatch,
            ), ""
    except ValidationError as refused:
        return None, "；".join(refused.messages)


def _part_start(
    actor, province: ProvinceRun, region: Region, dispatch: bool
) -> list[ProvinceRunPart]:
    pairs = _targets(
        region=region, year=province.year, scheme=province.scheme, category=province.category
    )
    if not pairs:
        error = ERR_NO_PARAMETERS.format(region=region.name, year=province.year)
        return [
            ProvinceRunPart.objects.create(
                province_run=province,
                region=region,
                scheme=province.scheme,
                category=province.category.upper(),
                error=error,
            )
        ]
    return [_part_create(actor, province, region, pair, dispatch) for pair in pairs]


def _part_create(actor, province, region, pair: tuple[str, str], dispatch: bool) -> ProvinceRunPart:
    scheme, category = pair
    run, error = _run_started(actor, province, region, scheme, category, dispatch)
    return ProvinceRunPart.objects.create(
        province_run=province, region=region, scheme=scheme, category=category, run=run, error=error
    )


def _part_json(part: ProvinceRunPart) -> dict:
    return {
        "region": part.region.code,
        "scheme": part.scheme,
        "category": part.category,
        "run": part.run_id,
        "error": part.error,
    }


def province_run_start(
    *,
    actor,
    regions: list[Region],
    year: int,
    run_type: str,
    number: int = 0,
    scheme: str = "",
    category: str = "",
    dispatch: bool = True,
) -> ProvinceRun:
    """Start a run for every region × scheme × category with approved parameters; a part that cannot start
    (a closed period, missing parameters, a run already active) is recorded with its reason, the others run."""
    if not regions:
        raise ValidationError(ERR_NO_REGIONS)
    run_type = RunType(run_type)
    number = number if run_type in (RunType.MONTHLY, RunType.QUARTERLY) else 0
    job_sweep()  # a region whose worker died no longer blocks its period
    with transaction.atomic():
        province = ProvinceRun.objects.create(
            year=year,
            run_type=run_type,
            number=number,
            scheme=scheme,
            category=category.upper(),
            started_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        parts = [
            part
            for region in sorted(regions, key=lambda region: region.code)
            for part in _part_start(actor, province, region, dispatch)
        ]
        audit_record(
            actor=actor,
            action="province_run_start",
            instance=province,
            after={
                "period": province.period_label,
                "run_type": run_type.value,
                "scheme": scheme,
                "category": province.category,
                "parts": [_part_json(part) for part in parts],
            },
            message=f"{province}：发起 {sum(p.run_id is not None for p in parts)} 个结算运行",
        )
    return province


def province_part_rerun(*, actor, part: ProvinceRunPart, dispatch: bool = True) -> ProvinceRunPart:
    """Run one part again, alone (after a failure, or to supersede its result); refused while its run is
    queued or running. A part that found no parameters looks for them again."""
    job_sweep()  # a part whose worker died is failed now, so it can be rerun
    with transaction.atomic():
        part = ProvinceRunPart.objects.select_for_update().get(pk=part.pk)
        province, region = part.province_run, part.region
        if part.run_id and part.run.status in RunStatus.active():
            raise ValidationError(ERR_PART_ACTIVE.format(region=region.name, pk=part.run_id))
        before = _part_json(part)
        if part.scheme and part.category:
            pairs = [(part.scheme, part.category)]
        else:
            pairs = _targets(
                region=region, year=province.year, scheme=part.scheme, category=part.category
            )
        if not pairs:
            raise ValidationError(ERR_NO_PARAMETERS.format(region=region.name, year=province.year))
        (scheme, category), *others = pairs
        run, error = _run_started(actor, province, region, scheme, category, dispatch)
        if run is None:
            raise ValidationError(error)
        part.scheme, part.category, part.run, part.error = scheme, category, run, ""
        part.attempts += 1
        part.save(update_fields=["scheme", "category", "run", "error", "attempts"])
        added = [
            _part_json(_part_create(actor, province, region, pair, dispatch)) for pair in others
        ]
        audit_record(
            actor=actor,
            action="province_part_rerun",
            instance=province,
            before=before,
            after={**_part_json(part), "attempts": part.attempts, "added": added},
            message=f"{province}：{region.name}重新运行（第 {part.attempts} 次），结算运行 #{run.pk}",
        )
    return part
