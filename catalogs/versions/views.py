"""Catalog pages: institutions; catalog versions (list, detail with groups, workflow, build from history,
Excel), group detail with its score history and score edit, and the diff of two versions.

Reading follows ``catalogs.versions.selectors``: a published catalog is public to every signed-in user, anything
else is the bureau's (404 to others). Every change is a bureau page (403 to others) calling one service.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import bureau_view, error_messages, workflow_view
from accounts.regions import region_fields_scope
from catalogs.choices import CatalogKind, GroupType, InstitutionLevel
from catalogs.forms import ImportForm, ReasonForm
from catalogs.tasks import BUILD_JOBS
from catalogs.versions import excel, selectors, services
from catalogs.versions.filtersets import VersionFilters
from catalogs.versions.forms import (
    ApgBuildForm,
    BuildForm,
    FlagsForm,
    ScoreForm,
    VersionCreateForm,
    WeightBuildForm,
)
from catalogs.versions.models import CatalogVersion
from catalogs.versions.tables import VersionTable
from config.lists import ListPage
from config.spreadsheets import download_response
from jobs.services import JobRefused, job_start

CHANGE, PUBLISH = "catalogs.change_catalogversion", "catalogs.publish_catalogversion"
GROUPS_PER_PAGE = 50
ERR_NO_DIFF_BASE = "没有可对比的版本：请选择一个您可以查看的目录版本。"
ERR_GOLDEN_REFUSED = "标准病例校验未通过，不能发布。未通过的标准病例："
FLAG_CHOICES = [
    ("is_grassroots", "基层病种"),
    ("is_tcm", "中医优势病种"),
    ("is_day_surgery", "日间手术病种"),
]
BUILD_FORMS = {
    CatalogKind.DIP: BuildForm,
    CatalogKind.DRG: WeightBuildForm,
    CatalogKind.APG: ApgBuildForm,
}
# Look-back years offered by default: DIP three years, DRG two, APG the two years weighted 2:8.
BUILD_YEARS = {CatalogKind.DIP: 3, CatalogKind.DRG: 2, CatalogKind.APG: 2}


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


# --- catalog versions -----------------------------------------------------------------------------


def _detail(version: CatalogVersion) -> HttpResponse:
    return redirect("catalogs:version_detail", pk=version.pk)


class VersionListView(ListPage):
    """病种目录版本: the bureau every version of its regions, others the published ones."""

    table_class = VersionTable
    filterset_class = VersionFilters
    template_name = "catalogs/version_list.html"
    export_name = "病种目录版本"

    def get_queryset(self):
        return selectors.catalog_version_list_for_user(self.request.user)


@bureau_view(CHANGE)
def version_create(request: HttpRequest) -> HttpResponse:
    form = region_fields_scope(VersionCreateForm(request.POST or None), request)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.version_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "已创建目录版本草稿。")
            return _detail(version)
    return render(request, "catalogs/version_create.html", {"form": form})


@login_required
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.catalog_version_get_for_user(request.user, pk)
    filters = {key: request.GET.get(key, "").strip() for key in ("q", "group_type", "flag")}
    groups = selectors.catalog_group_list(version, **filters)
    user = request.user
    context = {
        "version": version,
        "filters": filters,
        "page": Paginator(groups, GROUPS_PER_PAGE).get_page(request.GET.get("page")),
        "group_types": GroupType.choices,
        "flags": FLAG_CHOICES,
        "others": selectors.catalog_version_list_for_user(user, kind=version.kind)
        .filter(region=version.region_id)
        .exclude(pk=version.pk),
        "can_change": user.is_bureau and user.has_perm(CHANGE),
        "can_publish": user.is_bureau
        and user.has_perm(PUBLISH)
        and user.pk != version.submitted_by_id,
        "build_form": BUILD_FORMS[version.kind](
            initial={
                "years": ",".join(
                    str(version.year - n) for n in range(BUILD_YEARS[version.kind], 0, -1)
                )
            }
        ),
        "reason_form": ReasonForm(),
        "import_form": ImportForm(),
        "golden_count": version.golden_cases.count(),
    }
    return render(request, "catalogs/version_detail.html", context)


@bureau_view(CHANGE)
@require_POST
def version_build(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the build of the version's kind (DIP, DRG, APG) as a background job and follow it on the job page."""
    version = selectors.catalog_version_get_for_user(request.user, pk)
    if not version.is_editable:
        messages.error(request, services.ERR_NOT_DRAFT)
        return _detail(version)
    form = BUILD_FORMS[version.kind](request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return _detail(version)
    kind = BUILD_JOBS[version.kind]
    try:
        job = job_start(
            actor=request.user,
            kind=kind,
            key=f"{kind}:{version.pk}",
            params={
                "version_id": version.pk,
                "years": form.cleaned_data["years"],
                "params": form.params(),
            },
        )
    except JobRefused as refused:
        messages.error(request, str(refused))
        return _detail(version)
    return redirect("jobs:job_detail", pk=job.pk)


def _workflow(
    action: Callable[..., CatalogVersion], success: str, *, with_reason: bool = False
) -> Callable:
    return workflow_view(
        get=lambda request, pk: selectors.catalog_version_get_for_user(request.user, pk),
        action=action,
        target="version",
        detail=_detail,
        success=success,
        form_class=ReasonForm if with_reason else None,
        invalid=services.ERR_REASON,
    )


version_submit = bureau_view(CHANGE)(
    require_POST(_workflow(services.version_submit, "已提交审核。"))
)
version_return = bureau_view(PUBLISH)(
    require_POST(_workflow(services.version_return, "已退回。", with_reason=True))
)


@bureau_view(PUBLISH)
@require_POST
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish; a refusal by golden cases lists each failing case on its own line."""
    version = selectors.catalog_version_get_for_user(request.user, pk)
    try:
        services.version_publish(actor=request.user, version=version)
    except ValidationError as error:
        if getattr(error, "code", None) == "golden":
            messages.error(request, ERR_GOLDEN_REFUSED)
            for line in services.golden_failure_lines(version):
                messages.error(request, line)
        else:
            error_messages(request, error)
    else:
        messages.success(request, "已审核发布。")
    return _detail(version)


version_copy = bureau_view(CHANGE)(
    require_POST(_workflow(services.version_copy, "已复制为新的草稿版本。"))
)


@login_required
def version_export(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.catalog_version_get_for_user(request.user, pk)
    filename = (
        f"catalog-{version.region.code}-{version.kind}-{version.year}-v{version.version}.xlsx"
    )
    return download_response(excel.catalog_groups_workbook(version=version), filename)


@bureau_view(CHANGE)
@require_POST
def version_import(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.catalog_version_get_for_user(request.user, pk)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要导入的 Excel 文件。")
        return _detail(version)
    try:
        result = excel.catalog_groups_import(
            actor=request.user, version=version, file=form.cleaned_data["file"]
        )
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(
            request,
            f"已从 Excel 导入：新增 {result.totals['new']} 个、更新 {result.totals['update']} 个病种。",
        )
    return _detail(version)


@login_required
def version_diff(request: HttpRequest, pk: int) -> HttpResponse:
    """Groups added, removed and re-scored from another version (``with``, default: the one it was copied from)."""
    version, other, visible = _diff_versions(request, pk)
    diff = selectors.version_diff(old=other, new=version) if other else None
    choices = visible.filter(region=version.region_id, kind=version.kind).exclude(pk=version.pk)
    return render(
        request,
        "catalogs/version_diff.html",
        {"version": version, "other": other, "diff": diff, "choices": choices},
    )


@login_required
def version_diff_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The same comparison as a workbook (版本对比.xlsx)."""
    version, other, _ = _diff_versions(request, pk)
    if other is None:
        raise Http404(ERR_NO_DIFF_BASE)
    content = excel.version_diff_workbook(
        old=other,
        new=version,
        diff=selectors.version_diff(old=other, new=version),
        names=selectors.group_names(other, version),
    )
    filename = f"catalog-diff-{version.region.code}-{version.kind}-{other.year}v{other.version}-{version.year}v{version.version}.xlsx"
    return download_response(content, filename)


def _diff_versions(request: HttpRequest, pk: int):
    """The version, the one to compare it with (``with``, default: its origin) if the user may read it, and
    the versions the user may read."""
    version = selectors.catalog_version_get_for_user(request.user, pk)
    visible = selectors.catalog_version_list_for_user(request.user)
    other_id = _int(request.GET.get("with", "")) or version.based_on_id
    return version, visible.filter(pk=other_id).first() if other_id else None, visible


# --- groups ---------------------------------------------------------------------------------------


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.catalog_group_get_for_user(request.user, pk)
    history = selectors.group_score_history(request.user, group)
    context = {
        "group": group,
        "version": group.version,
        "history": history,
        "subtypes": group.subtypes.all(),
        "case_counts": sorted(group.case_counts.items()),
        "level_means": sorted(group.level_means.items()),
        "level_labels": dict(InstitutionLevel.choices),
        "chart": [[f"{g.version.year}年第{g.version.version}版", str(g.score)] for g in history],
        "can_edit": request.user.is_bureau
        and request.user.has_perm(CHANGE)
        and group.version.is_editable,
        "score_form": ScoreForm(initial={"score": group.score}),
        "flags_form": FlagsForm(initial={name: getattr(group, name) for name, _ in FLAG_CHOICES}),
    }
    return render(request, "catalogs/group_detail.html", context)


def _group_change(
    request: HttpRequest, pk: int, form_class: type, change: Callable[..., object], success: str
) -> HttpResponse:
    """A bureau POST that changes one group of a draft through ``change(actor, group, cleaned_data)``."""
    group = selectors.catalog_group_get_for_user(request.user, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            change(actor=request.user, group=group, data=form.cleaned_data)
        except ValidationError as error:
            error_messages(request, error)
        else:
            messages.success(request, success)
    else:
        for errors in form.errors.values():
            messages.error(request, errors[0])
    return redirect("catalogs:group_detail", pk=group.pk)


@bureau_view(CHANGE)
@require_POST
def group_score_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _group_change(
        request,
        pk,
        ScoreForm,
        lambda *, data, **kw: services.group_score_edit(**kw, **data),
        "已修改分值。",
    )


@bureau_view(CHANGE)
@require_POST
def group_flags_edit(request: HttpRequest, pk: int) -> HttpResponse:
    def change(*, data: dict, **kw) -> object:
        return services.group_flags_edit(
            **kw, flags={name: data[name] for name, _ in FLAG_CHOICES}, reason=data["reason"]
        )

    return _group_change(request, pk, FlagsForm, change, "已修改病种标识。")


# --- coding dictionaries ---------------------------------------------------------------------------
