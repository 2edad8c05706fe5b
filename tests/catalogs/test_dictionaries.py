"""Coding dictionaries from Excel: the template, new and updated codes, every bad cell in Chinese with nothing
written, the round trip of an export, and the page's permissions."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from audit.models import AuditEvent
from catalogs.dictionaries import excel as dictionaries
from catalogs.dictionaries.models import Diagnosis, Procedure
from config.spreadsheets.cells import ERR_CELL_AT_LIMIT
from config.spreadsheets.responses import content_disposition

pytestmark = pytest.mark.django_db


def workbook(sheets: dict[str, list[list]]) -> io.BytesIO:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "dictionary.xlsx"
    return buffer


DIAGNOSIS_HEADER = ["诊断编码", "诊断名称", "类目"]
PROCEDURE_HEADER = ["手术操作编码", "手术操作名称", "类目", "操作类型"]


def test_the_template_has_both_sheets_with_the_full_headers_only():
    book = load_workbook(io.BytesIO(dictionaries.dictionary_workbook(empty=True)))
    assert book.sheetnames == ["诊断编码", "手术操作编码"]
    assert [[c.value for c in row] for row in book["手术操作编码"].iter_rows()] == [
        ["手术操作编码", "手术操作名称", "类目", "亚目", "手术室手术", "操作类型"]
    ]


def test_new_codes_are_added_and_known_ones_updated_with_one_audit_event(world):
    Diagnosis.objects.create(code="I21.000", name="旧名称", category="I21")
    upload = workbook(
        {
            "诊断编码": [
                DIAGNOSIS_HEADER,
                ["I21.000", "急性ST段抬高型心肌梗死", ""],
                ["J18.900", "肺炎", "J18"],
            ],
            "手术操作编码": [
                PROCEDURE_HEADER,
                ["36.0601", "冠状动脉药物洗脱支架置入术", "36.06", "手术"],
                ["39.9501", "血液透析", "", "治疗性操作"],
                ["88.5501", "冠状动脉造影", "", "诊断性"],
            ],
        }
    )
    counts = dictionaries.dictionary_import(actor=world.officer, file=upload, filename="icd.xlsx")
    assert counts == {"diagnoses": {"new": 1, "updated": 1}, "procedures": {"new": 3, "updated": 0}}
    assert Diagnosis.objects.get(code="I21.000").name == "急性ST段抬高型心肌梗死"
    assert dict(Procedure.objects.values_list("code", "treatment_type")) == {
        "36.0601": "surgical",
        "39.9501": "therapeutic",
        "88.5501": "diagnostic",
    }
    event = AuditEvent.objects.get(action="dictionary_import")
    assert (
        event.actor == world.officer
        and event.message
        == "从Excel导入编码字典 icd.xlsx：诊断编码新增1条、更新1条；手术操作编码新增3条、更新0条"
    )


def test_every_bad_cell_is_reported_in_chinese_and_nothing_is_written(world):
    upload = workbook(
        {
            "诊断编码": [
                DIAGNOSIS_HEADER,
                ["I21", "类目不是诊断", ""],
                ["J18.900", "", ""],
                ["J18.900", "肺炎", "J1"],
            ],
            "手术操作编码": [PROCEDURE_HEADER, ["36.0601", "支架", "", "内科"]],
        }
    )
    with pytest.raises(ValidationError) as refused:
        dictionaries.dictionary_import(actor=world.officer, file=upload)
    assert refused.value.messages == [
        "工作表“诊断编码”第2行“诊断编码”：“I21”格式无效，应如 I21.000、J18.900x001、A17.000+G01*。",
        "工作表“诊断编码”第3行“诊断名称”：不能为空。",
        "工作表“诊断编码”第4行“类目”：“J1”格式无效，应如 I21。",
        "工作表“诊断编码”第3行“诊断编码”：J18.900 在本表中重复出现。",
        "工作表“诊断编码”第4行“诊断编码”：J18.900 在本表中重复出现。",
        "工作表“手术操作编码”第2行“操作类型”：“内科”无效，应为：诊断性、治疗性、手术。",
    ]
    assert not Diagnosis.objects.exists() and not Procedure.objects.exists()
    with pytest.raises(ValidationError, match="工作簿中没有"):
        dictionaries.dictionary_import(actor=world.officer, file=workbook({"Sheet": [["x"]]}))


def test_an_export_imports_back_unchanged(world):
    Diagnosis.objects.create(code="I21.000", name="急性心肌梗死", category="I21")
    Procedure.objects.create(
        code="36.0601", name="支架", category="36.06", treatment_type="surgical"
    )
    exported = io.BytesIO(dictionaries.dictionary_workbook())
    counts = dictionaries.dictionary_import(actor=world.officer, file=exported)
    assert counts == {"diagnoses": {"new": 0, "updated": 1}, "procedures": {"new": 0, "updated": 1}}
    assert list(Procedure.objects.values_list("code", "name", "category", "treatment_type")) == [
        ("36.0601", "支架", "36.06", "surgical")
    ]


def test_the_page_is_the_bureaus_and_an_upload_shows_the_result(world, client, client_for):
    assert client.get(reverse("catalogs:dictionary_list")).status_code == 302
    assert client_for(world.user_a).get(reverse("catalogs:dictionary_list")).status_code == 403
    assert (
        client.post(
            reverse("catalogs:dictionary_import"), {"file": workbook({"Sheet": [["x"]]})}
        ).status_code
        == 403
    )
    officer = client_for(world.officer)
    template = officer.get(reverse("catalogs:dictionary_export"), {"template": "1"})
    assert template["Content-Disposition"] == content_disposition("dictionary-template.xlsx")
    page = officer.post(
        reverse("catalogs:dictionary_import"),
        {"file": workbook({"诊断编码": [DIAGNOSIS_HEADER, ["J18.900", "肺炎", ""]]})},
        follow=True,
    )
    assert [str(m) for m in page.context["messages"]] == ["已导入：诊断编码新增 1 条、更新 0 条"]
    assert page.context["diagnoses"] == 1


def test_every_national_code_form_imports_and_keeps_its_full_text(world):
    upload = workbook(
        {
            "诊断编码": [
                DIAGNOSIS_HEADER,
                ["A00.000", "霍乱", ""],
                ["J18.900x001", "社区获得性肺炎", ""],
                ["A17.000+G01*", "结核性脑膜炎", ""],
                ["a01.000x005†j17.0＊", "伤寒性肺炎", ""],
            ],
            "手术操作编码": [
                PROCEDURE_HEADER,
                ["36.0601", "支架", "", "手术"],
                ["17.91100", "针刺", "", "治疗性"],
                ["17.912A0", "灸法", "", "治疗性"],
            ],
        }
    )
    counts = dictionaries.dictionary_import(actor=world.officer, file=upload)
    assert counts == {"diagnoses": {"new": 4, "updated": 0}, "procedures": {"new": 3, "updated": 0}}
    assert dict(Diagnosis.objects.values_list("code", "category")) == {
        "A00.000": "A00",
        "J18.900x001": "J18",
        "A17.000+G01*": "A17",
        "A01.000x005+J17.0*": "A01",
    }
    assert set(Procedure.objects.values_list("code", flat=True)) == {
        "36.0601",
        "17.91100",
        "17.912A0",
    }


def test_bad_code_forms_are_refused_by_row(world):
    upload = workbook(
        {
            "诊断编码": [DIAGNOSIS_HEADER, ["A17.000+", "不完整的合并编码", ""]],
            "手术操作编码": [PROCEDURE_HEADER, ["17.9110000", "七位细目", "", "治疗性"]],
        }
    )
    with pytest.raises(ValidationError) as refused:
        dictionaries.dictionary_import(actor=world.officer, file=upload)
    assert [message.split("：")[0] for message in refused.value.messages] == [
        "工作表“诊断编码”第2行“诊断编码”",
        "工作表“手术操作编码”第2行“手术操作编码”",
    ]
    assert not Diagnosis.objects.exists() and not Procedure.objects.exists()


def test_a_real_size_code_list_survives_export_and_import_whole(world):
    """About as many codes as the operating-room procedure list: one code per row, so no cell nears Excel's
    32,767-character limit however long the list (joined, these codes would need 80,000 characters)."""
    codes = [f"{n // 10_000 + 10:02d}.{n % 10_000:04d}" for n in range(0, 30_000, 3)]
    Diagnosis.objects.create(code="I21.000", name="急性心肌梗死", category="I21")
    Procedure.objects.bulk_create(
        Procedure(code=code, name=f"操作{code}", category=code[:5], treatment_type="surgical")
        for code in codes
    )
    exported = dictionaries.dictionary_workbook()
    Procedure.objects.all().delete()
    counts = dictionaries.dictionary_import(actor=world.officer, file=io.BytesIO(exported))
    assert counts["procedures"] == {"new": 10_000, "updated": 0}
    stored = list(
        Procedure.objects.order_by("code").values_list("code", "name", "category", "treatment_type")
    )
    assert stored == [(code, f"操作{code}", code[:5], "surgical") for code in codes]


def test_a_cell_at_excels_limit_is_refused_as_probably_cut_and_nothing_is_written(world):
    upload = workbook(
        {"诊断编码": [DIAGNOSIS_HEADER, ["J18.900", "肺炎", ""], ["I21.000", "心" * 32_767, ""]]}
    )
    with pytest.raises(ValidationError) as refused:
        dictionaries.dictionary_import(actor=world.officer, file=upload)
    assert refused.value.messages == [
        ERR_CELL_AT_LIMIT.format(sheet="诊断编码", cell="B3", limit=32_767)
    ]
    assert refused.value.messages[0].startswith("工作表“诊断编码”B3 单元格恰好有 32767 个字符")
    assert not Diagnosis.objects.exists()
