"""The institution register (catalogs/register/): changes with an effective date that never rewrite the
past, audited; import and export of the register (round trip, every bad row named, all or nothing); the
pages (bureau edits, a hospital reads only its own history without who recorded it) and the command."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from audit.models import AuditEvent
from catalogs.coefficients import services as coefficient_services
from catalogs.models import Institution, InstitutionState, Region
from catalogs.register import excel, services
from catalogs.register.selectors import institution_state_as_of, institution_states_as_of

pytestmark = pytest.mark.django_db
HEADER = [
    "定点医药机构编码",
    "机构名称",
    "统筹区编码",
    "医院等级",
    "机构类别",
    "基层医疗机构",
    "医共体牵头机构编码",
    "协议期起",
    "协议期止",
    "生效日期",
]
JULY = date(2024, 7, 1)


def workbook(rows: list[list], header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def sheet_rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))


def promote(world, day=JULY, **changes):
    return services.institution_change(
        actor=world.officer,
        institution=world.hospital_b,
        effective_from=day,
        changes=changes or {"level": "3"},
        reason="晋升三级",
    )


# --- changes -----------------------------------------------------------------------------------------


def test_a_change_takes_effect_on_its_date_and_leaves_the_days_before_alone(world):
    promote(world)
    b = world.hospital_b
    assert institution_state_as_of(b, date(2024, 6, 30)).level == "2"
    assert institution_state_as_of(b, JULY).level == "3"
    states = list(InstitutionState.objects.filter(institution=b).order_by("valid_from"))
    assert [(s.valid_from, s.valid_to, s.level) for s in states] == [
        (date(2000, 1, 1), date(2024, 6, 30), "2"),
        (JULY, None, "3"),
    ]
    assert states[1].recorded_by == world.officer and states[1].changed == ["level"]
    event = AuditEvent.objects.get(action="institution_change")
    assert (event.before["level"], event.after["level"], event.after["effective_from"]) == (
        "2",
        "3",
        "2024-07-01",
    )


def test_the_bulk_read_gives_every_institution_of_the_region_its_state_on_the_day(world):
    promote(world, consortium_lead_id=world.hospital_a.pk)
    before, after = (
        institution_states_as_of(region=world.region, day=day)
        for day in (date(2024, 1, 31), date(2024, 8, 31))
    )
    assert (
        before[world.hospital_b.pk].consortium_lead_id is None
        and after[world.hospital_b.pk].consortium_lead_id == world.hospital_a.pk
    )
    assert before[world.hospital_a.pk].level == after[world.hospital_a.pk].level == "3A"


def test_a_change_that_changes_nothing_or_names_a_bad_lead_is_refused(world):
    with pytest.raises(ValidationError, match="没有需要变更的项目"):
        promote(world, level="2")
    with pytest.raises(ValidationError, match="不能是本机构自身"):
        promote(world, consortium_lead_id=world.hospital_b.pk)
    assert (
        not InstitutionState.objects.exists()
        and not AuditEvent.objects.filter(action="institution_change").exists()
    )


# --- import and export -------------------------------------------------------------------------------


def test_an_export_imported_again_changes_nothing(world):
    promote(world, level="3", consortium_lead_id=world.hospital_a.pk)
    content = excel.register_workbook(region=world.region, day=date(2024, 8, 1))
    rows = sheet_rows(content)
    assert rows[0] == tuple(HEADER)
    assert (
        rows[2][:7] == ("H37080200002", "乙医院", "370800", "三级", "综合", "否", "H37080200001")
        and rows[2][9].date() == JULY
    )
    states = list(
        InstitutionState.objects.values_list(
            "institution", "valid_from", "level", "consortium_lead"
        )
    )
    summary = services.register_import(actor=world.officer, rows=excel.register_read(content))
    assert (summary.created, summary.changed, summary.unchanged) == (0, 0, 2)
    assert (
        list(
            InstitutionState.objects.values_list(
                "institution", "valid_from", "level", "consortium_lead"
            )
        )
        == states
    )


def test_an_import_registers_new_institutions_and_records_changes_from_their_dates(world):
    content = workbook(
        [
            [
                "H37080200003",
                "丙卫生院",
                "370800",
                "一级",
                "基层",
                "是",
                "H37080200002",
                "2024-01-01",
                "2026-12-31",
                "2024-01-01",
            ],
            ["H37080200002", "乙医院", "370800", "二级", "综合", "否", "", "", "", "2024-01-01"],
            ["H37080200002", "乙医院", "370800", "三级", "综合", "否", "", "", "", "2024-07-01"],
        ]
    )
    summary = services.register_import(actor=world.officer, rows=excel.register_read(content))
    assert (summary.created, summary.changed) == (1, 1)
    new = Institution.objects.get(code="H37080200003")
    state = institution_state_as_of(new, date(2024, 3, 1))
    assert (state.level, state.is_grassroots, state.consortium_lead_id, state.agreement_to) == (
        "1",
        True,
        world.hospital_b.pk,
        date(2026, 12, 31),
    )
    assert [
        institution_state_as_of(world.hospital_b, day).level for day in (date(2024, 6, 30), JULY)
    ] == ["2", "3"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            ["H37080200002", "", "", "特级", "综合", "否", "", "", "", "2024-07-01"],
            "第3行 医院等级：“特级”不是医院等级",
        ),
        (
            ["H3708020002", "新医院", "370800", "二级", "综合", "否", "", "", "", "2024-07-01"],
            "第3行 定点医药机构编码：“H3708020002”不是定点医药机构编码",
        ),
        (
            ["H37080200001", "", "", "三级甲等", "综合", "否", "", "", "", "2024-01-01"],
            "第3行 生效日期：H37080200001 的生效日期 2024-01-01 与第2行重叠",
        ),
        (
            ["H37080200002", "", "", "二级", "综合", "否", "H37089999999", "", "", "2024-07-01"],
            "第3行 医共体牵头机构编码：医共体牵头机构 H37089999999",
        ),
        (
            [
                "H37080200002",
                "",
                "",
                "二级",
                "综合",
                "否",
                "",
                "2025-01-01",
                "2024-01-01",
                "2024-07-01",
            ],
            "第3行 协议期止：协议期止不能早于协议期起",
        ),
        (
            ["H37080200002", "", "", "二级", "综合", "也许", "", "", "", "七月一日"],
            "第3行 生效日期：“七月一日”不是日期",
        ),
    ],
)
def test_a_bad_row_is_named_with_its_field_and_nothing_is_written(world, row, message):
    good = ["H37080200001", "", "", "三级", "综合", "否", "", "", "", "2024-01-01"]
    with pytest.raises(ValidationError) as refused:
        services.register_import(
            actor=world.officer, rows=excel.register_read(workbook([good, row]))
        )
    assert any(m.startswith(message) for m in refused.value.messages), refused.value.messages
    assert not InstitutionState.objects.exists() and Institution.objects.count() == 2


def test_a_row_the_service_refuses_rolls_back_the_rows_before_it(world):
    content = workbook(
        [
            ["H37080200002", "", "", "三级", "综合", "否", "", "", "", "2024-01-01"],
            [
                "H37080200001",
                "",
                "",
                "三级甲等",
                "综合",
                "否",
                "H37080200001",
                "",
                "",
                "2024-01-01",
            ],
        ]
    )
    with pytest.raises(ValidationError, match="第3行：医共体牵头机构不能是本机构自身"):
        services.register_import(actor=world.officer, rows=excel.register_read(content))
    assert not InstitutionState.objects.exists()
    world.hospital_b.refresh_from_db()
    assert world.hospital_b.level == "2"


def test_the_command_exports_and_imports_the_register(world, tmp_path, capsys):
    path = tmp_path / "register.xlsx"
    call_command("institution_register", "export", "370800", str(path), "--as-of", "2024-07-01")
    assert [row[0] for row in sheet_rows(path.read_bytes())[1:]] == ["H37080200001", "H37080200002"]
    call_command("institution_register", "import", str(path), "--user", "officer")
    assert "变更 0 家" in capsys.readouterr().out
    path.write_bytes(
        workbook([["H37080200002", "", "", "特级", "综合", "否", "", "", "", "2024-07-01"]])
    )
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("institution_register", "import", str(path))


# --- pages ---------------------------------------------------------------------------------------------


def test_an_officer_records_a_change_through_the_page_and_sees_it_in_the_history(world, client_for):
    client = client_for(world.officer)
    url = reverse("catalogs:institution_change", args=["H37080200002"])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "effective_from": "2024-07-01",
            "level": "3",
            "type": "general",
            "reason": "晋升三级",
            "consortium_lead": world.hospital_a.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()
    html = client.get(
        reverse("catalogs:institution_history", args=["H37080200002"])
    ).content.decode()
    assert (
        "2024-07-01" in html
        and "晋升三级" in html
        and "医院等级、医共体牵头机构" in html
        and "登记人" in html
        and "officer" in html
    )


def test_the_register_page_imports_a_file_and_names_bad_rows(world, client_for):
    client = client_for(world.officer)
    assert client.get(reverse("catalogs:register")).status_code == 200
    bad = workbook([["H37080200002", "", "", "特级", "综合", "否", "", "", "", "2024-07-01"]])
    response = client.post(reverse("catalogs:register_import"), {"file": io.BytesIO(bad)})
    assert response.status_code == 400 and "第2行 医院等级" in response.content.decode()
    good = workbook([["H37080200002", "", "", "三级", "综合", "否", "", "", "", "2024-07-01"]])
    assert (
        client.post(reverse("catalogs:register_import"), {"file": io.BytesIO(good)}).status_code
        == 302
    )
    assert institution_state_as_of(world.hospital_b, JULY).level == "3"


def test_a_hospital_cannot_edit_the_register_and_reads_only_its_own_history_without_recorders(
    world, client_for
):
    promote(world)
    services.institution_change(
        actor=world.officer,
        institution=world.hospital_a,
        effective_from=JULY,
        changes={"is_grassroots": True},
    )
    client = client_for(world.user_b)
    for name, args in (
        ("register", []),
        ("register_import", []),
        ("register_export", []),
        ("institution_change", ["H37080200002"]),
    ):
        assert client.get(reverse(f"catalogs:{name}", args=args)).status_code == 403, name
    assert (
        client.post(
            reverse("catalogs:institution_change", args=["H37080200002"]),
            {"effective_from": "2024-01-01", "level": "3A", "type": "general", "reason": "x"},
        ).status_code
        == 403
    )
    own = client.get(reverse("catalogs:institution_history", args=["H37080200002"]))
    assert own.status_code == 200 and "2024-07-01" in own.content.decode()
    assert "登记人" not in own.content.decode() and "officer" not in own.content.decode()
    assert (
        client.get(reverse("catalogs:institution_history", args=["H37080200001"])).status_code
        == 404
    )


def test_anonymous_users_are_sent_to_log_in(client):
    for url in (
        reverse("catalogs:register"),
        reverse("catalogs:institution_history", args=["H37080200001"]),
    ):
        assert client.get(url).status_code == 302


# --- other readers of the register ---------------------------------------------------------------------


def test_a_coefficient_table_takes_the_level_in_force_on_its_first_day(world):
    promote(world, day=date(2025, 7, 1))
    for year, basic in ((2025, "1.0000"), (2026, "1.1500")):
        table = coefficient_services.coefficient_table_create(
            actor=world.officer, region=world.region, year=year
        )
        assert str(table.rows.get(institution=world.hospital_b).level_basic) == basic, year


def test_an_agreement_ending_before_the_year_leaves_the_institution_out_of_its_coefficient_table(
    world,
):
    services.institution_change(
        actor=world.officer,
        institution=world.hospital_b,
        effective_from=date(2024, 1, 1),
        changes={"agreement_from": date(2020, 1, 1), "agreement_to": date(2024, 12, 31)},
    )
    table = coefficient_services.coefficient_table_create(
        actor=world.officer, region=world.region, year=2025
    )
    assert list(table.rows.values_list("institution__code", flat=True)) == ["H37080200001"]


def test_the_admin_no_longer_edits_the_dated_fields(world, client_for):
    html = (
        client_for(world.bureau_admin)
        .get(reverse("admin:catalogs_institution_change", args=[world.hospital_b.pk]))
        .content.decode()
    )
    assert (
        'name="name"' in html
        and 'name="level"' not in html
        and 'name="consortium_lead"' not in html
    )


def test_a_change_dated_in_the_future_leaves_the_row_until_the_daily_refresh_of_its_day(
    world, capsys
):
    tomorrow = timezone.localdate() + timedelta(days=1)
    promote(world, day=tomorrow)
    world.hospital_b.refresh_from_db()
    assert (
        world.hospital_b.level == "2"
        and institution_state_as_of(world.hospital_b, tomorrow).level == "3"
    )
    call_command("institution_register", "refresh")
    assert "已更新 0 家" in capsys.readouterr().out
    # the day has come: the state now starts today, the row still shows yesterday's
    InstitutionState.objects.filter(valid_from=tomorrow).update(valid_from=timezone.localdate())
    call_command("institution_register", "refresh")
    assert "H37080200002" in capsys.readouterr().out
    world.hospital_b.refresh_from_db()
    assert (
        world.hospital_b.level == "3"
        and AuditEvent.objects.filter(action="institution_rows_refresh").exists()
    )


def test_the_history_api_lists_states_with_recorders_for_the_bureau_and_only_its_own_for_a_hospital(
    world, client_for
):
    promote(world)
    url = "/api/v1/institutions/H37080200002/history/"
    bureau = client_for(world.officer).get(url).json()
    assert [(s["valid_from"], s["level"], s["changed"]) for s in bureau] == [
        ("2024-07-01", "3", ["level"]),
        ("2000-01-01", "2", []),
    ]
    assert bureau[0]["recorded_by"] == "officer"
    client = client_for(world.user_b)
    own = client.get(url).json()
    assert [s["level"] for s in own] == ["3", "2"] and "recorded_by" not in own[0]
    assert client.get("/api/v1/institutions/H37080200001/history/").status_code == 404
    refused = client.get(url + "?as_of=2024-01-01")
    assert refused.status_code == 400 and "as_of" in refused.json()["errors"]


def test_the_export_page_downloads_the_register_as_of_the_day_asked(world, client_for):
    promote(world)
    client = client_for(world.bureau_admin)
    response = client.get(
        reverse("catalogs:register_export"), {"region": world.region.pk, "day": "2024-06-30"}
    )
    assert response.status_code == 200 and "attachment;" in response["Content-Disposition"]
    assert [row[3] for row in sheet_rows(response.content)[1:]] == ["三级甲等", "二级"]
    july = client.get(
        reverse("catalogs:register_export"), {"region": world.region.pk, "day": "2024-07-01"}
    )
    assert [row[3] for row in sheet_rows(july.content)[1:]] == ["三级甲等", "三级"]


# --- regions -----------------------------------------------------------------------------------------


@pytest.fixture
def other_region(world):
    """A second region with one hospital, outside the world officer's scope."""
    region = Region.objects.create(code="370900", name="他统筹区")
    Institution.objects.create(
        region=region, code="H37090200001", name="丙医院", level="2", type="general"
    )
    return region


def test_an_officer_exports_only_its_own_regions_register_which_the_page_preselects(
    world, other_region, client_for
):
    client = client_for(world.officer)
    page = client.get(reverse("catalogs:register")).content.decode()
    assert f'<option value="{world.region.pk}" selected>' in page and "他统筹区" not in page
    refused = client.get(
        reverse("catalogs:register_export"), {"region": other_region.pk, "day": "2024-07-01"}
    )
    assert refused.status_code == 302 and "Content-Disposition" not in refused
    assert (
        client.get(
            reverse("catalogs:register_export"), {"region": world.region.pk, "day": "2024-07-01"}
        ).status_code
        == 200
    )


def test_an_officer_cannot_register_or_change_institutions_of_another_region(
    world, other_region, client_for
):
    rows = [
        ["H37090200001", "", "", "三级", "综合", "否", "", "", "", "2024-07-01"],
        ["H37090200002", "丁医院", "370900", "二级", "综合", "否", "", "", "", "2024-07-01"],
        ["H37080200002", "", "", "三级", "综合", "否", "", "", "", "2024-07-01"],
    ]
    response = client_for(world.officer).post(
        reverse("catalogs:register_import"), {"file": io.BytesIO(workbook(rows))}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "第2行 统筹区编码：机构 H37090200001 属于统筹区 370900，不在您的权限范围内。" in html
    assert "第3行 统筹区编码：机构 H37090200002 属于统筹区 370900" in html and "第4行" not in html
    assert not Institution.objects.filter(code="H37090200002").exists()
    assert (
        institution_state_as_of(world.hospital_b, JULY).level == "2"
    )  # all or nothing: the own row is not applied
    world.officer.province_wide = True
    world.officer.save(update_fields=["province_wide"])
    assert (
        services.register_import(
            actor=world.officer, rows=excel.register_read(workbook(rows))
        ).created
        == 1
    )
