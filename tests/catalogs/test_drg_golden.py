"""Golden cases (金标准病例) of a DRG rule set: attached from the rule files or imported as CSV, copied with the
set, listed on its page — and publishing runs them: any case grouped otherwise refuses publication, naming it."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from catalogs.choices import CatalogStatus
from catalogs.drg import services
from catalogs.drg.models import DrgGoldenCase, DrgRuleSet

pytestmark = pytest.mark.django_db
HEADER = (
    "case_id,kind,gend,age,maindiag_code,otherdiag_codes,main_oprn_oprt_code,expected_drg,source\n"
)
# Under the demo rules (catalogs/data/drg): PCI for an infarction is FM15, a pneumonia without CC is ES25.
PASSING = (
    HEADER
    + "G1,surgical,1,60,I21.000,I10.x00,36.0601,FM15,演示\nG2,medical,1,60,J18.900,,,ES25,演示\n"
)


def csv_file(text: str, name: str = "golden.csv") -> io.BytesIO:
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = name
    return upload


def submitted_with(world, golden: str) -> DrgRuleSet:
    """A draft of the demo rules for 2024 with ``golden`` imported, submitted by the officer."""
    rule_set = services.drg_rule_set_create(actor=world.officer, region=world.region, year=2024)
    services.drg_rule_set_load_csv(actor=world.officer, rule_set=rule_set)
    services.drg_rule_set_golden_import(
        actor=world.officer, rule_set=rule_set, file=csv_file(golden), filename="golden.csv"
    )
    return services.drg_rule_set_submit(actor=world.officer, rule_set=rule_set)


def test_passing_golden_cases_publish(world):
    rule_set = submitted_with(world, PASSING)
    assert list(rule_set.golden_cases.values_list("case_id", "expected_drg")) == [
        ("G1", "FM15"),
        ("G2", "ES25"),
    ]
    published = services.drg_rule_set_publish(actor=world.bureau_admin, rule_set=rule_set)
    assert published.status == CatalogStatus.PUBLISHED


def test_a_failing_golden_case_refuses_publication_naming_it_and_nothing_changes(world):
    failing = (
        PASSING.replace("J18.900,,,ES25", "J18.900,,,ES21")
        + "G3,ungroupable,1,60,I21.000,,36.0601,,演示\n"
    )
    rule_set = submitted_with(world, failing)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.drg_rule_set_publish(actor=world.bureau_admin, rule_set=rule_set)
    assert refused.value.messages == [
        services.ERR_GOLDEN_REFUSED.format(count=2),
        "金标准病例 G2 分组为 ES25，应为 ES21。",
        "金标准病例 G3 分组为 FM15，应为 不能入组。",
    ]
    rule_set.refresh_from_db()
    assert (rule_set.status, rule_set.approved_by) == (CatalogStatus.SUBMITTED, None)
    assert AuditEvent.objects.count() == events


def test_the_publish_page_shows_each_failing_case(world, client_for):
    rule_set = submitted_with(
        world, PASSING.replace("I21.000,I10.x00,36.0601,FM15", "I21.000,I10.x00,36.0601,FM13")
    )
    page = client_for(world.bureau_admin).post(
        reverse("catalogs:drg_rules_publish", args=[rule_set.pk]), follow=True
    )
    texts = [str(message) for message in page.context["messages"]]
    assert "金标准病例 G1 分组为 FM15，应为 FM13。" in texts
    assert DrgRuleSet.objects.get(pk=rule_set.pk).status == CatalogStatus.SUBMITTED


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "case_id,expected_drg\nG1,FM15\n",
            [services.ERR_GOLDEN_COLUMNS.format(columns="maindiag_code")],
        ),
        (
            HEADER + ",,1,60,I21.000,,,FM15,\nG1,,1,60,I21.000,,,FM15,\nG1,,1,60,J18.900,,,ES25,\n",
            [
                services.ERR_GOLDEN_CASE_ID.format(row=2),
                services.ERR_GOLDEN_DUPLICATE.format(row=4, case="G1"),
            ],
        ),
        (HEADER, [services.ERR_GOLDEN_EMPTY]),
    ],
)
def test_a_bad_golden_file_is_refused_naming_each_row_and_nothing_is_written(world, text, expected):
    rule_set = services.drg_rule_set_create(actor=world.officer, region=world.region, year=2024)
    services.drg_rule_set_golden_import(
        actor=world.officer, rule_set=rule_set, file=csv_file(PASSING)
    )
    with pytest.raises(ValidationError) as refused:
        services.drg_rule_set_golden_import(
            actor=world.officer, rule_set=rule_set, file=csv_file(text)
        )
    assert refused.value.messages == expected
    assert rule_set.golden_cases.count() == 2


def test_a_published_set_keeps_its_golden_cases_and_a_copy_takes_them(world):
    rule_set = services.drg_rule_set_publish(
        actor=world.bureau_admin, rule_set=submitted_with(world, PASSING)
    )
    with pytest.raises(ValidationError, match="不能修改"):
        services.drg_rule_set_golden_import(
            actor=world.officer,
            rule_set=rule_set,
            file=csv_file(HEADER + "G9,,1,60,I21.000,,,X,\n"),
        )
    copy = services.drg_rule_set_create(
        actor=world.officer, region=world.region, year=2024, based_on=rule_set
    )
    assert list(copy.golden_cases.values_list("case_id", "case")) == list(
        rule_set.golden_cases.values_list("case_id", "case")
    )


def test_the_national_load_attaches_the_shipped_golden_cases(world):
    rule_set = services.drg_rule_set_load_national(
        officer=world.officer, admin=world.bureau_admin, region=world.region, year=2024
    )
    shipped = services.golden_file_read(
        (services.NATIONAL_DIR / services.GOLDEN_FILE).read_bytes()
    )[0]
    assert (
        rule_set.status == CatalogStatus.PUBLISHED
        and rule_set.golden_cases.count() == len(shipped) > 40
    )
    assert services.golden_frame(rule_set)[["case_id", "expected_drg"]].equals(
        shipped[["case_id", "expected_drg"]]
    )


def test_the_page_lists_the_golden_cases_and_imports_a_file_for_the_bureau_only(world, client_for):
    rule_set = services.drg_rule_set_create(actor=world.officer, region=world.region, year=2024)
    url = reverse("catalogs:drg_rules_golden_import", args=[rule_set.pk])
    assert client_for(world.user_a).post(url, {"file": csv_file(PASSING)}).status_code == 403
    client = client_for(world.officer)
    page = client.post(url, {"file": csv_file(PASSING)}, follow=True)
    assert "已导入金标准病例 2 例；审核发布时将逐例校验。" in [
        str(m) for m in page.context["messages"]
    ]
    html = page.content.decode()
    assert "金标准病例（2 例" in html and "maindiag_code=J18.900" in html and "ES25" in html
    assert DrgGoldenCase.objects.filter(rule_set=rule_set).count() == 2
    assert AuditEvent.objects.filter(
        action="drg_rule_set_golden_import", object_id=str(rule_set.pk)
    ).exists()
