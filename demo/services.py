"""Seeding the demo region (演示统筹区): region, institutions, periods, the four demo users, cases,
then what a bureau would have done with them — each year's budgets and settlement parameters
(compiled by ``officer``, approved by ``admin``), the coding dictionaries (demo/data), and, with two
or more years, the last year's DIP and APG catalogs built from the years before it, published, with
that year's cases grouped, and the national CHS-DRG 1.1 rule set published with that year's DRG catalog
built from it (the demo's codes are on the national rule lists: tools/demo_national_codes.py).

The whole generation is one transaction: a failure leaves no half-seeded region behind, and the
one audit event that summarises it commits with the data (the workflow steps audit themselves). Cases are generated and loaded chunk by
chunk (``demo.domain.year_chunks`` → ``settlement.bulkload.cases_copy``), so memory stays flat.

Years: ``end_year`` defaults to the last complete calendar year (Asia/Shanghai), and the ``years``
years up to it are generated. Months of earlier years are closed (settled); the months of
``end_year`` stay open, as the year the bureau is still settling.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from accounts.services import user_create
from audit.services import audit_record
from budgets.choices import LineKind
from budgets.services import (
    budget_approve,
    budget_create,
    budget_lines_set,
    budget_submit,
    budget_yearend_record,
)
from catalogs.choices import ApgUnit, CatalogKind, CatalogStatus, Scheme, TreatmentType
from catalogs.dictionaries.models import Diagnosis, Procedure
from catalogs.drg.services import drg_rule_set_load_national
from catalogs.models import Institution, Region
from catalogs.versions.build import catalog_build_apg, catalog_build_dip, catalog_build_drg
from catalogs.versions.models import CatalogVersion
from catalogs.versions.services import version_create, version_publish, version_submit
from config.lazy import pandas as pd
from demo import budgets as demo_budgets
from demo import domain
from demo.national import national_month_upload
from settlement.aggregates.services import case_aggregates_refresh
from settlement.bulkload import case_indexes_deferred, case_statistics_refresh, cases_copy
from settlement.choices import PeriodStatus
from settlement.grouping.services import period_group
from settlement.models import CaseRecord, SettlementPeriod
from settlement.parameters.services import (
    parameter_set_approve,
    parameter_set_create,
    parameter_set_submit,
)
from settlement.partitions.services import year_partitions_ensure
from supervision.assessment.services import scheme_default_create
from supervision.services import data_quality_compute, findings_detect, indicators_compute

Progress = Callable[[int, str], None]

REGION_CODE = "371900"
REGION_NAME = "泗河市"
# (username, password, role, display name); run.py prints the same logins (DEMO_USERS there).
DEMO_USERS = [
    ("admin", "demo-admin-2024", Role.BUREAU_ADMIN, "演示管理员"),
    ("officer", "demo-officer-2024", Role.BUREAU_OFFICER, "演示经办人"),
    ("expert", "demo-expert-2024", Role.EXPERT, "演示专家"),
    ("hospital", "demo-hospital-2024", Role.HOSPITAL, "演示医院用户"),
]
ERR_DATA_EXISTS = (
    "数据库中已有统筹区或演示用户，不能再生成演示数据。请换用空数据库，或加 --if-empty 跳过。"
)
ERR_BAD_PARAMS = "年数须在1到10之间，每年病例数须在1到5000000之间。"
MSG_SKIPPED = "数据库中已有数据，跳过生成演示数据。"


class DemoRefused(Exception):
    """The demo region cannot be generated here; the message says why, in Chinese."""


def demo_generate(
    *,
    actor,
    seed: int = 20240101,
    years: int = 3,
    cases_per_year: int = 30000,
    end_year: int | None = None,
    if_empty: bool = False,
    months_settled: bool = True,
    progress: Progress | None = None,
    region_code: str = REGION_CODE,
    region_name: str = REGION_NAME,
    user_prefix: str = "",
) -> dict:
    """Generate the demo region and return a JSON-ready summary (counts, logins, anomalies, seconds).

    ``months_settled``: also run the last year's monthly pre-settlements (the portal then opens with
    statements and point values to look at). With a ``user_prefix`` (``b_`` → ``b_officer`` …) a further
    demo region (``region_code``, ``region_name``) is generated beside existing data, with its own users
    bound to it only; it is refused only if that region or those users exist."""
    if not (1 <= years <= 10 and 1 <= cases_per_year <= 5_000_000):
        raise DemoRefused(ERR_BAD_PARAMS)
    if _has_data(region_code, user_prefix):
        if if_empty:
            return {"skipped": True, "message": MSG_SKIPPED}
        raise DemoRefused(ERR_DATA_EXISTS)
    end_year = end_year or timezone.localdate().year - 1
    report = progress or (lambda percent, message: None)
    with transaction.atomic():
        return _generate(
            actor=actor,
            seed=seed,
            years=list(range(end_year - years + 1, end_year + 1)),
            cases_per_year=cases_per_year,
            months_settled=months_settled,
            report=report,
            region=Region(code=region_code, name=region_name),
            prefix=user_prefix,
        )


def _has_data(region_code: str, prefix: str) -> bool:
    regions = Region.objects.filter(code=region_code) if prefix else Region.objects.all()
    return (
        regions.exists()
        or User.objects.filter(username__in=[prefix + u[0] for u in DEMO_USERS]).exists()
    )


def _staff(prefix: str) -> tuple[User, User]:
    """The demo region's officer and admin (four eyes: one compiles, the other approves)."""
    return User.objects.get(username=f"{prefix}officer"), User.objects.get(
        username=f"{prefix}admin"
    )


def _generate(
    *,
    actor,
    seed: int,
    years: list[int],
    cases_per_year: int,
    months_settled: bool,
    report: Progress,
    region: Region,
    prefix: str,
) -> dict:
    started = time.perf_counter()
    region.save()
    frame = domain.institutions_frame(region_code=region.code, city=region.name)
    institutions = _institutions_create(region=region, frame=frame)
    periods = _periods_create(region=region, years=years, actor=actor)
    hospital = institutions[frame.loc[frame["level"] == "3A", "code"].iloc[0]]
    users = [
        user_create(
            actor=actor,
            username=prefix + username,
            password=password,
            role=role,
            display_name=name,
            institution=hospital if role == Role.HOSPITAL else None,
            regions=[] if role == Role.HOSPITAL else [region],
        ).username
        for username, password, role, name in DEMO_USERS
    ]
    report(1, f"已创建统筹区、{len(institutions)} 家机构、{len(periods)} 个结算期间和演示用户")
    timings = {"generate": 0.0}
    tick = time.perf_counter()
    # The case table is empty (no region existed), so nothing waits on it while its indexes are rebuilt.
    with case_indexes_deferred():
        cases = {
            str(year): _year_load(
                seed=seed,
                year=year,
                cases_per_year=cases_per_year,
                frame=frame,
                institutions=institutions,
                periods=periods,
                timings=timings,
                on_rows=_year_progress(report, number, year, cases_per_year, len(years)),
            )
            for number, year in enumerate(years)
        }
    case_statistics_refresh(sum(cases.values()))
    case_aggregates_refresh(period_ids=[period.pk for period in periods.values()])
    timings["load"] = time.perf_counter() - tick - timings["generate"]
    report(99, "正在编制并批准各年度总额预算和结算参数")
    budgets = _budgets_compile(region=region, years=years, prefix=prefix)
    parameter_sets = _parameters_approve(region=region, years=years, prefix=prefix)
    dictionaries = _dictionaries_load()
    catalog = _catalog_publish_and_group(region=region, years=years, report=report, prefix=prefix)
    settlement = (
        _months_settle(region=region, year=years[-1], report=report, prefix=prefix)
        if catalog and months_settled
        else {}
    )
    supervision = _supervision_compute(actor=actor, region=region, year=years[-1], report=report)
    assessment_scheme = scheme_default_create(actor=actor, region=region)
    national = (
        national_month_upload(actor=actor, region=region, year=years[-1], month=1)
        if catalog
        else {}
    )
    summary = {
        "skipped": False,
        "region": {"code": region.code, "name": region.name},
        "institutions": len(institutions),
        "periods": len(periods),
        "users": users,
        "cases": cases,
        "cases_total": sum(cases.values()),
        "budgets": budgets,
        "parameter_sets": parameter_sets,
        "dictionaries": dictionaries,
        "catalog": catalog,
        "settlement": settlement,
        "supervision": supervision,
        "assessment_scheme": assessment_scheme.pk,
        "national_uploads": national,
        "anomalies": domain.anomalies_of(frame),
        "seed": seed,
        "seconds": {
            **{k: round(v, 2) for k, v in timings.items()},
            "total": round(time.perf_counter() - started, 2),
        },
    }
    audit_record(
        actor=actor,
        action="demo_generate",
        instance=region,
        after=summary,
        message=f"生成演示统筹区 {region.name}：{len(institutions)} 家机构，{summary['cases_total']} 条结算清单",
    )
    report(100, "演示数据已生成")
    return summary


def _budgets_compile(*, region: Region, years: list[int], prefix: str) -> dict[str, str]:
    """Each year's budget of both schemes, sized from the cases just loaded (demo/budgets.py): compiled
    and submitted by the demo officer, approved by the demo admin (four eyes), so it is in force."""
    officer, admin = _staff(prefix)
    rows = (
        CaseRecord.objects.filter(period__region=region)
        .values(
            year=F("period__year"),
            month=F("period__month"),
            insutype_=F("insutype"),
            med_type_=F("med_type"),
        )
        .annotate(fund=Sum("fund_pay_sumamt"))
    )
    fund = demo_budgets.fund_by_scheme_year(
        [
            {
                "year": r["year"],
                "month": r["month"],
                "insutype": r["insutype_"],
                "med_type": r["med_type_"],
                "fund": r["fund"],
            }
            for r in rows
        ]
    )
    pools = {}
    for year in years:
        for scheme in Scheme:
            totals = fund.get((year, scheme.value))
            if totals is None:
                continue
            previous = fund.get((year - 1, scheme.value), {}).get("months", ())
            inputs = demo_budgets.demo_budget(
                scheme=scheme.value,
                inpatient_fund=totals["inpatient"],
                chronic_fund=totals["chronic"],
                last_year_months=previous,
            )
            budget = budget_create(actor=officer, region=region, year=year, scheme=scheme.value)
            derivation = budget_lines_set(
                actor=officer,
                budget=budget,
                income=inputs.income,
                carve_outs=inputs.carve_outs,
                categories=inputs.categories,
                phasing_method=inputs.phasing_method,
                phasing_weights=inputs.phasing_weights,
            )
            budget_submit(actor=officer, budget=budget)
            budget_approve(actor=admin, budget=budget)
            # The carve-outs' year-end actuals (at budget), so each year can be settled and cleared.
            budget_yearend_record(
                actor=officer,
                budget=budget,
                actuals={c.code: c.amount for c in derivation.of_kind(LineKind.CARVE_OUT)},
            )
            pools[f"{year}-{scheme.value}"] = str(derivation.pool)
    return pools


def _parameters_approve(*, region: Region, years: list[int], prefix: str) -> int:
    """The default settlement parameters of each year's two categories (DIP, APG) for both schemes, in force."""
    officer, admin = _staff(prefix)
    count = 0
    for year in years:
        for scheme in Scheme:
            for category in ("DIP", "APG"):
                parameter_set = parameter_set_create(
                    actor=officer,
                    region=region,
                    year=year,
                    scheme=scheme.value,
                    category=category,
                    kind=category,
                )
                parameter_set_submit(actor=officer, parameter_set=parameter_set)
                parameter_set_approve(actor=admin, parameter_set=parameter_set)
                count += 1
    return count


TREATMENT_TYPES = {
    "手术": TreatmentType.SURGICAL,
    "治疗性操作": TreatmentType.THERAPEUTIC,
    "诊断性操作": TreatmentType.DIAGNOSTIC,
}


def _dictionaries_load() -> dict[str, int]:
    """The demo's curated ICD-10 / ICD-9-CM-3 subset (demo/data) as the coding dictionaries. A code already
    there is kept: ``run.py demo`` loads the national lists first (``dictionary_load_national``), and the
    demo then adds only its few codes the national lists lack (K43.900, 88.5501, 01.3901 …)."""
    catalog = domain.catalog_load()
    diagnoses = [
        Diagnosis(code=row.code, name=row.name, category=row.category)
        for row in catalog.diagnoses.itertuples()
    ]
    diagnoses += [
        Diagnosis(code=row.maindiag_code, name=row.name, category=row.maindiag_code[:3])
        for row in catalog.outpatient.itertuples()
        if row.maindiag_code not in set(catalog.diagnoses["code"])
    ]
    procedures = [
        Procedure(
            code=row.code,
            name=row.name,
            category=row.category,
            treatment_type=TREATMENT_TYPES[row.treatment_type],
        )
        for row in catalog.procedures.itertuples()
    ]
    Diagnosis.objects.bulk_create(diagnoses, ignore_conflicts=True)
    Procedure.objects.bulk_create(procedures, ignore_conflicts=True)
    return {"diagnoses": Diagnosis.objects.count(), "procedures": Procedure.objects.count()}


def _dip_special_lists() -> dict[str, list[str]]:
    """The demo's 中医优势病种 (diagnoses marked tcm) and 日间手术 (the main procedure of diagnoses marked
    day_surgery) lists, from demo/data/diagnoses.csv, as DIP build parameters."""
    diagnoses = domain.catalog_load().diagnoses
    day = diagnoses.loc[diagnoses["day_surgery"] == 1, "procedures"].str.split(";").str[0]
    return {
        "tcm_codes": sorted(diagnoses.loc[diagnoses["tcm"] == 1, "code"]),
        "day_surgery_codes": sorted(set(day) - {""}),
    }


def _catalog_published(
    *,
    region: Region,
    year: int,
    kind: str,
    build: Callable[..., dict],
    history: list[int],
    params: dict,
    prefix: str,
) -> tuple:
    """A catalog version of ``kind`` for ``year`` built from ``history`` by the officer, published by the admin."""
    officer, admin = _staff(prefix)
    version = version_create(
        actor=officer,
        region=region,
        year=year,
        kind=kind,
        name=f"{region.name}{year}年{CatalogKind(kind).label}（演示）",
        effective_from=date(year, 1, 1),
        effective_to=date(year, 12, 31),
    )
    summary = build(actor=officer, version=version, years=history, params=params)
    version_submit(actor=officer, version=version)
    version_publish(actor=admin, version=version)
    return version, summary


def _catalog_publish_and_group(
    *, region: Region, years: list[int], report: Progress, prefix: str
) -> dict:
    """With at least two demo years: the last year's DIP catalog built from the years before it (up to
    three) and its APG catalog from the two years before it (2:8), both built by the officer, published by
    the admin, and the last year's inpatient and chronic outpatient cases grouped with them; and the national
    CHS-DRG 1.1 rule set (catalogs/data/chs_drg_11, its golden cases run at publishing) published for that
    year, the year's DRG catalog built with it from the same years as the DIP catalog, published, and the
    year's inpatient cases grouped with it. The officer can then build next year's catalogs from the demo
    years through the pages."""
    if len(years) < 2:
        return {}
    officer, admin = _staff(prefix)
    year = years[-1]
    report(99, f"正在测算{year}年DIP、APG目录并分组")
    version, build = _catalog_published(
        region=region,
        year=year,
        kind=CatalogKind.DIP,
        build=catalog_build_dip,
        history=years[:-1][-3:],
        params=_dip_special_lists(),
        prefix=prefix,
    )
    grouped = period_group(actor=officer, region=region, year=year)
    apg, apg_build = _catalog_published(
        region=region,
        year=year,
        kind=CatalogKind.APG,
        build=catalog_build_apg,
        history=years[:-1][-2:],
        params={"unit": ApgUnit.SETTLEMENT},
        prefix=prefix,
    )
    apg_grouped = period_group(actor=officer, region=region, year=year, kind=CatalogKind.APG)
    report(99, f"正在发布CHS-DRG 1.1分组规则并测算{year}年DRG目录")
    rule_set = drg_rule_set_load_national(officer=officer, admin=admin, region=region, year=year)
    drg_version, drg_build = _catalog_published(
        region=region,
        year=year,
        kind=CatalogKind.DRG,
        build=catalog_build_drg,
        history=years[:-1][-3:],
        params={},
        prefix=prefix,
    )
    drg_grouped = period_group(actor=officer, region=region, year=year, kind=CatalogKind.DRG)
    return {
        "version_id": version.pk,
        "year": year,
        "history": years[:-1][-3:],
        "groups": build["groups"],
        "grouped": grouped["cases"],
        "ungroupable": grouped["ungroupable"],
        "core_groups": build["core_groups"],
        "tcm_groups": build["tcm_groups"],
        "day_surgery_groups": build["day_surgery_groups"],
        "apg": {
            "version_id": apg.pk,
            "history": apg_build["years"],
            "groups": apg_build["groups"],
            "grouped": apg_grouped["cases"],
            "ungroupable": apg_grouped["ungroupable"],
        },
        "drg_rule_set_id": rule_set.pk,
        "drg": {
            "version_id": drg_version.pk,
            "rule_set_id": rule_set.pk,
            "history": years[:-1][-3:],
            "groups": drg_build["groups"],
            "grouped": drg_grouped["cases"],
            "ungroupable": drg_grouped["ungroupable"],
        },
    }


def _months_settle(*, region: Region, year: int, report: Progress, prefix: str) -> dict:
    """The last year's monthly pre-settlement (月度预付) of every scheme × category that has a published catalog,
    started by the officer, computed at once and published (公示) so the hospitals see their statements; quarters, the year, clearing and closing are left to the
    officer's pages."""
    from jobs.services import job_run
    from settlement.publication.services import run_publish
    from settlement.runs.choices import RunStatus, RunType
    from settlement.runs.services import run_start

    officer, _ = _staff(prefix)
    report(99, f"正在运行{year}年各月月度预付")
    done = {}
    for scheme in Scheme:
        for category, kind in (("DIP", CatalogKind.DIP), ("APG", CatalogKind.APG)):
            if not CatalogVersion.objects.filter(
                region=region, kind=kind, year=year, status=CatalogStatus.PUBLISHED
            ).exists():
                continue
            for month in range(1, 13):
                run = run_start(
                    actor=officer,
                    region=region,
                    year=year,
                    scheme=scheme.value,
                    category=category,
                    run_type=RunType.MONTHLY,
                    number=month,
                    dispatch=False,
                )
                job_run(job_id=run.job_id)
                run.refresh_from_db()
                if run.status == RunStatus.COMPLETED:
                    run_publish(actor=officer, run=run, notify=False)
            done[f"{scheme.value}-{category}"] = 12
    return done


def _supervision_compute(*, actor, region: Region, year: int, report: Progress) -> dict:
    """The last year's indicators, anomaly findings and data-quality scores, so every supervision panel
    of the demo shows data (the same services as the supervision jobs)."""
    report(99, f"正在计算{year}年监管指标、违规筛查和数据质量评分")
    return {
        "indicators": indicators_compute(actor=actor, region=region, year=year)["values"],
        "findings": findings_detect(actor=actor, region=region, year=year)["found"],
        "quality_scores": data_quality_compute(actor=actor, region=region, year=year)["scores"],
    }


def _year_progress(
    report: Progress, number: int, year: int, per_year: int, years: int
) -> Callable[[int], None]:
    def on_rows(done: int) -> None:
        report(
            1 + int(98 * (number + done / per_year) / years),
            f"{year}年：已写入 {done} / {per_year} 条结算清单",
        )

    return on_rows


def _institutions_create(*, region: Region, frame: pd.DataFrame) -> dict[str, Institution]:
    """Bulk-create the institutions (validated one by one), then point consortium members at their leads."""
    rows = [
        Institution(
            region=region,
            code=row.code,
            name=row.name,
            level=row.level,
            type=row.type,
            is_grassroots=row.is_grassroots,
        )
        for row in frame.itertuples()
    ]
    for institution in rows:
        institution.full_clean(exclude=["region"], validate_unique=False)
    by_code = {
        institution.code: institution for institution in Institution.objects.bulk_create(rows)
    }
    members = []
    for code, lead in zip(frame["code"], frame["consortium_lead_code"], strict=True):
        if lead:
            by_code[code].consortium_lead = by_code[lead]
            members.append(by_code[code])
    Institution.objects.bulk_update(members, ["consortium_lead"])
    return by_code


def _periods_create(
    *, region: Region, years: list[int], actor
) -> dict[tuple[int, int], SettlementPeriod]:
    """Twelve months a year; every month before the last year is closed, at the start of the next month."""
    closer = actor if getattr(actor, "is_authenticated", False) else None
    periods = []
    for year in years:
        for month in range(1, 13):
            closed = year < years[-1]
            closed_at = (
                datetime(year + month // 12, month % 12 + 1, 5, 17, 0, tzinfo=domain.TZ)
                if closed
                else None
            )
            periods.append(
                SettlementPeriod(
                    region=region,
                    year=year,
                    month=month,
                    closed_at=closed_at,
                    status=PeriodStatus.CLOSED if closed else PeriodStatus.OPEN,
                    closed_by=closer if closed else None,
                )
            )
    year_partitions_ensure(years)
    return {(p.year, p.month): p for p in SettlementPeriod.objects.bulk_create(periods)}


def _year_load(
    *,
    seed: int,
    year: int,
    cases_per_year: int,
    frame: pd.DataFrame,
    institutions: dict[str, Institution],
    periods: dict,
    timings: dict[str, float],
    on_rows: Callable[[int], None],
) -> int:
    """Generate one year chunk by chunk and COPY each chunk in; returns the rows written (times generation)."""
    institution_ids = {code: institution.pk for code, institution in institutions.items()}
    period_ids = pd.Series({month: periods[(year, month)].pk for month in range(1, 13)})
    written = 0
    chunks = domain.year_chunks(seed=seed, year=year, n_cases=cases_per_year, institutions=frame)
    while True:
        tick = time.perf_counter()
        cases = next(chunks, None)
        if cases is None:
            return written
        cases["institution_id"] = cases.pop("institution_code").map(institution_ids)
        cases["period_id"] = cases["setl_time"].dt.month.map(period_ids)
        timings["generate"] += time.perf_counter() - tick
        written += cases_copy(cases)
        on_rows(written)
