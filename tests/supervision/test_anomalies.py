"""audit/anomalies.py: each rule finds its planted institution in the demo region, and nothing on clean data."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D
from itertools import count

import pandas as pd
import pytest

from demo import domain
from supervision import anomalies
from supervision.anomalies import Thresholds

YEAR = 2024
_ids = count(1)


# --- the demo region ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def institutions() -> pd.DataFrame:
    return domain.institutions_frame(region_code="371900", city="泗河市")


@pytest.fixture(scope="module")
def planted(institutions) -> dict[str, str]:
    return domain.anomalies_of(institutions)


@pytest.fixture(scope="module")
def demo_cases(institutions) -> pd.DataFrame:
    cases = pd.concat(
        domain.year_chunks(seed=7, year=YEAR, n_cases=60_000, institutions=institutions),
        ignore_index=True,
    )
    return demo_frame(cases)


def demo_frame(cases: pd.DataFrame) -> pd.DataFrame:
    """The generator's CaseRecord columns in the rules' vocabulary (as the supervision selector reads them)."""
    frame = cases.rename(columns={"institution_code": "institution", "medfee_sumamt": "medfee"})
    return frame.assign(year=frame["setl_time"].dt.year, month=frame["setl_time"].dt.month)


@pytest.fixture(scope="module")
def grassroots() -> set[str]:
    diagnoses = domain.catalog_load().diagnoses
    return set(diagnoses.loc[diagnoses["grassroots"] == 1, "category"])


def flagged_most(found: pd.DataFrame) -> str:
    return found.groupby("institution")["score"].sum().idxmax()


def test_split_admission_finds_the_planted_hospital_every_month(demo_cases, planted):
    found = anomalies.split_admissions(demo_cases)
    at = found[found["institution"] == planted[domain.SPLIT_ADMISSION]]
    assert sorted(at["month"]) == list(range(1, 13))
    assert flagged_most(found) == planted[domain.SPLIT_ADMISSION]
    assert (at["score"] >= 2).all() and set(at["severity"]) == {anomalies.HIGH}


def test_low_standard_admission_finds_the_planted_hospital(demo_cases, planted, grassroots):
    found = anomalies.low_standard_admissions(demo_cases, grassroots)
    assert set(found["institution"]) == {planted[domain.LOW_STANDARD_ADMISSION]}
    assert len(found) >= 10


def test_low_standard_admission_needs_the_grassroots_categories(demo_cases):
    assert anomalies.low_standard_admissions(demo_cases, set()).empty


def test_upcoding_finds_the_planted_hospital_every_month(demo_cases, planted):
    found = anomalies.upcoding(demo_cases)
    at = found[found["institution"] == planted[domain.UPCODING]]
    assert sorted(at["month"]) == list(range(1, 13))
    assert flagged_most(found) == planted[domain.UPCODING]


def test_point_inflation_finds_the_fast_growing_hospital_in_the_second_half(demo_cases, planted):
    found = anomalies.point_inflation(demo_cases)
    at = found[found["institution"] == planted[domain.FAST_GROWTH]]
    assert len(at) >= 2 and (at["month"] > 6).all()
    assert flagged_most(found) == planted[domain.FAST_GROWTH]
    assert set(at["metrics"].map(lambda m: m["comparison"])) == {
        "previous"
    }  # one year of data: against the window before


def test_shirking_finds_a_hospital_that_starts_transferring_patients_out(demo_cases, planted):
    """The demo plants no shirking; here one hospital sends a third of its October stays elsewhere after a day."""
    target = planted[domain.UPCODING]
    cases = demo_cases.copy()
    october = cases.index[
        (cases["institution"] == target) & (cases["month"] == 10) & (cases["med_type"] != "14")
    ][::3]
    cases.loc[october, ["dscg_way", "act_ipt_days"]] = ["2", 1]
    found = anomalies.shirking(cases)
    at = found[(found["institution"] == target) & (found["month"] == 10)]
    assert len(at) == 1 and at.iloc[0]["score"] >= 2
    assert "转院率" in at.iloc[0]["description"] and "转院或死亡" in at.iloc[0]["description"]
    assert set(at.iloc[0]["evidence"]) >= set(cases.loc[october, "setl_id"][:50])
    assert found[(found["institution"] == target) & (found["month"] != 10)].empty


def test_findings_detect_runs_every_rule_and_describes_each_finding_in_chinese(
    demo_cases, planted, grassroots
):
    found = anomalies.findings_detect(demo_cases, grassroots_categories=grassroots)
    by_rule = found.groupby("rule")["institution"].agg(lambda s: s.value_counts().idxmax())
    assert by_rule[anomalies.SPLIT_ADMISSION] == planted[domain.SPLIT_ADMISSION]
    assert by_rule[anomalies.UPCODING] == planted[domain.UPCODING]
    assert by_rule[anomalies.LOW_STANDARD_ADMISSION] == planted[domain.LOW_STANDARD_ADMISSION]
    assert by_rule[anomalies.POINT_INFLATION] == planted[domain.FAST_GROWTH]
    assert list(found.columns) == anomalies.FINDING_COLUMNS
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in found["description"])
    assert all(isinstance(score, D) for score in found["score"])
    assert (found["evidence"].map(len) <= Thresholds().max_evidence).all()


# --- hand-built frames ----------------------------------------------------------------------------

COLUMNS = [
    "institution",
    "year",
    "month",
    "setl_id",
    "psn_no",
    "med_type",
    "adm_time",
    "dscg_time",
    "act_ipt_days",
    "dscg_way",
    "days_rinp_flag_31",
    "maindiag_code",
    "otherdiag_codes",
    "medfee",
]


def stay(
    institution="A",
    psn=None,
    adm="2024-03-01 08:00",
    days=5,
    diag="J18.900",
    medfee=500_000,
    way="1",
    planned="1",
    other="",
    **extra,
) -> dict:
    admitted = pd.Timestamp(adm)
    discharged = admitted + pd.Timedelta(days=days, hours=2)
    number = next(_ids)
    return {
        "institution": institution,
        "year": discharged.year,
        "month": discharged.month,
        "setl_id": f"S{number:06d}",
        "psn_no": psn or f"P{number:06d}",
        "med_type": "21",
        "adm_time": admitted,
        "dscg_time": discharged,
        "act_ipt_days": days,
        "dscg_way": way,
        "days_rinp_flag_31": planned,
        "maindiag_code": diag,
        "otherdiag_codes": other,
        "medfee": medfee,
        **extra,
    }


def frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows).reindex(
        columns=[*COLUMNS, *sorted({k for r in rows for k in r} - set(COLUMNS))]
    )


def month_of_stays(
    institution: str, n: int, *, adm: str = "2024-03-01 08:00", **kwargs
) -> list[dict]:
    start = pd.Timestamp(adm)
    return [
        stay(institution, adm=str(start + pd.Timedelta(hours=5 * i)), **kwargs) for i in range(n)
    ]


def clean_region(months=(1, 2, 3, 4, 5, 6), per_month=40) -> list[dict]:
    """Five hospitals with steady, unremarkable months: no readmissions, no cheap short stays, same coding."""
    rows = []
    for institution in "ABCDE":
        for month in months:
            for i in range(per_month):
                other = "I10.x00;E11.900;E78.500" if i % 5 == 0 else "I10.x00"
                way = "2" if i % 25 == 0 else "1"
                rows.append(
                    stay(
                        institution,
                        adm=f"2024-{month:02d}-01 08:00",
                        days=5 + i % 3,
                        medfee=400_000 + 10_000 * (i % 7),
                        other=other,
                        way=way,
                        diag=["J18.900", "I21.000", "K35.800"][i % 3],
                    )
                )
    return rows


def test_no_rule_finds_anything_in_a_clean_region():
    found = anomalies.findings_detect(frame(clean_region()), grassroots_categories={"J18"})
    assert found.empty and list(found.columns) == anomalies.FINDING_COLUMNS


def with_readmissions(
    gap_days: int, *, n: int = 5, planned: str = "1", diag: str = "J18.900"
) -> pd.DataFrame:
    rows = month_of_stays("A", 20, days=3)
    for index in range(n):
        first = rows[index]
        again = first["dscg_time"] + pd.Timedelta(days=gap_days)
        rows.append(
            stay("A", psn=first["psn_no"], adm=str(again), days=2, planned=planned, diag=diag)
        )
    return frame(rows)


def test_a_return_on_the_fifteenth_day_is_a_split_admission_on_the_sixteenth_it_is_not():
    found = anomalies.split_admissions(with_readmissions(15))
    assert len(found) == 1 and found.iloc[0]["evidence_count"] == 5
    assert len(found.iloc[0]["evidence"]) == 10  # both stays of each pair
    assert anomalies.split_admissions(with_readmissions(16)).empty


def test_planned_returns_and_other_diseases_are_not_split_admissions():
    assert anomalies.split_admissions(with_readmissions(3, planned="2")).empty
    assert anomalies.split_admissions(with_readmissions(3, diag="I21.000")).empty
    assert (
        len(anomalies.split_admissions(with_readmissions(3, diag="J18.000"))) == 1
    )  # same category J18


def test_the_same_group_counts_as_the_same_disease():
    cases = with_readmissions(3, diag="I21.000")
    cases["group"] = "G1"
    assert len(anomalies.split_admissions(cases)) == 1


def test_the_split_window_and_rate_are_configurable():
    cases = with_readmissions(12)
    assert len(anomalies.split_admissions(cases)) == 1
    assert anomalies.split_admissions(cases, Thresholds(readmission_days=10)).empty
    # 5 readmissions of 25 stays = 20 %: at the threshold it is reported, just above it is not
    assert len(anomalies.split_admissions(cases, Thresholds(split_rate=D("0.20")))) == 1
    assert anomalies.split_admissions(cases, Thresholds(split_rate=D("0.21"))).empty


def low_standard_month(medfee: int, days: int, n: int = 5) -> pd.DataFrame:
    rows = month_of_stays("A", 40, medfee=1_000_000, diag="J18.900")
    rows += [stay("A", medfee=medfee, days=days, diag="J18.900") for _ in range(n)]
    return frame(rows)


def test_low_standard_admission_cost_share_is_strict_and_stay_limit_inclusive():
    assert len(anomalies.low_standard_admissions(low_standard_month(200_000, 2), {"J18"})) == 1
    assert anomalies.low_standard_admissions(low_standard_month(200_000, 3), {"J18"}).empty
    # x < 0.3 × (40 × 10,000.00 + 5x) / 45  ⇔  x < 2,758.62 yuan: one fen either side of it
    assert len(anomalies.low_standard_admissions(low_standard_month(275_862, 1), {"J18"})) == 1
    assert anomalies.low_standard_admissions(low_standard_month(275_863, 1), {"J18"}).empty


def test_low_standard_admission_compares_with_the_group_mean_when_given():
    cases = low_standard_month(200_000, 1)
    cases["group"] = ["G-expensive"] * 40 + ["G-cheap"] * 5
    assert anomalies.low_standard_admissions(cases, {"J18"}).empty


def test_upcoding_compares_coding_with_the_case_mix_of_the_region():
    rows = clean_region(months=(3,))
    rows = [r for r in rows if r["institution"] != "E"]
    rows += month_of_stays(
        "E", 40, other="I10.x00;E11.900;E78.500;K76.000"
    )  # every stay heavily coded
    found = anomalies.upcoding(frame(rows))
    assert list(found["institution"]) == ["E"]
    assert found.iloc[0]["metrics"]["observed"] == "40"
    assert anomalies.upcoding(frame(rows), Thresholds(upcoding_p90_factor=D("10"))).empty


def test_high_severity_subtypes_are_a_second_upcoding_measure_when_the_frame_has_them():
    rows = clean_region(months=(3,))
    cases = frame(rows)
    cases["high_severity"] = (cases["institution"] == "E") | (cases.index % 10 == 0)
    found = anomalies.upcoding(cases)
    assert (
        list(found["institution"]) == ["E"]
        and found.iloc[0]["metrics"]["measure"] == "high_severity"
    )


def cmi_months(score_march: float, medfee_march: int) -> pd.DataFrame:
    rows = [{**r, "score": 1.0} for r in month_of_stays("A", 30, adm="2024-02-01 08:00")]
    rows += [{**r, "score": score_march} for r in month_of_stays("A", 30, medfee=medfee_march)]
    return frame(rows)


def test_a_cmi_jump_without_cost_support_is_reported_and_with_it_is_not():
    found = anomalies.cmi_jumps(cmi_months(1.3, 500_000))
    assert len(found) == 1 and found.iloc[0]["month"] == 3 and found.iloc[0]["evidence_count"] == 30
    assert anomalies.cmi_jumps(cmi_months(1.3, 650_000)).empty  # costs rose as much
    assert anomalies.cmi_jumps(cmi_months(1.1, 500_000)).empty  # 10 % is below the 15 % threshold
    assert anomalies.cmi_jumps(
        frame(month_of_stays("A", 30))
    ).empty  # no score column: nothing to check


def test_short_stays_ending_in_death_are_a_shirking_signal_without_history():
    rows = month_of_stays("A", 40) + month_of_stays("A", 5, days=1, way="5")
    found = anomalies.shirking(frame(rows))
    assert len(found) == 1 and found.iloc[0]["evidence_count"] == 5
    assert anomalies.shirking(frame(rows), Thresholds(short_exit_days=0)).empty


def test_a_falling_share_of_high_cost_cases_is_a_shirking_signal():
    rows = []
    for month in (1, 2, 3):
        rows += month_of_stays("A", 30, adm=f"2024-{month:02d}-01 08:00", medfee=400_000)
        rows += month_of_stays("A", 10, adm=f"2024-{month:02d}-02 08:00", medfee=2_000_000)
    rows += month_of_stays("A", 40, adm="2024-04-01 08:00", medfee=400_000)
    found = anomalies.shirking(frame(rows))
    assert list(found["month"]) == [4] and "高费用病例占比" in found.iloc[0]["description"]


def growth_region(*, last_year: bool) -> pd.DataFrame:
    rows = []
    for institution in "ABCDE":
        for month in range(1, 7):
            n = 30 if institution != "E" or month <= 3 else 60  # E doubles from April
            rows += month_of_stays(institution, n, adm=f"2024-{month:02d}-01 08:00", days=1)
            if last_year:
                rows += month_of_stays(institution, n, adm=f"2023-{month:02d}-01 08:00", days=1)
    return frame(rows)


def test_point_inflation_against_the_window_before_and_against_last_year():
    found = anomalies.point_inflation(growth_region(last_year=False))
    assert set(found["institution"]) == {"E"} and list(found["month"]) == [
        6
    ]  # the first month with a whole window before it
    with_last_year = anomalies.point_inflation(growth_region(last_year=True))
    assert with_last_year[
        with_last_year["year"] == 2024
    ].empty  # E doubled last year too: no growth 同比
    assert list(with_last_year["year"]) == [
        2023
    ]  # …where, without 2022, the window before is the baseline


def test_point_inflation_excess_threshold_is_inclusive():
    cases = growth_region(last_year=False)
    june = anomalies.point_inflation(cases, Thresholds(growth_excess=D("1")))
    assert list(june["month"]) == [6]  # April–June 180 vs January–March 90: exactly +100 %
    assert anomalies.point_inflation(cases, Thresholds(growth_excess=D("1.01"))).empty


def test_thresholds_round_trip_through_json_and_ignore_unknown_keys():
    thresholds = Thresholds(readmission_days=10, split_rate=D("0.08"))
    stored = thresholds.to_json()
    assert stored["split_rate"] == "0.08" and stored["readmission_days"] == 10
    assert Thresholds.from_json({**stored, "retired": 1}) == thresholds
    assert (
        Thresholds.from_json({})
        == Thresholds()
        == replace(thresholds, readmission_days=15, split_rate=D("0.10"))
    )
    with pytest.raises(ValueError):
        Thresholds.from_json({"readmission_days": "fifteen"})


def test_a_combined_diagnosis_is_compared_with_its_dagger_disease():
    rows = month_of_stays("A", 40, medfee=1_000_000, diag="A17.000")
    rows += [stay("A", medfee=200_000, days=2, diag="A17.000+G01*") for _ in range(5)]
    assert len(anomalies.low_standard_admissions(frame(rows), {"A17"})) == 1
