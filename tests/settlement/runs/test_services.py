"""Settlement runs on a small demo region: frozen inputs, exact amounts, supersede, refusals, decisions
applied (E13), deductions at clearing, closing; the database holds what the engine computed."""

from __future__ import annotations

import re
from decimal import Decimal as D
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from audit.models import AuditEvent
from budgets.models import YearEndActual
from budgets.selectors import budget_in_force
from catalogs.models import Institution
from disputes.choices import Decision, ItemKind, ItemStatus
from disputes.models import DisputeItem
from settlement.choices import PeriodStatus
from settlement.engine.fixed import quantize, to_fen
from settlement.engine.point_value import category_total
from settlement.grouping.selectors import period_cases
from settlement.models import CaseRecord, SettlementPeriod
from settlement.runs import inputs, selectors, services
from settlement.runs.choices import RunStatus
from settlement.runs.models import RevolvingFund, RunCase, RunInstitution
from supervision import services as supervision
from supervision.choices import FindingStatus
from supervision.models import Finding
from tests.settlement.runs.conftest import YEAR, zero

pytestmark = pytest.mark.django_db


def sums(run, *fields):
    return run.institutions.aggregate(**{f: Sum(f) for f in fields})


def month_cases(demo, month, scheme="310"):
    period = SettlementPeriod.objects.get(region=demo.region, year=YEAR, month=month)
    return period_cases(periods=[period], kind="DIP", scheme=scheme)


def test_a_monthly_run_freezes_its_inputs_and_stores_every_case_and_institution(demo_region):
    run = demo_region.run("monthly", 1)
    assert run.status == RunStatus.COMPLETED, run.error
    cases = month_cases(demo_region, 1)
    assert run.case_count == cases.count() == RunCase.objects.filter(run=run).count()
    assert (
        run.catalog_version.year == YEAR
        and run.parameter_set.category == "DIP"
        and run.budget.scheme == "310"
    )
    assert len(run.case_hash) == len(run.input_hash) == len(run.result_hash) == 64
    case_points = RunCase.objects.filter(run=run).aggregate(p=Sum("points"))["p"]
    assert sums(run, "points")["points"] == case_points == run.points_total
    # variant B: the advance is the fund booked in the month; 5% withheld; paid = advance − deposit
    for row in run.institutions.all():
        assert (
            row.advance == row.fund
            and row.deposit == to_fen(row.fund * D("0.05"))
            and row.payment == row.advance - row.deposit
        )
    assert sums(run, "fund")["fund"] == cases.aggregate(f=Sum("fund_pay_sumamt"))["f"]
    assert AuditEvent.objects.filter(action="run_complete", object_id=str(run.pk)).exists()


def test_institution_amounts_sum_exactly_to_the_category_total_and_each_is_points_times_pv(
    demo_region,
):
    run = demo_region.run("monthly", 2)
    totals = sums(run, "settlement", "fund", "medfee")
    assert (
        totals["settlement"]
        == run.total
        == category_total(run.pool, fund_total=totals["fund"], medfee_total=totals["medfee"])
    )
    for row in run.institutions.all():
        assert abs(row.settlement - row.points * run.point_value) <= D("0.02") + row.points / 10**6
        assert row.fund_due == row.settlement - row.psn_part


def test_a_rerun_over_unchanged_inputs_gives_the_identical_hash_and_supersedes_the_first(
    demo_region,
):
    first = demo_region.run("monthly", 1)
    second = demo_region.run("monthly", 1)
    first.refresh_from_db()
    assert (first.status, second.status, second.supersedes_id) == (
        RunStatus.SUPERSEDED,
        RunStatus.COMPLETED,
        first.pk,
    )
    assert (second.result_hash, second.input_hash, second.case_hash) == (
        first.result_hash,
        first.input_hash,
        first.case_hash,
    )
    assert second.summary["changes"] == []
    # A corrected case changes the case set, the results and the institution's payment.
    case = month_cases(demo_region, 1).order_by("id").first()
    CaseRecord.objects.filter(pk=case.pk).update(
        fund_pay_sumamt=case.fund_pay_sumamt - 100,
        hifp_pay=case.hifp_pay - 100,
        psn_part_amt=case.psn_part_amt + 100,
        version=case.version + 1,
    )
    third = demo_region.run("monthly", 1)
    assert third.case_hash != second.case_hash and third.result_hash != second.result_hash
    booked = case.institution.consortium_lead_id or case.institution_id
    [change] = third.summary["changes"]
    assert (change["institution"], D(change["difference"])) == (
        booked,
        D("-95.00"),
    )  # 100 less booked, 5% of it withheld


def test_a_second_run_of_a_period_is_refused_while_the_first_is_queued(demo_region):
    services.run_start(
        actor=demo_region.officer,
        region=demo_region.region,
        year=YEAR,
        scheme="310",
        category="DIP",
        run_type="monthly",
        number=3,
        dispatch=False,
    )
    with pytest.raises(ValidationError, match="正在排队或计算中"):
        services.run_start(
            actor=demo_region.officer,
            region=demo_region.region,
            year=YEAR,
            scheme="310",
            category="DIP",
            run_type="monthly",
            number=3,
            dispatch=False,
        )


def test_a_failed_run_says_why_and_leaves_no_results(demo_region):
    budget = budget_in_force(year=YEAR, scheme="310", region_id=demo_region.region.pk)
    YearEndActual.objects.filter(
        line__budget=budget
    ).delete()  # the reserve remainder is unknown again
    run = demo_region.run("annual")
    assert (
        run.status == RunStatus.FAILED
        and "年终实际数" in run.error
        and "年终实际数" in run.job.error
    )
    assert not RunCase.objects.filter(run=run).exists() and not run.institutions.exists()


def test_the_quarter_settles_against_the_months_advances(demo_region):
    refused = demo_region.run("quarterly", 1)
    assert refused.status == RunStatus.FAILED and "1月、2月、3月" in refused.error
    months = [demo_region.run("monthly", m) for m in (1, 2, 3)]
    quarter = demo_region.run("quarterly", 1)
    paid = {}
    for month in months:
        for row in month.institutions.all():
            paid[row.institution_id] = paid.get(row.institution_id, zero()) + row.payment
    for row in quarter.institutions.all():
        assert row.advances_paid == paid.get(row.institution_id, zero())
        assert row.payment == row.fund_due - row.deposit - row.advances_paid
    assert sums(quarter, "settlement")["settlement"] == quarter.total


def test_an_approved_special_case_is_paid_as_fee_for_service_points_in_the_next_run_e13(
    demo_region,
):
    case = month_cases(demo_region, 4).order_by("-medfee_sumamt").first()
    item = DisputeItem.objects.create(
        kind=ItemKind.SPECIAL_CASE,
        institution=case.institution,
        period=case.period,
        case=case,
        reasons=["high_cost"],
        statement="费用极高",
        status=ItemStatus.DECIDED,
        decision=Decision.APPROVED_FFS,
        decision_reason="专家组同意按项目付费",
    )
    run = demo_region.run("monthly", 4)
    row = RunCase.objects.get(run=run, case=case)
    base = Fraction(run.catalog_version.build_summary["base_mean_exact"])
    # E13: points = cost ÷ all-case mean × 1000, no coefficient; M is the exact mean the group scores used
    assert (
        row.points == quantize(Fraction(case.medfee_sumamt) / base * 1000, 4)
        and row.special == "ffs"
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.APPLIED and item.applied_at is not None
    assert run.inputs["decisions"] == [item.pk]
    again = demo_region.run("monthly", 4)  # an applied decision stays applied in later runs
    assert RunCase.objects.get(run=again, case=case).points == row.points


def confirmed_finding(institution, amount: str, **charge) -> Finding:
    return Finding.objects.create(
        rule="split_admission",
        institution=institution,
        year=YEAR,
        month=5,
        severity="high",
        score=D("2"),
        description="分解住院",
        status=FindingStatus.CONFIRMED,
        amount=D(amount),
        **charge,
    )


def test_clearing_deducts_confirmed_findings_and_offsets_what_was_paid(demo_region):
    for month in range(1, 13):
        demo_region.run("monthly", month)
    annual = demo_region.run("annual")
    assert annual.status == RunStatus.COMPLETED, annual.error
    target = annual.institutions.order_by("-fund_due").first()
    confirmed_finding(target.institution, "12345.67", scheme="310", category="DIP")
    RevolvingFund.objects.create(
        region=demo_region.region,
        year=YEAR,
        scheme="310",
        category="DIP",
        institution=target.institution,
        amount=D("1000.00"),
        granted_at=f"{YEAR}-01-05",
    )
    clearing = demo_region.run("clearing")
    assert clearing.status == RunStatus.COMPLETED and clearing.base_run_id == annual.pk
    row = clearing.institutions.get(institution=target.institution)
    months = RunInstitution.objects.filter(
        run__run_type="monthly", run__status=RunStatus.COMPLETED, institution=target.institution
    )
    assert row.violations == D("12345.67") and row.revolving_fund == D("1000.00")
    assert (
        row.paid_before == months.aggregate(p=Sum("payment"))["p"]
        and row.deposit == months.aggregate(d=Sum("deposit"))["d"]
    )
    assert row.payment == row.final - row.paid_before - row.revolving_fund
    assert row.final == row.payable + row.compensation - row.violations - row.deposit_deduction
    assert "保证金按考核得分 100 分" in clearing.inputs["warnings"][0]


def test_a_finding_is_deducted_once_across_both_schemes_clearings_and_once_again_after_a_rerun(
    demo_region,
):
    annual = {scheme: demo_region.run("annual", scheme=scheme) for scheme in ("310", "390")}
    assert {run.status for run in annual.values()} == {RunStatus.COMPLETED}
    settled = [
        set(run.institutions.values_list("institution_id", flat=True)) for run in annual.values()
    ]
    both = set.intersection(*settled)
    target = (
        annual["310"]
        .institutions.filter(institution_id__in=both, institution__consortium_lead=None)
        .order_by("-fund_due")
        .first()
    )
    finding = confirmed_finding(target.institution, "3000.00", scheme="390", category="DIP")
    first = {scheme: demo_region.run("clearing", scheme=scheme) for scheme in ("310", "390")}
    rerun = demo_region.run("clearing", scheme="390")
    current = RunInstitution.objects.filter(
        run__run_type="clearing", run__status=RunStatus.COMPLETED, institution=target.institution
    )
    assert current.count() == 2 and current.aggregate(v=Sum("violations"))["v"] == D("3000.00")
    assert (
        current.get(run__scheme="390").violations == D("3000.00")
        and current.get(run__scheme="310").violations == zero()
    )
    first["390"].refresh_from_db()
    assert (first["390"].status, rerun.supersedes_id) == (RunStatus.SUPERSEDED, first["390"].pk)
    assert (first["310"].inputs["findings"], rerun.inputs["findings"]) == ([], [finding.pk])
    with pytest.raises(
        ValidationError, match="年终清算已运行"
    ):  # moving it now would leave the 390 clearing wrong
        supervision.finding_charge_set(
            actor=demo_region.officer, finding=finding, scheme="310", category="DIP"
        )


def test_clearing_refuses_a_deduction_it_would_lose_then_deducts_it_where_named(demo_region):
    assert demo_region.run("annual").status == RunStatus.COMPLETED
    newcomer = Institution.objects.create(
        region=demo_region.region, code="H37990000999", name="无结算机构", level="1", type="general"
    )
    stray = confirmed_finding(
        newcomer, "500.00", scheme="310", category="DIP"
    )  # no row in the annual run to deduct from
    refused = demo_region.run("clearing")
    assert (
        refused.status == RunStatus.FAILED
        and "无结算机构在2024年该类别的年度结算中没有结算行" in refused.error
    )
    stray.delete()
    target = (
        RunInstitution.objects.filter(run__run_type="annual", institution__consortium_lead=None)
        .order_by("-fund_due")
        .first()
    )
    finding = confirmed_finding(
        target.institution, "800.00"
    )  # confirmed before findings named a charge
    refused = demo_region.run("clearing")
    assert (
        refused.status == RunStatus.FAILED
        and f"#{finding.pk}" in refused.error
        and "未指定计入的险种和细分类别" in refused.error
    )
    supervision.finding_charge_set(
        actor=demo_region.officer, finding=finding, scheme="310", category="DIP"
    )
    cleared = demo_region.run("clearing")
    assert cleared.institutions.get(institution=target.institution).violations == D("800.00")
    assert (
        AuditEvent.objects.filter(action="finding_charge_set", object_id=str(finding.pk)).count()
        == 1
    )


def test_closing_needs_the_months_run_then_locks_it_and_the_year_closes_after_clearing(demo_region):
    period = SettlementPeriod.objects.get(region=demo_region.region, year=YEAR, month=1)
    with pytest.raises(ValidationError, match="有效月度预付运行"):
        services.period_close(actor=demo_region.officer, period=period)
    for scheme in ("310", "390"):
        demo_region.run("monthly", 1, scheme=scheme)
    with pytest.raises(
        ValidationError, match="还没有 职工基本医疗保险APG、城乡居民基本医疗保险APG 的"
    ):
        services.period_close(actor=demo_region.officer, period=period)
    for scheme in ("310", "390"):
        demo_region.run("monthly", 1, scheme=scheme, category="APG")
    period = services.period_close(actor=demo_region.officer, period=period)
    assert period.status == PeriodStatus.CLOSED
    with pytest.raises(ValidationError, match="已关账"):
        services.run_start(
            actor=demo_region.officer,
            region=demo_region.region,
            year=YEAR,
            scheme="310",
            category="DIP",
            run_type="monthly",
            number=1,
            dispatch=False,
        )
    with pytest.raises(ValidationError, match="年终清算运行"):
        services.year_close(actor=demo_region.officer, region=demo_region.region, year=YEAR)


def test_hospital_users_read_only_their_own_statements_and_case_results(
    demo_region, django_user_model
):
    run = demo_region.run("monthly", 1)
    own = demo_region.hospital_user.institution_id
    statements = selectors.statement_list_for_user(demo_region.hospital_user)
    assert set(statements.values_list("institution_id", flat=True)) <= {own}
    other_case = RunCase.objects.filter(run=run).exclude(institution_id=own).first()
    assert not selectors.case_results_for_user(
        demo_region.hospital_user, case_id=other_case.case_id
    ).exists()
    assert selectors.case_results_for_user(demo_region.officer, case_id=other_case.case_id).exists()
    assert not selectors.statement_list_for_user(
        django_user_model.objects.get(username="expert")
    ).exists()


def test_clearing_releases_the_deposit_by_the_approved_assessment_score(demo_region):
    from supervision.assessment import services as assessment

    for month in range(1, 13):
        demo_region.run("monthly", month)
    demo_region.run("annual")
    scheme = assessment.scheme_default_create(actor=demo_region.officer, region=demo_region.region)
    draft = assessment.assessment_compute(
        actor=demo_region.officer, region=demo_region.region, year=YEAR, scheme=scheme
    )
    for institution_id in draft.scores.filter(item_code="ONSITE").values_list(
        "institution_id", flat=True
    ):
        assessment.assessment_manual_set(
            actor=demo_region.officer,
            assessment=draft,
            institution=institution_id,
            item_code="ONSITE",
            points=D("4"),
        )
    assessment.assessment_submit(actor=demo_region.officer, assessment=draft)
    assessment.assessment_approve(actor=demo_region.admin, assessment=draft)
    scores = inputs.assessment_scores(region=demo_region.region, year=YEAR)
    clearing = demo_region.run("clearing")
    assert clearing.inputs["assessment"] is True and clearing.inputs["warnings"] == []
    for row in clearing.institutions.all():
        assert (
            row.assessment_score == scores[row.institution_id] < 100
        )  # 6 of the 10 on-site points lost
        assert row.deposit_deduction == to_fen(row.deposit * (1 - row.assessment_score / 100))


def test_cases_flagged_by_a_run_are_suggested_to_their_hospital_for_special_case_review(
    demo_region, client
):
    from disputes.selectors import review_suggestions

    own = demo_region.hospital_user.institution_id
    case = month_cases(demo_region, 1).filter(institution_id=own).order_by("id").first()
    CaseRecord.objects.filter(pk=case.pk).update(
        medfee_sumamt=case.medfee_sumamt * 40,
        psn_part_amt=case.psn_part_amt + case.medfee_sumamt * 39,
    )
    run = demo_region.run("monthly", 1)
    assert RunCase.objects.get(
        run=run, case=case
    ).needs_review  # 40 times its group's mean: extreme
    suggested = {s.case_id: s for s in review_suggestions(demo_region.hospital_user)}
    assert suggested[case.pk].reason == "extreme_deviation"
    assert set(suggested) <= set(
        RunCase.objects.filter(institution_id=own).values_list("case_id", flat=True)
    )
    client.force_login(demo_region.hospital_user)
    assert case.setl_id in client.get("/disputes/").content.decode()
    form = client.get(
        f"/disputes/new/?setl_id={case.setl_id}&period={case.period_id}&reasons=extreme_deviation"
    ).content.decode()
    assert f'value="{case.setl_id}"' in form and re.search(
        r'value="extreme_deviation"[^>]*checked', form
    )
    DisputeItem.objects.create(
        kind=ItemKind.SPECIAL_CASE,
        institution_id=own,
        period=case.period,
        case=case,
        reasons=["extreme_deviation"],
        statement="极端异常",
    )
    assert case.pk not in {
        s.case_id for s in review_suggestions(demo_region.hospital_user)
    }  # filed: no longer suggested
