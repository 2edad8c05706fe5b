"""DIP catalog from history (catalogs/dip/): the spec's worked examples E2/E3, the §19 item (2)
auxiliary-typing acceptance cases, and the edges (an empty year, a one-case group, no procedure)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest

from catalogs.choices import GroupType, ScoreMethod, SubtypeDimension, TreatmentType
from catalogs.dip.build import assign_groups, catalog_from_history
from catalogs.dip.catalog import DipConfig, DipError, SubtypeResult, quantize
from catalogs.dip.golden import golden_check
from catalogs.dip.grouper import dip_group
from catalogs.dip.scores import subtype_coefficient, typed_score
from catalogs.dip.subtypes import TypingCandidate, winning_dimension

PROCEDURES = {
    "36.0601": TreatmentType.SURGICAL,
    "88.5501": TreatmentType.DIAGNOSTIC,
    "99.2501": TreatmentType.THERAPEUTIC,
}
Y3 = (2021, 2022, 2023)


def case(
    year: int,
    cost,
    *,
    diag="I21.000",
    proc="",
    age=60,
    level="3A",
    dscg_way="1",
    other="",
    grassroots=False,
    nwb_age=None,
) -> dict:
    return dict(
        year=year,
        level=level,
        maindiag_code=diag,
        main_oprn_oprt_code=proc,
        medfee_sumamt=Decimal(str(cost)),
        age=age,
        nwb_age=nwb_age,
        dscg_way=dscg_way,
        otherdiag_codes=other,
        is_grassroots=grassroots,
    )


def frame(*groups: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([row for rows in groups for row in rows])


def many(n: int, year: int, cost, **kwargs) -> list[dict]:
    return [case(year, cost, **kwargs) for _ in range(n)]


def build(cases: pd.DataFrame, **config) -> dict:
    config.setdefault("years", Y3)
    return catalog_from_history(
        cases, procedure_types=PROCEDURES, config=DipConfig(**config)
    ).by_code()


def e2_cases(years=Y3, per_year=15) -> pd.DataFrame:
    """E2: disease means 14,000 / 14,500 / 15,000; an equal-sized filler disease makes the all-case
    means 9,000 / 9,500 / 10,000 (filler = 2 x all-case mean - disease mean)."""
    disease = {2021: 14000, 2022: 14500, 2023: 15000}
    region = {2021: 9000, 2022: 9500, 2023: 10000}
    rows = []
    for year in years:
        rows += many(per_year, year, disease[year], diag="I21.000", proc="36.0601")
        rows += many(per_year, year, 2 * region[year] - disease[year], diag="J18.900")
    return frame(rows)


# --- score (spec §4) ------------------------------------------------------------------------------


def test_e2_score_weights_yearly_means_1_2_7():
    catalog = catalog_from_history(
        e2_cases(), procedure_types=PROCEDURES, config=DipConfig(years=Y3)
    )
    group = catalog.by_code()["I21.000+36.0601"]
    assert catalog.base_mean == Decimal("9800.00")
    assert group.mean_cost == Decimal("14800.00")
    assert group.score == Decimal("1510.2041")
    assert catalog.by_code()["J18.900"].score == Decimal("489.7959")  # 4,800 / 9,800 x 1000


def test_two_years_default_to_weights_2_8():
    groups = build(e2_cases(years=(2022, 2023), per_year=23), years=(2022, 2023))
    # M = (9,500x2 + 10,000x8)/10 = 9,900; m = (14,500x2 + 15,000x8)/10 = 14,900
    assert groups["I21.000+36.0601"].score == Decimal("1505.0505")


def test_a_year_without_cases_drops_out_and_the_weights_renormalise():
    catalog = catalog_from_history(
        e2_cases(years=(2022, 2023), per_year=23),
        procedure_types=PROCEDURES,
        config=DipConfig(years=Y3),
    )
    group = catalog.by_code()["I21.000+36.0601"]
    # M = (9,500x2 + 10,000x7)/9 = 89,000/9; m = (14,500x2 + 15,000x7)/9 = 134,000/9 -> 1,505.617977...
    assert catalog.base_mean == Decimal("9888.89")
    assert group.score == Decimal("1505.6180")
    assert group.case_counts == {2021: 0, 2022: 23, 2023: 23}


def test_money_in_fen_gives_the_same_catalog_as_decimal_yuan():
    cases = e2_cases()
    in_fen = cases.assign(medfee_fen=[int(v * 100) for v in cases["medfee_sumamt"]]).drop(
        columns="medfee_sumamt"
    )
    assert build(in_fen) == build(cases)


def test_benchmark_method_scores_the_benchmark_disease_at_the_scale():
    groups = build(e2_cases(), score_method=ScoreMethod.BENCHMARK, benchmark_code="J18.900")
    assert groups["J18.900"].score == Decimal("1000.0000")
    assert groups["I21.000+36.0601"].score == Decimal("3083.3333")  # 14,800 / 4,800 x 1000


def test_fixed_method_divides_by_the_standard_amount():
    groups = build(
        e2_cases(),
        score_method=ScoreMethod.FIXED,
        fixed_amount=Decimal("10000"),
        scale=Decimal("1"),
    )
    assert groups["I21.000+36.0601"].score == Decimal("1.4800")


@pytest.mark.parametrize(
    "config, message",
    [
        (dict(score_method=ScoreMethod.BENCHMARK, benchmark_code="X99.999"), "基准病种 X99.999"),
        (dict(score_method=ScoreMethod.FIXED), "标准定额"),
        (dict(years=(2020, 2021, 2022, 2023)), "没有默认权重"),
        (dict(weights=(1, 2)), "权重个数"),
        (dict(years=(2010,)), "没有可用于测算的病例"),
    ],
)
def test_it_refuses_a_build_it_cannot_compute(config, message):
    with pytest.raises(DipError, match=message):
        build(e2_cases(), **config)


def test_it_names_missing_columns():
    with pytest.raises(DipError, match="age"):
        build(e2_cases().drop(columns="age"))


# --- core vs comprehensive (spec §3) --------------------------------------------------------------


@pytest.mark.parametrize("cases, core", [(45, True), (44, False)])
def test_annual_count_is_the_mean_over_all_look_back_years_inclusive(cases, core):
    """45 cases in the last of three years = 15 a year on average: core; 44: comprehensive."""
    groups = build(frame(many(cases, 2023, 10000, diag="K80.100", proc="51.2201")))
    # 51.2201 is not in the mapping: its comprehensive group is the therapeutic one
    assert set(groups) == ({"K80.100+51.2201"} if core else {"K80-T"})


def test_the_rest_fold_into_diagnosis_category_by_treatment_type():
    cases = frame(
        many(45, 2023, 10000, diag="I21.000", proc="36.0601"),  # core
        many(2, 2023, 20000, diag="I21.000", proc="88.5501"),  # diagnostic
        many(
            1, 2023, 30000, diag="I21.900", proc="36.0601"
        ),  # surgical, other diagnosis of the category
        many(1, 2023, 40000, diag="I21.400", proc="36.0601"),
        many(3, 2023, 5000, diag="I21.000"),  # conservative
        many(1, 2023, 7000, diag="I21.000", proc="00.0000"),  # unmapped procedure
    )
    catalog = catalog_from_history(cases, procedure_types=PROCEDURES, config=DipConfig(years=Y3))
    groups = catalog.by_code()
    assert set(groups) == {"I21.000+36.0601", "I21-D", "I21-S", "I21-M", "I21-T"}
    surgical = groups["I21-S"]
    assert (surgical.group_type, surgical.diag_code, surgical.proc_code) == (
        GroupType.COMPREHENSIVE,
        "I21",
        "",
    )
    assert surgical.treatment_type == TreatmentType.SURGICAL
    assert surgical.mean_cost == Decimal("35000.00")
    assert groups["I21-D"].case_counts == {2021: 0, 2022: 0, 2023: 2}
    assert catalog.unmapped_procedures == ("00.0000",)


def test_a_case_without_procedure_is_conservative_treatment():
    group = build(frame(many(45, 2023, 3000, diag="J18.900", proc="")))["J18.900"]
    assert (group.group_type, group.diag_code, group.proc_code) == (GroupType.CORE, "J18.900", "")
    assert group.treatment_type == TreatmentType.MEDICAL
    assert group.score == Decimal("1000.0000")


def test_a_single_case_group_has_its_cost_as_mean_and_no_spread():
    cases = frame(
        many(45, 2023, 10000, diag="I21.000", proc="36.0601"),
        [case(2023, "23456.78", diag="C34.100")],
    )
    catalog = catalog_from_history(cases, procedure_types=PROCEDURES, config=DipConfig(years=Y3))
    single = catalog.by_code()["C34-M"]
    assert (single.mean_cost, single.cv, single.subtypes) == (
        Decimal("23456.78"),
        Decimal("0.0000"),
        (),
    )
    assert single.case_counts == {2021: 0, 2022: 0, 2023: 1}
    assert catalog.base_mean == Decimal(
        "10292.54"
    )  # (45 x 10,000 + 23,456.78) / 46 = 10,292.5387...
    assert catalog.base == Fraction(
        47_345_678, 4600
    )  # exactly: 473,456.78 / 46, the divisor of every score
    assert single.score == Decimal("2279.0082")  # 23,456.78 / 10,292.5387 x 1000 = 2,279.00819...


# --- statistics per group -------------------------------------------------------------------------


def test_level_means_are_weighted_like_the_score():
    cases = frame(
        many(15, 2022, 10000, level="3A"),
        many(15, 2022, 6000, level="2"),
        many(15, 2023, 12000, level="3A"),
        many(15, 2023, 8000, level="2"),
    )
    group = build(cases, years=(2022, 2023))["I21.000"]
    assert group.level_means == {"2": Decimal("7600.00"), "3A": Decimal("11600.00")}
    assert group.mean_cost == Decimal("9600.00")


@pytest.mark.parametrize(
    "grassroots_cases, spread, suggested",
    [(30, 0, True), (23, 0, True), (22, 0, False), (45, 90000, False)],
)
def test_grassroots_suggestion_needs_half_the_cases_and_a_low_cv(
    grassroots_cases, spread, suggested
):
    rows = many(grassroots_cases, 2023, 3000, grassroots=True, diag="J06.900")
    rows += many(45 - grassroots_cases, 2023, 3000, grassroots=False, diag="J06.900")
    rows[0]["medfee_sumamt"] += spread  # one very expensive case pushes the CV above 0.7
    group = build(frame(rows))["J06.900"]
    assert group.is_grassroots is suggested
    assert group.grassroots_share == quantize(Fraction(grassroots_cases, 45), Decimal("0.0001"))


# --- auxiliary typing (spec §5, §19 item 2) -------------------------------------------------------

GATE = dict(
    years=(2023,), core_threshold=5, aux_min_group_cases=10
)  # §19's cases use a minimum of 10


def age_split(n=12, elderly=7000, adult=1000) -> pd.DataFrame:
    return frame(many(n // 2, 2023, elderly, age=85), many(n // 2, 2023, adult, age=40))


def test_a_clear_age_difference_produces_age_subtypes():
    group = build(age_split(), **GATE)["I21.000"]
    assert group.cv == Decimal("0.7500")
    assert [(s.dimension, s.key, s.cases, s.mean_cost, s.coefficient) for s in group.subtypes] == [
        (SubtypeDimension.AGE, "18-64", 6, Decimal("1000.00"), Decimal("0.2500")),
        (SubtypeDimension.AGE, "65+", 6, Decimal("7000.00"), Decimal("1.7500")),
    ]


def test_identical_cases_produce_no_subtypes():
    assert build(frame(many(12, 2023, 1000)), **GATE)["I21.000"].subtypes == ()


def test_too_few_cases_produce_no_subtypes():
    assert build(age_split(n=8), **GATE)["I21.000"].subtypes == ()


def test_cv_gate_is_configurable():
    cases = age_split(elderly=1000, adult=3000)  # CV 0.5
    assert build(cases, **GATE)["I21.000"].subtypes == ()
    loose = build(cases, **GATE, aux_cv_gate=Decimal("0.4"))["I21.000"]
    assert {s.key: s.coefficient for s in loose.subtypes} == {
        "65+": Decimal("0.5000"),
        "18-64": Decimal("1.5000"),
    }


def test_typing_that_does_not_reduce_the_cv_is_refused():
    cases = frame(*[many(3, 2023, cost, age=age) for age in (40, 85) for cost in (7000, 1000)])
    group = build(cases, **GATE)["I21.000"]
    assert group.cv == Decimal("0.7500") and group.subtypes == ()


def test_a_small_subtype_gets_no_coefficient():
    cases = frame(many(11, 2023, 1000, age=40), many(4, 2023, 20000, dscg_way="5", age=40))
    group = build(cases, **GATE)["I21.000"]
    assert [(s.dimension, s.key) for s in group.subtypes] == [(SubtypeDimension.DEATH, "alive")]


@pytest.mark.parametrize(
    "candidates, winner",
    [
        ([("age", "0.8", "0.30", "1.3"), ("comorbidity", "0.8", "0.50", "1.8")], "comorbidity"),
        ([("age", "0.5", "0.10", "1.8"), ("comorbidity", "0.8", "0.30", "1.3")], "comorbidity"),
        ([("age", "0.8", "0.10", "2.0")], None),
        ([("age", "0.5", "0.30", "2.0")], None),
    ],
)
def test_the_dimension_with_the_highest_trigger_coefficient_wins(candidates, winner):
    subtype = SubtypeResult("x", "x", 5, Decimal("1"), Decimal("1"))
    cands = [
        TypingCandidate(d, Decimal(cv), Decimal(r), Decimal(t), (subtype,))
        for d, cv, r, t in candidates
    ]
    chosen = winning_dimension(cands, DipConfig(years=Y3))
    assert (chosen.dimension if chosen else None) == winner


def test_competing_dimensions_in_a_build_take_the_higher_trigger():
    """Age and comorbidity both cut the CV from 0.7845 to 0.3333; comorbidity's 2+ subtype has
    the higher coefficient (9,000 / 4,333.33 = 2.0769 against 6,000 / 4,333.33 = 1.3846)."""
    cases = frame(
        many(6, 2023, 1000, age=40),
        many(6, 2023, 3000, age=80),
        many(6, 2023, 9000, age=80, other="E11.900;I10.x00"),
    )
    group = build(cases, years=(2023,), core_threshold=15)["I21.000"]
    assert group.cv == Decimal("0.7845")
    assert [(s.dimension, s.key, s.cases, s.coefficient) for s in group.subtypes] == [
        (SubtypeDimension.COMORBIDITY, "0", 12, Decimal("0.4615")),
        (SubtypeDimension.COMORBIDITY, "2+", 6, Decimal("2.0769")),
    ]


def test_e3_subtype_coefficient_and_typed_score():
    assert subtype_coefficient(Decimal("13000"), Decimal("10000")) == Decimal("1.3000")
    assert typed_score(Decimal("1000"), Decimal("1.30")) == Decimal("1300.0000")


def test_e3_from_cases():
    """A lone disease (RW 1,000) with mean 10,000 whose CCI 2+ cases cost 13,000 on average."""
    cases = frame(many(5, 2023, 13000, other="E11.900;I10.x00;N18.300"), many(10, 2023, 8500))
    group = build(cases, years=(2023,), aux_cv_gate=Decimal("0.2"))["I21.000"]
    subtypes = {s.key: s for s in group.subtypes}
    assert (group.score, group.mean_cost) == (Decimal("1000.0000"), Decimal("10000.00"))
    assert subtypes["2+"].coefficient == Decimal("1.3000")
    assert typed_score(group.score, subtypes["2+"].coefficient) == Decimal("1300.0000")


def test_only_core_groups_are_typed():
    appendicitis = many(6, 2023, 7000, age=85, diag="K35.800") + many(
        6, 2023, 1000, age=40, diag="K35.800"
    )
    cases = frame(many(45, 2023, 5000, diag="J18.900"), appendicitis)
    groups = build(cases, aux_min_group_cases=10)
    assert groups["K35-M"].cv == Decimal("0.7500") and groups["K35-M"].subtypes == ()


@pytest.mark.parametrize(
    "age, days, band",
    [
        (0, 10, "0-28d"),
        (0, 28, "0-28d"),
        (0, 29, "29d-1y"),
        (0, None, "29d-1y"),
        (1, None, "1-6"),
        (6, None, "1-6"),
        (7, None, "7-17"),
        (17, None, "7-17"),
        (18, None, "18-64"),
        (64, None, "18-64"),
        (65, None, "65+"),
    ],
)
def test_age_bands_follow_the_spec(age, days, band):
    cases = frame(
        many(10, 2023, 1000, age=age, nwb_age=days),
        many(10, 2023, 9000, age=30 if band != "18-64" else 70),
    )
    group = build(cases, years=(2023,), core_threshold=5)["I21.000"]
    assert band in {s.key for s in group.subtypes}


# --- golden cases and parameters ------------------------------------------------------------------


def test_golden_cases_compare_the_assigned_group_and_its_score():
    groups = build(e2_cases())
    golden = pd.DataFrame(
        [
            dict(label="STEMI PCI", expected_code="I21.000+36.0601", expected_score="1510.2041"),
            dict(label="pneumonia", expected_code="J18.900", expected_score="500"),
            dict(label="fallback", expected_code="I21-S", expected_score="0"),
        ]
    )
    assigned = pd.Series(["I21.000+36.0601", "J18.900", ""])
    results = golden_check(
        golden, assigned=assigned, scores={c: g.score for c, g in groups.items()}
    )
    assert [r.passed for r in results] == [True, False, False]
    assert (results[1].actual_score, results[2].actual_code, results[2].actual_score) == (
        Decimal("489.7959"),
        "",
        None,
    )


def test_the_grouper_puts_each_case_of_the_history_in_the_group_the_build_made():
    """The build and catalogs.dip.grouper agree: regrouping the history reproduces the build's codes."""
    cases = frame(
        many(45, 2023, 10000, diag="I21.000", proc="36.0601"),
        many(2, 2023, 20000, diag="I21.000", proc="88.5501"),
        many(1, 2023, 30000, diag="I21.900", proc="36.0601"),
        many(45, 2023, 5000, diag="J18.900"),
        many(3, 2023, 5000, diag="J18.000"),
        many(1, 2023, 7000, diag="I21.000", proc="00.0000"),
    )
    built = build(cases)
    table = pd.DataFrame(
        [
            dict(
                code=g.code,
                diag_code=g.diag_code,
                proc_code=g.proc_code,
                group_type=g.group_type,
                treatment_type=g.treatment_type,
            )
            for g in built.values()
        ]
    )
    regrouped = dip_group(
        cases, table, PROCEDURES, unmapped_procedure_type=TreatmentType.THERAPEUTIC
    )["dip_code"]
    assert list(regrouped) == list(
        assign_groups(
            cases["maindiag_code"],
            cases["main_oprn_oprt_code"],
            core_codes={c for c, g in built.items() if g.group_type == GroupType.CORE},
            procedure_types=PROCEDURES,
            unmapped=TreatmentType.THERAPEUTIC,
        )["code"]
    )
    assert set(regrouped) == set(built)


def test_config_round_trips_through_json_params():
    config = DipConfig(
        years=(2022, 2023),
        weights=(3, 7),
        scale=Decimal("100"),
        aux_cv_gate=Decimal("0.4"),
        benchmark_code="X",
    )
    assert DipConfig.from_params(config.to_params()) == config


@pytest.mark.parametrize(
    "value, expected", [("0.00005", "0.0001"), ("0.00004999", "0.0000"), ("-0.00005", "-0.0001")]
)
def test_rounding_is_half_up(value, expected):
    assert quantize(Fraction(value), Decimal("0.0001")) == Decimal(expected)


def test_combined_diagnoses_key_the_catalog_by_their_dagger_part():
    rows = []
    for year in Y3:
        rows += (
            many(8, year, 9000, diag="A17.000+G01*")
            + many(7, year, 9000, diag="A17.000")
            + many(15, year, 9000, diag="J18.900")
        )
    groups = build(frame(rows))
    assert set(groups) == {"A17.000", "J18.900"}
    assert (groups["A17.000"].diag_code, sum(groups["A17.000"].case_counts.values())) == (
        "A17.000",
        45,
    )
