"""Excel export and import of a version's groups and of the diff of two versions, through
``CatalogGroupResource``: all or nothing, every row error in Chinese (catalogs/excel.py)."""

from __future__ import annotations

from typing import BinaryIO

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from import_export.results import Result

from audit.services import audit_record
from catalogs.choices import CatalogStatus
from catalogs.excel import datasets_workbook, resource_import, workbook
from catalogs.versions.diff import CatalogDiff
from catalogs.versions.models import ERR_VERSION_LOCKED, CatalogVersion
from catalogs.versions.resources import CatalogGroupResource


def catalog_groups_workbook(*, version: CatalogVersion) -> bytes:
    return workbook(CatalogGroupResource(version=version), "病种目录")


DIFF_HEADERS = ["变化", "病种/病组编码", "名称", "原分值", "新分值", "分值变化"]


def version_diff_workbook(
    *, old: CatalogVersion, new: CatalogVersion, diff: CatalogDiff, names: dict[str, str]
) -> bytes:
    """目录版本对比 as a workbook: one row per group added, removed or re-scored (scores as exact numbers),
    in the order the page lists them; ``names`` maps a group code to its name in either version."""
    dataset = tablib.Dataset(headers=DIFF_HEADERS, title="版本对比")
    for code in diff.added:
        dataset.append(["新增", code, names.get(code, ""), None, None, None])
    for code in diff.removed:
        dataset.append(["删除", code, names.get(code, ""), None, None, None])
    for change in diff.changed:
        dataset.append(
            [
                "分值变化",
                change.code,
                names.get(change.code, ""),
                change.old,
                change.new,
                change.delta,
            ]
        )
    summary = tablib.Dataset(headers=["项目", "内容"], title="说明")
    for label, value in [
        ("原版本", str(old)),
        ("新版本", str(new)),
        ("新增", len(diff.added)),
        ("删除", len(diff.removed)),
        ("分值变化", len(diff.changed)),
    ]:
        summary.append([label, value])
    return datasets_workbook([dataset, summary])


@transaction.atomic
def catalog_groups_import(*, actor, version: CatalogVersion, file: BinaryIO) -> Result:
    """Create or update a draft's groups from a workbook, by group code; groups not in the file stay."""
    version = CatalogVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != CatalogStatus.DRAFT:
        raise ValidationError(ERR_VERSION_LOCKED)
    before = _group_state(version)
    result = resource_import(CatalogGroupResource(version=version), file)
    after = _group_state(version)
    changed = {code for code in after if before.get(code) != after[code]}
    audit_record(
        actor=actor,
        action="catalog_groups_import",
        instance=version,
        before={code: before[code] for code in changed if code in before},
        after={code: after[code] for code in changed},
        message=f"从Excel导入{result.total_rows}行：新增{result.totals['new']}个、更新{result.totals['update']}个病种",
    )
    return result


def _group_state(version: CatalogVersion) -> dict[str, dict]:
    fields = CatalogGroupResource.Meta.fields
    return {
        row["code"]: {k: str(v) for k, v in row.items()} for row in version.groups.values(*fields)
    }
