"""Settlement-run pages: bureau-only run list, start (→ job page), detail with frozen inputs, charts and
changes, closing; statements and case explanations through ``for_user`` (another institution's → 404)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from accounts.choices import Role
from accounts.services import user_create
from catalogs.models import Institution
from config import lists
from config.spreadsheets import XLSX
from config.spreadsheets.responses import content_disposition
from settlement.choices import PeriodStatus
from settlement.engine.fixed import to_fen
from settlement.models import CaseRecord, SettlementPeriod
from settlement.runs import excel
from settlement.runs import selectors as run_selectors
from settlement.runs.choices import RunStatus
from settlement.runs.models import RunCase, RunInstitution, SettlementRun
from tests.config.test_lists import csv_rows
from tests.settlement.runs.conftest import YEAR, DemoRegion
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db


@dataclass
class Computed:
    """A demo region with month 1 run twice (a corrected case in between), and the year annual + cleared."""

    demo: DemoRegion
    first: SettlementRun
    monthly: SettlementRun
    clearing: SettlementRun
    own: RunInstitution  # the demo hospital's statement in ``monthly``
    other: RunInstitution  # another institution's
    other_user: object  # a hospital user of ``other``'s institution
    member_user: object  # a hospital user of a consortium member
    expert: object
    own_case: CaseRecord
    other_case: CaseRecord


def _hospital_user(username: str, institution: Institution):
    return user_create(
        actor=None,
        username=username,
        password=PASSWORD,
        role=Role.HOSPITAL,
        display_name=username,
        institution=institution,
    )


def computed_build() -> Computed:
    from catalogs.models import Region
    from demo.services import demo_generate

    demo_generate(actor="测试", years=2, cases_per_year=3000, end_year=YEAR, months_settled=False)
    users = get_user_model().objects
    demo = DemoRegion(
        Region.objects.get(),
        users.get(username="officer"),
        users.get(username="admin"),
        users.get(username="hospital"),
    )
    first = demo.run("monthly", 1)
    own_institution = demo.hospital_user.institution
    own_case = (
        RunCase.objects.filter(run=first, institution=own_institution)
        .select_related("case")
        .first()
        .case
    )
    CaseRecord.objects.filter(pk=own_case.pk).update(
        fund_pay_sumamt=own_case.fund_pay_sumamt - 100,
        hifp_pay=own_case.hifp_pay - 100,
        psn_part_amt=own_case.psn_part_amt + 100,
        version=own_case.version + 1,
    )
    monthly = demo.run("monthly", 1)
    demo.run("annual")
    clearing = demo.run("clearing")
    own = monthly.institutions.get(institution=own_institution)
    other = (
        monthly.institutions.exclude(institution=own_institution)
        .exclude(members=[])
        .order_by("institution__code")
        .first()
        or monthly.institutions.exclude(institution=own_institution).first()
    )
    member = (
        Institution.objects.filter(pk__in=other.members).order_by("code").first()
        or Institution.objects.filter(consortium_lead__isnull=False).order_by("code").first()
    )
    other_case = (
        RunCase.objects.filter(run=monthly, institution=other.institution)
        .select_related("case")
        .first()
        .case
    )
    return Computed(
        demo,
        first,
        monthly,
        clearing,
        own,
        other,
        _hospital_user("hosp_other", other.institution),
        _hospital_user("hosp_member", member),
        user_create(
            actor=None,
            username="expert_x",
            password=PASSWORD,
            role=Role.EXPERT,
            display_name="专家",
        ),
        own_case,
        other_case,
    )


@pytest.fixture(scope="module")
def computed(django_db_setup, django_db_blocker) -> Iterator[Computed]:
    """Built once per module in a transaction rolled back at its end; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield computed_build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def bureau_urls(c: Computed) -> list[str]:
    return [
        reverse("settlement:run_list"),
        reverse("settlement:run_start"),
        reverse("settlement:run_detail", args=[c.monthly.pk]),
        reverse("settlement:period_closing"),
    ]


def own_urls(c: Computed, row: RunInstitution, case: CaseRecord) -> list[str]:
    args = [row.run_id, row.institution.code]
    return [
        reverse("settlement:statement_detail", args=args),
        reverse("settlement:statement_export", args=args),
        reverse("settlement:case_points", args=[case.pk]),
        reverse("settlement:case_points_export", args=[case.pk]),
    ]


# --- permissions ----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in_from_every_page(computed, client):
    urls = [
        *bureau_urls(computed),
        *own_urls(computed, computed.own, computed.own_case),
        reverse("settlement:statement_list"),
        reverse("settlement:member_statement", args=[computed.monthly.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"], (
            url
        )


def test_hospital_and_expert_users_get_403_on_the_bureau_pages(computed, client_for):
    period = SettlementPeriod.objects.get(region=computed.demo.region, year=YEAR, month=2)
    for user in (computed.demo.hospital_user, computed.expert):
        client = client_for(user)
        for url in bureau_urls(computed):
            assert client.get(url).status_code == 403, url
        assert client.post(reverse("settlement:period_close", args=[period.pk])).status_code == 403
        assert (
            client.post(
                reverse("settlement:year_close"), {"region": computed.demo.region.pk, "year": YEAR}
            ).status_code
            == 403
        )
    assert SettlementPeriod.objects.get(pk=period.pk).status == PeriodStatus.OPEN


def test_a_hospital_reads_its_own_statement_cases_and_explanations_and_gets_404_for_another_institutions(
    computed, client_for
):
    client = client_for(computed.demo.hospital_user)
    for url in own_urls(computed, computed.own, computed.own_case):
        assert client.get(url).status_code == 200, url
    for url in own_urls(computed, computed.other, computed.other_case):
        assert client.get(url).status_code == 404, url
    assert (
        client.get(reverse("settlement:member_statement", args=[computed.monthly.pk])).status_code
        == 404
    )  # not a member


def test_the_other_hospital_gets_404_for_the_demo_hospitals_statement(computed, client_for):
    client = client_for(computed.other_user)
    for url in own_urls(computed, computed.own, computed.own_case):
        assert client.get(url).status_code == 404, url
    assert client.get(own_urls(computed, computed.other, computed.other_case)[0]).status_code == 200


# --- bureau pages ---------------------------------------------------------------------------------


def test_the_run_list_filters_by_type_and_status_in_a_bounded_number_of_queries(
    computed, client_for, django_assert_max_num_queries
):
    client = client_for(computed.demo.officer)
    with django_assert_max_num_queries(
        7
    ):  # session, user, count, page (runs with region, user, job), the user's regions
        body = client.get(reverse("settlement:run_list")).content.decode()
    assert f"#{computed.first.pk}" in body and f"#{computed.clearing.pk}" in body
    body = client.get(
        reverse("settlement:run_list"),
        {"run_type": "monthly", "status": "superseded", "year": YEAR},
    ).content.decode()
    assert (
        f"#{computed.first.pk}" in body
        and f"#{computed.monthly.pk}<" not in body
        and "年终清算" not in body.split("run-list")[1]
    )


def test_starting_a_run_queues_it_and_opens_its_job_progress_page(computed, client_for):
    client = client_for(computed.demo.officer)
    response = client.post(
        reverse("settlement:run_start"),
        {
            "region": computed.demo.region.pk,
            "year": YEAR,
            "scheme": "310",
            "category": "dip",
            "run_type": "monthly",
            "number": 2,
        },
    )
    run = SettlementRun.objects.get(run_type="monthly", number=2)
    assert (run.status, run.category, run.started_by) == (
        RunStatus.QUEUED,
        "DIP",
        computed.demo.officer,
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "jobs:job_detail", args=[run.job_id]
    )
    assert "已排队" in client.get(response["Location"]).content.decode()


def test_a_refused_start_shows_the_services_message_and_queues_nothing(computed, client_for):
    client = client_for(computed.demo.officer)
    data = {
        "region": computed.demo.region.pk,
        "year": YEAR,
        "scheme": "310",
        "category": "XYZ",
        "run_type": "monthly",
        "number": 2,
    }
    body = client.post(reverse("settlement:run_start"), data).content.decode()
    assert "XYZ结算参数，请先审批结算参数。" in body
    assert not SettlementRun.objects.filter(category="XYZ").exists()


def test_the_run_detail_shows_frozen_inputs_results_charts_and_the_changes_against_the_superseded_run(
    computed, client_for
):
    run = computed.monthly
    body = (
        client_for(computed.demo.officer)
        .get(reverse("settlement:run_detail", args=[run.pk]))
        .content.decode()
    )
    for text in (
        run.case_hash,
        run.input_hash,
        run.result_hash,
        reverse("catalogs:version_detail", args=[run.catalog_version_id]),
        reverse("settlement:parameter_detail", args=[run.parameter_set_id]),
        reverse("budgets:budget_detail", args=[run.budget_id]),
        f"{run.point_value:,.6f}",
        'data-chart="chart-deviations"',
        'data-chart="chart-points"',
        "vendor/echarts/echarts.min.js",
    ):
        assert text in body, text
    assert (
        'data-testid="run-changes"' in body
        and computed.own.institution.name in body.split('data-testid="run-changes"')[1]
    )
    assert "-95.00" in body  # 100 less booked, 5% of it withheld
    assert (
        reverse("settlement:statement_detail", args=[run.pk, computed.other.institution.code])
        in body
    )


def test_the_run_detail_shows_the_frozen_deviation_ratio_rounding_of_its_parameters(
    computed, client_for
):
    run = computed.monthly
    assert run.inputs["ratio_rounding"] == "exact"
    body = (
        client_for(computed.demo.officer)
        .get(reverse("settlement:run_detail", args=[run.pk]))
        .content.decode()
    )
    inputs = body.split('data-testid="run-inputs"')[1].split("</table>")[0]
    assert "偏差比舍入" in inputs and "不舍入，按精确偏差比判定与计算" in inputs


def test_the_statement_page_shows_the_stored_figures_and_filters_the_cases_by_deviation(
    computed, client_for
):
    row = computed.own
    url = reverse("settlement:statement_detail", args=[row.run_id, row.institution.code])
    client = client_for(computed.demo.officer)
    body = client.get(url).content.decode()
    for value in (
        f"{row.points:,.4f}",
        f"{row.settlement:,.2f}",
        f"{row.fund_due:,.2f}",
        f"{row.deposit:,.2f}",
        f"{row.payment:,.2f}",
        f"{computed.monthly.point_value:,.6f}",
        "按病种类型",
        "按偏差类型",
    ):
        assert value in body, value
    low = RunCase.objects.filter(
        run=row.run, booked=row.institution, deviation="low"
    ).select_related("case")
    normal = (
        RunCase.objects.filter(run=row.run, booked=row.institution, deviation="normal")
        .select_related("case")
        .first()
    )
    filtered = client.get(url, {"deviation": "low"}).content.decode()
    assert all(c.case.setl_id in filtered for c in low[:5]) and normal.case.setl_id not in filtered


def test_the_clearing_statement_shows_the_sharing_band_and_deductions(computed, client_for):
    row = computed.clearing.institutions.get(institution=computed.own.institution)
    body = client_for(computed.demo.hospital_user).get(
        reverse("settlement:statement_detail", args=[row.run_id, row.institution.code])
    )
    text = body.content.decode()
    for label in (
        "年终清算分担",
        "清算分档",
        row.band,
        "扣减",
        "考核扣减保证金",
        f"{row.final:,.2f}",
        f"{row.payment:,.2f}",
    ):
        assert label in text, label


# --- hospital pages -------------------------------------------------------------------------------


def test_my_statements_lists_only_the_hospitals_own_in_a_bounded_number_of_queries(
    computed, client_for, django_assert_max_num_queries
):
    client = client_for(computed.demo.hospital_user)
    # session, user, count, institution, statements, member shares; the header's region and unread notices
    with django_assert_max_num_queries(8):
        body = client.get(reverse("settlement:statement_list")).content.decode()
    own = RunInstitution.objects.filter(institution=computed.own.institution).count()
    assert (
        body.count(
            reverse(
                "settlement:statement_export",
                args=[computed.monthly.pk, computed.own.institution.code],
            )
        )
        == 1
    )
    assert body.count("statement.xlsx") == own and computed.other.institution.name not in body


def test_a_consortium_member_sees_its_own_share_with_the_note_that_points_are_booked_to_the_lead(
    computed, client_for
):
    member = computed.member_user.institution
    lead_row = computed.monthly.institutions.get(institution_id=member.consortium_lead_id)
    client = client_for(computed.member_user)
    listing = client.get(reverse("settlement:statement_list")).content.decode()
    assert reverse("settlement:member_statement", args=[computed.monthly.pk]) in listing
    body = client.get(
        reverse("settlement:member_statement", args=[computed.monthly.pk])
    ).content.decode()
    cases = RunCase.objects.filter(run=computed.monthly, institution=member)
    assert (
        "计入牵头机构" in body
        and f"{sum(c.points for c in cases):,.4f}" in body
        and f">{cases.count():,}<" in body
    )
    lead_url = reverse(
        "settlement:statement_detail", args=[computed.monthly.pk, lead_row.institution.code]
    )
    assert client.get(lead_url).status_code == 404  # the lead's statement is the lead's


def member_share(computed) -> tuple[Decimal, Decimal, Decimal]:
    """(points, points × PV rounded once, Σ per-case amounts) of the member's cases in the monthly run."""
    cases = RunCase.objects.filter(
        run=computed.monthly, institution=computed.member_user.institution
    )
    points = sum((c.points for c in cases), Decimal(0))
    return (
        points,
        to_fen(points * computed.monthly.point_value),
        sum((c.amount for c in cases), Decimal("0.00")),
    )


def test_the_member_share_shows_one_rounding_of_points_times_pv_and_reconciles_the_per_case_sum(
    computed, client_for
):
    points, amount, case_sum = member_share(computed)
    body = (
        client_for(computed.member_user)
        .get(reverse("settlement:member_statement", args=[computed.monthly.pk]))
        .content.decode()
    )
    shown = dict(re.findall(r'data-testid="line-([^"]+)">([^<]+)</td>', body))
    assert shown["折算金额（本机构病例点数×点值，四舍五入到分）"] == f"{amount:,.2f}"
    assert shown["逐例折算金额合计（各病例点数×点值分别四舍五入到分后相加）"] == f"{case_sum:,.2f}"
    assert shown["逐例舍入差异（逐例合计 − 折算金额）"] == f"{case_sum - amount:,.2f}"
    assert (
        "折算金额（点数×点值）" not in body
    )  # the per-case sum no longer carries the label of points × PV


def test_a_member_downloads_its_share_as_a_workbook_and_no_one_else_can(computed, client_for):
    url = reverse("settlement:member_statement_export", args=[computed.monthly.pk])
    response = client_for(computed.member_user).get(url)
    member = computed.member_user.institution
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == content_disposition(
        f"member-share-{computed.monthly.pk}-{member.code}.xlsx"
    )
    sheet = load_workbook(BytesIO(response.content)).active
    cells = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    points, amount, case_sum = member_share(computed)
    shown = [
        Decimal(str(cells[label]))
        for label in ("本机构病例点数", excel.MEMBER_AMOUNT, excel.MEMBER_CASE_SUM)
    ]  # numbers, not text
    assert shown == [points, amount, case_sum]
    setl_ids = {row[0] for row in sheet.iter_rows(values_only=True)}
    assert all(
        c.case.setl_id in setl_ids
        for c in RunCase.objects.filter(run=computed.monthly, institution=member).select_related(
            "case"
        )
    )
    for user in (
        computed.demo.hospital_user,
        computed.other_user,
        computed.demo.officer,
        computed.expert,
    ):
        assert client_for(user).get(url).status_code in (403, 404), user


def test_the_case_points_page_explains_every_run_of_the_case(computed, client_for):
    body = (
        client_for(computed.demo.hospital_user)
        .get(reverse("settlement:case_points", args=[computed.own_case.pk]))
        .content.decode()
    )
    for result in RunCase.objects.filter(case=computed.own_case).select_related("run"):
        for value in (
            f"#{result.run_id} ",
            f"{result.points:,.4f}",
            f"{result.amount:,.2f}",
            str(result.ratio),
            str(result.inst_coef),
        ):
            assert value in body, value
    assert "核心病种" in body or "综合病种" in body or "不能入组" in body


# --- closing --------------------------------------------------------------------------------------


def test_closing_a_month_without_every_categorys_run_is_refused_with_the_reason(
    computed, client_for
):
    period = SettlementPeriod.objects.get(region=computed.demo.region, year=YEAR, month=2)
    client = client_for(computed.demo.officer)
    page = client.get(
        reverse("settlement:period_closing"), {"region": computed.demo.region.code, "year": YEAR}
    ).content.decode()
    assert reverse("settlement:period_close", args=[period.pk]) in page
    body = client.post(
        reverse("settlement:period_close", args=[period.pk]), follow=True
    ).content.decode()
    assert (
        "不能关账" in body
        and SettlementPeriod.objects.get(pk=period.pk).status == PeriodStatus.OPEN
    )
    body = client.post(
        reverse("settlement:year_close"),
        {"region": computed.demo.region.pk, "year": YEAR},
        follow=True,
    ).content.decode()
    assert "不能关账" in body


def test_an_officer_closes_a_month_once_every_category_with_cases_has_its_run(computed, client_for):
    from settlement.parameters.models import ParameterSet

    ParameterSet.objects.filter(
        region=computed.demo.region, year=YEAR, category="APG"
    ).delete()  # no APG catalog in the demo year
    computed.demo.run("monthly", 1, scheme="390")
    period = SettlementPeriod.objects.get(region=computed.demo.region, year=YEAR, month=1)
    body = (
        client_for(computed.demo.officer)
        .post(reverse("settlement:period_close", args=[period.pk]), follow=True)
        .content.decode()
    )
    assert (
        f"{YEAR}年1月已关账。" in body
        and SettlementPeriod.objects.get(pk=period.pk).status == PeriodStatus.CLOSED
    )
    assert 'data-testid="close-1"' not in body and 'data-testid="close-2"' in body


@pytest.mark.parametrize("who", ["officer", "hospital_user"])
def test_the_statement_walks_its_cases_by_keyset_in_bounded_queries(
    computed, client_for, who, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr("settlement.runs.views.PAGE_SIZE", 2)
    row, user = computed.own, getattr(computed.demo, who)
    expected = list(
        run_selectors.run_case_list_for_user(user, run=row.run, institution_id=row.institution_id)
        .order_by("case_id")
        .values_list("case__setl_id", flat=True)
    )
    assert len(expected) > 4  # three pages or more
    url = reverse("settlement:statement_detail", args=[row.run_id, row.institution.code])
    client, seen, query = client_for(user), [], {}
    while True:
        # session, user, statement, publication and answer, cases, count, header; not the page depth
        with django_assert_max_num_queries(14):
            response = client.get(url, query)
        page = response.context["cases"]
        seen += [c.case.setl_id for c in page]
        assert f"共 {len(expected)} 条" in response.content.decode()
        if not page.next_cursor:
            break
        query = {"cursor": page.next_cursor}
    assert seen == expected


# --- the run list as a declared list page (config.lists): sort, filter, export, bureau only -----

RUNS = reverse("settlement:run_list")


def ids(response) -> list[int]:
    return [run.pk for run in response.context["page"]]


def test_the_run_list_sorts_filters_and_exports(computed, client_for):
    client = client_for(computed.demo.officer)
    every = sorted(SettlementRun.objects.values_list("pk", flat=True))
    assert ids(client.get(RUNS, {"sort": "id"})) == every
    assert ids(client.get(RUNS, {"sort": "-id"})) == every[::-1]
    superseded = {"run_type": "monthly", "status": "superseded", "year": YEAR}
    assert ids(client.get(RUNS, superseded)) == [computed.first.pk]
    rows = csv_rows(client.get(RUNS, {**superseded, "export": "csv"}))
    assert rows[0][:3] == ["编号", "统筹区", "期间"] and len(rows) == 2
    assert rows[1][0] == str(computed.first.pk) and rows[1][5] == "已被替代"
    assert rows[1][rows[0].index("结算总额（元）")] == str(computed.first.total)


def test_the_run_list_refuses_a_bad_year_in_chinese(computed, client_for):
    response = client_for(computed.demo.officer).get(RUNS, {"year": "abc"})
    assert response.status_code == 200 and lists.ERR_FILTER in response.content.decode()
    assert ids(response) == []


def test_hospitals_export_no_runs(computed, client_for):
    assert client_for(computed.other_user).get(RUNS, {"export": "csv"}).status_code == 403
