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
from django.db.models import OuterRef, QuerySet, Subquery

from accounts.regions import in_user_regions
from catalogs.choices import CatalogKind, Scheme
from catalogs.coefficients.models import CoefficientTable
from catalogs.drg.selectors import drg_rule_sets_in_force
from catalogs.models import Institution, Region
from catalogs.versions.models import CatalogVersion
from config.lazy import numpy as np
from config.lazy import pandas as pd
from settlement.engine.fixed import MONEY_PLACES, POINTS_PLACES, EngineError
from settlement.engine.points import case_points
from settlement.grouping import domain, selectors
from settlement.intake import columns as cols
from settlement.intake import domain as intake
from settlement.intake import national
from settlement.intake.files import Tables
from settlement.intake.services import national_tables
from settlement.parameters.domain import to_engine
from settlement.parameters.models import ParameterSet
from settlement.parameters.selectors import parameter_sets_in_force_of_kind
from settlement.runs import domain as run_domain
from settlement.runs import selectors as run_selectors
from settlement.runs.choices import RunType
from settlement.runs.models import SettlementRun

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
ESTIMATE_NOTE = (
    "估算：按{period}{run_type}（结算运行#{run}）的点值{pv}计算，仅供参考，以正式结算为准。"
)


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
# Published or in-force objects by primary key (a version, a parameter set's engine values, a coefficient table's
# rows, a run's point value): none of them changes once published, and a newer one has another key. Which one
# is in force is asked of the database on every request (``_in_force``, one query), so a publication shows at once
# in every process.
OBJECT_CACHE_SIZE = 512
_objects: OrderedDict[tuple, object] = OrderedDict()


def _cached(store: OrderedDict, size: int, key: tuple, build):
    with _cache_lock:
        if key in store:
            store.move_to_end(key)
            return store[key]
    built = build()
    with _cache_lock:
        store[key] = built
        while len(store) > size:
            store.popitem(last=False)
    return built


def preview_catalog(
    version: CatalogVersion, *, rule_set_in_force: int | None = None
) -> PreviewCatalog:
    """The version's ``PreviewCatalog``, from the in-process cache when this process has built it before. The DRG
    rule set a version groups with is part of its identity: pinned, or ``rule_set_in_force`` (its pk)."""
    rules = (
        (version.drg_rule_set_id or rule_set_in_force) if version.kind == CatalogKind.DRG else None
    )
    return _cached(
        _cache,
        CACHE_SIZE,
        (version.pk, rules),
        lambda: PreviewCatalog(
            catalog=selectors.grouping_catalog(version),
            groups=run_selectors.catalog_groups_frame(version),
            base_mean=run_selectors.catalog_base_mean(version),
        ),
    )


def preview_cache_clear() -> None:
    with _cache_lock:
        _cache.clear()
        _objects.clear()


# --- what is in force, in one query -----------------------------------------------------------------


def _first_pk(queryset: QuerySet) -> Subquery:
    """The pk ``queryset.first()`` would give, as a subquery."""
    return Subquery((queryset if queryset.ordered else queryset.order_by("pk")).values("pk")[:1])


@dataclass(frozen=True)
class _Pricing:
    """What prices one scheme's cases of a region, year and method: the parameters, coefficients, point value."""

    params: object
    category: str
    coefficients: dict[int, Decimal]
    run: _PointValue | None


@dataclass(frozen=True)
class _PointValue:
    pk: int
    point_value: Decimal
    source: dict


@dataclass(frozen=True)
class _InForce:
    """For one region and year: the version in force of each method and the pricing of each (method, scheme),
    or why there is none (text)."""

    region: Region
    versions: dict[str, CatalogVersion | None]
    rule_set: int | None
    pricing: dict[tuple[str, str], _Pricing | str]


def _in_force(region_id: int, year: int, schemes: list[str]) -> _InForce:
    """Which versions, rule set, parameter sets, coefficient table and point-value runs are in force for the region and
    year, by the selectors' own querysets (the region an ``OuterRef``): two queries, the objects from the cache."""
    here = OuterRef("pk")
    ids = {
        f"version_{kind}": _first_pk(
            selectors.catalog_versions_in_force(region=here, kind=kind, year=year)
        )
        for kind in KINDS
    }
    ids["rule_set"] = _first_pk(drg_rule_sets_in_force(region=here, year=year))
    ids["coefficients"] = _first_pk(
        run_selectors.coefficient_tables_in_force(region=here, year=year)
    )
    params = {
        (kind, scheme): f"params_{kind}_{position}"
        for kind in KINDS
        for position, scheme in enumerate(schemes)
    }
    for (kind, scheme), name in params.items():
        ids[name] = _first_pk(
            parameter_sets_in_force_of_kind(region=here, year=year, scheme=scheme, kind=kind)
        )
    region = Region.objects.annotate(**ids).get(pk=region_id)
    versions = {
        kind: _object("version", getattr(region, f"version_{kind}"), _version) for kind in KINDS
    }
    coefficients = _object("coefficients", region.coefficients, _coefficients) or {}
    sets = {
        key: _object("params", getattr(region, name), _parameters) for key, name in params.items()
    }
    categories = sorted(
        {(scheme, found[1]) for (_, scheme), found in sets.items() if found is not None}
    )
    runs = {pair: f"run_{position}" for position, pair in enumerate(categories)}
    latest = {}
    if runs:
        run_ids = (
            Region.objects.filter(pk=region_id)
            .annotate(
                **{
                    name: _first_pk(
                        run_selectors.point_value_runs(
                            region=here, scheme=scheme, category=category
                        )
                    )
                    for (scheme, category), name in runs.items()
                }
            )
            .values(*runs.values())
            .get()
        )
        latest = {pair: _object("run", run_ids[name], _point_value) for pair, name in runs.items()}
    pricing: dict[tuple[str, str], _Pricing | str] = {}
    for (kind, scheme), found in sets.items():
        if found is None:
            pricing[kind, scheme] = NO_PARAMETERS.format(
                year=year, scheme=Scheme(scheme).label, kind=kind
            )
        else:
            pricing[kind, scheme] = _Pricing(
                params=found[0],
                category=found[1],
                coefficients=coefficients,
                run=latest[scheme, found[1]],
            )
    return _InForce(region=region, versions=versions, rule_set=region.rule_set, pricing=pricing)


def _object(kind: str, pk: int | None, build):
    return (
        None if pk is None else _cached(_objects, OBJECT_CACHE_SIZE, (kind, pk), lambda: build(pk))
    )


def _version(pk: int) -> CatalogVersion:
    return CatalogVersion.objects.select_related("region").get(pk=pk)


def _coefficients(pk: int) -> dict[int, Decimal]:
    return run_selectors.coefficient_table_rows(CoefficientTable.objects.get(pk=pk))


def _parameters(pk: int) -> tuple[object, str]:
    parameter_set = ParameterSet.objects.get(pk=pk)
    return to_engine(parameter_set.values, parameter_set.kind), parameter_set.category


def _point_value(pk: int) -> _PointValue:
    run = SettlementRun.objects.get(pk=pk)
    return _PointValue(pk=run.pk, point_value=run.point_value, source=_point_value_source(run))


# --- the entry point --------------------------------------------------------------------------------


def _own_institution(user) -> str | None:
    """A hospital user previews its own institution's cases only; bureau users any institution of their regions."""
    if getattr(user, "is_hospital", False):
        return user.institution.code
    if getattr(user, "is_bureau", False) or getattr(user, "is_superuser", False):
        return None
    raise PermissionDenied(ERR_ROLE)


def cases_preview(
    *,
    user,
    records: list[dict] | None = None,
    national_shape: bool = False,
    tables: Tables | None = None,
) -> dict:
    """Group and price ``records`` (settlement-list rows, row numbers from 1) as the run would; store nothing.
    ``national_shape``: the records are 4101 records (``setlinfo`` with ``diseinfo``/``oprninfo``/``icuinfo``),
    validated and flattened by the batch endpoint's path (``national.records_validate``); a case's row is
    then its record's number. ``tables`` instead of ``records``: 4101 records as an uploaded file gives them (one
    frame per national table, ``files.frame_read``). Raises ``PermissionDenied`` for a role that may not preview,
    ``PreviewRefused`` for bad input."""
    own = _own_institution(user)
    if tables is not None:
        national_shape = True
    count = len(tables[cols.SETLINFO]) if tables is not None else len(records or ())
    if not count:
        raise PreviewRefused(ERR_EMPTY)
    if count > MAX_CASES:
        raise PreviewRefused(ERR_TOO_MANY.format(limit=MAX_CASES, count=count))
    # Another region's institution is unknown to a bureau user bound to other regions, as on every page.
    readable = in_user_regions(Institution.objects.all(), user)
    institutions = {
        code: (pk, region, level)
        for code, pk, region, level in readable.values_list("code", "pk", "region_id", "level")
    }
    if national_shape:
        checked = national.records_validate(
            tables if tables is not None else national_tables(records),
            known_institutions=institutions,
            own_institution=own,
            first_row=1,
        )
    else:
        raw = pd.DataFrame.from_records(records).astype(object)
        checked = intake.cases_validate(
            raw, known_institutions=institutions, own_institution=own, first_row=1, object_text=True
        )
    if not checked.ok:
        raise PreviewRefused(
            ERR_INVALID.format(count=len(checked.errors)), _issue_rows(checked.errors)
        )
    cases = _located(checked.cases, institutions)
    # The groupers and the engine make many small Series of the codes: on plain Python strings each costs a
    # fraction of what an Arrow-backed "str" column costs (about 15 ms less CPU for a single case; docs/settlement.md §7).
    text = [name for name, dtype in cases.dtypes.items() if isinstance(dtype, pd.StringDtype)]
    cases[text] = cases[text].astype(object)
    inpatient = cases[
        cases["med_type"].isin(
            selectors.MED_TYPES[CatalogKind.DIP] | selectors.MED_TYPES[CatalogKind.DRG]
        )
    ]
    in_force = {
        (int(region_id), int(year)): _in_force(
            int(region_id), int(year), sorted(block["insutype"].astype(str).unique())
        )
        for (region_id, year), block in inpatient.groupby(["region_id", "year"], sort=True)
    }
    results = {kind: _kind_results(cases, kind=kind, in_force=in_force) for kind in KINDS}
    general = (
        checked.warnings["column"] == ""
    )  # about the rows' keys (an unknown field), not one case
    warnings = _issues_by_row(checked.warnings[~general])
    rows = [
        {
            "row": int(row),
            "setl_id": setl_id,
            "fixmedins_code": code,
            "warnings": warnings.get(int(row), []),
            **{kind.lower(): results[kind][position] for kind in KINDS},
        }
        for position, (row, setl_id, code) in enumerate(
            cases[["row", "setl_id", "fixmedins_code"]].itertuples(index=False)
        )
    ]
    return {
        "estimate": True,
        "label": ESTIMATE_LABEL,
        "count": len(rows),
        "warnings": _issue_rows(checked.warnings[general]),
        "cases": rows,
    }


def _located(cases: pd.DataFrame, institutions: dict) -> pd.DataFrame:
    """The validated cases with institution id, region, level, discharge year (setl_time when no discharge)
    and the engine's columns (``id`` = row number, money in fen)."""
    pk, region, level = zip(*(institutions[code] for code in cases["fixmedins_code"]), strict=True)
    discharge = cases["dscg_time"].fillna(cases["setl_time"])
    located = cases.assign(
        id=cases["row"],
        institution_id=np.array(pk, dtype=np.int64),
        region_id=np.array(region, dtype=np.int64),
        level=np.array(level, dtype=object),
        year=discharge.dt.year.astype("int64"),
        medfee_fen=cases["medfee_sumamt"].astype("int64"),
    )
    return located.reset_index(drop=True)


def _issue_rows(issues: pd.DataFrame) -> list[dict]:
    return [
        {
            "row": int(row),
            "column": column,
            "column_label": cols.column_label(column) if column else "",
            "value": str(value),
            "message": message,
        }
        for row, column, value, message in issues[intake.ISSUE_FIELDS].itertuples(index=False)
    ]


def _issues_by_row(issues: pd.DataFrame) -> dict[int, list[dict]]:
    by_row: dict[int, list[dict]] = {}
    for issue in _issue_rows(issues):
        by_row.setdefault(issue["row"], []).append(issue)
    return by_row


# --- per payment method -----------------------------------------------------------------------------


def _kind_results(
    cases: pd.DataFrame, *, kind: str, in_force: dict[tuple[int, int], _InForce]
) -> list[dict]:
    """One answer per case (in the cases' order) for ``kind``: its group and estimate, or why there is none."""
    answers: list[dict | None] = [None] * len(cases)
    inpatient = cases["med_type"].isin(selectors.MED_TYPES[kind])
    kind_label = CatalogKind(kind).label
    for position in np.flatnonzero(~inpatient.to_numpy()):
        answers[position] = _unavailable(
            NOT_INPATIENT.format(med_type=cases["med_type"].iat[position], kind=kind)
        )
    for (region_id, year), block in cases[inpatient].groupby(["region_id", "year"], sort=True):
        found = in_force[int(region_id), int(year)]
        version = found.versions[kind]
        if version is None:
            reason = NO_VERSION.format(region=found.region.name, year=year, kind=kind_label)
            block_answers = [_unavailable(reason)] * len(block)
        else:
            block_answers = _version_results(block, version=version, in_force=found)
        for position, answer in zip(block.index, block_answers, strict=True):
            answers[position] = answer
    return answers


def _unavailable(reason: str) -> dict:
    return {"available": False, "reason": reason}


def _version_results(
    block: pd.DataFrame, *, version: CatalogVersion, in_force: _InForce
) -> list[dict]:
    """Group ``block`` (one region and year) with ``version`` and price it per scheme."""
    try:
        prepared = preview_catalog(version, rule_set_in_force=in_force.rule_set)
        grouped = domain.cases_grouped(
            _as_read(block, domain.case_columns(prepared.catalog)), prepared.catalog
        )
    except (ValueError, ValidationError) as error:
        reason = NO_CATALOG.format(reason=" ".join(getattr(error, "messages", [str(error)])))
        return [_unavailable(reason)] * len(block)
    estimates: dict[int, dict] = {}
    for scheme, part in block.groupby("insutype", sort=True):
        pricing = in_force.pricing[version.kind, str(scheme)]
        estimates.update(
            _estimates(
                part,
                grouped.loc[part.index],
                version=version,
                prepared=prepared,
                scheme=str(scheme),
                pricing=pricing,
            )
        )
    about = {"id": version.pk, "name": str(version), "year": version.year}
    ungroupable = domain.UNGROUPABLE_TRACES[version.kind]
    columns = (
        "group_code",
        "group_type",
        "treatment_type",
        "subtype",
        "typing_coefficient",
        "trace",
        "trace_text",
    )
    values = {
        name: grouped[name].tolist() for name in columns
    }  # categories hold "", not NA; no coefficient is None
    return [
        {
            "available": True,
            "version": about,
            **{name: values[name][i] for name in columns},
            "ungroupable": values["trace"][i] in ungroupable,
            "estimate": estimates[index],
        }
        for i, index in enumerate(block.index)
    ]


def _as_read(block: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """The grouper's columns as a period's case frame holds them (selectors.period_case_frame): whole numbers
    as int64, or float with NaN where some are missing; text as text."""
    frame = block[list(columns)].copy()
    for name in columns:
        if str(frame[name].dtype) == "Int64":
            frame[name] = (
                frame[name].astype("float64")
                if frame[name].isna().any()
                else frame[name].astype("int64")
            )
    return frame


def _estimates(
    part: pd.DataFrame,
    grouped: pd.DataFrame,
    *,
    version: CatalogVersion,
    prepared: PreviewCatalog,
    scheme: str,
    pricing: _Pricing | str,
) -> dict[int, dict]:
    """The estimate (估算) of each case of one scheme, by the cases' index."""
    if isinstance(pricing, str):
        return {index: _no_estimate(scheme, "", pricing) for index in part.index}
    try:
        groups = _groups_of(prepared.groups, grouped["group_code"])
        levels = dict(zip(part["institution_id"].tolist(), part["level"].tolist(), strict=True))
        engine = run_domain.engine_cases(
            part,
            grouped,
            groups,
            kind=version.kind,
            levels=levels,
            coefficients=pricing.coefficients,
            base_mean=prepared.base_mean or Fraction(1),
        )
        points = case_points(engine, pricing.params, base_mean=prepared.base_mean)
    except (EngineError, ValueError) as error:
        return {
            index: _no_estimate(scheme, pricing.category, NO_POINTS.format(reason=error))
            for index in part.index
        }
    run = pricing.run
    pv = run.point_value if run is not None else None
    amounts = run_domain.case_amounts_fen(points["points_e4"].to_numpy(dtype=np.int64), pv)
    source = run.source if run is not None else None
    note = (
        ESTIMATE_NOTE.format(
            period=source["period"], run_type=source["run_type_label"], run=run.pk, pv=pv
        )
        if run
        else NO_POINT_VALUE.format(scheme=Scheme(scheme).label, category=pricing.category)
    )
    ungroupable = (grouped["group_code"].astype(str) == "").to_numpy()
    deviation = np.where(
        ungroupable, run_domain.UNGROUPABLE, points["deviation"].astype(str).to_numpy(dtype=object)
    )
    texts = zip(
        _fixed_text(points["points_e4"].to_numpy(), POINTS_PLACES),
        _fixed_text(points["ratio_e4"].to_numpy(), POINTS_PLACES),
        deviation,
        _fixed_text(amounts, MONEY_PLACES) if pv is not None else [None] * len(part),
        strict=True,
    )
    return {
        index: {
            "estimate": True,
            "label": ESTIMATE_LABEL,
            "scheme": scheme,
            "category": pricing.category,
            "points": points_text,
            "ratio": ratio,
            "deviation": dev,
            "deviation_label": run_domain.DEVIATION_LABELS.get(dev, dev),
            "point_value": str(pv) if pv is not None else None,
            "point_value_run": source,
            "amount": amount,
            "note": note,
        }
        for index, (points_text, ratio, dev, amount) in zip(part.index, texts, strict=True)
    }


def _groups_of(groups: pd.DataFrame, codes: pd.Series) -> pd.DataFrame:
    """The catalog rows of the cases' groups (the engine reads every row it is given), or the table's first row
    when no case has a group (the engine indexes into a table that is not empty; an ungroupable case reads no row)."""
    wanted = groups["code"].isin(codes.unique())
    return groups[wanted] if wanted.any() else groups.iloc[:1]


def _fixed_text(units: np.ndarray, places: int) -> list[str]:
    """Non-negative fixed-point counts (e4 points, fen) as exact decimal text, "1500.0000" — what
    ``str(unit_decimal(...))`` gives, without a ``Decimal`` per value."""
    whole, part = np.divmod(np.asarray(units, dtype=np.int64), 10**places)
    return [f"{w}.{p:0{places}d}" for w, p in zip(whole.tolist(), part.tolist(), strict=True)]


def _no_estimate(scheme: str, category: str, reason: str) -> dict:
    return {
        "estimate": True,
        "label": ESTIMATE_LABEL,
        "scheme": scheme,
        "category": category,
        "points": None,
        "ratio": None,
        "deviation": None,
        "deviation_label": None,
        "point_value": None,
        "point_value_run": None,
        "amount": None,
        "note": reason,
    }


def _point_value_source(run) -> dict | None:
    if run is None:
        return None
    return {
        "id": run.pk,
        "year": run.year,
        "run_type": run.run_type,
        "run_type_label": RunType(run.run_type).label,
        "period": run.period_label,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }
