"""DRG rule set pages: list and create, detail with the tables and the golden cases, Excel import and export,
golden-case CSV import, workflow.

A published rule set is public to every signed-in user (like a published catalog); anything else is the
bureau's (404 to others). Every change is a bureau page (403 to others) calling one service.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import bureau_view, error_messages, workflow_view
from accounts.regions import region_fields_scope
from catalogs.drg import rule_files, selectors, services
from catalogs.drg import rules as drg_rules
from catalogs.drg.filtersets import DrgRuleSetFilters
from catalogs.drg.forms import DrgRuleSetCreateForm
from catalogs.drg.models import DrgRuleSet
from catalogs.drg.tables import DrgRuleSetTable
from catalogs.forms import ImportForm, ReasonForm
from catalogs.versions.services import ERR_REASON
from config.lists import ListPage
from config.spreadsheets import download_response

CHANGE, PUBLISH = "catalogs.change_drgruleset", "catalogs.publish_drgruleset"
ERR_NO_FILE = "请选择要导入的 Excel 文件。"
ERR_NO_GOLDEN_FILE = "请选择要导入的金标准病例 CSV 文件。"


def _detail(rule_set: DrgRuleSet) -> HttpResponse:
    return redirect("catalogs:drg_rules_detail", pk=rule_set.pk)


class DrgRuleSetListView(ListPage):
    """DRG分组规则: the bureau every rule set of its regions, others the published ones."""

    table_class = DrgRuleSetTable
    filterset_class = DrgRuleSetFilters
    template_name = "catalogs/drg_rules_list.html"
    export_name = "DRG分组规则"

    def get_queryset(self):
        return selectors.drg_rule_set_list_for_user(self.request.user)

    def get_context_data(self, **context) -> dict:
        user = self.request.user
        return {
            **context,
            "rule_sets": context["page"].object_list,
            "form": region_fields_scope(DrgRuleSetCreateForm(), self.request),
            "can_change": user.is_bureau and user.has_perm(CHANGE),
        }


@bureau_view(CHANGE)
@require_POST
def drg_rules_create(request: HttpRequest) -> HttpResponse:
    form = region_fields_scope(DrgRuleSetCreateForm(request.POST), request)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("catalogs:drg_rules_list")
    try:
        rule_set = services.drg_rule_set_create(actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        error_messages(request, error)
        return redirect("catalogs:drg_rules_list")
    messages.success(request, "已创建DRG分组规则草稿，请导入规则工作簿。")
    return _detail(rule_set)


@login_required
def drg_rules_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rule_set = selectors.drg_rule_set_get_for_user(request.user, pk)
    tables = selectors.drg_rule_tables(rule_set)
    user = request.user
    context = {
        "rule_set": rule_set,
        "import_form": ImportForm(),
        "reason_form": ReasonForm(),
        "sheets": [(sheet, tables[sheet.table].to_dict("records")) for sheet in drg_rules.SHEETS],
        "can_change": user.is_bureau and user.has_perm(CHANGE),
        "can_publish": user.is_bureau
        and user.has_perm(PUBLISH)
        and user.pk != rule_set.submitted_by_id,
        "versions": rule_set.catalog_versions.all(),
        "golden_cases": rule_set.golden_cases.all(),
        "golden_fields": services.GOLDEN_CASE_FIELDS,
    }
    return render(request, "catalogs/drg_rules_detail.html", context)


@login_required
def drg_rules_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The set's tables and golden cases as a long-format workbook, or (``?format=zip``) as a zip of CSV files."""
    rule_set = selectors.drg_rule_set_get_for_user(request.user, pk)
    content = services.drg_rule_set_content(rule_set)
    name = f"drg-rules-{rule_set.region.code}-{rule_set.year}-v{rule_set.version}"
    if request.GET.get("format") == "zip":
        return download_response(
            rule_files.zip_bytes(content), f"{name}.zip", content_type="application/zip"
        )
    return download_response(rule_files.workbook_bytes(content), f"{name}.xlsx")


def _file_import(
    request: HttpRequest, pk: int, *, service: Callable, missing: str, success: Callable
) -> HttpResponse:
    """Hand the uploaded file to ``service`` (a draft's import, all or nothing) and show its errors or ``success(result)``."""
    rule_set = selectors.drg_rule_set_get_for_user(request.user, pk)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, missing)
        return _detail(rule_set)
    upload = form.cleaned_data["file"]
    try:
        result = service(actor=request.user, rule_set=rule_set, file=upload, filename=upload.name)
    except ValidationError as error:
        messages.error(request, "导入未执行，文件中有以下错误：")
        error_messages(request, error)
    else:
        messages.success(request, success(result))
    return _detail(rule_set)


_COUNT_TITLES = {sheet.table: sheet.title for sheet in drg_rules.SHEETS} | {
    "golden_cases": drg_rules.GOLDEN_SHEET.title
}


@bureau_view(CHANGE)
@require_POST
def drg_rules_import(request: HttpRequest, pk: int) -> HttpResponse:
    return _file_import(
        request,
        pk,
        service=services.drg_rule_set_import,
        missing=ERR_NO_FILE,
        success=lambda counts: (
            "已导入：" + "、".join(f"{_COUNT_TITLES[t]} {n} 行" for t, n in counts.items())
        ),
    )


@bureau_view(CHANGE)
@require_POST
def drg_rules_golden_import(request: HttpRequest, pk: int) -> HttpResponse:
    return _file_import(
        request,
        pk,
        service=services.drg_rule_set_golden_import,
        missing=ERR_NO_GOLDEN_FILE,
        success=lambda count: f"已导入金标准病例 {count} 例；审核发布时将逐例校验。",
    )


def _workflow(
    action: Callable[..., DrgRuleSet], success: str, *, with_reason: bool = False
) -> Callable:
    return workflow_view(
        get=lambda request, pk: selectors.drg_rule_set_get_for_user(request.user, pk),
        action=action,
        target="rule_set",
        detail=_detail,
        success=success,
        form_class=ReasonForm if with_reason else None,
        invalid=ERR_REASON,
    )


def _copy(*, actor, rule_set: DrgRuleSet) -> DrgRuleSet:
    return services.drg_rule_set_create(
        actor=actor,
        region=rule_set.region,
        year=rule_set.year,
        name=rule_set.name,
        based_on=rule_set,
    )


drg_rules_submit = bureau_view(CHANGE)(
    require_POST(_workflow(services.drg_rule_set_submit, "已提交审核。"))
)
drg_rules_return = bureau_view(PUBLISH)(
    require_POST(_workflow(services.drg_rule_set_return, "已退回。", with_reason=True))
)
drg_rules_publish = bureau_view(PUBLISH)(
    require_POST(_workflow(services.drg_rule_set_publish, "已审核发布。"))
)
drg_rules_copy = bureau_view(CHANGE)(require_POST(_workflow(_copy, "已复制为新的草稿版本。")))
