"""Budget pages (bureau users only): list, create, compile, detail with derivation and waterfall, workflow
actions, versions and comparison, year-end reserve statement, Excel export and import."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import bureau_view as shared_bureau_view
from accounts.decorators import error_messages, workflow_view
from accounts.regions import region_fields_scope
from budgets import domain, selectors, services
from budgets.choices import BudgetStatus, LineKind, LineMethod
from budgets.filtersets import BudgetFilters
from budgets.forms import (
    METHOD_FIELDS,
    BudgetCreateForm,
    BudgetLineForm,
    BudgetSettingsForm,
    ImportForm,
    LineFormSet,
    ReasonForm,
    YearEndForm,
)
from budgets.models import Budget
from budgets.tables import BudgetTable
from config.lists import ListPage
from config.spreadsheets import download_response

ERR_BUREAU_ONLY = "仅经办机构用户可以访问总额预算。"

VIEW, CHANGE, APPROVE = "budgets.view_budget", "budgets.change_budget", "budgets.approve_budget"

#: The lines a new budget starts with (淄博: 普通门诊、门诊慢病、异地及零星、其他付费方式、大病保险; 吉林 art.12 categories).
DEFAULT_CARVE_OUTS = [
    {"code": "GP", "name": "普通门诊统筹", "method": LineMethod.PER_CAPITA},
    {"code": "CHRONIC", "name": "门诊慢性病", "method": LineMethod.GROWTH},
    {"code": "OFFSITE", "name": "异地联网结算和零星报销", "method": LineMethod.GROWTH},
    {"code": "OTHER", "name": "其他付费方式（透析、单病种、床日）", "method": LineMethod.GROWTH},
    {"code": "CI", "name": "大病保险", "method": LineMethod.PER_CAPITA},
]
DEFAULT_CATEGORIES = [
    {"code": "APG", "name": "门诊慢特病（APG）", "method": LineMethod.AMOUNT},
    {"code": "DIP", "name": "住院（DIP/DRG）", "method": LineMethod.REMAINDER},
]


def bureau_view(permission: str = VIEW) -> Callable:
    """Login required; hospital and expert users get 403; bureau users need the model permission."""
    return shared_bureau_view(permission, message=ERR_BUREAU_ONLY)


def _detail(budget: Budget) -> HttpResponse:
    return redirect("budgets:budget_detail", pk=budget.pk)


class BudgetListView(ListPage):
    """总额预算: the budgets of the user's regions."""

    table_class = BudgetTable
    filterset_class = BudgetFilters
    template_name = "budgets/budget_list.html"
    export_name = "总额预算"

    def get_queryset(self):
        return selectors.budget_list_for_user(self.request.user)

    def get_context_data(self, **context) -> dict:
        return {**context, "budgets": context["page"].object_list}


budget_list = bureau_view()(BudgetListView.as_view())


@bureau_view(CHANGE)
def budget_create(request: HttpRequest) -> HttpResponse:
    form = region_fields_scope(BudgetCreateForm(request.POST or None), request)
    if request.method == "POST" and form.is_valid():
        try:
            budget = services.budget_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "已创建预算草稿，请编制预算行。")
            return redirect("budgets:budget_edit", pk=budget.pk)
    return render(request, "budgets/budget_create.html", {"form": form})


@bureau_view()
def budget_detail(request: HttpRequest, pk: int) -> HttpResponse:
    budget = selectors.budget_get(user=request.user, pk=pk)
    derivation = selectors.budget_derivation(budget=budget)
    phasing = selectors.budget_phasing(budget=budget)
    steps = domain.waterfall(derivation) if derivation.lines else []
    chart = [
        {"name": s.name, "kind": s.kind, "base": str(s.base), "amount": str(s.amount)}
        for s in steps
    ]
    context = {
        "budget": budget,
        "lines": selectors.budget_lines(budget=budget),
        "derivation": derivation,
        "phasing": phasing,
        "phasing_total": selectors.phasing_total(phasing),
        "chart": chart,
        "versions": selectors.budget_versions(budget=budget),
        "statement": selectors.budget_reserve_statement(budget=budget)
        if budget.status != BudgetStatus.DRAFT
        else None,
        "can_change": request.user.has_perm(CHANGE),
        "can_approve": request.user.has_perm(APPROVE) and request.user.pk != budget.submitted_by_id,
        "reason_form": ReasonForm(),
        "import_form": ImportForm(),
    }
    return render(request, "budgets/budget_detail.html", context)


def _line_initial(budget: Budget, kind: str) -> list[dict]:
    fields = ["code", "name", "method", "base", "rate", "per_capita", "count"]
    lines = budget.lines.filter(kind=kind).order_by("position")
    rows = [
        {**{f: getattr(line, f) for f in fields}, "amount": line.entered_amount} for line in lines
    ]
    if rows or budget.lines.exists():
        return rows
    return {LineKind.CARVE_OUT: DEFAULT_CARVE_OUTS, LineKind.CATEGORY: DEFAULT_CATEGORIES}.get(
        kind, []
    )


def _compile_forms(request: HttpRequest, budget: Budget) -> dict:
    data = request.POST if request.method == "POST" else None
    income = _line_initial(budget, LineKind.INCOME)
    weights = {f"weight_{m}": Decimal(w) for m, w in enumerate(budget.phasing_weights, start=1)}
    settings_initial = {
        "risk_reserve_rate": budget.risk_reserve_rate,
        "settlement_share": budget.settlement_share,
        "phasing_method": budget.phasing_method,
        **weights,
    }
    return {
        "settings": BudgetSettingsForm(data, initial=settings_initial, prefix="settings"),
        "income": BudgetLineForm(
            data,
            initial=income[0]
            if income
            else {"name": domain.INCOME_NAME, "method": LineMethod.GROWTH},
            prefix="income",
            methods=LineMethod.for_income(),
            fixed_code=domain.INCOME_CODE,
        ),
        "carve_outs": LineFormSet(
            data,
            initial=_line_initial(budget, LineKind.CARVE_OUT),
            prefix="carve",
            form_kwargs={"methods": LineMethod.for_carve_out()},
        ),
        "categories": LineFormSet(
            data,
            initial=_line_initial(budget, LineKind.CATEGORY),
            prefix="cat",
            form_kwargs={"methods": LineMethod.for_category()},
        ),
    }


def _kept(formset) -> list[domain.LineInput]:
    """The filled-in rows of a line formset, in order, without those marked for deletion or left blank."""
    return [
        form.to_input()
        for form in formset.forms
        if not form.cleaned_data.get("DELETE") and form.cleaned_data.get("code")
    ]


def _attach(error: ValidationError, forms: dict) -> None:
    """Show a derivation error also on the row whose code it names."""
    for form in [forms["income"], *forms["carve_outs"].forms, *forms["categories"].forms]:
        if error.code and getattr(form, "cleaned_data", None) and form.line_code() == error.code:
            form.add_error(None, error.messages[0])
            return


@bureau_view(CHANGE)
def budget_edit(request: HttpRequest, pk: int) -> HttpResponse:
    budget = selectors.budget_get(user=request.user, pk=pk)
    if not budget.is_editable:
        messages.error(request, services.ERR_NOT_DRAFT)
        return _detail(budget)
    forms, error = _compile_forms(request, budget), ""
    if request.method == "POST" and all(
        form.is_valid() for form in forms.values()
    ):  # every form, to show every error
        settings = forms["settings"]
        try:
            services.budget_lines_set(
                actor=request.user,
                budget=budget,
                income=forms["income"].to_input(),
                carve_outs=_kept(forms["carve_outs"]),
                categories=_kept(forms["categories"]),
                risk_reserve_rate=settings.cleaned_data["risk_reserve_rate"],
                settlement_share=settings.cleaned_data["settlement_share"],
                phasing_method=settings.cleaned_data["phasing_method"],
                phasing_weights=settings.weights(),
            )
        except ValidationError as refused:
            error = refused.messages[0]
            _attach(refused, forms)
        else:
            messages.success(request, "预算已重新测算并保存。")
            return _detail(budget)
    context = {"budget": budget, "error": error, "method_fields": METHOD_FIELDS, **forms}
    return render(request, "budgets/budget_edit.html", context)


def _workflow(
    action: Callable[..., Budget], success: str, *, with_reason: bool = False
) -> Callable:
    return workflow_view(
        get=lambda request, pk: selectors.budget_get(user=request.user, pk=pk),
        action=action,
        target="budget",
        detail=_detail,
        success=success,
        form_class=ReasonForm if with_reason else None,
        invalid=services.ERR_REASON,
    )


budget_submit = bureau_view(CHANGE)(require_POST(_workflow(services.budget_submit, "已提交审批。")))
budget_approve = bureau_view(APPROVE)(
    require_POST(_workflow(services.budget_approve, "已审批通过，该版本开始执行。"))
)
budget_return = bureau_view(APPROVE)(
    require_POST(_workflow(services.budget_return, "已退回编制人。", with_reason=True))
)
budget_adjust = bureau_view(CHANGE)(
    require_POST(
        _workflow(
            services.budget_adjust, "已创建年中调整版本，请修改后提交审批。", with_reason=True
        )
    )
)


@bureau_view()
def budget_compare(request: HttpRequest, pk: int) -> HttpResponse:
    budget = selectors.budget_get(user=request.user, pk=pk)
    versions = list(selectors.budget_versions(budget=budget))
    other_id = request.GET.get("with", "")
    # Without a choice, the latest version is compared with the one before it.
    default = versions[-2] if len(versions) > 1 and versions[-1] == budget else None
    other = next((v for v in versions if str(v.pk) == other_id and v != budget), None) or default
    base, target = sorted([budget, other], key=lambda b: b.version) if other else (None, None)
    diffs = selectors.budget_compare(a=base, b=target) if other else []
    context = {
        "budget": budget,
        "versions": versions,
        "base": base,
        "target": target,
        "diffs": diffs,
    }
    return render(request, "budgets/budget_compare.html", context)


@bureau_view()
def budget_yearend(request: HttpRequest, pk: int) -> HttpResponse:
    budget = selectors.budget_get(user=request.user, pk=pk)
    lines = selectors.budget_derivation(budget=budget).of_kind(LineKind.CARVE_OUT)
    can_record = request.user.has_perm(CHANGE) and budget.status == BudgetStatus.IN_FORCE
    form = YearEndForm(
        request.POST or None, lines=lines, actuals=selectors.budget_actuals(budget=budget)
    )
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied(services.ERR_NOT_IN_FORCE)
        if form.is_valid():
            try:
                services.budget_yearend_record(
                    actor=request.user, budget=budget, actuals=form.actuals()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "已保存年终实际支出。")
                return redirect("budgets:budget_yearend", pk=budget.pk)
    context = {
        "budget": budget,
        "form": form,
        "can_record": can_record,
        "statement": selectors.budget_reserve_statement(budget=budget),
    }
    return render(request, "budgets/budget_yearend.html", context)


@bureau_view()
def budget_export(request: HttpRequest, pk: int) -> HttpResponse:
    from budgets import excel  # openpyxl: imported on use (config/lazy.py)

    budget = selectors.budget_get(user=request.user, pk=pk)
    filename = f"budget-{budget.region.code}-{budget.year}-{budget.scheme}-v{budget.version}.xlsx"
    return download_response(excel.budget_workbook(budget=budget), filename)


@require_POST
@bureau_view(CHANGE)
def budget_import(request: HttpRequest, pk: int) -> HttpResponse:
    from budgets import excel  # openpyxl: imported on use (config/lazy.py)

    budget = selectors.budget_get(user=request.user, pk=pk)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要导入的 Excel 文件。")
        return _detail(budget)
    try:
        excel.budget_lines_import(actor=request.user, budget=budget, file=form.cleaned_data["file"])
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, "已从 Excel 导入预算行并重新测算。")
    return _detail(budget)
