"""Institution coefficient tables: a draft per region and year from the institutions and their history,
row edits (audited, combined recomputed), four-eyes approval, revisions that supersede."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from catalogs.choices import CoefficientStatus, Combination
from catalogs.coefficients import services
from catalogs.coefficients.models import CoefficientTable, InstitutionCoefficient
from catalogs.models import Institution, Region
from settlement.models import SettlementPeriod
from tests.world import case_create

pytestmark = pytest.mark.django_db


def a_case(world, period, n: int, cost: str, institution) -> None:
    cost = D(cost)
    case_create(
        institution=institution,
        period=period,
        setl_id=f"C{period.year}{n:04d}",
        medfee_sumamt=cost,
        fund_pay_sumamt=cost * D("0.7"),
        hifp_pay=cost * D("0.7"),
        psn_part_amt=cost * D("0.3"),
    )


def row(table: CoefficientTable, institution: Institution) -> InstitutionCoefficient:
    return table.rows.get(institution=institution)


def actions_for(instance) -> list[str]:
    events = AuditEvent.objects.filter(
        object_type=instance._meta.label_lower, object_id=str(instance.pk)
    ).order_by("pk")
    return list(events.values_list("action", flat=True))


def test_a_new_table_has_a_row_per_active_institution_with_level_defaults(world):
    Institution.objects.create(
        region=world.region,
        code="H37080200009",
        name="已停用医院",
        level="1",
        type="general",
        active_to=date(2024, 12, 31),
    )
    other = Region.objects.create(code="370900", name="另一统筹区")
    Institution.objects.create(
        region=other, code="H37090200001", name="外地医院", level="3A", type="general"
    )
    table = services.coefficient_table_create(actor=world.officer, region=world.region, year=2025)
    assert list(
        table.rows.values_list("institution__code", "level_basic", "combined", "suggestion")
    ) == [
        ("H37080200001", D("1.2000"), D("1.2000"), None),
        ("H37080200002", D("1.0000"), D("1.0000"), None),
    ]
    assert (table.version, table.status, table.history_years) == (
        1,
        CoefficientStatus.DRAFT,
        [2022, 2023, 2024],
    )
    assert actions_for(table) == ["coefficient_table_create"]


def test_the_suggestion_is_each_levels_mean_over_the_regions_mean(world):
    # E5: tertiary 12,000 and secondary 8,000 against a region mean of 10,000 -> 1.20 and 0.80
    for i in range(4):
        a_case(world, world.period, i, "12000", world.hospital_a)
        a_case(world, world.period, 10 + i, "8000", world.hospital_b)
    table = services.coefficient_table_create(
        actor=world.officer, region=world.region, year=2025, history_years=[2024]
    )
    assert (row(table, world.hospital_a).suggestion, row(table, world.hospital_b).suggestion) == (
        D("1.2000"),
        D("0.8000"),
    )


def test_the_suggestion_weights_the_history_years(world):
    period_2023 = SettlementPeriod.objects.create(region=world.region, year=2023, month=3)
    a_case(world, period_2023, 1, "10000", world.hospital_a)
    a_case(world, period_2023, 2, "10000", world.hospital_b)
    a_case(world, world.period, 1, "15000", world.hospital_a)
    a_case(world, world.period, 2, "5000", world.hospital_b)
    table = services.coefficient_table_create(
        actor=world.officer, region=world.region, year=2025, history_years=[2023, 2024]
    )
    # 2:8 -> A: 0.2 x 10,000 + 0.8 x 15,000 = 14,000 over 10,000
    assert row(table, world.hospital_a).suggestion == D("1.4000")


def test_a_row_edit_recomputes_the_combined_coefficient_and_is_audited(world, table):
    edited = services.coefficient_row_edit(
        actor=world.officer,
        row=row(table, world.hospital_a),
        reason="重点学科评审结果",
        level_basic=D("1.20"),
        bonus_key_discipline=D("0.05"),
        note="省级重点学科",
    )
    assert edited.combined == D("1.2500")  # E5: 1.20 + 0.05
    event = AuditEvent.objects.get(action="coefficient_row_edit")
    assert (event.before["combined"], event.after["combined"], event.message) == (
        "1.2000",
        "1.2500",
        "重点学科评审结果",
    )
    assert event.after["bonus_key_discipline"] == "0.0500" and event.actor == world.officer


def test_a_multiplicative_table_multiplies_the_bonuses(world):
    table = services.coefficient_table_create(
        actor=world.officer, region=world.region, year=2025, combination=Combination.MULTIPLICATIVE
    )
    edited = services.coefficient_row_edit(
        actor=world.officer,
        row=row(table, world.hospital_a),
        reason="加成",
        level_basic=D("1.20"),
        bonus_tcm=D("0.10"),
        bonus_key_discipline=D("0.05"),
    )
    assert edited.combined == D("1.3860")  # 1.20 x 1.10 x 1.05


def test_a_row_edit_needs_a_reason_and_non_negative_values(world, table):
    with pytest.raises(ValidationError, match="请填写原因"):
        services.coefficient_row_edit(
            actor=world.officer, row=row(table, world.hospital_a), reason=" ", level_basic=D("1.3")
        )
    with pytest.raises(ValidationError):
        services.coefficient_row_edit(
            actor=world.officer, row=row(table, world.hospital_a), reason="x", level_basic=D("-1")
        )
    assert row(table, world.hospital_a).level_basic == D("1.2000")


def test_the_submitter_cannot_approve(world, table):
    services.coefficient_table_submit(actor=world.officer, table=table)
    with pytest.raises(ValidationError, match="审批人不能是提交人"):
        services.coefficient_table_approve(actor=world.officer, table=table)
    approved = services.coefficient_table_approve(actor=world.bureau_admin, table=table)
    assert (approved.status, approved.approved_by, approved.submitted_by) == (
        CoefficientStatus.IN_FORCE,
        world.bureau_admin,
        world.officer,
    )
    assert actions_for(table) == [
        "coefficient_table_create",
        "coefficient_table_submit",
        "coefficient_table_approve",
    ]


def test_the_database_refuses_self_approval_too(world, table):
    services.coefficient_table_submit(actor=world.officer, table=table)
    with pytest.raises(IntegrityError), transaction.atomic():
        CoefficientTable.objects.filter(pk=table.pk).update(
            status=CoefficientStatus.IN_FORCE, approved_by=world.officer
        )


def test_a_system_actor_can_neither_submit_nor_approve(world, table):
    with pytest.raises(ValidationError, match="经办人员本人"):
        services.coefficient_table_submit(actor="任务:x", table=table)


def test_a_returned_table_is_a_draft_again(world, table):
    services.coefficient_table_submit(actor=world.officer, table=table)
    with pytest.raises(ValidationError, match="请填写原因"):
        services.coefficient_table_return(actor=world.bureau_admin, table=table, reason="")
    returned = services.coefficient_table_return(
        actor=world.bureau_admin, table=table, reason="中医加成需复核"
    )
    assert (returned.status, returned.submitted_by) == (CoefficientStatus.DRAFT, None)


def test_only_a_draft_is_editable(world, in_force):
    target = row(in_force, world.hospital_a)
    with pytest.raises(ValidationError, match="不能修改"):
        services.coefficient_row_edit(
            actor=world.officer, row=target, reason="试图修改", level_basic=D("2")
        )
    target.level_basic = D("2")
    with pytest.raises(ValidationError, match="不能修改"):
        target.full_clean()  # the admin and any form refuse it too
    with pytest.raises(ValidationError, match="只有待审批"):
        services.coefficient_table_approve(actor=world.bureau_admin, table=in_force)


def test_one_open_table_per_region_and_year(world, table):
    with pytest.raises(ValidationError, match="已有未批准的第1版"):
        services.coefficient_table_create(actor=world.officer, region=world.region, year=2025)
    assert (
        services.coefficient_table_create(
            actor=world.officer, region=world.region, year=2026
        ).version
        == 1
    )


def test_a_revision_copies_the_table_in_force_and_supersedes_it_when_approved(world, table):
    CoefficientTable.objects.filter(pk=table.pk).update(effective_from=date(2025, 1, 1))
    services.coefficient_table_submit(actor=world.officer, table=table)
    services.coefficient_table_approve(actor=world.bureau_admin, table=table)
    with pytest.raises(ValidationError, match="请填写原因"):
        services.coefficient_table_revise(actor=world.officer, table=table, reason="")
    revision = services.coefficient_table_revise(
        actor=world.officer, table=table, reason="年中调整", effective_from=date(2025, 7, 1)
    )
    assert (revision.version, revision.based_on_id, revision.status, revision.rows.count()) == (
        2,
        table.pk,
        CoefficientStatus.DRAFT,
        2,
    )
    services.coefficient_row_edit(
        actor=world.officer,
        row=row(revision, world.hospital_b),
        reason="升级",
        level_basic=D("1.05"),
    )
    services.coefficient_table_submit(actor=world.officer, table=revision)
    services.coefficient_table_approve(actor=world.bureau_admin, table=revision)
    table.refresh_from_db()
    assert (table.status, table.effective_to) == (CoefficientStatus.SUPERSEDED, date(2025, 6, 30))
    assert actions_for(table)[-1] == "coefficient_table_supersede"
    assert row(revision, world.hospital_b).combined == D("1.0500") and row(
        table, world.hospital_b
    ).combined == D("1.0000")


def test_only_a_table_in_force_is_revised(world, table):
    with pytest.raises(ValidationError, match="只有执行中"):
        services.coefficient_table_revise(actor=world.officer, table=table, reason="调整")
