"""What-if simulation and forecast pages (bureau only): start a simulation of a run, read its comparison,
see the year-end point-value forecast."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.decorators import bureau_view, error_messages
from accounts.regions import in_user_regions, region_from_query
from catalogs.choices import Scheme
from catalogs.models import Region
from jobs.models import Job
from jobs.services import JobRefused, job_start
from settlement.runs import simulation
from settlement.runs.choices import RunType
from settlement.runs.domain import input_hash
from settlement.runs.models import SettlementRun
from supervision.dashboards.charts import chart, series

VIEW, RUN = "settlement.view_settlementrun", "settlement.add_settlementrun"
MONEY = {"max_digits": 16, "decimal_places": 2, "min_value": Decimal(0), "required": False}
RATIO = {"max_digits": 8, "decimal_places": 4, "min_value": Decimal(0), "required": False}


class SimulationForm(forms.Form):
    pool = forms.DecimalField(
        label="可分配基金（元）",
        help_text="留空则用预算数；年度结算为年度预算（不含风险备用金结余）",
        **MONEY,
    )
    reserve_share = forms.DecimalField(
        label="风险备用金结余纳入结算（元）", help_text="仅年度结算", **MONEY
    )
    low_ratio = forms.DecimalField(label="费用极低判定倍率", **RATIO)
    high_ratio = forms.DecimalField(label="费用极高判定倍率", **RATIO)
    extreme_ratio = forms.DecimalField(label="极端异常判定倍率", **RATIO)
    coefficients = forms.CharField(
        label="机构系数调整",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一个：机构编码=系数，如 H37080200001=1.05",
    )

    def scenario(self) -> simulation.Scenario:
        data = self.cleaned_data
        return simulation.Scenario(
            pool=data["pool"],
            reserve_share=data["reserve_share"],
            thresholds={k: data[k] for k in simulation.THRESHOLDS if data[k] is not None},
            coefficients=simulation.coefficients_parse(data["coefficients"] or ""),
        )


@bureau_view(RUN)
def run_simulate(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(in_user_regions(SettlementRun.objects.all(), request.user), pk=pk)
    form = SimulationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scenario = form.scenario()
            job = job_start(
                actor=request.user,
                kind=simulation.JOB_KIND,
                key=f"simulate:{run.pk}:{input_hash(scenario.as_params())[:16]}",
                params={"run_id": run.pk, "scenario": scenario.as_params()},
            )
        except ValidationError as refused:
            error_messages(request, refused)
        except JobRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, "模拟测算已开始；完成后打开本页下方的测算结果。")
            return redirect("settlement:simulation_detail", job_id=job.pk)
    return render(request, "settlement/runs/simulate.html", {"run": run, "form": form})


@bureau_view(VIEW)
def simulation_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(Job, pk=job_id, kind=simulation.JOB_KIND)
    run = get_object_or_404(
        in_user_regions(SettlementRun.objects.all(), request.user), pk=job.params["run_id"]
    )
    result = job.summary if job.summary.get("institutions") is not None else None
    rows = sorted(result["institutions"], key=lambda r: Decimal(r["difference"])) if result else []
    context = {
        "job": job,
        "run": run,
        "result": result,
        "rows": rows,
        "measure_label": simulation.MEASURE_LABELS.get(result["measure"], "") if result else "",
    }
    return render(request, "settlement/runs/simulation_detail.html", context)


@bureau_view(VIEW)
def forecast(request: HttpRequest) -> HttpResponse:
    region = region_from_query(request)
    if region is None:
        raise Http404
    year = (
        int(request.GET["year"]) if request.GET.get("year", "").isdigit() else _latest_year(region)
    )
    scheme = (
        request.GET.get("scheme")
        if request.GET.get("scheme") in Scheme.values
        else Scheme.values[0]
    )
    category = (request.GET.get("category") or "DIP").upper()
    view = (
        simulation.point_value_forecast(region=region, year=year, scheme=scheme, category=category)
        if year
        else None
    )
    context = {
        "region": region,
        "year": year,
        "scheme": scheme,
        "category": category,
        "view": view,
        "schemes": Scheme.choices,
        "chart": _forecast_chart(view) if view else None,
    }
    return render(request, "settlement/runs/forecast.html", context)


def _latest_year(region: Region) -> int | None:
    return (
        SettlementRun.objects.filter(region=region, run_type=RunType.MONTHLY)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


def _forecast_chart(view: simulation.ForecastView) -> dict:
    """Monthly point values so far, and the forecast year-end value with its range as flat lines."""
    months = [f"{m}月" for m in range(1, 13)]
    lines = [
        series("月度点值", view.point_values + [None] * (12 - len(view.point_values)), kind="line")
    ]
    if view.forecast:
        for name, value in (
            ("预测年终点值", view.forecast.point_value),
            ("预测下限", view.forecast.point_value_low),
            ("预测上限", view.forecast.point_value_high),
        ):
            lines.append(series(name, [value] * 12, kind="line", dashed=True))
    return chart(months, *lines, unit="元/点")
