"""Excel round-trip of catalog groups and coefficient tables (django-import-export Resources): export →
import gives the same rows, text is neutralised against formulas, row errors in Chinese, all or nothing,
drafts only, every import audited."""

from __future__ import annotations

from decimal import Decimal as D
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from catalogs.coefficients import excel as coefficient_excel
from catalogs.coefficients import services as coefficient_services
from catalogs.models import Institution
from catalogs.versions import excel, services
from catalogs.versions.models import CatalogGroup
from catalogs.versions.resources import CatalogGroupResource
from config.spreadsheets import XLSX
from tests.catalogs.conftest import PCI

pytestmark = pytest.mark.django_db

GROUP_FIELDS = list(CatalogGroupResource.Meta.fields)


def groups_of(version) -> list[tuple]:
    return list(version.groups.order_by("code").values_list(*GROUP_FIELDS))


def edited(
    content: bytes, changes: dict[tuple[str, str], object], *, sheet_rows: list[list] | None = None
) -> BytesIO:
    """The workbook with cells changed by (key in column A, header) and extra rows appended."""
    wb = load_workbook(BytesIO(content))
    ws = wb.active
    headers = [cell.value for cell in ws[1]]
    rows = {row[0].value: row for row in ws.iter_rows(min_row=2)}
    for (key, header), value in changes.items():
        rows[key][headers.index(header)].value = value
    for extra in sheet_rows or []:
        ws.append(extra)
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_an_exported_version_imports_into_an_empty_draft_as_the_same_groups(world, published):
    empty = services.version_create(actor=world.officer, region=world.region, year=2026)
    result = excel.catalog_groups_import(
        actor=world.officer,
        version=empty,
        file=BytesIO(excel.catalog_groups_workbook(version=published)),
    )
    assert result.totals["new"] == 3
    assert groups_of(empty) == groups_of(published)
    event = AuditEvent.objects.get(action="catalog_groups_import")
    assert (event.object_id, event.actor, set(event.after)) == (
        str(empty.pk),
        world.officer,
        {PCI, "J18.900", "I21-S"},
    )
    assert event.message == "从Excel导入3行：新增3个、更新0个病种"


def test_the_export_has_chinese_headers_labels_and_numeric_scores(published):
    ws = load_workbook(BytesIO(excel.catalog_groups_workbook(version=published))).active
    headers = [cell.value for cell in ws[1]]
    assert headers[:6] == [
        "病种编码",
        "病种名称",
        "病种类型",
        "主要诊断（类目）",
        "主要手术操作",
        "治疗方式",
    ]
    pci = next(row for row in ws.iter_rows(min_row=2) if row[0].value == PCI)
    assert (pci[2].value, pci[5].value, pci[headers.index("基层病种")].value) == (
        "核心病种",
        "相关手术",
        "否",
    )
    assert (
        pci[headers.index("分值")].value == pytest.approx(1510.2041)
        and pci[headers.index("分值")].data_type == "n"
    )


def test_an_import_updates_by_group_code_and_keeps_the_rest(world, draft):
    content = excel.catalog_groups_workbook(version=draft)
    excel.catalog_groups_import(
        actor=world.officer, version=draft, file=edited(content, {(PCI, "分值"): 1600})
    )
    assert draft.groups.get(code=PCI).score == D("1600.0000") and draft.groups.count() == 3
    event = AuditEvent.objects.filter(action="catalog_groups_import").last()
    assert (event.before[PCI]["score"], event.after[PCI]["score"], set(event.after)) == (
        "1510.2041",
        "1600.0000",
        {PCI},
    )


def test_text_is_neutralised_against_formulas_and_survives_the_round_trip(world, draft):
    CatalogGroup.objects.filter(version=draft, code=PCI).update(
        name='=HYPERLINK("http://x","点我")'
    )
    CatalogGroup.objects.filter(version=draft, code="J18.900").update(code="@J18", proc_code="-1+1")
    content = excel.catalog_groups_workbook(version=draft)
    cells = [cell for row in load_workbook(BytesIO(content)).active.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    values = [cell.value for cell in cells]
    assert '\'=HYPERLINK("http://x","点我")' in values and "'@J18" in values and "'-1+1" in values
    empty = services.version_create(actor=world.officer, region=world.region, year=2026)
    excel.catalog_groups_import(actor=world.officer, version=empty, file=BytesIO(content))
    assert groups_of(empty) == groups_of(draft)


def test_row_errors_are_reported_in_chinese_and_nothing_is_written(world, draft):
    before, events = groups_of(draft), AuditEvent.objects.count()
    bad = edited(
        excel.catalog_groups_workbook(version=draft),
        {
            (PCI, "分值"): "一千五",
            ("J18.900", "病种类型"): "奖励病种",
            ("I21-S", "基层病种"): "也许",
        },
        sheet_rows=[
            [
                "K35.800",
                "阑尾炎",
                "核心病种",
                "K35.800",
                "",
                "内科诊疗",
                -5,
                0,
                0,
                0,
                "否",
                "否",
                "否",
                "{}",
                "{}",
            ]
        ],
    )
    with pytest.raises(ValidationError) as refused:
        excel.catalog_groups_import(actor=world.officer, version=draft, file=bad)
    assert (
        refused.value.messages
        == [
            "第2行“基层病种”：“也许”无效，应为 是 或 否。",  # rows by code: I21-S, I21.000+36.0601, J18.900
            "第3行“分值”：“一千五”不是有效数字。",
            "第4行“病种类型”：“奖励病种”无效，应为：核心病种、综合病种、DRG病组、APG门诊病组。",
            "第5行：分值、费用和病例数不能为负数。",
        ]
    )
    assert groups_of(draft) == before and AuditEvent.objects.count() == events


def test_a_cell_at_excels_limit_is_refused_as_probably_cut_and_nothing_is_written(world, draft):
    before = groups_of(draft)
    cut = edited(
        excel.catalog_groups_workbook(version=draft), {("J18.900", "病种名称"): "肺" * 32_767}
    )
    with pytest.raises(ValidationError, match="工作表“病种目录”B4 单元格恰好有 32767 个字符"):
        excel.catalog_groups_import(actor=world.officer, version=draft, file=cut)
    assert groups_of(draft) == before


def test_a_group_code_given_twice_is_an_error_on_both_rows(world, draft):
    twice = edited(excel.catalog_groups_workbook(version=draft), {("J18.900", "病种编码"): "I21-S"})
    with pytest.raises(ValidationError) as refused:
        excel.catalog_groups_import(actor=world.officer, version=draft, file=twice)
    assert refused.value.messages == [
        "第2行“病种编码”：I21-S 在文件中重复出现。",
        "第4行“病种编码”：I21-S 在文件中重复出现。",
    ]


def test_only_a_draft_takes_an_import(world, published):
    with pytest.raises(ValidationError, match="不能修改"):
        excel.catalog_groups_import(
            actor=world.officer,
            version=published,
            file=BytesIO(excel.catalog_groups_workbook(version=published)),
        )


def test_a_file_that_is_not_our_workbook_is_refused(world, draft):
    with pytest.raises(ValidationError, match="无法读取文件"):
        excel.catalog_groups_import(
            actor=world.officer, version=draft, file=BytesIO(b"not a workbook")
        )
    wrong = edited(excel.catalog_groups_workbook(version=draft), {})
    wb = load_workbook(wrong)
    wb.active["A1"] = "编码"
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    with pytest.raises(ValidationError, match="文件缺少列：病种编码"):
        excel.catalog_groups_import(actor=world.officer, version=draft, file=out)


# --- coefficient tables ---------------------------------------------------------------------------

ROW_FIELDS = [
    "institution__code",
    "level_basic",
    "bonus_grassroots",
    "bonus_tcm",
    "bonus_key_discipline",
    "combined",
    "note",
]


def test_a_coefficient_table_round_trips_and_the_combined_coefficient_is_recomputed(world, table):
    content = coefficient_excel.coefficients_workbook(table=table)
    changed = edited(
        content,
        {
            ("H37080200001", "重点学科加成系数"): 0.05,
            ("H37080200001", "机构系数"): 9,
            ("H37080200002", "备注"): "二级",
        },
    )
    coefficient_excel.coefficients_import(actor=world.officer, table=table, file=changed)
    rows = {r[0]: r for r in table.rows.values_list(*ROW_FIELDS)}
    assert rows["H37080200001"][4:6] == (
        D("0.0500"),
        D("1.2500"),
    )  # the combined column of the file is ignored
    assert rows["H37080200002"][6] == "二级"
    coefficient_services.coefficient_row_edit(
        actor=world.officer,
        row=table.rows.get(institution=world.hospital_b),
        reason="备注",
        level_basic=D("1"),
        note="=1+1",
    )
    event = AuditEvent.objects.get(action="coefficient_rows_import")
    assert (
        set(event.after) == {"H37080200001", "H37080200002"}
        and event.before["H37080200001"]["combined"] == "1.2000"
    )
    # and back out again: the same values
    revision_rows = list(table.rows.values_list(*ROW_FIELDS))
    other = coefficient_services.coefficient_table_create(
        actor=world.officer, region=world.region, year=2026
    )
    coefficient_excel.coefficients_import(
        actor=world.officer,
        table=other,
        file=BytesIO(coefficient_excel.coefficients_workbook(table=table)),
    )
    assert list(other.rows.values_list(*ROW_FIELDS)) == revision_rows
    note = next(
        c
        for row in load_workbook(
            BytesIO(coefficient_excel.coefficients_workbook(table=table))
        ).active.iter_rows()
        for c in row
        if c.value and str(c.value).endswith("1+1")
    )
    assert (note.value, note.data_type) == ("'=1+1", "s")


def test_coefficient_rows_of_unknown_or_foreign_institutions_are_row_errors(world, table):
    Institution.objects.create(
        region=world.region, code="H37080200007", name="新医院", level="1", type="general"
    )
    bad = edited(
        coefficient_excel.coefficients_workbook(table=table),
        {("H37080200002", "基本系数（等级）"): -1},
        sheet_rows=[["H99999999999", "", "", 1], ["H37080200007", "", "", 1]],
    )
    with pytest.raises(ValidationError) as refused:
        coefficient_excel.coefficients_import(actor=world.officer, table=table, file=bad)
    assert refused.value.messages == [
        "第3行：系数不能为负数。",
        "第4行：机构编号 H99999999999 不存在。",
        "第5行：机构 H37080200007 不在本机构系数表中。",
    ]
    assert table.rows.get(institution=world.hospital_b).level_basic == D("1.0000")


def test_a_table_in_force_takes_no_import(world, in_force):
    with pytest.raises(ValidationError, match="不能修改"):
        coefficient_excel.coefficients_import(
            actor=world.officer,
            table=in_force,
            file=BytesIO(coefficient_excel.coefficients_workbook(table=in_force)),
        )


# --- through the pages ----------------------------------------------------------------------------


def test_export_and_import_through_the_pages(world, draft, client_for):
    client = client_for(world.officer)
    response = client.get(reverse("catalogs:version_export", args=[draft.pk]))
    assert (
        response["Content-Type"] == XLSX
        and "catalog-370800-DIP-2025-v1.xlsx" in response["Content-Disposition"]
    )
    bad = SimpleUploadedFile("c.xlsx", edited(response.content, {(PCI, "分值"): "abc"}).getvalue())
    page = client.post(
        reverse("catalogs:version_import", args=[draft.pk]), {"file": bad}, follow=True
    )
    assert "第3行“分值”：“abc”不是有效数字。" in page.content.decode()
    good = SimpleUploadedFile("c.xlsx", edited(response.content, {(PCI, "分值"): 1700}).getvalue())
    page = client.post(
        reverse("catalogs:version_import", args=[draft.pk]), {"file": good}, follow=True
    )
    assert "新增 0 个、更新 3 个病种" in page.content.decode() and draft.groups.get(
        code=PCI
    ).score == D("1700")


def test_hospital_users_cannot_import(world, draft, table, client_for):
    client = client_for(world.user_a)
    upload = SimpleUploadedFile("c.xlsx", excel.catalog_groups_workbook(version=draft))
    assert (
        client.post(
            reverse("catalogs:version_import", args=[draft.pk]), {"file": upload}
        ).status_code
        == 403
    )
    assert client.post(reverse("catalogs:coefficient_import", args=[table.pk])).status_code == 403
    assert client.get(reverse("catalogs:coefficient_export", args=[table.pk])).status_code == 403
