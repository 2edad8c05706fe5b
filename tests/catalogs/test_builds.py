"""catalogs.drg.build: DRG weights and APG points from history, with the spec's worked examples (E7, E8)."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction

import pandas as pd
import pytest

from catalogs.apg import build as apg_build
from catalogs.dip.catalog import DipError
from catalogs.drg import build as drg_build
from catalogs.drg import grouper as drg_grouper

PROCEDURES = {"36.0601": "手术"}


def inpatient(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (year, main diagnosis, main procedure, cost in yuan, level)."""
    return pd.DataFrame(
        [
            {
                "year": y,
                "level": level,
                "is_grassroots": False,
                "maindiag_code": d,
                "main_oprn_oprt_code": p,
                "otherdiag_codes": "",
                "medfee_sumamt": D(cost),
            }
            for y, d, p, cost, level in rows
        ]
    )


def chronic(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (year, special disease, main diagnosis, cost in yuan, patient, settlement time)."""
    return pd.DataFrame(
        [
            {
                "year": y,
                "level": "2",
                "is_grassroots": False,
                "opsp_dise_code": disease,
                "maindiag_code": d,
                "main_oprn_oprt_code": "",
                "medfee_sumamt": D(cost),
                "psn_no": person,
                "setl_time": pd.Timestamp(when),
            }
            for y, disease, d, cost, person, when in rows
        ]
    )


def by_code(catalog) -> dict:
    return {group.code: group for group in catalog.groups}


def test_e7_a_group_at_three_times_the_all_case_mean_weighs_300_points():
    """FM15 (PCI, no CC) at 30,000 and four pneumonias (ES25) at 5,000: all-case mean 10,000 → 300 and 50; an
    ungroupable case is left out of every mean."""
    cases = inpatient(
        [(2024, "I21.000", "36.0601", "30000", "3A")]
        + [(2024, "J18.900", "", "5000", "2")] * 4
        + [(2024, "BAD", "", "900000", "2")]
    )
    catalog, ungroupable = drg_build.drg_catalog_from_history(
        cases,
        rules=drg_grouper.drg_rules_load(),
        procedure_types=PROCEDURES,
        config=drg_build.WeightConfig(years=(2024,)),
    )
    groups = by_code(catalog)
    assert (groups["FM15"].score, groups["ES25"].score) == (D("300.0000"), D("50.0000"))
    assert (catalog.base_mean, ungroupable, catalog.cases) == (D("10000.00"), 1, 5)
    assert groups["FM15"].name == "经皮冠状动脉支架植入，不伴并发症或合并症"
    assert groups["ES25"].level_means == {"2": D("5000.00")} and groups["ES25"].case_counts == {
        2024: 4
    }
    assert groups["FM15"].group_type == "drg" and groups["ES25"].cv == D("0.0000")


def test_drg_weights_use_the_2_8_weighted_yearly_means_and_a_configurable_scale():
    """Group 20,000 (2023) and 30,000 (2024); all cases 8,000 and 10,000: (0.2 x 20,000 + 0.8 x 30,000) /
    (0.2 x 8,000 + 0.8 x 10,000) = 28,000 / 9,600; x 100 = 291.6667, x 1 = 2.9167."""
    cases = inpatient(
        [
            (2023, "I21.000", "36.0601", "20000", "3A"),
            (2023, "J18.900", "", "5000", "2"),
            (2023, "J18.900", "", "5000", "2"),
            (2023, "J18.900", "", "2000", "2"),
            (2023, "J18.900", "", "8000", "2"),
            (2024, "I21.000", "36.0601", "30000", "3A"),
        ]
        + [(2024, "J18.900", "", "5000", "2")] * 4
    )
    for scale, expected in [("100", D("291.6667")), ("1", D("2.9167"))]:
        config = drg_build.WeightConfig(years=(2023, 2024), scale=D(scale))
        catalog, _ = drg_build.drg_catalog_from_history(
            cases, rules=drg_grouper.drg_rules_load(), procedure_types=PROCEDURES, config=config
        )
        assert by_code(catalog)["FM15"].score == expected
        assert catalog.weights == {2023: 2, 2024: 8} and catalog.base_mean == D("9600.00")


def test_the_all_case_mean_is_kept_exactly_beside_its_value_to_the_fen():
    """Three pneumonias at 10,000.00, 10,000.00, 10,000.01: M = 30,000.01 / 3 = 10,000.00333… (10,000.00 to the fen);
    fee-for-service points divide by this exact M, as the scores do."""
    cases = inpatient(
        [
            (2024, "J18.900", "", "10000", "2"),
            (2024, "J18.900", "", "10000", "2"),
            (2024, "J18.900", "", "10000.01", "2"),
        ]
    )
    catalog, _ = drg_build.drg_catalog_from_history(
        cases,
        rules=drg_grouper.drg_rules_load(),
        procedure_types=PROCEDURES,
        config=drg_build.WeightConfig(years=(2024,)),
    )
    assert (catalog.base, catalog.base_mean) == (Fraction(3_000_001, 300), D("10000.00"))


def e8() -> pd.DataFrame:
    """Spec E8: group M03900 1,200 (Y-2) and 1,300 (Y-1); all settlements 500 and 520."""
    rows = [(2023, "M03900", "I10.x00", "1200", f"P{n}", "2023-03-05") for n in range(4)]
    rows += [(2023, "M01600", "E11.900", "100", f"Q{n}", "2023-03-05") for n in range(7)]
    rows += [(2024, "M03900", "I10.x00", "1300", "P0", "2024-03-05")]
    rows += [(2024, "M01600", "E11.900", "260", f"Q{n}", "2024-03-05") for n in range(3)]
    return chronic(rows)


def test_e8_apg_points_are_the_2_8_weighted_group_mean_over_the_all_sample_mean_times_100():
    catalog, ungroupable = apg_build.apg_catalog_from_history(
        e8(),
        procedure_types=PROCEDURES,
        config=drg_build.WeightConfig(years=(2023, 2024)),
        disease_names={"M03900": "高血压"},
    )
    group = by_code(catalog)["M03900-M"]
    assert (group.score, group.mean_cost, catalog.base_mean) == (
        D("248.0620"),
        D("1280.00"),
        D("516.00"),
    )
    assert (group.name, group.diag_code, group.treatment_type, group.group_type) == (
        "高血压：药物治疗",
        "M03900",
        "medical",
        "apg",
    )
    assert group.case_counts == {2023: 4, 2024: 1} and ungroupable == 0


def test_a_patient_month_sums_a_patients_settlements_of_a_month_in_one_group_into_one_unit():
    """P1's two January settlements of 600 are one unit of 1,200; P2's one settlement of 600 another: the
    group mean is 900 per patient-month against 600 per settlement."""
    rows = [
        (2024, "M03900", "I10.x00", "600", "P1", "2024-01-03"),
        (2024, "M03900", "I10.x00", "600", "P1", "2024-01-20"),
        (2024, "M03900", "I10.x00", "600", "P2", "2024-01-09"),
    ]
    for unit, mean, units in [("settlement", D("600.00"), 3), ("patient_month", D("900.00"), 2)]:
        config = drg_build.WeightConfig(years=(2024,), unit=unit)
        catalog, _ = apg_build.apg_catalog_from_history(
            chronic(rows), procedure_types=PROCEDURES, config=config
        )
        group = by_code(catalog)["M03900-M"]
        assert (group.mean_cost, group.case_counts[2024], group.score) == (
            mean,
            units,
            D("100.0000"),
        )


def test_a_build_without_groupable_cases_or_with_a_bad_unit_is_refused_in_chinese():
    with pytest.raises(DipError, match="没有能入组的病例"):
        drg_build.drg_catalog_from_history(
            inpatient([(2024, "BAD", "", "1", "2")]),
            rules=drg_grouper.drg_rules_load(),
            procedure_types=PROCEDURES,
            config=drg_build.WeightConfig(years=(2024,)),
        )
    with pytest.raises(DipError, match="APG计量单位无效"):
        apg_build.apg_catalog_from_history(
            e8(),
            procedure_types=PROCEDURES,
            config=drg_build.WeightConfig(years=(2024,), unit="visit"),
        )
