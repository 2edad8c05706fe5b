"""Pre-grouping (预分组): a hospital's discharged cases grouped and priced before the month closes; nothing stored.

``cases_preview`` takes the settlement-list rows of the intake (flat, keyed by field code) or 4101 records
(``setlinfo`` with its lists) and answers, per case, what the month's run would make of it:

1. the intake's own validation (``settlement.intake.domain.cases_validate``; 4101 records through
   ``settlement.intake.national.records_validate``, which flattens them and applies the same checks): a row
   with an error refuses the whole preview (``PreviewRefused``, every error with its row and field, for a
   record also its setl_id, sub-table and row within it); the warnings come back per case;
2. per payment method (DIP, DRG) the catalog version in force for the case's region and discharge year
   (``selectors.catalog_version_in_force``, as the run takes it) groups the case (``domain.cases_grouped``),
   with its trace;
3. the points, computed as the run computes them (``runs.domain.engine_cases`` → ``engine.points.case_points``)
   with the settlement parameters in force for the scheme and method, the institution's level and coefficient;
4. an estimated amount (估算): points × the latest published point value of the scheme and category (the
   newest completed run that has one), always labelled as an estimate with the run and period it comes from.

Speed: a published version never changes, so the grouper's tables and the group table of each version are
built once per process and kept (``preview_catalog``, at most ``CACHE_SIZE`` versions); a warm single case
then costs the validation, the grouping of one row and a handful of small queries.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import PermissionDenied, ValidationError

from catalogs.choices import CatalogKind, Scheme
from accounts.regions import in_user_regions
from catalogs.models import CatalogVersion, DrgRuleSet, Institution, Region
from catalogs.selectors import drg_rule_set_in_force
from config.lazy import numpy as np
from config.lazy import pandas as pd
from settlement.engine.fixed import MONEY_PLACES, POINTS_PLACES, EngineError
from settlement.engine.points import case_points
from settlement.grouping import domain, selectors
from settlement.intake import columns as intake_columns
from settlement.intake import domain as intake
from settlement.intake import national
from settlement.intake.services import national_tables
from settlement.parameters.domain import to_engine
from settlement.parameters.selectors import parameter_set_in_force_of_kind
from settlement.runs import domain as run_domain
from settlement.runs import selectors as run_selectors
from settlement.runs.choices import RunType

MAX_CASES = 10_000
CACHE_SIZE = 16
KINDS = (CatalogKind.DRG, CatalogKind.DIP)
ESTIMATE_LABEL = "估算"

ERR_ROLE = "只有经办机构和医疗机构用户可以预分组。"
ERR_EMPTY = "没有提交任何病例。"
ERR_TOO_MANY = "单次预分组最多{limit}条病例，本次提交{count}条。"
ERR_INVALID = "病例校验未通过：{count}个错误（见 errors，逐条列出行号与字段），未作预分组。"
NO_VERSION = "{region}{year}年没有已发布的{kind}，无法预分组。"
NOT_INPATIENT = "非住院病例（医疗类别{med_type}）不按{kind}分组。"
NO_CATALOG = "目录版本无法用于分组：{reason}"
NO_PARAMETERS = "{year}年没有执行中的{scheme}{kind}结算参数，无法估算点数。"
NO_POINTS = "无法估算点数：{reason}"
NO_POINT_VALUE = "尚无已发布的{scheme}{category}点值，无法估算金额（点数仍可参考）。"
ESTIMATE_NOTE = "估算：按{period}{run_type}（结算运行#{run}）的点值{pv}计算，仅供参考，以正式结算为准。"


class PreviewRefused(Exception):
    """The preview cannot run; ``errors`` lists the rows and fields at fault (the intake's issue rows)."""

    def __init__(self, message: str, errors: list[dict] | None = None):
        super().__init__(message)
        self.errors = errors or []


# --- the catalog of a version, built once per process ----------------------------------------------


@dataclass(frozen=True)
class PreviewCatalog:
    """What grouping and pricing need of one published version: the grouper's tables, the groups' scores and
    means (``runs.selectors.catalog_groups_frame``) and the all-case mean M."""

    catalog: domain.GroupingCatalog
    groups: pd.DataFrame
    base_mean: Fraction | None


_cache: OrderedDict[tuple, PreviewCatalog] = OrderedDict()
_cache_lock = threading.Lock()


def _rules_key(version: CatalogVersion) -> int | None:
    """The DRG rule set a version groups with is part of its identity: pinned, or the one in force."""
    if version.kind != CatalogKind.DRG:
        return None
    if version.drg_rule_set_id:
        return version.drg_rule_set_id
    rule_set: DrgRuleSet | None = drg_rule_set_in_force(region=version.region, year=version.year)
    return rule_set.pk if rule_set else None


def preview_catalog(version: CatalogVersion) -> PreviewCatalog:
    """The version's ``PreviewCatalog``, from the in-process cache when this process has built it before."""
    key = (version.pk, _rules_key(version))
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    built = PreviewCatalog(catalog=selectors.grouping_catalog(version), groups=run_selectors.catalog_groups_frame(version),
                           base_mean=run_selectors.catalog_base_mean(version))  # fmt: skip
    with _cache_lock:
        _cache[key] = built
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return built


def preview_cache_clear() -> None:
    with _cache_lock:
        _cache.clear()


# --- the entry point --------------------------------------------------------------------------------


def _own_institution(user) -> str | None:
    """A hospital user previews its own institution's cases only; bureau users any institution of their regions."""
    if getattr(user, "is_hospital", False):
        return user.institution.code
    if getattr(user, "is_bureau", False) or getattr(user, "is_superuser", False):
        return None
    raise PermissionDenied(ERR_ROLE)


def cases_preview(*, user, records: list[dict], national_shape: bool = False) -> dict:
    """Group and price ``records`` (settlement-list rows, row numbers from 1) as the run would; store nothing.
    ``national_shape``: the records are 4101 records (``setlinfo`` with ``diseinfo``/``oprninfo``/``icuinfo``),
    validated and flattened by the batch endpoint's path (``national.records_validate``); a case's row is
    then its record's number. Raises ``PermissionDenied`` for a role that may not preview, ``PreviewRefused``
    for bad input."""
    own = _own_institution(user)
    if not records:
        raise PreviewRefused(ERR_EMPTY)
    if len(records) > MAX_CASES:
        raise PreviewRefused(ERR_TOO_MANY.format(limit=MAX_CASES, count=len(records)))
    # Another region's institution is unknown to a bureau user bound to other regions, as on every page.
    readable = in_user_regions(Institution.objects.all(), user)
    institutions = {code: (pk, region, level) for code, pk, region, level in
                    readable.values_list("code", "pk", "region_id", "level")}  # fmt: skip
    if national_shape:
        checked = national.records_validate(national_tables(records), known_institutions=institutions, own_institution=own,
                                            first_row=1)  # fmt: skip
    else:
        raw = pd.DataFrame.from_records(records).astype(object)
        checked = intake.cases_validate(raw, known_institutions=institutions, own_institution=own, first_row=1)
    if not checked.ok:
        raise PreviewRefused(ERR_INVALID.format(count=len(checked.errors)), _issue_rows(checked.errors))
    cases = _located(checked.cases, institutions)
    regions = Region.objects.in_bulk(cases["region_id"].unique().tolist())
    results = {kind: _kind_results(cases, kind=kind, regions=regions) for kind in KINDS}
    general = checked.warnings["column"] == ""  # about the rows' keys (an unknown field), not one case
    warnings = _issues_by_row(checked.warnings[~general])
    rows = [
        {"row": int(row), "setl_id": setl_id, "fixmedins_code": code, "warnings": warnings.get(int(row), []),
         **{kind.lower(): results[kind][position] for kind in KINDS}}
        for position, (row, setl_id, code) in enumerate(cases[["row", "setl_id", "fixmedins_code"]].itertuples(index=False))
    ]  # fmt: skip
    return {"estimate": True, "label": ESTIMATE_LABEL, "count": len(rows), "warnings": _issue_rows(checked.warnings[general]),
            "cases": rows}  # fmt: skip


def _located(cases: pd.DataFrame, institutions: dict) -> pd.DataFrame:
    """The validated cases with institution id, region, level, discharge year (setl_time when no discharge)
    and the engine's columns (``id`` = row number, money in fen)."""
    pk, region, level = zip(*(institutions[code] for code in cases["fixmedins_code"]), strict=True)
    discharge = cases["dscg_time"].fillna(cases["setl_time"])
    located = cases.assign(id=cases["row"], institution_id=np.array(pk, dtype=np.int64), region_id=np.array(region, dtype=np.int64),
                           level=np.array(level, dtype=object), year=discharge.dt.year.astype("int64"),
                           medfee_fen=cases["medfee_sumamt"].astype("int64"))  # fmt: skip
    return located.reset_index(drop=True)


def _issue_rows(issues: pd.DataFrame) -> list[dict]:
    return [{"row": int(row), "column": column, "column_label": intake_columns.column_label(column) if column else "",
             "value": str(value), "message": message}
            for row, column, value, message in issues[intake.ISSUE_FIELDS].itertuples(index=False)]  # fmt: skip


def _issues_by_row(issues: pd.DataFrame) -> dict[int, list[dict]]:
    by_row: dict[int, list[dict]] = {}
    for issue in _issue_rows(issues):
        by_row.setdefault(issue["row"], []).append(issue)
    return by_row


# --- per payment method -----------------------------------------------------------------------------


def _kind_results(cases: pd.DataFrame, *, kind: str, regions: dict[int, Region]) -> list[dict]:
    """One answer per case (in the cases' order) for ``kind``: its group and estimate, or why there is none."""
    answers: list[dict | None] = [None] * len(cases)
    inpatient = cases["med_type"].isin(selectors.MED_TYPES[kind])
    kind_label = CatalogKind(kind).label
    for position in np.flatnonzero(~inpatient.to_numpy()):
        answers[position] = _unavailable(NOT_INPATIENT.format(med_type=cases["med_type"].iat[position], kind=kind))
    for (region_id, year), block in cases[inpatient].groupby(["region_id", "year"], sort=True):
        region = regions[int(region_id)]
        version = selectors.catalog_version_in_force(region=region, kind=kind, year=int(year))
        if version is None:
            reason = NO_VERSION.format(region=region.name, year=year, kind=kind_label)
            block_answers = [_unavailable(reason)] * len(block)
        else:
            block_answers = _version_results(block, version=version)
        for position, answer in zip(block.index, block_answers, strict=True):
            answers[position] = answer
    return answers


def _unavailable(reason: str) -> dict:
    return {"available": False, "reason": reason}


def _version_results(block: pd.DataFrame, *, version: CatalogVersion) -> list[dict]:
    """Group ``block`` (one region and year) with ``version`` and price it per scheme."""
    try:
        prepared = preview_catalog(version)
        grouped = domain.cases_grouped(_as_read(block, domain.case_columns(prepared.catalog)), prepared.catalog)
    except (ValueError, ValidationError) as error:
        reason = NO_CATALOG.format(reason=" ".join(getattr(error, "messages", [str(error)])))
        return [_unavailable(reason)] * len(block)
    estimates: dict[int, dict] = {}
    for scheme, part in block.groupby("insutype", sort=True):
        estimates.update(_estimates(part, grouped.loc[part.index], version=version, prepared=prepared, scheme=str(scheme)))
    about = {"id": version.pk, "name": str(version), "year": version.year}
    ungroupable = domain.UNGROUPABLE_TRACES[version.kind]
    columns = ("group_code", "group_type", "treatment_type", "subtype", "typing_coefficient", "trace", "trace_text")
    values = {name: grouped[name].tolist() for name in columns}  # categories hold "", not NA; no coefficient is None
    return [
        {"available": True, "version": about, **{name: values[name][i] for name in columns},
         "ungroupable": values["trace"][i] in ungroupable, "estimate": estimates[index]}
        for i, index in enumerate(block.index)
    ]  # fmt: skip


def _as_read(block: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """The grouper's columns as a period's case frame holds them (selectors.period_case_frame): whole numbers
    as int64, or float with NaN where some are missing; text as text."""
    frame = block[list(columns)].copy()
    for name in columns:
        if str(frame[name].dtype) == "Int64":
            frame[name] = frame[name].astype("float64") if frame[name].isna().any() else frame[name].astype("int64")
    return frame


@dataclass(frozen=True)
class _Pricing:
    """What prices one scheme's cases of a region and year: the parameters, coefficients, point value."""

    params: object
    category: str
    coefficients: dict[int, Decimal]
    run: object | None


def _pricing(*, version: CatalogVersion, scheme: str) -> _Pricing | str:
    parameter_set = parameter_set_in_force_of_kind(region=version.region, year=version.year, scheme=scheme, kind=version.kind)
    if parameter_set is None:
        return NO_PARAMETERS.format(year=version.year, scheme=Scheme(scheme).label, kind=version.kind)
    _, coefficients = run_selectors.coefficients_in_force(region=version.region, year=version.year)
    run = run_selectors.point_value_run_latest(region=version.region, scheme=scheme, category=parameter_set.category)
    return _Pricing(params=to_engine(parameter_set.values, parameter_set.kind), category=parameter_set.category,
                    coefficients=coefficients, run=run)  # fmt: skip


def _estimates(part: pd.DataFrame, grouped: pd.DataFrame, *, version: CatalogVersion, prepared: PreviewCatalog,
               scheme: str) -> dict[int, dict]:  # fmt: skip
    """The estimate (估算) of each case of one scheme, by the cases' index."""
    pricing = _pricing(version=version, scheme=scheme)
    if isinstance(pricing, str):
        return {index: _no_estimate(scheme, "", pricing) for index in part.index}
    try:
        groups = _groups_of(prepared.groups, grouped["group_code"])
        levels = dict(zip(part["institution_id"].tolist(), part["level"].tolist(), strict=True))
        engine = run_domain.engine_cases(part, grouped, groups, kind=version.kind, levels=levels,
                                         coefficients=pricing.coefficients, base_mean=prepared.base_mean or Fraction(1))  # fmt: skip
        points = case_points(engine, pricing.params, base_mean=prepared.base_mean)
    except (EngineError, ValueError) as error:
        return {index: _no_estimate(scheme, pricing.category, NO_POINTS.format(reason=error)) for index in part.index}
    run = pricing.run
    pv = run.point_value if run is not None else None
    amounts = run_domain.case_amounts_fen(points["points_e4"].to_numpy(dtype=np.int64), pv)
    source = _point_value_source(run)
    note = (ESTIMATE_NOTE.format(period=source["period"], run_type=source["run_type_label"], run=run.pk, pv=pv) if run else
            NO_POINT_VALUE.format(scheme=Scheme(scheme).label, category=pricing.category))  # fmt: skip
    ungroupable = (grouped["group_code"].astype(str) == "").to_numpy()
    deviation = np.where(ungroupable, run_domain.UNGROUPABLE, points["deviation"].astype(str).to_numpy(dtype=object))
    texts = zip(_fixed_text(points["points_e4"].to_numpy(), POINTS_PLACES), _fixed_text(points["ratio_e4"].to_numpy(), POINTS_PLACES),
                deviation, _fixed_text(amounts, MONEY_PLACES) if pv is not None else [None] * len(part), strict=True)  # fmt: skip
    return {
        index: {"estimate": True, "label": ESTIMATE_LABEL, "scheme": scheme, "category": pricing.category, "points": points_text,
                "ratio": ratio, "deviation": dev, "deviation_label": run_domain.DEVIATION_LABELS.get(dev, dev),
                "point_value": str(pv) if pv is not None else None, "point_value_run": source, "amount": amount, "note": note}
        for index, (points_text, ratio, dev, amount) in zip(part.index, texts, strict=True)
    }  # fmt: skip


def _groups_of(groups: pd.DataFrame, codes: pd.Series) -> pd.DataFrame:
    """The catalog rows of the cases' groups (the engine reads every row it is given), or the whole table when
    no case has a group (the engine indexes into a table that is not empty)."""
    wanted = groups["code"].isin(codes.unique())
    return groups[wanted] if wanted.any() else groups


def _fixed_text(units: np.ndarray, places: int) -> list[str]:
    """Non-negative fixed-point counts (e4 points, fen) as exact decimal text, "1500.0000" — what
    ``str(unit_decimal(...))`` gives, without a ``Decimal`` per value."""
    whole, part = np.divmod(np.asarray(units, dtype=np.int64), 10**places)
    return [f"{w}.{p:0{places}d}" for w, p in zip(whole.tolist(), part.tolist(), strict=True)]


def _no_estimate(scheme: str, category: str, reason: str) -> dict:
    return {"estimate": True, "label": ESTIMATE_LABEL, "scheme": scheme, "category": category, "points": None, "ratio": None,
            "deviation": None, "deviation_label": None, "point_value": None, "point_value_run": None, "amount": None,
            "note": reason}  # fmt: skip


def _point_value_source(run) -> dict | None:
    if run is None:
        return None
    return {"id": run.pk, "year": run.year, "run_type": run.run_type, "run_type_label": RunType(run.run_type).label,
            "period": run.period_label, "finished_at": run.finished_at.isoformat() if run.finished_at else None}  # fmt: skip
