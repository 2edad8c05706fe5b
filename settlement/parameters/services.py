"""Writes of parameter sets: create (from the defaults), edit a draft, submit, return, approve (four
eyes), revise (a new version copied from the one in force). Each locks the version it changes and
records one audit event with before/after inside its own transaction."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from audit.services import audit_record, audited_update, snapshot
from settlement.engine.params import Kind
from settlement.parameters import domain
from settlement.parameters.models import ERR_SELF_APPROVAL, ParameterSet, ParameterStatus
from workflow import services as workflow
from workflow.services import locked_in

ERR_EXISTS = "{year}年{scheme}{category}的结算参数已存在，请在已有版本上修改或发起调整。"
ERR_NOT_DRAFT = "该参数版本已提交或已批准，不能修改；如需变更请退回或发起调整。"
ERR_NOT_SUBMITTED = "只有待审批的参数版本可以审批或退回。"
ERR_SELF_APPROVE = ERR_SELF_APPROVAL + "请由另一位经办人员审批。"
ERR_NOT_IN_FORCE = "只有执行中的参数版本可以发起调整。"
ERR_REASON = "请填写原因。"
ERR_OPEN_VERSION = "已有未批准的第{version}版，请先完成审批或退回。"
ERR_KIND = "付费方式应为 DIP、DRG 或 APG。"
ERR_EFFECTIVE_YEAR = "生效日期应在{year}年内。"


FLOW = workflow.Flow(
    action="parameter_set",
    in_force=ParameterStatus.IN_FORCE,
    superseded=ParameterStatus.SUPERSEDED,
    not_draft=ERR_NOT_DRAFT,
    not_submitted=ERR_NOT_SUBMITTED,
    self_approval=ERR_SELF_APPROVE,
)


@transaction.atomic
def parameter_set_create(
    *,
    actor,
    region,
    year: int,
    scheme: str,
    category: str,
    kind: str,
    effective_from: datetime.date | None = None,
) -> ParameterSet:
    """Version 1 of a category's parameters for a year, as a draft holding the defaults of its payment method."""
    if kind not in Kind.__members__.values():
        raise ValidationError(ERR_KIND)
    parameter_set = ParameterSet(
        region=region,
        year=year,
        scheme=scheme,
        category=category.strip().upper(),
        kind=kind,
        values=domain.defaults(kind),
        effective_from=effective_from or datetime.date(year, 1, 1),
        created_by=actor,
    )
    if ParameterSet.objects.filter(
        region=region, year=year, scheme=scheme, category=parameter_set.category
    ).exists():
        raise ValidationError(
            ERR_EXISTS.format(
                year=year,
                scheme=parameter_set.get_scheme_display(),
                category=parameter_set.category,
            )
        )
    _check_dates(year, parameter_set.effective_from)
    parameter_set.full_clean()
    parameter_set.save()
    audit_record(
        actor=actor,
        action="parameter_set_create",
        instance=parameter_set,
        after=snapshot(parameter_set),
    )
    return parameter_set


def _check_dates(year: int, effective_from: datetime.date) -> None:
    if effective_from.year != year:
        raise ValidationError({"effective_from": ERR_EFFECTIVE_YEAR.format(year=year)})


@transaction.atomic
def parameter_set_update(
    *,
    actor,
    parameter_set: ParameterSet,
    values: Mapping[str, str],
    effective_from: datetime.date | None = None,
    effective_to: datetime.date | None = None,
) -> ParameterSet:
    """Replace a draft's values (all or nothing: any invalid value → ``ValidationError`` keyed by field)."""
    parameter_set = locked_in(parameter_set, ParameterStatus.DRAFT, ERR_NOT_DRAFT)
    cleaned, errors = domain.validate(values)
    if errors:
        raise ValidationError(errors)
    effective_from = effective_from or parameter_set.effective_from
    _check_dates(parameter_set.year, effective_from)
    changed = domain.differences(parameter_set.values, cleaned)
    message = "；".join(
        f"{field.label} {old or '（空）'} → {new or '（空）'}" for field, old, new in changed
    )
    return audited_update(
        actor=actor,
        instance=parameter_set,
        action="parameter_set_update",
        message=message,
        values=cleaned,
        effective_from=effective_from,
        effective_to=effective_to,
    )


@transaction.atomic
def parameter_set_submit(*, actor, parameter_set: ParameterSet) -> ParameterSet:
    return workflow.submit(FLOW, actor=actor, record=workflow.locked(parameter_set))


@transaction.atomic
def parameter_set_return(*, actor, parameter_set: ParameterSet, reason: str) -> ParameterSet:
    """Send a submitted version back as a draft (退回), with the reason."""
    return workflow.send_back(
        FLOW, actor=actor, record=workflow.locked(parameter_set), reason=reason
    )


@transaction.atomic
def parameter_set_approve(*, actor, parameter_set: ParameterSet) -> ParameterSet:
    """Approve a submitted version (not by its submitter): it comes into force; the version in force
    before it is superseded and ends the day before this one takes effect."""
    parameter_set = workflow.locked(parameter_set)
    approver = workflow.approver(FLOW, actor=actor, record=parameter_set)

    def ending(previous: ParameterSet) -> dict:
        return {
            "effective_to": max(
                previous.effective_from, parameter_set.effective_from - datetime.timedelta(days=1)
            )
        }

    return workflow.approve(
        FLOW, actor=actor, record=parameter_set, approver=approver, ending=ending
    )


@transaction.atomic
def parameter_set_revise(
    *, actor, parameter_set: ParameterSet, reason: str, effective_from: datetime.date | None = None
) -> ParameterSet:
    """A new draft version copied from the one in force (调整), with its reason and effective date."""
    parameter_set = locked_in(parameter_set, ParameterStatus.IN_FORCE, ERR_NOT_IN_FORCE)
    reason = workflow.reason_given(reason, ERR_REASON)
    series = ParameterSet.objects.filter(
        region=parameter_set.region_id,
        year=parameter_set.year,
        scheme=parameter_set.scheme,
        category=parameter_set.category,
    )
    if open_version := series.filter(status__in=ParameterStatus.open()).first():
        raise ValidationError(ERR_OPEN_VERSION.format(version=open_version.version))
    revised = ParameterSet(
        region=parameter_set.region,
        year=parameter_set.year,
        scheme=parameter_set.scheme,
        category=parameter_set.category,
        kind=parameter_set.kind,
        version=series.aggregate(v=Max("version"))["v"] + 1,
        values=dict(parameter_set.values),
        effective_from=effective_from or parameter_set.effective_from,
        based_on=parameter_set,
        reason=reason.strip(),
        created_by=actor,
    )
    _check_dates(revised.year, revised.effective_from)
    revised.full_clean()
    revised.save()
    audit_record(
        actor=actor,
        action="parameter_set_revise",
        instance=revised,
        after=snapshot(revised),
        message=reason.strip(),
    )
    return revised
