"""Dictionary versions on a small world: loading a file (every bad row named, nothing written), the
difference from the codes in force and what it reaches (catalog groups, DRG rule rows, open-period cases),
four-eyes publication with its audit event, the load command, and the pages' permissions."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEvent
from catalogs import dictionaries
from catalogs.choices import DictionaryStatus
from catalogs.dictionary_versions import selectors, services
from catalogs.models import (
    Diagnosis,
    DictionaryCode,
    DictionaryVersion,
    DrgAdrg,
    DrgRuleSet,
    Procedure,
)
from settlement.choices import PeriodStatus
from settlement.models import SettlementPeriod
from supervision.models import RuleSet
from tests.catalogs.conftest import catalog_create
from tests.world import case_create

pytestmark = pytest.mark.django_db

DIAGNOSES_V1 = "诊断编码,诊断名称,类目,亚目\nI21.000,急性ST段抬高型心肌梗死,,\nJ18.900,肺炎,,\nA17.000+G01*,结核性脑膜炎,,\n"
DIAGNOSES_V2 = (
    "诊断编码,诊断名称\nI21.000,急性ST段抬高型心肌梗死（新）\nA17.000+G01*,结核性脑膜炎\nI21.900,急性心肌梗死\n"
    "J18.900x001,社区获得性肺炎\n"
)
PROCEDURES = "手术操作编码,手术操作名称,手术室手术,操作类型\n36.0601,冠状动脉药物洗脱支架置入术,是,手术\n17.912A0,电针治疗,否,治疗性\n"


def csv_file(text: str, name: str = "dictionary.csv") -> io.BytesIO:
    file = io.BytesIO(text.encode("utf-8"))
    file.name = name
    return file


def load(
    world,
    text: str,
    *,
    kind: str = "diagnosis",
    name: str = "v1",
    day: dt.date = dt.date(2024, 1, 1),
) -> DictionaryVersion:
    return services.dictionary_version_load(
        actor=world.officer,
        kind=kind,
        file=csv_file(text),
        filename="dictionary.csv",
        name=name,
        effective_from=day,
    )


def in_force(world, text: str, **kwargs) -> DictionaryVersion:
    return services.dictionary_version_publish(
        actor=world.bureau_admin, version=load(world, text, **kwargs)
    )


def test_a_loaded_file_is_a_draft_holding_its_codes_with_derived_categories(world):
    version = load(world, DIAGNOSES_V1)
    assert version.status == DictionaryStatus.DRAFT and version.code_count == 3
    assert sorted(version.codes.values_list("code", "category", "subcategory")) == [
        ("A17.000+G01*", "A17", "A17.0"),
        ("I21.000", "I21", "I21.0"),
        ("J18.900", "J18", "J18.9"),
    ]
    assert not Diagnosis.objects.exists()  # not in force before it is published
    procedures = load(world, PROCEDURES, kind="procedure")
    assert sorted(
        procedures.codes.values_list(
            "code", "category", "subcategory", "operating_room", "treatment_type"
        )
    ) == [
        ("17.912A0", "17", "17.9", False, "therapeutic"),
        ("36.0601", "36", "36.0", True, "surgical"),
    ]


def test_a_file_with_bad_rows_names_each_and_writes_nothing(world):
    bad = "诊断编码,诊断名称\nI21.000,急性心肌梗死\nI21,\nI21.000,重复\n"
    with pytest.raises(ValidationError) as refused:
        load(world, bad)
    assert refused.value.messages == [
        "工作表“诊断编码”第3行“诊断编码”：“I21”格式无效，应如 I21.000、J18.900x001、A17.000+G01*。",
        "工作表“诊断编码”第3行“诊断名称”：不能为空。",
        "工作表“诊断编码”第2行“诊断编码”：I21.000 在本表中重复出现。",
        "工作表“诊断编码”第4行“诊断编码”：I21.000 在本表中重复出现。",
    ]
    assert not DictionaryVersion.objects.exists() and not DictionaryCode.objects.exists()


def test_publishing_needs_a_second_person_then_replaces_the_codes_in_force_and_retires_the_previous(
    world,
):
    first = in_force(world, DIAGNOSES_V1)
    assert sorted(Diagnosis.objects.values_list("code", flat=True)) == [
        "A17.000+G01*",
        "I21.000",
        "J18.900",
    ]
    second = load(world, DIAGNOSES_V2, name="v2", day=dt.date(2025, 1, 1))
    with pytest.raises(ValidationError) as refused:
        services.dictionary_version_publish(actor=world.officer, version=second)
    assert refused.value.messages == [services.ERR_SELF_PUBLISH]
    services.dictionary_version_publish(actor=world.bureau_admin, version=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.effective_to) == (DictionaryStatus.RETIRED, dt.date(2024, 12, 31))
    assert (
        second.status == DictionaryStatus.PUBLISHED
        and selectors.dictionary_version_in_force("diagnosis") == second
    )
    assert Diagnosis.objects.get(code="I21.000").name == "急性ST段抬高型心肌梗死（新）"
    assert not Diagnosis.objects.filter(code="J18.900").exists()
    assert second.changes == {"added": 2, "removed": 1, "renamed": 1, "changed": 0}
    event = AuditEvent.objects.filter(action="dictionary_version_publish").latest("pk")
    assert (
        event.actor == world.bureau_admin
        and event.after["in_force"] == "v2"
        and event.before == {"in_force": "v1"}
    )
    with pytest.raises(ValidationError) as refused:
        services.dictionary_version_publish(actor=world.bureau_admin, version=second)
    assert refused.value.messages == [services.ERR_NOT_DRAFT]


def test_the_diff_reaches_catalog_groups_rule_rows_supervision_rules_and_open_period_cases(world):
    in_force(world, DIAGNOSES_V1)
    catalog_create(world)  # groups I21.000+36.0601 (diag I21.000), J18.900, I21-S (category I21)
    rules = DrgRuleSet.objects.create(region=world.region, year=2025, name="规则")
    DrgAdrg.objects.create(
        rule_set=rules,
        adrg="ES2",
        mdc="E",
        name="呼吸系统感染",
        kind="medical",
        split="135",
        diag_codes="J18.900;J15",
    )
    case_create(
        institution=world.hospital_a, period=world.period, setl_id="S1", maindiag_code="J18.900"
    )
    case_create(
        institution=world.hospital_a,
        period=world.period,
        setl_id="S2",
        maindiag_code="I10.x00",
        otherdiag_codes="J18.900;E11.900",
    )
    RuleSet.objects.create(region=world.region, grassroots_categories=["J18", "K35"])
    closed = SettlementPeriod.objects.create(
        region=world.region, year=2024, month=2, status=PeriodStatus.CLOSED
    )
    case_create(institution=world.hospital_b, period=closed, setl_id="S3", maindiag_code="J18.900")
    version = load(world, DIAGNOSES_V2, name="v2")
    diff = selectors.version_diff(version)
    impact = selectors.version_impact(version, diff)
    removed = impact[impact["code"] == "J18.900"]
    assert removed[["source", "item", "cases"]].values.tolist() == [
        ["DRG分组规则", "ADRG ES2", 0],
        ["开放期病例", "主要诊断", 1],
        ["开放期病例", "其他诊断", 1],
        ["监管规则", "基层病种诊断类目", 0],
        ["目录病种", "J18.900 肺炎：保守治疗", 0],
    ]
    added = impact[
        impact["code"] == "I21.900"
    ]  # a new code of category I21 falls into the comprehensive group
    assert added["item"].tolist() == ["I21-S 急性心肌梗死：相关手术（综合病种）"]
    assert impact.loc[impact["code"] == "J18.900x001", "source"].tolist() == [
        "监管规则"
    ]  # its category J18


def test_the_exported_dictionary_workbook_loads_back_as_a_version_without_difference(world):
    in_force(world, PROCEDURES, kind="procedure")
    workbook = io.BytesIO(dictionaries.dictionary_workbook())
    version = services.dictionary_version_load(
        actor=world.officer,
        kind="procedure",
        file=workbook,
        filename="dictionary.xlsx",
        name="导出",
        effective_from=dt.date(2025, 1, 1),
    )
    assert version.code_count == 2 and selectors.version_diff(version).changes.empty
    assert version.codes.get(code="36.0601").operating_room is True


def test_the_load_command_prints_the_diff_and_publishes(world, capsys, tmp_path):
    in_force(world, DIAGNOSES_V1)
    path = tmp_path / "icd10.csv"
    path.write_text(DIAGNOSES_V2, encoding="gb18030")
    call_command(
        "dictionary_version_load",
        "diagnosis",
        str(path),
        "--name",
        "v2",
        "--effective-from",
        "2025-01-01",
        "--publish",
    )
    out = capsys.readouterr().out
    assert "新增 2 条、删除 1 条、更名 1 条、属性变更 0 条" in out and "已发布为现行版本" in out
    assert Diagnosis.objects.get(code="I21.000").name == "急性ST段抬高型心肌梗死（新）"


def test_the_pages_are_the_bureaus_and_publishing_is_someone_elses(world, client_for, client):
    detail = lambda pk: reverse("catalogs:dictionary_version_detail", args=[pk])  # noqa: E731
    in_force(world, DIAGNOSES_V1)
    assert (
        client.get(reverse("catalogs:dictionary_list")).status_code == 302
    )  # anonymous: to the login page
    for user in (world.user_a, world.expert):
        hospital = client_for(user)
        assert hospital.get(reverse("catalogs:dictionary_list")).status_code == 403
        assert hospital.get(detail(DictionaryVersion.objects.get().pk)).status_code == 403
        assert hospital.post(reverse("catalogs:dictionary_version_load"), {}).status_code == 403
    officer = client_for(world.officer)
    form = {
        "kind": "diagnosis",
        "name": "v2",
        "effective_from": "2025-01-01",
        "source": "",
        "file": csv_file(DIAGNOSES_V2),
    }
    response = officer.post(reverse("catalogs:dictionary_version_load"), form)
    version = DictionaryVersion.objects.get(name="v2")
    assert response.status_code == 302 and response.url == detail(version.pk)
    page = officer.get(detail(version.pk) + "?change=removed").content.decode()
    assert "J18.900" in page and "删除 1 条" in page and "I21.900" not in page
    officer.post(reverse("catalogs:dictionary_version_publish", args=[version.pk]))
    version.refresh_from_db()
    assert version.status == DictionaryStatus.DRAFT
    client_for(world.bureau_admin).post(
        reverse("catalogs:dictionary_version_publish", args=[version.pk])
    )
    version.refresh_from_db()
    assert version.status == DictionaryStatus.PUBLISHED
    assert "新增 2 条" in client_for(world.bureau_admin).get(detail(version.pk)).content.decode()


def test_a_bad_upload_on_the_page_shows_the_rows_and_writes_nothing(world, client_for):
    officer = client_for(world.officer)
    form = {
        "kind": "procedure",
        "name": "坏",
        "effective_from": "2025-01-01",
        "file": csv_file("手术操作编码,手术操作名称,操作类型\n3606,支架,手术\n"),
    }
    response = officer.post(reverse("catalogs:dictionary_version_load"), form, follow=True)
    assert "第2行“手术操作编码”：“3606”格式无效" in response.content.decode()
    assert not DictionaryVersion.objects.exists() and not Procedure.objects.exists()
