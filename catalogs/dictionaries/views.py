"""Coding dictionary pages (bureau only): the codes in force (list, Excel export and import), and the
dictionary versions: load a newer edition from .xlsx/.csv, see its difference from the
codes in force with what each change reaches, publish it. Hospitals and experts get 403, anonymous users
the login page; loading and publishing need their permissions, and publishing a second person (four eyes)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import bureau_view, error_messages
from catalogs.choices import DictionaryStatus
from catalogs.dictionaries import excel, selectors, services
from catalogs.dictionaries.domain import CHANGE_LABELS, impact_summary
from catalogs.dictionaries.files import VERSION_SHEETS
from catalogs.dictionaries.forms import DictionaryVersionForm
from catalogs.dictionaries.models import Diagnosis, DictionaryVersion, Procedure
from catalogs.forms import ImportForm
from config.spreadsheets import download_response

VIEW, LOAD, PUBLISH = (
    "catalogs.view_dictionaryversion",
    "catalogs.add_dictionaryversion",
    "catalogs.publish_dictionaryversion",
)
DICTIONARY_VIEW, DICTIONARY_CHANGE = "catalogs.view_diagnosis", "catalogs.change_diagnosis"
CHANGES_PER_PAGE = 50
ERR_FORM = "请填写版本名称、生效日期并选择文件。"


def _version(pk: int) -> DictionaryVersion:
    try:
        return selectors.dictionary_version_get(pk)
    except DictionaryVersion.DoesNotExist as missing:
        raise Http404("编码字典版本不存在。") from missing


def _counts(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return (
        [(key, label, counts.get(key, 0)) for key, label in CHANGE_LABELS.items()] if counts else []
    )


@bureau_view(LOAD)
@require_POST
def dictionary_version_load(request: HttpRequest) -> HttpResponse:
    form = DictionaryVersionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, ERR_FORM)
        error_messages(
            request,
            ValidationError(
                [
                    f"{form.fields[name].label}：{' '.join(errs)}"
                    for name, errs in form.errors.items()
                ]
            ),
        )
        return redirect("catalogs:dictionary_list")
    data, upload = form.cleaned_data, form.cleaned_data["file"]
    try:
        version = services.dictionary_version_load(
            actor=request.user,
            kind=data["kind"],
            file=upload,
            filename=upload.name,
            name=data["name"],
            effective_from=data["effective_from"],
            source=data["source"],
        )
    except ValidationError as error:
        messages.error(request, "未载入，文件中有以下错误：")
        error_messages(request, error)
        return redirect("catalogs:dictionary_list")
    messages.success(
        request, f"已载入 {version}（{version.code_count} 条编码），请核对差异后发布。"
    )
    return redirect("catalogs:dictionary_version_detail", pk=version.pk)


@bureau_view(VIEW)
def dictionary_version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft: its difference from the codes in force and the impact, page by page of changes. A published
    or retired version: the difference counts recorded when it was published."""
    version = _version(pk)
    context = {
        "version": version,
        "can_publish": request.user.has_perm(PUBLISH),
        "counts": _counts(version.changes),
    }
    if version.status == DictionaryStatus.DRAFT:
        diff = selectors.version_diff(version)
        impact = selectors.version_impact(version, diff)
        change = request.GET.get("change", "")
        changes = diff.of(change) if change in CHANGE_LABELS else diff.changes
        page = Paginator(changes.to_dict("records"), CHANGES_PER_PAGE).get_page(
            request.GET.get("page")
        )
        reached = impact[impact["code"].isin([row["code"] for row in page])]
        for row in page:
            row["change_label"], row["impact"] = (
                CHANGE_LABELS[row["change"]],
                reached[reached["code"] == row["code"]].to_dict("records"),
            )
        context |= {
            "counts": _counts(diff.counts()),
            "summary": impact_summary(impact),
            "page": page,
            "change": change,
        }
    return render(request, "catalogs/dictionary_version_detail.html", context)


@bureau_view(PUBLISH)
@require_POST
def dictionary_version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    try:
        services.dictionary_version_publish(actor=request.user, version=version)
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, f"已发布 {version}，现行编码已更新。")
    return redirect("catalogs:dictionary_version_detail", pk=version.pk)


@bureau_view(DICTIONARY_VIEW)
def dictionary_list(request: HttpRequest) -> HttpResponse:
    context = {
        "diagnoses": Diagnosis.objects.count(),
        "procedures": Procedure.objects.count(),
        "import_form": ImportForm(),
        "sheets": excel.SHEETS,
        "can_change": request.user.has_perm(DICTIONARY_CHANGE),
        "versions": selectors.dictionary_version_list(),
        "version_form": DictionaryVersionForm(),
        "version_sheets": VERSION_SHEETS.values(),
        "can_load": request.user.has_perm(LOAD),
    }
    return render(request, "catalogs/dictionary_list.html", context)


@bureau_view(DICTIONARY_VIEW)
def dictionary_export(request: HttpRequest) -> HttpResponse:
    """The dictionaries as the import workbook; ``?template=1`` gives the headers only (导入模板)."""
    template = request.GET.get("template") == "1"
    filename = "dictionary-template.xlsx" if template else "dictionary.xlsx"
    return download_response(excel.dictionary_workbook(empty=template), filename)


@bureau_view(DICTIONARY_CHANGE)
@require_POST
def dictionary_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要导入的 Excel 文件。")
        return redirect("catalogs:dictionary_list")
    upload = form.cleaned_data["file"]
    try:
        counts = excel.dictionary_import(actor=request.user, file=upload, filename=upload.name)
    except ValidationError as error:
        messages.error(request, "导入未执行，文件中有以下错误：")
        error_messages(request, error)
    else:
        messages.success(
            request,
            "已导入："
            + "；".join(
                f"{excel.SHEET_TITLES[t]}新增 {c['new']} 条、更新 {c['updated']} 条"
                for t, c in counts.items()
            ),
        )
    return redirect("catalogs:dictionary_list")
