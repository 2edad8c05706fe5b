"""Supervision writes (监管): indicators, anomaly findings and their review, data-quality scores, rule sets.

Each service reads through ``supervision.selectors``, computes with the pure modules (``supervision.indicators``,
``supervision.anomalies``, ``supervision.quality``), writes in bulk inside one transaction and records one audit
event there. ``audit/services.py`` stays the trail itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.services import audit_record, audited_update, snapshot
from catalogs.choices import Scheme
from catalogs.codes import CATEGORY, code_normalised
from config.lazy import pandas as pd
from supervision import anomalies, charging, indicators, quality, selectors
from supervision.choices import FindingStatus, RuleSetStatus
from supervision.models import ERR_SELF_APPROVAL, DataQualityScore, Finding, IndicatorValue, RuleSet
from workflow import services as workflow

REVIEW = "supervision.review_finding"
APPROVE = "supervision.approve_ruleset"
ERR_REVIEW_PERMISSION = "仅有复核权限的经办机构用户可以确认或排除监管发现。"
ERR_NOT_OPEN = "该监管发现已复核，不能再次确认或排除。"
ERR_AMOUNT = "请填写不小于0的扣减金额。"
ERR_REASON = "请填写原因。"
ERR_CHARGE_NEEDED = "扣减金额大于0时须指定计入的险种和细分类别（年终清算只在该类别中扣减）。"
ERR_CHARGE_UNKNOWN = "{year}年没有{charge}的结算参数，不能计入该细分类别。"
ERR_CHARGE_CLEARED = "{charge}的{year}年年终清算已运行：已确认的监管发现不能再改入或改出该类别。"
ERR_CHARGE_DISMISSED = "已排除的监管发现没有扣减，不能指定计入的险种和细分类别。"
ERR_NOT_DRAFT = "只有草稿状态的监管规则可以修改或提交。"
ERR_NOT_SUBMITTED = "只有待审批的监管规则可以审批。"
ERR_SELF_APPROVE = ERR_SELF_APPROVAL + "请由另一位经办人员审批。"
ERR_OPEN_VERSION = "已有未批准的第{version}版监管规则，请先完成审批。"
ERR_THRESHOLDS = "阈值无效：{error}"
ERR_CATEGORY = "基层病种诊断类目应为ICD-10三位类目（如 J18）：{values}"


def _region_institutions(region) -> dict:
    return {"institution__region": region}


# --- indicators -------------------------------------------------------------------------------------


@transaction.atomic
def indicators_compute(*, actor, region, year: int) -> dict:
    """Store the indicators of every institution-month of ``year`` (year-on-year growth needs the year
    before, which is read too) with the region's median and P90, replacing the year's stored values."""
    cases = selectors.supervision_case_frame(region=region, years=[year - 1, year])
    IndicatorValue.objects.filter(**_region_institutions(region), year=year).delete()
    rows = _indicator_rows(cases, year) if not cases.empty else []
    IndicatorValue.objects.bulk_create(rows, batch_size=5_000)
    summary = {
        "region": region.code,
        "year": year,
        "values": len(rows),
        "institutions": len({r.institution_id for r in rows}),
    }
    audit_record(
        actor=actor,
        action="indicators_compute",
        object_type=IndicatorValue._meta.label_lower,
        object_id=f"{region.code}/{year}",
        after=summary,
        message=f"{year}年监管指标：{len(rows)}个指标值",
    )
    return summary


def _indicator_rows(cases: pd.DataFrame, year: int) -> list[IndicatorValue]:
    by_month = indicators.indicators_by_month(cases)
    by_month = by_month[by_month["year"] == year]
    bench = {
        (b["year"], b["month"], b["indicator"]): (b["median"], b["p90"])
        for b in indicators.regional_benchmarks(by_month).to_dict("records")
    }
    rows = []
    for record in by_month.to_dict("records"):
        for indicator in indicators.INDICATORS:
            value = record[indicator.code]
            if value is None or pd.isna(value):
                continue
            median, p90 = bench.get((record["year"], record["month"], indicator.code), (None, None))
            rows.append(
                IndicatorValue(
                    institution_id=record["institution"],
                    year=record["year"],
                    month=record["month"],
                    indicator=indicator.code,
                    value=Decimal(value),
                    region_median=median,
                    region_p90=p90,
                )
            )
    return rows


# --- findings ---------------------------------------------------------------------------------------


def thresholds_for(region) -> tuple[anomalies.Thresholds, list[str], RuleSet | None]:
    """The thresholds and grassroots categories in force for a region (the defaults without a rule set)."""
    rule_set = selectors.rule_set_in_force(region=region)
    if rule_set is None:
        return anomalies.DEFAULT_THRESHOLDS, [], None
    return (
        anomalies.Thresholds.from_json(rule_set.thresholds),
        list(rule_set.grassroots_categories),
        rule_set,
    )


@transaction.atomic
def findings_detect(*, actor, region, year: int, month: int | None = None) -> dict:
    """Run the anomaly rules over the region's cases and store their findings of ``year`` (or one month) as open.

    Idempotent: a rerun replaces the open findings of that year/month and keeps the reviewed ones (a
    finding already confirmed or dismissed is not raised again). The year before is read as baseline.
    """
    thresholds, grassroots, rule_set = thresholds_for(region)
    cases = selectors.supervision_case_frame(region=region, years=[year - 1, year])
    found = anomalies.findings_detect(cases, thresholds, grassroots_categories=grassroots)
    scope = Finding.objects.filter(
        **_region_institutions(region), year=year, **({"month": month} if month else {})
    )
    replaced, _ = scope.filter(status=FindingStatus.OPEN).delete()
    reviewed = set(scope.values_list("rule", "institution_id", "year", "month"))
    records = [
        record
        for record in found.to_dict("records")
        if record["year"] == year
        and (month is None or record["month"] == month)
        and (record["rule"], record["institution"], record["year"], record["month"]) not in reviewed
    ]
    charges = charging.finding_charges(
        pd.DataFrame(records, columns=found.columns),
        cases,
        selectors.charge_categories(region=region, year=year),
    )
    rows = [
        _finding_row(record, rule_set, charge)
        for record, charge in zip(records, charges, strict=True)
    ]
    Finding.objects.bulk_create(rows)
    by_rule = dict(Counter(row.rule for row in rows))
    summary = {
        "region": region.code,
        "year": year,
        "month": month,
        "found": len(rows),
        "replaced": replaced,
        "by_rule": by_rule,
        "rule_set": rule_set.version if rule_set else None,
    }
    audit_record(
        actor=actor,
        action="findings_detect",
        object_type=Finding._meta.label_lower,
        object_id=f"{region.code}/{year}" + (f"/{month}" if month else ""),
        after=summary,
        message=f"{year}年{f'{month}月' if month else ''}违规筛查：新发现{len(rows)}条",
    )
    return summary


def _finding_row(
    record: Mapping, rule_set: RuleSet | None, charge: charging.Charge | None
) -> Finding:
    scheme, category = charge or ("", "")
    return Finding(
        rule=record["rule"],
        institution_id=record["institution"],
        year=record["year"],
        month=record["month"],
        severity=record["severity"],
        score=record["score"],
        description=record["description"],
        evidence=list(record["evidence"]),
        evidence_count=record["evidence_count"],
        metrics=record["metrics"],
        rule_set=rule_set,
        scheme=scheme,
        category=category,
    )


def _finding_locked(actor, finding: Finding) -> Finding:
    if actor is None or not getattr(actor, "is_bureau", False) or not actor.has_perm(REVIEW):
        raise PermissionDenied(ERR_REVIEW_PERMISSION)
    return Finding.objects.select_for_update().select_related("institution").get(pk=finding.pk)


def _reviewable(actor, finding: Finding) -> Finding:
    finding = _finding_locked(actor, finding)
    if finding.status != FindingStatus.OPEN:
        raise ValidationError(ERR_NOT_OPEN)
    return finding


def _charge(*, actor, finding: Finding, scheme: str, category: str) -> Finding:
    """Set the (locked) finding's charge when it differs, audited as ``finding_charge_set``."""
    category = category.strip().upper()
    if (scheme, category) == (finding.scheme, finding.category):
        return finding
    if finding.status == FindingStatus.DISMISSED:
        raise ValidationError(ERR_CHARGE_DISMISSED)
    region, label = (
        finding.institution.region_id,
        f"{dict(Scheme.choices).get(scheme, scheme)} {category}",
    )
    if (scheme, category) not in selectors.charge_choices(region=region, year=finding.year):
        raise ValidationError(
            {"category": ERR_CHARGE_UNKNOWN.format(year=finding.year, charge=label)}
        )
    if finding.status == FindingStatus.CONFIRMED and finding.scheme:
        _refuse_cleared(
            finding,
            [(finding.scheme, finding.category, finding.charge_label), (scheme, category, label)],
        )
    return audited_update(
        actor=actor,
        instance=finding,
        action="finding_charge_set",
        scheme=scheme,
        category=category,
        message=f"计入由 {finding.charge_label or '未指定'} 改为 {label}",
    )


def _refuse_cleared(finding: Finding, pairs: list[tuple[str, str, str]]) -> None:
    """A confirmed deduction moves only between pairs not yet cleared, so no current clearing loses or gains it
    unseen. (One confirmed before charges existed may go anywhere: every clearing refuses to run until it has one.)"""
    for scheme, category, label in pairs:
        if selectors.charge_cleared(
            region=finding.institution.region_id,
            year=finding.year,
            scheme=scheme,
            category=category,
        ):
            raise ValidationError(ERR_CHARGE_CLEARED.format(charge=label, year=finding.year))


@transaction.atomic
def finding_charge_set(*, actor, finding: Finding, scheme: str, category: str) -> Finding:
    """Name the scheme and category (计入险种/细分类别) whose year-end clearing deducts the finding: while it is
    open, or once confirmed as long as neither the old nor the new pair's clearing of the year has run."""
    return _charge(
        actor=actor, finding=_finding_locked(actor, finding), scheme=scheme, category=category
    )


@transaction.atomic
def finding_confirm(
    *,
    actor,
    finding: Finding,
    amount: Decimal,
    note: str = "",
    scheme: str = "",
    category: str = "",
) -> Finding:
    """Confirm a finding (确认违规) with the amount to deduct at year-end clearing (0 for a warning only),
    charged to ``scheme``/``category`` when given (a change from the default is audited on its own), else to
    the finding's default. A positive amount needs a charge, so it is deducted exactly once."""
    finding = _reviewable(actor, finding)
    if amount is None or Decimal(amount) < 0:
        raise ValidationError({"amount": ERR_AMOUNT})
    if scheme or category:
        finding = _charge(actor=actor, finding=finding, scheme=scheme, category=category)
    if Decimal(amount) > 0 and not finding.scheme:
        raise ValidationError({"category": ERR_CHARGE_NEEDED})
    return audited_update(
        actor=actor,
        instance=finding,
        action="finding_confirm",
        message=note.strip(),
        status=FindingStatus.CONFIRMED,
        amount=Decimal(amount),
        note=note.strip(),
        reviewed_by=actor,
        reviewed_at=timezone.now(),
    )


@transaction.atomic
def finding_dismiss(*, actor, finding: Finding, reason: str) -> Finding:
    """Dismiss a finding (排除) with the reason; it is not raised again by a rerun."""
    finding = _reviewable(actor, finding)
    if not reason.strip():
        raise ValidationError({"reason": ERR_REASON})
    return audited_update(
        actor=actor,
        instance=finding,
        action="finding_dismiss",
        message=reason.strip(),
        status=FindingStatus.DISMISSED,
        reason=reason.strip(),
        reviewed_by=actor,
        reviewed_at=timezone.now(),
    )


# --- data quality -----------------------------------------------------------------------------------


@transaction.atomic
def data_quality_compute(*, actor, region, year: int) -> dict:
    """Store the data-quality score (``supervision.quality``) of every institution-month of ``year``, replacing the year's."""
    batches, cases, corrections = selectors.quality_inputs(region=region, year=year)
    scores = quality.data_quality_scores(batches, cases, corrections)
    scores = scores[scores["year"] == year]
    DataQualityScore.objects.filter(**_region_institutions(region), year=year).delete()
    rows = [
        DataQualityScore(
            institution_id=r["institution"],
            year=r["year"],
            month=r["month"],
            score=r["score"],
            components={key: str(r[key]) for key in quality.COMPONENTS},
        )
        for r in scores.to_dict("records")
    ]
    DataQualityScore.objects.bulk_create(rows)
    summary = {"region": region.code, "year": year, "scores": len(rows)}
    audit_record(
        actor=actor,
        action="data_quality_compute",
        object_type=DataQualityScore._meta.label_lower,
        object_id=f"{region.code}/{year}",
        after=summary,
        message=f"{year}年数据质量评分：{len(rows)}条",
    )
    return summary


# --- rule sets (four eyes, like a budget) -----------------------------------------------------------


def _checked(thresholds: Mapping, categories: Iterable[str]) -> tuple[dict, list[str]]:
    try:
        cleaned = anomalies.Thresholds.from_json(thresholds).to_json()
    except ValueError as error:
        raise ValidationError({"thresholds": ERR_THRESHOLDS.format(error=error)}) from error
    codes = sorted({code_normalised(code) for code in categories if code.strip()})
    bad = [code for code in codes if not CATEGORY.fullmatch(code)]
    if bad:
        raise ValidationError({"grassroots_categories": ERR_CATEGORY.format(values="、".join(bad))})
    return {key: value for key, value in cleaned.items() if key in thresholds}, codes


@transaction.atomic
def rule_set_create(
    *, actor, region, thresholds: Mapping, grassroots_categories: Iterable[str], reason: str = ""
) -> RuleSet:
    """A new draft version of a region's rule set (only the given thresholds are stored; the rest default)."""
    series = RuleSet.objects.select_for_update().filter(region=region)
    if open_version := series.filter(status__in=RuleSetStatus.open()).first():
        raise ValidationError(ERR_OPEN_VERSION.format(version=open_version.version))
    stored, codes = _checked(thresholds, grassroots_categories)
    rule_set = RuleSet(
        region=region,
        version=(series.aggregate(v=Max("version"))["v"] or 0) + 1,
        thresholds=stored,
        grassroots_categories=codes,
        reason=reason.strip(),
        created_by=actor,
    )
    rule_set.full_clean()
    rule_set.save()
    audit_record(actor=actor, action="rule_set_create", instance=rule_set, after=snapshot(rule_set))
    return rule_set


RULE_SET_FLOW = workflow.Flow(
    action="rule_set",
    in_force=RuleSetStatus.IN_FORCE,
    superseded=RuleSetStatus.SUPERSEDED,
    not_draft=ERR_NOT_DRAFT,
    not_submitted=ERR_NOT_SUBMITTED,
    self_approval=ERR_SELF_APPROVE,
)


@transaction.atomic
def rule_set_submit(*, actor, rule_set: RuleSet) -> RuleSet:
    return workflow.submit(RULE_SET_FLOW, actor=actor, record=workflow.locked(rule_set))


@transaction.atomic
def rule_set_approve(*, actor, rule_set: RuleSet) -> RuleSet:
    """Approve a submitted version (not by its submitter): it comes into force, the one before is superseded."""
    rule_set = workflow.locked(rule_set)
    approver = workflow.approver(RULE_SET_FLOW, actor=actor, record=rule_set)
    if not approver.has_perm(APPROVE):
        raise PermissionDenied(ERR_REVIEW_PERMISSION)
    return workflow.approve(RULE_SET_FLOW, actor=actor, record=rule_set, approver=approver)
