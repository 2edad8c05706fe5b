"""DRG rule sets: the demo CSVs as a published rule set, the workbook round trip, every bad cell reported in
Chinese with nothing written, four-eyes publishing that retires the previous set, and the pages."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from catalogs import workbooks
from catalogs.choices import CatalogStatus
from catalogs.drg import grouper as drg_grouper
from catalogs.drg import rule_files, selectors
from catalogs.drg import rules as drg_rules
from catalogs.drg import services as drg_rule_services
from catalogs.drg.models import DrgRuleSet
from config import lists
from tests.config.test_lists import csv_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(world) -> DrgRuleSet:
    return drg_rule_services.drg_rule_set_seed(
        officer=world.officer, admin=world.bureau_admin, region=world.region, year=2024
    )


def workbook_edited(
    content: bytes, edits: dict[tuple[str, int, str], object], *, drop_sheet: str = ""
) -> io.BytesIO:
    """The workbook with cells replaced: (sheet, data row number, header) -> value."""
    book = load_workbook(io.BytesIO(content))
    for (sheet, row, header), value in edits.items():
        headers = [cell.value for cell in book[sheet][1]]
        book[sheet].cell(row=row + 1, column=headers.index(header) + 1).value = value
    if drop_sheet:
        del book[drop_sheet]
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


PASSING_GOLDEN = (
    "case_id,kind,gend,age,maindiag_code,otherdiag_codes,main_oprn_oprt_code,expected_drg,source\n"
    "G1,surgical,1,60,I21.000,I10.x00,36.0601,FM15,演示\nG2,medical,1,60,J18.900,,,ES25,演示\n"
)


def a_draft(world) -> DrgRuleSet:
    return drg_rule_services.drg_rule_set_create(
        actor=world.officer, region=world.region, year=2025
    )


def test_the_demo_rule_files_become_a_published_rule_set_that_groups_like_the_files(world, seeded):
    assert seeded.status == CatalogStatus.PUBLISHED and seeded.approved_by == world.bureau_admin
    from_db, from_files = selectors.drg_rules_of(seeded), drg_grouper.drg_rules_load()
    for table in ("mdc", "adrg", "adrg_diagnoses", "adrg_procedures", "cc", "exclusions"):
        assert getattr(from_db, table).equals(getattr(from_files, table)), table
    assert selectors.drg_rule_set_in_force(region=world.region, year=2024) == seeded


def test_the_workbook_round_trips_to_the_same_tables(world, seeded):
    content = rule_files.workbook_bytes(selectors.drg_rule_tables(seeded))
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == [
        "MDC",
        "ADRG",
        "CC-MCC",
        "排除表",
        "手术室手术",
        "创伤部位",
        "MDC-主要诊断",
        "ADRG-主要诊断",
        "ADRG-主要手术操作",
        "排除表-主要诊断",
        "创伤部位-诊断",
        "金标准病例",
    ]
    assert [cell.value for cell in book["ADRG"][1]] == [
        "ADRG编码",
        "所属MDC",
        "ADRG名称",
        "类型",
        "细分规则",
        "诊断匹配方式",
        "手术匹配方式",
        "手术组合规则",
        "年龄天数上限",
        "体重下限(克)",
        "体重上限(克)",
    ]
    assert book["ADRG"]["D2"].value == "外科手术组"  # choices travel as labels
    assert [cell.value for cell in book["ADRG-主要手术操作"][2]] == [
        "BB1",
        None,
        "01.3901",
    ]  # one code per row
    draft = a_draft(world)
    counts = drg_rule_services.drg_rule_set_import(
        actor=world.officer, rule_set=draft, file=io.BytesIO(content), filename="rules.xlsx"
    )
    assert counts == {
        "mdc": 22,
        "adrg": 147,
        "cc": 20,
        "exclusions": 15,
        "or_procedures": 0,
        "trauma": 0,
        "golden_cases": 0,
    }
    for table, frame in selectors.drg_rule_tables(seeded).items():
        assert selectors.drg_rule_tables(draft)[table].equals(frame), table
    event = AuditEvent.objects.filter(action="drg_rule_set_import").get()
    assert (
        event.after["rows"] | {"golden_cases": 0} == counts
        and event.after["source"] == "Excel导入 rules.xlsx"
    )


def test_every_bad_cell_is_reported_in_chinese_and_nothing_is_written(world, seeded):
    draft = a_draft(world)
    content = rule_files.workbook_bytes(selectors.drg_rule_tables(seeded))
    bad = workbook_edited(
        content,
        {
            ("MDC", 1, "MDC编码"): "B",
            ("ADRG", 1, "细分规则"): 13,
            ("ADRG", 2, "类型"): "其他组",
            ("ADRG", 3, "所属MDC"): "MDCZ",
            ("ADRG-主要手术操作", 4, "编码"): "ABC",
            ("CC-MCC", 1, "诊断编码"): "A41",
            ("CC-MCC", 2, "排除组"): "NOPE",
            ("排除表", 1, "排除组名称"): None,
        },
    )
    with pytest.raises(ValidationError) as refused:
        drg_rule_services.drg_rule_set_import(actor=world.officer, rule_set=draft, file=bad)
    assert refused.value.messages == [
        "工作表“MDC”第2行“MDC编码”：“B”格式无效，应如 MDCF。",
        "工作表“ADRG”第2行“细分规则”：“13”无效，应为：伴MCC / 伴CC / 不伴、伴MCC / 不伴MCC、伴CC或MCC / 不伴、不细分。",
        "工作表“ADRG”第3行“类型”：“其他组”无效，应为：外科手术组、非手术室操作组、内科组、歧义组。",
        "工作表“CC-MCC”第2行“诊断编码”：“A41”格式无效，应如 I50.000。",
        "工作表“排除表”第2行“排除组名称”：不能为空。",
        "工作表“ADRG-主要手术操作”第5行“编码”：“ABC”格式无效，应如 36.0601。",
    ]
    assert not selectors.drg_rule_tables(draft)["adrg"].shape[0]


def test_rules_across_rows_are_checked_once_the_cells_are_good(world, seeded):
    content = rule_files.workbook_bytes(selectors.drg_rule_tables(seeded))
    repeated = workbook_edited(
        content, {("ADRG", 1, "ADRG编码"): "BE2"}
    )  # BB1 renamed to the code of row 2
    assert rule_files.workbook_read(repeated)[1] == [
        "工作表“ADRG”第2行“ADRG编码”：BE2 在本表中重复出现。",
        "工作表“ADRG”第3行“ADRG编码”：BE2 在本表中重复出现。",
    ]
    bad = workbook_edited(
        content,
        {
            ("ADRG", 1, "所属MDC"): "MDCZ",
            ("ADRG", 4, "所属MDC"): "MDCC",  # BR1 under the eye MDC
            ("CC-MCC", 2, "排除组"): "NOPE",
        },
    )
    tables, errors = rule_files.workbook_read(bad)
    assert errors == [
        "工作表“ADRG”第2行“所属MDC”：MDC MDCZ 不在“MDC”工作表中。",
        "工作表“ADRG”第5行“ADRG编码”：ADRG编码首字母须与所属MDC字母（C）一致。",
        "工作表“CC-MCC”第3行“排除组”：排除组 NOPE 不在“排除表”工作表中。",
    ]


def test_a_missing_sheet_or_column_and_an_unreadable_file_are_refused(world, seeded):
    content = rule_files.workbook_bytes(selectors.drg_rule_tables(seeded))
    assert rule_files.workbook_read(workbook_edited(content, {}, drop_sheet="排除表"))[1] == [
        "缺少工作表“排除表”。"
    ]
    assert rule_files.workbook_read(workbook_edited(content, {("MDC", 0, "MDC名称"): "名字"}))[
        1
    ] == ["工作表“MDC”缺少列：MDC名称。"]
    assert rule_files.workbook_read(io.BytesIO(b"not a workbook"))[1] == [workbooks.ERR_NOT_XLSX]


def test_publishing_needs_another_user_and_retires_the_set_before(world, seeded):
    copy = drg_rule_services.drg_rule_set_create(
        actor=world.officer, region=world.region, year=2024, based_on=seeded
    )
    assert copy.version == 2 and selectors.drg_rule_tables(copy)["cc"].equals(
        selectors.drg_rule_tables(seeded)["cc"]
    )
    drg_rule_services.drg_rule_set_submit(actor=world.officer, rule_set=copy)
    with pytest.raises(ValidationError, match="审核发布人不能是提交人"):
        drg_rule_services.drg_rule_set_publish(actor=world.officer, rule_set=copy)
    drg_rule_services.drg_rule_set_publish(actor=world.bureau_admin, rule_set=copy)
    seeded.refresh_from_db()
    assert (
        seeded.status == CatalogStatus.RETIRED
        and selectors.drg_rule_set_in_force(region=world.region, year=2024) == copy
    )
    assert (
        list(
            AuditEvent.objects.filter(object_id=str(seeded.pk), action__startswith="drg_rule_set")
            .values_list("action", flat=True)
            .order_by("pk")
        )[-1]
        == "drg_rule_set_retire"
    )


def test_a_submitted_or_published_set_cannot_be_refilled_and_an_empty_one_cannot_be_submitted(
    world, seeded
):
    with pytest.raises(ValidationError, match="不能修改"):
        drg_rule_services.drg_rule_set_load_csv(actor=world.officer, rule_set=seeded)
    with pytest.raises(ValidationError, match="还没有规则表"):
        drg_rule_services.drg_rule_set_submit(actor=world.officer, rule_set=a_draft(world))


# --- pages ---------------------------------------------------------------------------------------


def test_the_pages_show_a_published_set_to_everyone_and_drafts_to_the_bureau_only(
    client, client_for, world, seeded
):
    draft = a_draft(world)
    assert client.get(reverse("catalogs:drg_rules_list")).status_code == 302  # anonymous → login
    client_for(world.user_a)
    assert list(client.get(reverse("catalogs:drg_rules_list")).context["rule_sets"]) == [seeded]
    assert client.get(reverse("catalogs:drg_rules_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("catalogs:drg_rules_export", args=[seeded.pk])).status_code == 200
    assert client.post(reverse("catalogs:drg_rules_import", args=[draft.pk])).status_code == 403
    client_for(world.officer)
    page = client.get(reverse("catalogs:drg_rules_detail", args=[seeded.pk]))
    assert page.status_code == 200 and "ADRG（147 行）" in page.content.decode()


def test_an_officer_imports_a_workbook_through_the_page_and_sees_each_error(
    client_for, world, seeded
):
    draft = a_draft(world)
    client = client_for(world.officer)
    content = rule_files.workbook_bytes(selectors.drg_rule_tables(seeded))
    upload = workbook_edited(content, {("CC-MCC", 1, "级别"): "严重"})
    upload.name = "rules.xlsx"
    page = client.post(
        reverse("catalogs:drg_rules_import", args=[draft.pk]), {"file": upload}, follow=True
    )
    texts = [str(m) for m in page.context["messages"]]
    assert texts == [
        "导入未执行，文件中有以下错误：",
        "工作表“CC-MCC”第2行“级别”：“严重”无效，应为：严重并发症或合并症（MCC）、一般并发症或合并症（CC）。",
    ]
    good = io.BytesIO(content)
    good.name = "rules.xlsx"
    client.post(reverse("catalogs:drg_rules_import", args=[draft.pk]), {"file": good})
    assert DrgRuleSet.objects.get(pk=draft.pk).drgadrg_rows.count() == 147
    assert client.post(reverse("catalogs:drg_rules_submit", args=[draft.pk])).status_code == 302
    assert DrgRuleSet.objects.get(pk=draft.pk).status == CatalogStatus.SUBMITTED


# --- lossless round trips (long-format workbook, CSV zip) -------------------------------------------------


def long_rule_tables() -> dict:
    """The demo tables with a list far beyond one cell: 40,000 procedure codes on one ADRG."""
    tables = rule_files.csv_tables()
    codes = ";".join(f"{n // 1000:02d}.{n // 10 % 100:02d}00x{n % 1000:03d}" for n in range(40_000))
    tables["adrg"].loc[0, "proc_codes"] = codes
    return tables


def national_golden() -> pd.DataFrame:
    return pd.read_csv(
        drg_rule_services.NATIONAL_DIR / "golden.csv", dtype=str, keep_default_na=False
    )


@pytest.mark.parametrize("carrier", ["xlsx", "zip"])
def test_a_rule_set_exported_and_imported_again_has_the_same_content_hash(carrier):
    tables = long_rule_tables() | {drg_rules.GOLDEN: national_golden()}
    assert len(tables["adrg"].loc[0, "proc_codes"]) > 32_767
    content = (
        rule_files.workbook_bytes(tables) if carrier == "xlsx" else rule_files.zip_bytes(tables)
    )
    read, errors = (rule_files.workbook_read if carrier == "xlsx" else rule_files.zip_read)(
        io.BytesIO(content)
    )
    assert errors == []
    assert read["adrg"].loc[read["adrg"].index[0], "proc_codes"].count(";") == 39_999
    assert read[drg_rules.GOLDEN].equals(drg_rules.golden_complete(national_golden()))
    assert drg_rules.tables_hash(read) == drg_rules.tables_hash(tables)
    tables["adrg"].loc[0, "name"] = "改名"
    assert drg_rules.tables_hash(read) != drg_rules.tables_hash(tables)


def test_golden_cases_are_part_of_the_content_hash():
    tables = rule_files.csv_tables()
    golden = national_golden()
    with_golden = drg_rules.tables_hash(tables | {drg_rules.GOLDEN: golden})
    assert with_golden != drg_rules.tables_hash(tables)
    assert drg_rules.tables_hash(
        tables | {drg_rules.GOLDEN: golden.iloc[:0]}
    ) == drg_rules.tables_hash(tables)  # none = tables alone
    changed = golden.assign(expected_drg=golden["expected_drg"].where(golden.index != 0, "XX99"))
    assert drg_rules.tables_hash(tables | {drg_rules.GOLDEN: changed}) != with_golden
    assert (
        drg_rules.tables_hash(tables | {drg_rules.GOLDEN: golden.iloc[::-1]}) != with_golden
    )  # their order counts too


@pytest.mark.parametrize("carrier", ["xlsx", "zip"])
def test_a_set_exported_from_its_page_imports_into_a_draft_with_the_same_hash_golden_cases_included(
    world, seeded, client_for, carrier
):
    source = drg_rule_services.drg_rule_set_create(
        actor=world.officer, region=world.region, year=2026, based_on=seeded
    )
    drg_rule_services.drg_rule_set_golden_import(
        actor=world.officer, rule_set=source, file=io.BytesIO(PASSING_GOLDEN.encode())
    )
    url = reverse("catalogs:drg_rules_export", args=[source.pk]) + (
        "?format=zip" if carrier == "zip" else ""
    )
    response = client_for(world.officer).get(url)
    assert response.status_code == 200 and f'-v1.{carrier}"' in response["Content-Disposition"]
    empty = a_draft(world)
    counts = drg_rule_services.drg_rule_set_import(
        actor=world.officer,
        rule_set=empty,
        file=io.BytesIO(response.content),
        filename=f"rules.{carrier}",
    )
    assert counts["golden_cases"] == 2
    expected = drg_rules.tables_hash(drg_rule_services.drg_rule_set_content(source))
    assert drg_rules.tables_hash(drg_rule_services.drg_rule_set_content(empty)) == expected
    assert (
        drg_rules.tables_hash(drg_rule_services.drg_rule_set_content(seeded)) != expected
    )  # the same tables, no golden cases


def test_a_csv_zip_imports_into_a_draft_like_the_workbook(world, seeded):
    tables = selectors.drg_rule_tables(seeded)
    draft = a_draft(world)
    drg_rule_services.drg_rule_set_import(
        actor=world.officer,
        rule_set=draft,
        file=io.BytesIO(rule_files.zip_bytes(tables)),
        filename="rules.zip",
    )
    assert drg_rules.tables_hash(selectors.drg_rule_tables(draft)) == drg_rules.tables_hash(tables)
    with pytest.raises(ValidationError, match="无法读取文件"):
        drg_rule_services.drg_rule_set_import(
            actor=world.officer, rule_set=draft, file=io.BytesIO(b"no"), filename="x.zip"
        )


# --- the rule set list as a declared list page (config.lists) ------------------------------------


def test_the_rule_set_list_sorts_filters_and_exports(client_for, world, seeded):
    draft = a_draft(world)
    client = client_for(world.officer)
    rule_sets = reverse("catalogs:drg_rules_list")
    up = [r.pk for r in client.get(rule_sets, {"sort": "year"}).context["rule_sets"]]
    assert sorted(up) == sorted([seeded.pk, draft.pk])
    assert [r.pk for r in client.get(rule_sets, {"sort": "-year"}).context["rule_sets"]] == up[::-1]
    assert [r.pk for r in client.get(rule_sets, {"year": draft.year}).context["rule_sets"]] == [
        draft.pk
    ]
    rows = csv_rows(client.get(rule_sets, {"year": seeded.year, "export": "csv"}))
    assert rows[0][:5] == ["年度", "统筹区", "版本", "名称", "状态"]
    assert [row[0] for row in rows[1:]] == [str(seeded.year)]
    hospital = csv_rows(client_for(world.user_a).get(rule_sets, {"export": "csv"}))
    assert [row[4] for row in hospital[1:]] == [seeded.get_status_display()]
    refused = client.get(rule_sets, {"year": "abc"})
    assert refused.context["filter_error"] == lists.ERR_FILTER
