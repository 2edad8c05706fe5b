"""Settlement-run pages. Bureau: the run list, starting a run (→ the job's progress page), a run's
frozen inputs and results, closing months and years. Everyone through ``for_user``: statements
(结算单, page and Excel), an institution's cases in a run, and a case's points explanation
(病例点数明细) — a hospital sees its own institution's only, another's is 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.decorators import bureau_view, error_messages
from accounts.regions import (
    in_user_regions,
    region_check,
    region_fields_scope,
    region_from_query,
    regions_for_user,
)
from catalogs.models import Region
from config.keyset import keyset_page_or_first
from config.lists import ListPage
from config.spreadsheets import download_response
from settlement import selectors as case_selectors
from settlement.models import SettlementPeriod
from settlement.parameters import domain as parameter_domain
from settlement.partitions.selectors import case_year_archived
from settlement.publication import selectors as publication_selectors
from settlement.publication.forms import ConfirmForm, ObjectionForm, PublishForm
from settlement.publication.services import PUBLISH
from settlement.runs import excel, selectors, services
from settlement.runs.domain import DEVIATION_LABELS
from settlement.runs.filtersets import RunFilters
from settlement.runs.forms import CaseFilterForm, RunStartForm, YearCloseForm
from settlement.runs.models import RunInstitution, SettlementRun
from settlement.runs.tables import RunTable
from supervision.dashboards.charts import chart, series

VIEW, START, CLOSE = (
    "settlement.view_settlementrun",
    "settlement.add_settlementrun",
    "settlement.close_settlementperiod",
)
PAGE_SIZE = 50
MSG_STARTED = "结算运行 #{pk}（{label}）已排队，计算完成后可在结算运行列表中查看结果。"
MSG_PERIOD_CLOSED = "{label}已关账。"
MSG_YEAR_CLOSED = "{year}年度已关账（本次关闭 {count} 个月份）。"


def _run(request: HttpRequest, pk: int) -> SettlementRun:
    try:
        run = selectors.run_get(pk)
    except SettlementRun.DoesNotExist:
        raise Http404 from None
    region_check(request.user, run.region_id)
    return run


class RunListView(ListPage):
    """结算运行: the runs of the user's regions, newest first."""

    table_class = RunTable
    filterset_class = RunFilters
    template_name = "settlement/runs/run_list.html"
    export_name = "结算运行"

    def get_queryset(self):
        return in_user_regions(selectors.run_list(), self.request.user)

    def get_context_data(self, **context) -> dict:
        return {**context, "can_start": self.request.user.has_perm(START)}


run_list = bureau_view(VIEW)(RunListView.as_view())


@bureau_view(START)
def run_start(request: HttpRequest) -> HttpResponse:
    form = region_fields_scope(RunStartForm(request.POST or None), request)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.run_start(actor=request.user, **form.cleaned_data)
        except ValidationError as refused:
            error_messages(request, refused)
        else:
            messages.success(request, MSG_STARTED.format(pk=run.pk, label=run.period_label))
            return redirect("jobs:job_detail", pk=run.job_id)
    return render(request, "settlement/runs/run_start.html", {"form": form})


def _charts(run: SettlementRun, rows: list[RunInstitution]) -> dict:
    """Deviation distribution and points by institution (specs drawn by static/js/charts.js)."""
    deviations = run.summary.get("deviations", {})
    by_points = sorted(rows, key=lambda row: row.points)
    return {
        "deviation_chart": chart(
            [DEVIATION_LABELS.get(k, k) for k in deviations], series("病例数", deviations.values())
        ),
        "points_chart": chart(
            [row.institution.name for row in by_points],
            series("有效点数", [row.points for row in by_points]),
            horizontal=True,
            unit="点",
        ),
    }


@bureau_view(VIEW)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    rows = list(selectors.run_statement_rows(run))
    changes = run.summary.get("changes", [])
    names = selectors.institution_names([c["institution"] for c in changes])
    context = {
        "run": run,
        "rows": rows,
        "changes": [{**c, "name": names.get(c["institution"], c["institution"])} for c in changes],
        "deviations": {
            DEVIATION_LABELS.get(k, k): n for k, n in run.summary.get("deviations", {}).items()
        },
        "warnings": run.inputs.get("warnings", []),
        "ratio_rounding": _ratio_rounding(run),
        **_charts(run, rows),
        "publication": publication_selectors.publication_of(run),
        "can_publish": request.user.has_perm(PUBLISH),
        "publish_form": PublishForm(),
        "frozen_states": len(run.institution_states),
    }
    return render(request, "settlement/runs/run_detail.html", context)


def _ratio_rounding(run: SettlementRun) -> str:
    """偏差比舍入 the run froze (runs before it was a parameter have none)."""
    value = run.inputs.get("ratio_rounding")
    return parameter_domain.choice_label("ratio_rounding", value) if value else ""


def _statement(request: HttpRequest, pk: int, code: str) -> RunInstitution:
    try:
        return selectors.statement_get_for_user(request.user, run_id=pk, institution_code=code)
    except RunInstitution.DoesNotExist:
        raise Http404 from None


def _paged_cases(request: HttpRequest, cases: QuerySet) -> dict:
    """The run's cases of one institution by keyset (an annual run books a large hospital 100,000+)."""
    form = CaseFilterForm(request.GET or None)
    if form.deviation_value():
        cases = cases.filter(deviation=form.deviation_value())
    return {
        "case_form": form,
        "cases": keyset_page_or_first(
            request, cases, ordering=selectors.RUN_CASE_ORDERING, size=PAGE_SIZE
        ),
        "deviation_labels": DEVIATION_LABELS,
    }


@login_required
def statement_detail(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """An institution's statement of a run with its cases (the bureau's drill-down; a hospital's own),
    addressed by the run and the institution's national code."""
    row = _statement(request, pk, code)
    cases = selectors.run_case_list_for_user(
        request.user, run=row.run, institution_id=row.institution_id
    )
    context = {
        "row": row,
        "run": row.run,
        "title": excel.statement_title(row),
        "sections": excel.statement_sections(row),
        "breakdowns": excel.breakdown_tables(row),
        "members": selectors.institution_names(row.members).values(),
        "cases_archived": case_year_archived(row.run.year),
        **_paged_cases(request, cases),
        **_answer_context(row),
    }
    return render(request, "settlement/runs/statement_detail.html", context)


def _answer_context(row: RunInstitution) -> dict:
    """The statement's publication (公示), its answer and, for the hospital while the window is open, the forms."""
    publication = publication_selectors.publication_of(row.run)
    response = publication_selectors.response_of(row) if publication else None
    is_open = bool(
        publication
        and response is None
        and row.run.is_current
        and timezone.localdate() <= publication.deadline
    )
    return {
        "publication": publication,
        "response": response,
        "objection": publication_selectors.objection_of(row) if response else None,
        "answer_open": is_open,
        "confirm_form": ConfirmForm(),
        "objection_form": ObjectionForm(),
    }


@login_required
def statement_export(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    row = _statement(request, pk, code)
    content = excel.statement_workbook(
        row, members=list(selectors.institution_names(row.members).values())
    )
    return download_response(content, f"statement-{row.run_id}-{row.institution.code}.xlsx")


@login_required
def statement_list(request: HttpRequest) -> HttpResponse:
    """我的结算单 (a hospital's own; the bureau's of the region), and a consortium member's shares of its lead's."""
    year = request.GET.get("year", "")
    rows = selectors.statement_list_for_user(
        request.user, year=int(year) if year.isdigit() else None
    )
    context = {
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "year": year,
        "member_runs": selectors.member_run_list_for_user(request.user),
    }
    return render(request, "settlement/runs/statement_list.html", context)


def _member_share(request: HttpRequest, pk: int) -> tuple[selectors.MemberShareRow, QuerySet]:
    """The user's own share of run ``pk`` (a consortium member hospital's; 404 for anyone else) and its cases."""
    if not getattr(request.user, "is_hospital", False):
        raise Http404
    row = next(iter(selectors.member_share_list_for_user(request.user, run_id=pk)), None)
    if row is None:
        raise Http404
    return row, selectors.run_case_list_for_user(request.user, run=row.run).filter(
        institution_id=row.institution.pk
    )


@login_required
def member_statement(request: HttpRequest, pk: int) -> HttpResponse:
    """A consortium member's own share of a run (its cases are booked to the lead's statement)."""
    row, cases = _member_share(request, pk)
    context = {
        "run": row.run,
        "institution": row.institution,
        "sections": excel.member_sections(row.share),
        "note": excel.MEMBER_NOTE,
        **_paged_cases(request, cases),
    }
    return render(request, "settlement/runs/member_statement.html", context)


@login_required
def member_statement_export(request: HttpRequest, pk: int) -> HttpResponse:
    row, cases = _member_share(request, pk)
    content = excel.member_share_workbook(row.run, row.institution, row.share, cases)
    return download_response(content, f"member-share-{row.run.pk}-{row.institution.code}.xlsx")


@login_required
def case_points(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_selectors.case_get_for_user(request.user, pk)
    rows = excel.case_point_rows(selectors.case_results_for_user(request.user, case_id=case.pk))
    return render(
        request,
        "settlement/runs/case_points.html",
        {"case": case, "rows": rows, "columns": excel.CASE_COLUMNS},
    )


@login_required
def case_points_export(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_selectors.case_get_for_user(request.user, pk)
    content = excel.case_points_workbook(
        case, selectors.case_results_for_user(request.user, case_id=case.pk)
    )
    return download_response(content, f"case-points-{case.setl_id}.xlsx")


def _closing_url(region: Region, year: int | None) -> str:
    return f"{reverse('settlement:period_closing')}?region={region.code}&year={year or ''}"


@bureau_view(CLOSE)
def period_closing(request: HttpRequest) -> HttpResponse:
    regions, region = regions_for_user(request.user), region_from_query(request)
    years = selectors.period_years(region) if region else []
    year = (
        int(request.GET["year"])
        if request.GET.get("year", "").isdigit()
        else (years[0] if years else None)
    )
    periods = selectors.periods_of(region=region, year=year, months=range(1, 13)) if year else []
    context = {
        "regions": regions,
        "region": region,
        "years": years,
        "year": year,
        "periods": periods,
    }
    return render(request, "settlement/runs/period_closing.html", context)


@require_POST
@bureau_view(CLOSE)
def period_close(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(
        in_user_regions(SettlementPeriod.objects.select_related("region"), request.user), pk=pk
    )
    try:
        services.period_close(actor=request.user, period=period)
    except ValidationError as refused:
        error_messages(request, refused)
    else:
        messages.success(
            request, MSG_PERIOD_CLOSED.format(label=f"{period.year}年{period.month}月")
        )
    return redirect(_closing_url(period.region, period.year))


@require_POST
@bureau_view(CLOSE)
def year_close(request: HttpRequest) -> HttpResponse:
    form = region_fields_scope(YearCloseForm(request.POST), request)
    if not form.is_valid():
        raise Http404
    region, year = form.cleaned_data["region"], form.cleaned_data["year"]
    try:
        count = services.year_close(actor=request.user, region=region, year=year)
    except ValidationError as refused:
        error_messages(request, refused)
    else:
        messages.success(request, MSG_YEAR_CLOSED.format(year=year, count=count))
    return redirect(_closing_url(region, year))
