"""The national 4101 shape (setlinfo with diseinfo / oprninfo / icuinfo) through the one validation path:
the pure flattening, JSON records, the workbook with a sheet per table and the zip of CSVs."""

from __future__ import annotations

import csv
import io
import zipfile

import pandas as pd
import pytest

from config.spreadsheets.writer import rows_workbook
from settlement.intake import domain, national
from settlement.intake.choices import ImportSource, ImportStatus, IssueSeverity
from settlement.models import CaseRecord
from tests.settlement.national_records import national_record, national_tables

KNOWN = {"H37080200001": (1, 1), "H37080200002": (2, 1)}
MAIN = {"diag_type": "1", "diag_code": "I21.000", "maindiag_flag": "1"}
OTHER = {"diag_type": "1", "diag_code": "I10.x00", "maindiag_flag": "0"}


def validated(records: list[dict], **options) -> domain.IntakeResult:
    tables = {table: pd.DataFrame(rows) for table, rows in national_tables(records).items()}
    return national.records_validate(tables, known_institutions=KNOWN, **options)


def messages(result: domain.IntakeResult, column: str) -> list[str]:
    return result.errors.loc[result.errors["column"] == column, "message"].tolist()


# --- the pure flattening ------------------------------------------------------------------------------


def test_a_record_with_all_lists_becomes_the_flat_row():
    result = validated([national_record("S1")])
    assert result.ok, result.errors.to_dict("records")
    case = result.cases.iloc[0]
    assert (case["maindiag_code"], case["otherdiag_codes"]) == (
        "I21.000",
        "I10.x00;E11.900",
    )  # the TCM diagnosis stays out
    assert (case["main_oprn_oprt_code"], case["other_oprn_oprt_codes"]) == ("36.0601", "88.5501")
    assert case["scs_cutd_sum_dura"] == 1 * 1440 + 2 * 60 + 30
    assert case["psn_cash_pay"] == 0  # 4101 spells psn_cashpay
    assert (
        result.warnings["message"].str.contains("未识别的列").sum() == 0
    )  # psn_name, medcasno: national, not ours


def test_icu_stays_are_summed_and_a_stay_without_duration_counts_its_times():
    stays = [
        {"scs_cutd_inpool_time": "2024-03-02 10:00", "scs_cutd_exit_time": "2024-03-02 16:15"},
        {"scs_cutd_sum_dura": "1/0/0"},
    ]
    result = validated([national_record("S1", icuinfo=stays)])
    assert result.ok and result.cases.iloc[0]["scs_cutd_sum_dura"] == 6 * 60 + 15 + 1440


def test_a_bad_diagnosis_row_names_record_table_row_and_field_once():
    record = national_record("S1", diseinfo=[MAIN, {**OTHER, "diag_code": "I10"}])
    result = validated([national_record("S0"), record])
    assert list(result.errors["column"]) == ["diseinfo.diag_code"]  # not again as otherdiag_codes
    error = result.errors.iloc[0]
    assert error["row"] == 2 + 4 + 1  # the sheet row: S0 has four diagnoses, then S1's main one
    assert (
        error["message"]
        == f"【结算ID S1｜诊断(diseinfo)第7行｜诊断代码 diag_code】{domain.ERR_ICD10}"
    )


@pytest.mark.parametrize(
    "diagnoses, expected",
    [
        ([MAIN, {**OTHER, "maindiag_flag": "1"}], [national.ERR_MAIN_DIAG_MANY.format(n=2)] * 2),
        ([OTHER], [national.ERR_MAIN_DIAG_NONE]),
        ([], [national.ERR_MAIN_DIAG_NONE]),
    ],
)
def test_exactly_one_main_diagnosis_per_record(diagnoses, expected):
    result = validated([national_record("S1", diseinfo=diagnoses)])
    found = messages(result, "diseinfo.maindiag_flag")
    assert [message.split("】")[1] for message in found] == expected
    assert all(message.startswith("【结算ID S1｜诊断(diseinfo)") for message in found)
    assert not result.errors["column"].eq("maindiag_code").any()


def test_a_chinese_medicine_main_diagnosis_is_not_the_main_diagnosis():
    tcm_main = {"diag_type": "2", "diag_code": "BNV060", "maindiag_flag": "1"}
    result = validated([national_record("S1", diseinfo=[tcm_main, OTHER])])
    assert [m.split("】")[1] for m in messages(result, "diseinfo.maindiag_flag")] == [
        national.ERR_MAIN_DIAG_NONE
    ]


def test_the_flat_alias_stands_in_for_a_record_without_diagnoses():
    record = national_record("S1", diseinfo=[])
    record["setlinfo"]["maindiag_code"] = "A17.000+G01*"
    result = validated([record])
    assert result.ok, result.errors.to_dict("records")
    assert result.cases.iloc[0]["maindiag_code"] == "A17.000+G01*"


def test_at_most_one_main_procedure_and_the_first_row_when_none_is_flagged():
    two = [
        {"oprn_oprt_code": "36.0601", "main_oprn_flag": "1"},
        {"oprn_oprt_code": "17.912A0", "main_oprn_flag": "1"},
    ]
    result = validated([national_record("S1", oprninfo=two)])
    assert [m.split("】")[1] for m in messages(result, "oprninfo.main_oprn_flag")] == [
        national.ERR_MAIN_OPRN_MANY.format(n=2)
    ] * 2
    none = [{"oprn_oprt_code": "17.91100"}, {"oprn_oprt_code": "36.0601"}]
    result = validated([national_record("S1", oprninfo=none)])
    assert result.ok and result.cases.iloc[0]["main_oprn_oprt_code"] == "17.91100"
    assert result.warnings["message"].str.endswith(national.WARN_MAIN_OPRN_NONE).sum() == 1


def test_a_list_row_without_its_record_is_an_error():
    tables = {
        table: pd.DataFrame(rows)
        for table, rows in national_tables([national_record("S1")]).items()
    }
    tables["oprninfo"].loc[1, "setl_id"] = "S9"
    result = national.records_validate(tables, known_institutions=KNOWN)
    assert messages(result, "oprninfo.setl_id") == [
        "【结算ID S9｜手术操作(oprninfo)第3行｜结算ID setl_id】"
        + national.ERR_NO_RECORD.format(keys="setl_id")
    ]


def test_a_regional_file_joins_on_institution_and_setl_id():
    records = [national_record("S1"), national_record("S1", fixmedins_code="H37080200002")]
    records[1]["diseinfo"][0]["diag_code"] = "J18.900x001"
    tables = {table: pd.DataFrame(rows) for table, rows in national_tables(records).items()}
    ambiguous = national.records_validate(tables, known_institutions=KNOWN)
    assert set(messages(ambiguous, "diseinfo.setl_id")) == {
        "【结算ID S1｜诊断(diseinfo)第2行｜结算ID setl_id】" + national.ERR_AMBIGUOUS_RECORD
    } | {
        f"【结算ID S1｜诊断(diseinfo)第{row}行｜结算ID setl_id】" + national.ERR_AMBIGUOUS_RECORD
        for row in range(3, 10)
    }
    for table in ("diseinfo", "oprninfo", "icuinfo"):
        owners = [
            record["setlinfo"]["fixmedins_code"] for record in records for _row in record[table]
        ]
        tables[table].insert(0, "定点医药机构编号", owners)  # a Chinese header names the column too
    result = national.records_validate(tables, known_institutions=KNOWN)
    assert result.ok, result.errors.to_dict("records")
    assert list(result.cases["maindiag_code"]) == ["I21.000", "J18.900x001"]


def test_an_infant_without_age_in_the_national_shape():
    infant = national_record(
        "S1",
        age="",
        nwb_age="12",
        nwb_bir_wt="3250.00",
        nwb_adm_wt="3100",
        diseinfo=[{"diag_code": "P07.300", "maindiag_flag": "1"}],
    )
    result = validated([infant])
    assert result.ok, result.errors.to_dict("records")
    case = result.cases.iloc[0]
    assert (case["age"], case["nwb_age"], case["nwb_bir_wt"], case["maindiag_code"]) == (
        0,
        12,
        3250,
        "P07.300",
    )
    result = validated(
        [national_record("S1", age="", diseinfo=[{"diag_code": "P07.300", "maindiag_flag": "1"}])]
    )
    assert messages(result, "age") == [
        "【结算ID S1｜结算清单(setlinfo)第2行｜年龄(岁) age】" + domain.ERR_AGE_OR_NEWBORN_AGE
    ]


# --- JSON records through the API ----------------------------------------------------------------------

URL = "/api/v1/cases/batches/"


@pytest.mark.django_db
def test_api_takes_a_record_with_all_lists(world, client_for):
    response = client_for(world.user_a).post(
        URL, {"records": [national_record("S1")]}, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    case = CaseRecord.objects.get(setl_id="S1")
    assert (case.maindiag_code, case.otherdiag_codes, case.main_oprn_oprt_code) == (
        "I21.000",
        "I10.x00;E11.900",
        "36.0601",
    )
    assert case.scs_cutd_sum_dura == 1590 and case.institution == world.hospital_a


@pytest.mark.django_db
def test_api_takes_json_numbers_in_a_record(world, client_for):
    record = national_record(
        "S1",
        age=60,
        act_ipt_days=7,
        medfee_sumamt=30000.3,
        fund_pay_sumamt=21000.1,
        hifp_pay=21000.1,
        psn_part_amt=9000.2,
        fee_other=5000.3,
        acct_pay=0.1 + 0.2,
    )
    record["icuinfo"] = []
    record["oprninfo"][0]["main_oprn_flag"] = 1
    response = client_for(world.user_a).post(
        URL, {"records": [record]}, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    case = CaseRecord.objects.get(setl_id="S1")
    assert (str(case.medfee_sumamt), str(case.acct_pay)) == (
        "30000.30",
        "0.30",
    )  # 0.30000000000000004 as sent


@pytest.mark.django_db
def test_api_takes_a_bare_record_and_many_records(world, client_for):
    client = client_for(world.user_a)
    assert (
        client.post(URL, national_record("S1"), content_type="application/json").status_code == 201
    )
    records = [national_record(f"M{i:03d}") for i in range(200)]
    response = client.post(URL, {"records": records}, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["rows_written"] == 200 and CaseRecord.objects.count() == 201


@pytest.mark.django_db
def test_api_a_bad_list_row_writes_nothing_and_names_the_row(world, client_for):
    bad = national_record(
        "S2",
        oprninfo=[
            {"oprn_oprt_code": "36.0601", "main_oprn_flag": "1"},
            {"oprn_oprt_code": "17.9110000", "main_oprn_flag": "0"},
        ],
    )
    response = client_for(world.user_a).post(
        URL, {"records": [national_record("S1"), bad]}, content_type="application/json"
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["row"], error["column"], error["value"]) == (
        2,
        "oprninfo.oprn_oprt_code",
        "17.9110000",
    )
    assert error["message"].startswith(
        "【结算ID S2｜手术操作(oprninfo)第2行｜手术操作代码 oprn_oprt_code】"
    )
    assert error["column_name"] == "手术操作·手术操作代码(oprninfo.oprn_oprt_code)"
    assert not CaseRecord.objects.exists()


@pytest.mark.django_db
def test_api_a_hospital_posts_only_its_own_records(world, client_for):
    other = national_record("S2", fixmedins_code=world.hospital_b.code)
    response = client_for(world.user_a).post(
        URL, {"records": [national_record("S1"), other]}, content_type="application/json"
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["column"] == "fixmedins_code" and error["message"].endswith(
        domain.ERR_INSTITUTION_NOT_OWN
    )
    assert not CaseRecord.objects.exists()
    bureau = client_for(world.officer).post(
        URL, {"records": [national_record("S1"), other]}, content_type="application/json"
    )
    assert (
        bureau.status_code == 201
        and CaseRecord.objects.filter(institution=world.hospital_b).count() == 1
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda r: r["diseinfo"][1].update(diag_code=["I10.x00"]),
            "第1条记录 diseinfo第2行字段“diag_code”：应为文本或数字，不能是列表或对象。",
        ),
        (
            lambda r: r.update(oprninfo={"oprn_oprt_code": "36.0601"}),
            "第1条记录：oprninfo应为对象列表。",
        ),
        (lambda r: r.pop("setlinfo"), "第1条记录：缺少结算清单对象 setlinfo。"),
    ],
)
def test_api_a_malformed_record_is_refused_before_any_batch(world, client_for, change, message):
    from settlement.intake.models import ImportBatch

    record = national_record("S1")
    change(record)
    response = client_for(world.user_a).post(
        URL, {"records": [record]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert message in response.json()["errors"]["records"]
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_api_wants_rows_or_records_not_both(world, client_for):
    body = {"records": [national_record("S1")], "rows": [{"setl_id": "S2"}]}
    response = client_for(world.user_a).post(URL, body, content_type="application/json")
    assert response.status_code == 400 and not CaseRecord.objects.exists()


@pytest.mark.django_db
def test_openapi_documents_the_4101_shape_with_an_example(world, client_for):
    schema = client_for(world.officer).get("/api/v1/schema/", {"format": "json"}).json()
    body = schema["paths"][URL]["post"]["requestBody"]["content"]["application/json"]
    request = schema["components"]["schemas"][body["schema"]["$ref"].rsplit("/", 1)[1]]
    assert "diseinfo" in request["properties"]["records"]["description"]
    example = next(e["value"] for e in body["examples"].values() if "records" in e["value"])
    assert {"setlinfo", "diseinfo", "oprninfo", "icuinfo"} <= set(example["records"][0])


# --- files: a workbook with a sheet per table, a zip of CSVs ------------------------------------------

SHEETS = {"setlinfo": "结算清单", "diseinfo": "诊断", "oprninfo": "手术操作", "icuinfo": "重症监护"}


def _table_rows(rows: list[dict]) -> tuple[list[str], list[list]]:
    header = list(dict.fromkeys(key for row in rows for key in row))
    return header, [[row.get(key, "") for key in header] for row in rows]


def workbook_bytes(records: list[dict]) -> bytes:
    return rows_workbook(
        [(SHEETS[table], *_table_rows(rows)) for table, rows in national_tables(records).items()]
    )


def zip_bytes(records: list[dict]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table, rows in national_tables(records).items():
            header, cells = _table_rows(rows)
            text = io.StringIO()
            csv.writer(text).writerows([header, *cells])
            archive.writestr(f"{table}.csv", text.getvalue().encode("utf-8-sig"))
    return buffer.getvalue()


def _bad_diagnosis(records: list[dict]) -> list[dict]:
    records[1]["diseinfo"][2]["diag_code"] = "E11.9000000"
    return records


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, build, source",
    [("4101.xlsx", workbook_bytes, ImportSource.XLSX), ("4101.zip", zip_bytes, ImportSource.ZIP)],
)
def test_a_national_file_is_written(world, upload, name, build, source):
    batch = upload(
        world.user_a, name=name, content=build([national_record(f"S{i}") for i in range(3)])
    )
    assert (batch.status, batch.source, batch.rows_written) == (
        ImportStatus.SUCCEEDED,
        source,
        3,
    ), batch.message
    assert CaseRecord.objects.get(setl_id="S2").other_oprn_oprt_codes == "88.5501"


@pytest.mark.django_db
@pytest.mark.parametrize("name, build", [("4101.xlsx", workbook_bytes), ("4101.zip", zip_bytes)])
def test_a_bad_list_row_in_a_national_file_writes_nothing(world, upload, name, build):
    records = _bad_diagnosis([national_record(f"S{i}") for i in range(3)])
    batch = upload(world.user_a, name=name, content=build(records))
    assert batch.status == ImportStatus.REJECTED and not CaseRecord.objects.exists()
    (error,) = batch.issues.filter(severity=IssueSeverity.ERROR)
    assert (error.row, error.column, error.value) == (
        2 + 4 + 2,
        "diseinfo.diag_code",
        "E11.9000000",
    )
    assert error.message.startswith("【结算ID S1｜诊断(diseinfo)第8行｜诊断代码 diag_code】")


@pytest.mark.django_db
def test_a_zip_without_the_settlement_table_is_refused(world, upload):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("diseinfo.csv", "setl_id,diag_code\nS1,I21.000\n")
    batch = upload(world.user_a, name="4101.zip", content=buffer.getvalue())
    assert batch.status == ImportStatus.REJECTED
    assert batch.issues.get().message.startswith("压缩包中没有结算清单表")


@pytest.mark.django_db
def test_the_upload_page_takes_a_national_zip(
    world, client_for, media_root, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client = client_for(world.user_a)
    page = client.get(reverse("settlement:batch_upload")).content.decode()
    assert ".zip" in page and "diseinfo" in page and "maindiag_flag" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("settlement:batch_upload"),
            {"file": SimpleUploadedFile("4101.zip", zip_bytes([national_record("S1")]))},
        )
    assert response.status_code == 302
    assert CaseRecord.objects.get(setl_id="S1").main_oprn_oprt_code == "36.0601"
