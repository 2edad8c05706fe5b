from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.regions import in_user_regions, region_current
from config.lists import ListPage
from jobs.services import JobRefused, job_start
from supervision import anomalies, selectors, services
from supervision.choices import FindingStatus
from supervision.filtersets import FindingFilters
from supervision.forms import (
    THRESHOLD_LABELS,
    FindingChargeForm,
    FindingConfirmForm,
    FindingDismissForm,
    RuleSetForm,
    SupervisionRunForm,
)
from supervision.models import RuleSet
from supervision.tables import FindingTable

ERR_ADMIN_ONLY = "仅经办机构管理员可查看审计日志。"


ERR_SUPERVISION_BUREAU = "仅经办机构用户可以访问监管页面。"
ERR_HOSPITAL_ONLY = "此页面仅供医疗机构用户查看本机构监管结果。"
ERR_RUN_YEAR = "请填写有效的年度（及月份）。"
ERR_NO_REGION = "尚未建立统筹区。"
#: The indicators of the monthly table, in display order.
TABLE_INDICATORS = [
    "cases",
    "stays",
    "cost_per_stay",
    "avg_stay",
    "readmission_rate",
    "transfer_out_rate",
    "deaths",
    "self_pay_share",
    "drug_share",
    "cases_growth",
]


def supervision_view(view: Callable) -> Callable:
    """Login required; bureau users only (hospital and expert users get 403). Writes check the review permission."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_bureau:
            raise PermissionDenied(ERR_SUPERVISION_BUREAU)
        return view(request, *args, **kwargs)

    return wrapped


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class FindingListView(ListPage):
    """Bureau: all findings of the current region with filters. A hospital user is sent to its own
    results page."""

    table_class = FindingTable
    filterset_class = FindingFilters
    template_name = "supervision/finding_list.html"
    export_name = "监管发现"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated and request.user.is_hospital:
            return redirect("supervision:my_results")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if not self.request.user.is_bureau:
            raise PermissionDenied(ERR_SUPERVISION_BUREAU)
        region = region_current(self.request)
        return selectors.finding_list_for_user(self.request.user, region=region)

    def get_context_data(self, **context) -> dict:
        region = region_current(self.request)
        year = (selectors.supervision_years(region) or [None])[0]
        context["run_form"] = SupervisionRunForm(initial={"year": year})
        context["can_review"] = self.request.user.has_perm(services.REVIEW)
        return context


def _charges(finding) -> dict:
    """The charge forms' choices: the (scheme, category) pairs of the finding's year."""
    return {
        "charges": selectors.charge_choices(region=finding.institution.region_id, year=finding.year)
    }


@supervision_view
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    finding = selectors.finding_get_for_user(request.user, pk)
    may_review = request.user.has_perm(services.REVIEW)
    initial = {"charge": f"{finding.scheme}/{finding.category}"} if finding.scheme else {}
    context = {
        "finding": finding,
        "cases": selectors.finding_evidence_cases(finding, request.user),
        "can_review": may_review and finding.status == FindingStatus.OPEN,
        "can_charge": may_review and finding.status != FindingStatus.DISMISSED,
        "confirm_form": FindingConfirmForm(initial=initial, **_charges(finding)),
        "dismiss_form": FindingDismissForm(),
        "charge_form": FindingChargeForm(initial=initial, **_charges(finding)),
    }
    return render(request, "supervision/finding_detail.html", context)


def _review(
    request: HttpRequest, pk: int, form_class, service: Callable, done: str
) -> HttpResponse:
    finding = selectors.finding_get_for_user(request.user, pk)
    if not request.user.has_perm(services.REVIEW):
        raise PermissionDenied(services.ERR_REVIEW_PERMISSION)
    form = form_class(
        request.POST, **(_charges(finding) if issubclass(form_class, FindingChargeForm) else {})
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("supervision:finding_detail", pk=finding.pk)
    try:
        service(actor=request.user, finding=finding, **form.cleaned_data)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("supervision:finding_detail", pk=finding.pk)


@require_POST
@supervision_view
def finding_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(
        request,
        pk,
        FindingConfirmForm,
        services.finding_confirm,
        "已确认该监管发现，扣减金额将在清算时执行。",
    )


@require_POST
@supervision_view
def finding_charge(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(
        request,
        pk,
        FindingChargeForm,
        services.finding_charge_set,
        "已更新计入的险种和细分类别。",
    )


@require_POST
@supervision_view
def finding_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, pk, FindingDismissForm, services.finding_dismiss, "已排除该监管发现。")


def _start(request: HttpRequest, kind: str, label: str) -> HttpResponse:
    if not request.user.has_perm(services.REVIEW):
        raise PermissionDenied(services.ERR_REVIEW_PERMISSION)
    form = SupervisionRunForm(request.POST)
    region = region_current(request)
    if not form.is_valid() or region is None:
        messages.error(request, ERR_RUN_YEAR if region else ERR_NO_REGION)
        return redirect("supervision:finding_list")
    year, month = form.cleaned_data["year"], form.cleaned_data.get("month")
    params = {"region_id": region.pk, "year": year, **({"month": month} if month else {})}
    try:
        job = job_start(
            actor=request.user, kind=kind, key=f"{kind}:{region.pk}:{year}", params=params
        )
    except JobRefused as refused:
        messages.error(request, str(refused))
        return redirect("supervision:finding_list")
    messages.success(request, f"已提交{label}任务。")
    return redirect("jobs:job_detail", pk=job.pk)


@require_POST
@supervision_view
def findings_detect(request: HttpRequest) -> HttpResponse:
    return _start(request, "supervision_detect", "违规筛查")


@require_POST
@supervision_view
def indicators_compute(request: HttpRequest) -> HttpResponse:
    return _start(request, "indicators_compute", "监管指标与数据质量计算")


def _period(request: HttpRequest) -> tuple[int | None, int | None, list[tuple[int, int]]]:
    periods = selectors.indicator_periods(region_current(request))
    year, month = _int(request.GET.get("year")), _int(request.GET.get("month"))
    if (year, month) not in periods:
        year, month = periods[0] if periods else (None, None)
    return year, month, periods


@supervision_view
def indicator_table(request: HttpRequest) -> HttpResponse:
    """The month's indicators of every institution, with the region's median and P90 of each."""
    year, month, periods = _period(request)
    table = (
        selectors.indicator_table_for_user(
            request.user,
            year=year,
            month=month,
            codes=TABLE_INDICATORS,
            region=region_current(request),
        )
        if year
        else None
    )
    context = {
        "year": year,
        "month": month,
        "periods": periods,
        "table": table,
        "run_form": SupervisionRunForm(initial={"year": year}),
        "can_review": request.user.has_perm(services.REVIEW),
    }
    return render(request, "supervision/indicator_table.html", context)


@supervision_view
def quality_table(request: HttpRequest) -> HttpResponse:
    """The data-quality scores of the year, institution × month."""
    years = selectors.supervision_years(region_current(request))
    year = _int(request.GET.get("year")) or (years[0] if years else None)
    rows = (
        selectors.quality_table_for_user(request.user, year=year, region=region_current(request))
        if year
        else []
    )
    return render(
        request,
        "supervision/quality_table.html",
        {"year": year, "years": years, "rows": rows, "months": range(1, 13)},
    )


@login_required
def my_results(request: HttpRequest) -> HttpResponse:
    """监管结果 for a hospital user: its confirmed findings, its indicators against the region's median and P90,
    and its data-quality scores of the year."""
    if not request.user.is_hospital:
        raise PermissionDenied(ERR_HOSPITAL_ONLY)
    year, month, periods = _period(request)
    table = (
        selectors.indicator_table_for_user(
            request.user,
            year=year,
            month=month,
            codes=TABLE_INDICATORS,
            region=region_current(request),
        )
        if year
        else None
    )
    own = table["rows"][0]["cells"] if table and table["rows"] else [None] * len(TABLE_INDICATORS)
    indicators_rows = (
        list(zip(table["columns"], own, table["benchmarks"], strict=True)) if table else []
    )
    quality = (
        selectors.quality_table_for_user(request.user, year=year, region=region_current(request))
        if year
        else []
    )
    context = {
        "findings": selectors.finding_list_for_user(request.user),
        "year": year,
        "month": month,
        "periods": periods,
        "indicator_rows": indicators_rows,
        "quality": quality[0]["cells"] if quality else None,
        "months": range(1, 13),
    }
    return render(request, "supervision/my_results.html", context)


@supervision_view
def rule_set_list(request: HttpRequest) -> HttpResponse:
    """The region's rule-set versions, the thresholds in force beside the defaults, and a form for a new draft."""
    region = region_current(request)
    if region is None:
        return render(request, "supervision/rule_set_list.html", {"region": None})
    thresholds, categories, in_force = services.thresholds_for(region)
    defaults = anomalies.DEFAULT_THRESHOLDS.to_json()
    rows = [
        (THRESHOLD_LABELS.get(key, key), key, value, defaults[key])
        for key, value in thresholds.to_json().items()
    ]
    form = RuleSetForm(
        thresholds=thresholds, initial={"grassroots_categories": " ".join(categories)}
    )
    context = {
        "region": region,
        "rule_sets": selectors.rule_set_list(region=region),
        "in_force": in_force,
        "rows": rows,
        "categories": categories,
        "form": form,
        "can_edit": request.user.has_perm(services.REVIEW),
        "can_approve": request.user.has_perm(services.APPROVE),
    }
    return render(request, "supervision/rule_set_list.html", context)


def _rule_set_action(
    request: HttpRequest, action: Callable, done: str, permission: str
) -> HttpResponse:
    if not request.user.has_perm(permission):
        raise PermissionDenied(services.ERR_REVIEW_PERMISSION)
    try:
        action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("supervision:rule_set_list")


@require_POST
@supervision_view
def rule_set_create(request: HttpRequest) -> HttpResponse:
    region = region_current(request)
    form = RuleSetForm(request.POST, thresholds=anomalies.DEFAULT_THRESHOLDS)
    if region is None or not form.is_valid():
        messages.error(request, "规则阈值填写有误，请检查后重新提交。")
        return redirect("supervision:rule_set_list")

    def create():
        return services.rule_set_create(
            actor=request.user,
            region=region,
            thresholds=form.thresholds(),
            grassroots_categories=form.categories(),
            reason=form.cleaned_data["reason"],
        )

    return _rule_set_action(request, create, "已保存监管规则草稿，请提交审批。", services.REVIEW)


@require_POST
@supervision_view
def rule_set_submit(request: HttpRequest, pk: int) -> HttpResponse:
    rule_set = get_object_or_404(in_user_regions(RuleSet.objects.all(), request.user), pk=pk)
    submit = lambda: services.rule_set_submit(actor=request.user, rule_set=rule_set)  # noqa: E731
    return _rule_set_action(
        request, submit, "已提交监管规则，待另一位经办人员审批。", services.REVIEW
    )


@require_POST
@supervision_view
def rule_set_approve(request: HttpRequest, pk: int) -> HttpResponse:
    rule_set = get_object_or_404(in_user_regions(RuleSet.objects.all(), request.user), pk=pk)
    approve = lambda: services.rule_set_approve(actor=request.user, rule_set=rule_set)  # noqa: E731
    return _rule_set_action(
        request, approve, "监管规则已批准执行，下次筛查起使用。", services.APPROVE
    )
