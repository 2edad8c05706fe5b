"""Parameter-set workflow: defaults, edit a draft, four eyes, supersede, revise, audit."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from settlement.parameters import domain, services
from settlement.parameters.models import ParameterSet, ParameterStatus
from settlement.parameters.selectors import parameter_set_in_force

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world) -> ParameterSet:
    return services.parameter_set_create(
        actor=world.officer,
        region=world.region,
        year=2025,
        scheme="310",
        category="dip",
        kind="DIP",
    )


def approved(world, parameter_set) -> ParameterSet:
    services.parameter_set_submit(actor=world.officer, parameter_set=parameter_set)
    return services.parameter_set_approve(actor=world.bureau_admin, parameter_set=parameter_set)


def test_a_new_set_is_a_draft_with_the_defaults_effective_from_new_year(draft):
    assert draft.category == "DIP" and draft.status == ParameterStatus.DRAFT and draft.version == 1
    assert draft.values == domain.defaults("DIP") and draft.effective_from == datetime.date(
        2025, 1, 1
    )
    assert AuditEvent.objects.filter(
        action="parameter_set_create", object_id=str(draft.pk)
    ).exists()


def test_a_second_set_for_the_same_category_is_refused(world, draft):
    with pytest.raises(ValidationError, match="已存在"):
        services.parameter_set_create(
            actor=world.officer,
            region=world.region,
            year=2025,
            scheme="310",
            category="DIP",
            kind="DIP",
        )


def test_an_edit_with_a_bad_value_changes_nothing_and_names_the_field(world, draft):
    with pytest.raises(ValidationError) as refused:
        services.parameter_set_update(
            actor=world.officer, parameter_set=draft, values={**draft.values, "deposit_rate": "2"}
        )
    assert refused.value.message_dict == {"deposit_rate": [domain.ERR_RANGE.format(low=0, high=1)]}
    assert ParameterSet.objects.get(pk=draft.pk).values == domain.defaults("DIP")


def test_an_edit_is_audited_with_the_changed_values_in_the_message(world, draft):
    services.parameter_set_update(
        actor=world.officer, parameter_set=draft, values={**draft.values, "deposit_rate": "0.08"}
    )
    event = AuditEvent.objects.filter(action="parameter_set_update").get()
    assert event.message == "月度预付保证金比例 0.05 → 0.08"
    assert (
        event.before["values"]["deposit_rate"] == "0.05"
        and event.after["values"]["deposit_rate"] == "0.08"
    )


def test_the_submitter_cannot_approve_and_an_approved_set_is_frozen(world, draft):
    services.parameter_set_submit(actor=world.officer, parameter_set=draft)
    with pytest.raises(ValidationError, match="审批人不能是提交人"):
        services.parameter_set_approve(actor=world.officer, parameter_set=draft)
    services.parameter_set_approve(actor=world.bureau_admin, parameter_set=draft)
    with pytest.raises(ValidationError, match="不能修改"):
        services.parameter_set_update(actor=world.officer, parameter_set=draft, values=draft.values)


def test_a_revision_supersedes_from_its_effective_date_and_dates_pick_the_version(world, draft):
    first = approved(world, draft)
    revised = services.parameter_set_revise(
        actor=world.officer,
        parameter_set=first,
        reason="协商调整保证金",
        effective_from=datetime.date(2025, 7, 1),
    )
    assert revised.version == 2 and revised.based_on == first and revised.values == first.values
    services.parameter_set_update(
        actor=world.officer,
        parameter_set=revised,
        values={**revised.values, "deposit_rate": "0.03"},
    )
    services.parameter_set_submit(actor=world.officer, parameter_set=revised)
    services.parameter_set_approve(actor=world.bureau_admin, parameter_set=revised)
    first.refresh_from_db()
    assert first.status == ParameterStatus.SUPERSEDED and first.effective_to == datetime.date(
        2025, 6, 30
    )

    def find(on):
        return parameter_set_in_force(
            region=world.region, year=2025, scheme="310", category="DIP", on=on
        )

    assert (
        find(datetime.date(2025, 3, 31)).version == 1
        and find(datetime.date(2025, 7, 1)).version == 2
    )
    assert find(None).values["deposit_rate"] == "0.03"


def test_a_revision_needs_a_reason_and_no_other_open_version(world, draft):
    first = approved(world, draft)
    with pytest.raises(ValidationError, match="请填写原因"):
        services.parameter_set_revise(actor=world.officer, parameter_set=first, reason=" ")
    services.parameter_set_revise(actor=world.officer, parameter_set=first, reason="调整")
    with pytest.raises(ValidationError, match="已有未批准的第2版"):
        services.parameter_set_revise(actor=world.officer, parameter_set=first, reason="再调整")


def test_a_returned_set_is_a_draft_again_with_the_reason_audited(world, draft):
    services.parameter_set_submit(actor=world.officer, parameter_set=draft)
    services.parameter_set_return(
        actor=world.bureau_admin, parameter_set=draft, reason="保证金比例需再议"
    )
    assert ParameterSet.objects.get(pk=draft.pk).status == ParameterStatus.DRAFT
    assert AuditEvent.objects.get(action="parameter_set_return").message == "保证金比例需再议"


def test_the_effective_date_must_be_in_the_year(world, draft):
    with pytest.raises(ValidationError) as refused:
        services.parameter_set_update(
            actor=world.officer,
            parameter_set=draft,
            values=draft.values,
            effective_from=datetime.date(2024, 12, 1),
        )
    assert "effective_from" in refused.value.message_dict


def test_sets_written_before_the_ratio_rounding_existed_are_migrated_to_the_exact_ratio(
    world, draft
):
    older = {key: value for key, value in domain.defaults("DIP").items() if key != "ratio_rounding"}
    ParameterSet.objects.filter(pk=draft.pk).update(values=older)
    migration = importlib.import_module(
        "settlement.migrations.0008_parameterset_ratio_rounding_exact"
    )
    migration.add_exact(django_apps, None)
    draft.refresh_from_db()
    assert (
        draft.values == domain.defaults("DIP")
        and domain.to_engine(draft.values, "DIP").ratio_places is None
    )
