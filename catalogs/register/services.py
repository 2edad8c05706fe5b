"""Writes of the institution register: a change with an effective date (机构信息变更), a new institution,
and a whole register file, all or nothing. Every write is audited in its own transaction.

A change never rewrites the days before its effective date (``domain.history_with_change``). The fields
of the ``Institution`` row mirror the state in force on the day of the latest write (pages and the admin
read them); everything that depends on a period reads ``selectors.institution_state_as_of``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.regions import region_ids_for_user
from audit.services import audit_record
from catalogs.choices import InstitutionLevel, InstitutionType
from catalogs.models import (
    ERR_CONSORTIUM_REGION,
    ERR_CONSORTIUM_SELF,
    Institution,
    InstitutionState,
    Region,
)
from catalogs.register import domain, selectors
from catalogs.register.domain import Dated, State

ERR_NO_CHANGE = "没有需要变更的项目：所填内容与 {day} 在用的状态相同。"
ERR_LEVEL = "医院等级“{value}”无效。"
ERR_TYPE = "机构类别“{value}”无效。"
ERR_AGREEMENT = "协议期止（{to}）不能早于协议期起（{start}）。"
ERR_LEAD_MEMBER = "医共体牵头机构 {code} 在 {day} 本身是其他机构的成员，不能作为牵头机构。"
IMPORT_REASON = "导入机构名录"
ERR_CODE_TAKEN = "机构编码 {code} 已存在。"
ERR_REGION_SCOPE = "第{row}行 统筹区编码：机构 {code} 属于统筹区 {region}，不在您的权限范围内。"


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _check(institution: Institution, state: State, day: datetime.date) -> None:
    """The rules a state must keep: known level and type, agreement dates in order, a lead of the same
    region that is not the institution itself."""
    if state.level not in InstitutionLevel.values:
        raise ValidationError({"level": ERR_LEVEL.format(value=state.level)})
    if state.type not in InstitutionType.values:
        raise ValidationError({"type": ERR_TYPE.format(value=state.type)})
    if state.agreement_from and state.agreement_to and state.agreement_to < state.agreement_from:
        raise ValidationError(
            {
                "agreement_to": ERR_AGREEMENT.format(
                    to=state.agreement_to, start=state.agreement_from
                )
            }
        )
    if state.consortium_lead_id is None:
        return
    if state.consortium_lead_id == institution.pk:
        raise ValidationError({"consortium_lead": ERR_CONSORTIUM_SELF})
    lead = Institution.objects.get(pk=state.consortium_lead_id)
    if lead.region_id != institution.region_id:
        raise ValidationError({"consortium_lead": ERR_CONSORTIUM_REGION})
    if selectors.institution_state_as_of(lead, day).consortium_lead_id is not None:
        raise ValidationError({"consortium_lead": ERR_LEAD_MEMBER.format(code=lead.code, day=day)})


def _write(
    institution: Institution, history: list[Dated], *, actor, effective: datetime.date, reason: str
) -> None:
    """Store ``history``: the effective day's state gets the actor and reason, later states their new values."""
    existing = {s.valid_from: s for s in InstitutionState.objects.filter(institution=institution)}
    for item, last_day in zip(history, domain.valid_to(history), strict=True):
        state = existing.get(item.valid_from) or InstitutionState(
            institution=institution, valid_from=item.valid_from
        )
        for name in domain.STATE_FIELDS:
            setattr(state, name, getattr(item.state, name))
        state.valid_to, state.changed = (
            last_day,
            [name for name in domain.STATE_FIELDS if name in item.changed],
        )
        if item.valid_from == effective:
            state.recorded_by, state.reason, state.recorded_at = (
                _user(actor),
                reason,
                timezone.now(),
            )
        state.full_clean(validate_unique=False, validate_constraints=False)
        state.save()


def _mirror(institution: Institution, history: list[Dated]) -> bool:
    """The row's fields: the state in force today. True when they changed."""
    today = domain.state_on(history, timezone.localdate())
    if selectors.row_state(institution) == today:
        return False
    for name in ("level", "type", "is_grassroots", "consortium_lead_id"):
        setattr(institution, name, getattr(today, name))
    institution.active_from, institution.active_to = today.agreement_from, today.agreement_to
    institution.save(
        update_fields=[
            "level",
            "type",
            "is_grassroots",
            "consortium_lead",
            "active_from",
            "active_to",
        ]
    )
    return True


@transaction.atomic
def institution_rows_refresh(*, actor) -> list[str]:
    """Bring every institution's row to the state in force today (a change dated in the future reaches
    the row on its day: run daily). Returns the codes refreshed; one audit event when any."""
    institutions = list(
        Institution.objects.select_for_update().filter(
            pk__in=InstitutionState.objects.values("institution_id")
        )
    )
    recorded = selectors.histories(i.pk for i in institutions)
    refreshed = [i.code for i in institutions if _mirror(i, recorded[i.pk])]
    if refreshed:
        audit_record(
            actor=actor,
            action="institution_rows_refresh",
            object_type="catalogs.institution",
            after={"codes": refreshed, "day": timezone.localdate().isoformat()},
            message=f"机构当前状态更新：{len(refreshed)}家",
        )
    return refreshed


@transaction.atomic
def institution_change(
    *,
    actor,
    institution: Institution,
    effective_from: datetime.date,
    changes: Mapping[str, object],
    reason: str = "",
) -> InstitutionState:
    """Record a change of level, type, grassroots flag, consortium lead or agreement period taking effect on
    ``effective_from``; the days before it keep their state. Refused when it changes nothing."""
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    history = selectors.history_of(institution)
    before = domain.state_on(history, effective_from)
    changes = domain.changes_of(before, before.with_changes(changes))
    if not changes:
        raise ValidationError(ERR_NO_CHANGE.format(day=effective_from))
    history = domain.history_with_change(history, effective_from, changes)
    for item in history:
        if item.valid_from >= effective_from:
            _check(institution, item.state, item.valid_from)
    _write(institution, history, actor=actor, effective=effective_from, reason=reason)
    _mirror(institution, history)
    audit_record(
        actor=actor,
        action="institution_change",
        instance=institution,
        before=before.as_json(),
        after={
            **domain.state_on(history, effective_from).as_json(),
            "effective_from": effective_from.isoformat(),
        },
        message=f"{institution.code} 自 {effective_from} 起变更：{InstitutionState.field_labels(n for n in domain.STATE_FIELDS if n in changes)}"
        + (f"（{reason}）" if reason else ""),
    )
    return InstitutionState.objects.get(institution=institution, valid_from=effective_from)


@transaction.atomic
def institution_register(
    *,
    actor,
    region: Region,
    code: str,
    name: str,
    state: State,
    effective_from: datetime.date,
    reason: str = "",
) -> Institution:
    """A new institution with its first state, in force from ``effective_from``."""
    if Institution.objects.filter(code=code).exists():
        raise ValidationError({"code": ERR_CODE_TAKEN.format(code=code)})
    institution = Institution(
        region=region,
        code=code,
        name=name,
        level=state.level,
        type=state.type,
        is_grassroots=state.is_grassroots,
        consortium_lead_id=state.consortium_lead_id,
        active_from=state.agreement_from,
        active_to=state.agreement_to,
    )
    institution.full_clean()
    institution.save()
    history = [Dated(effective_from, state)]
    _check(institution, state, effective_from)
    _write(institution, history, actor=actor, effective=effective_from, reason=reason)
    _mirror(institution, history)
    audit_record(
        actor=actor,
        action="institution_register",
        instance=institution,
        after={
            "code": code,
            "name": name,
            "region": region.code,
            **state.as_json(),
            "effective_from": effective_from.isoformat(),
        },
        message=f"登记定点医疗机构 {code} {name}，自 {effective_from} 起",
    )
    return institution


@dataclass(frozen=True)
class RegisterRow:
    """One checked row of a register file (``catalogs.register.excel``): the state from ``effective_from``."""

    row: int
    code: str
    name: str
    region: Region | None
    effective_from: datetime.date
    state: State
    lead_code: str


@dataclass(frozen=True)
class ImportSummary:
    created: int
    changed: int
    unchanged: int


@transaction.atomic
def register_import(*, actor, rows: Sequence[RegisterRow]) -> ImportSummary:
    """Apply a checked register file, all or nothing: new institutions first (so a lead may be new too),
    then each row's changes in date order. Any refusal names its row; then nothing is written."""
    errors = _rows_out_of_scope(actor, rows)
    if errors:
        raise ValidationError(errors)
    created = changed = unchanged = 0
    ordered = sorted(rows, key=lambda r: (r.effective_from, r.row))
    known = set(
        Institution.objects.filter(code__in=[r.code for r in ordered]).values_list(
            "code", flat=True
        )
    )
    new_codes = {r.code for r in ordered} - known
    ids: dict[str, int | None] = {}
    for row in ordered:
        if row.code in new_codes and row.code not in ids:
            institution = _attempt(
                errors,
                row,
                lambda r=row: institution_register(
                    actor=actor,
                    region=r.region,
                    code=r.code,
                    name=r.name,
                    state=replace(r.state, consortium_lead_id=None),
                    effective_from=r.effective_from,
                    reason=IMPORT_REASON,
                ),
            )
            ids[row.code] = institution.pk if institution else None
            created += institution is not None
    ids.update(
        Institution.objects.filter(
            code__in=[r.lead_code for r in ordered if r.lead_code]
        ).values_list("code", "pk")
    )
    for row in ordered:
        if ids.get(row.code, 0) is None:  # its registration was refused, reported above
            continue
        state = replace(
            row.state, consortium_lead_id=ids.get(row.lead_code) if row.lead_code else None
        )
        outcome = _attempt(errors, row, lambda r=row, s=state: _row_apply(actor, r, s))
        changed += outcome is True and row.code not in new_codes
        unchanged += outcome is False and row.code not in new_codes
    if errors:
        raise ValidationError(errors)
    audit_record(
        actor=actor,
        action="register_import",
        object_type="catalogs.institution",
        after={"rows": len(rows), "created": created, "changed": changed},
        message=f"导入机构名录：{len(rows)}行",
    )
    return ImportSummary(created, changed, unchanged)


def _rows_out_of_scope(actor, rows: Sequence[RegisterRow]) -> list[str]:
    """A bureau user registers and changes institutions of its own regions only (a new row's region, an
    existing institution's region); the command line without ``--user`` and province-level users may do all."""
    ids = region_ids_for_user(actor) if getattr(actor, "is_authenticated", False) else None
    if ids is None:
        return []
    existing = dict(
        Institution.objects.filter(code__in=[r.code for r in rows]).values_list("code", "region_id")
    )
    regions = dict(Region.objects.values_list("pk", "code"))
    errors = []
    for row in rows:
        region_id = existing.get(row.code, row.region.pk if row.region else None)
        if region_id is not None and region_id not in ids:
            errors.append(
                ERR_REGION_SCOPE.format(row=row.row, code=row.code, region=regions[region_id])
            )
    return errors


def _attempt(errors: list[str], row: RegisterRow, call):
    try:
        with transaction.atomic():
            return call()
    except ValidationError as error:
        errors.extend(f"第{row.row}行：{message}" for message in error.messages)
        return None


def _row_apply(actor, row: RegisterRow, state: State) -> bool:
    """The row's name and its state from its date: True when something changed."""
    institution = Institution.objects.get(code=row.code)
    renamed = bool(row.name) and row.name != institution.name
    if renamed:
        audit_record(
            actor=actor,
            action="institution_rename",
            instance=institution,
            before={"name": institution.name},
            after={"name": row.name},
        )
        institution.name = row.name
        institution.save(update_fields=["name"])
    changes = domain.changes_of(
        selectors.institution_state_as_of(institution, row.effective_from), state
    )
    if changes:
        institution_change(
            actor=actor,
            institution=institution,
            effective_from=row.effective_from,
            changes=changes,
            reason=IMPORT_REASON,
        )
    return renamed or bool(changes)
