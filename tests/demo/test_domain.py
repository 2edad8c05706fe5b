"""demo.domain: the generated region and cases, without a database."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from demo import domain

YEAR = 2024
N_CASES = 40_000


@pytest.fixture(scope="module")
def institutions() -> pd.DataFrame:
    return domain.institutions_frame(region_code="371900", city="泗河市")


@pytest.fixture(scope="module")
def cases(institutions) -> pd.DataFrame:
    return pd.concat(
        domain.year_chunks(seed=7, year=YEAR, n_cases=N_CASES, institutions=institutions),
        ignore_index=True,
    )


@pytest.fixture(scope="module")
def stays(cases) -> pd.DataFrame:
    return cases[cases["med_type"] != "14"]


def readmitted(stays: pd.DataFrame) -> pd.Series:
    """Stays that begin within 15 days of the same patient's previous discharge."""
    ordered = stays.sort_values(["psn_no", "adm_time"])
    gap = ordered["adm_time"] - ordered.groupby("psn_no")["dscg_time"].shift()
    return (gap <= pd.Timedelta(days=15)).reindex(stays.index)


def at(cases: pd.DataFrame, institutions: pd.DataFrame, anomaly: str) -> pd.Series:
    return cases["institution_code"] == domain.anomalies_of(institutions)[anomaly]


# --- institutions -------------------------------------------------------------------------------


def test_the_region_has_about_sixty_institutions_of_every_level_and_type(institutions):
    assert 55 <= len(institutions) <= 65
    assert set(institutions["level"]) == {"3A", "3", "2A", "2", "1", "0"}
    assert set(institutions["type"]) == {"general", "tcm", "specialty", "grassroots"}
    assert institutions["code"].is_unique and institutions["name"].is_unique


def test_institution_codes_are_national_codes_of_the_region(institutions):
    assert all(re.fullmatch(r"[A-Z]\d{11}", code) for code in institutions["code"])
    assert institutions["code"].str.startswith("H3719").all()


def test_grassroots_flag_marks_grassroots_and_primary_institutions(institutions):
    expected = (institutions["type"] == "grassroots") | (institutions["level"] == "1")
    assert (institutions["is_grassroots"] == expected).all()


def test_there_are_three_or_four_consortia_led_from_inside_the_region(institutions):
    leads = institutions.loc[institutions["consortium_lead_code"] != "", "consortium_lead_code"]
    assert 3 <= leads.nunique() <= 4
    assert set(leads) <= set(institutions["code"])
    lead_rows = institutions[institutions["code"].isin(leads)]
    assert (lead_rows["consortium_lead_code"] == "").all()  # a lead is not itself a member
    assert (lead_rows["level"].isin(["3A", "2A"])).all()


def test_each_anomaly_is_planted_at_one_distinct_institution(institutions):
    anomalies = domain.anomalies_of(institutions)
    assert set(anomalies) == {
        domain.SPLIT_ADMISSION,
        domain.UPCODING,
        domain.LOW_STANDARD_ADMISSION,
        domain.FAST_GROWTH,
    }
    assert len(set(anomalies.values())) == 4


# --- determinism and shape ----------------------------------------------------------------------


def test_the_same_seed_gives_identical_frames(institutions):
    first = next(domain.year_chunks(seed=3, year=YEAR, n_cases=5000, institutions=institutions))
    again = next(domain.year_chunks(seed=3, year=YEAR, n_cases=5000, institutions=institutions))
    pd.testing.assert_frame_equal(first, again)


def test_another_seed_gives_other_cases(institutions):
    first = next(domain.year_chunks(seed=3, year=YEAR, n_cases=5000, institutions=institutions))
    other = next(domain.year_chunks(seed=4, year=YEAR, n_cases=5000, institutions=institutions))
    assert not first["medfee_sumamt"].equals(other["medfee_sumamt"])


def test_a_year_has_exactly_the_cases_asked_for_with_unique_ids(cases):
    assert len(cases) == N_CASES
    assert cases["setl_id"].is_unique and cases["mdtrt_id"].is_unique
    assert (cases["setl_time"].dt.year == YEAR).all()
    assert str(cases["setl_time"].dt.tz) == "Asia/Shanghai"


def test_a_year_larger_than_a_chunk_is_several_chunks(institutions, monkeypatch):
    monkeypatch.setattr(domain, "CHUNK_CASES", 1000)
    chunks = list(domain.year_chunks(seed=3, year=YEAR, n_cases=2500, institutions=institutions))
    assert [len(chunk) for chunk in chunks] == [1000, 1000, 500]
    assert pd.concat(chunks)["setl_id"].is_unique and pd.concat(chunks)["psn_no"].nunique() > 1500


# --- money --------------------------------------------------------------------------------------


def test_money_identities_hold_exactly_on_every_row(cases):
    money = cases[
        [
            "medfee_sumamt",
            "fund_pay_sumamt",
            "hifp_pay",
            "psn_part_amt",
            "fulamt_ownpay_amt",
            "acct_pay",
            "psn_cash_pay",
        ]
    ]
    assert all(dtype == np.int64 for dtype in money.dtypes)
    assert (cases["medfee_sumamt"] == cases["fund_pay_sumamt"] + cases["psn_part_amt"]).all()
    assert (cases["hifp_pay"] <= cases["fund_pay_sumamt"]).all() and (
        cases["fund_pay_sumamt"] <= cases["medfee_sumamt"]
    ).all()
    assert (cases["acct_pay"] + cases["psn_cash_pay"] == cases["psn_part_amt"]).all()
    assert (cases["fulamt_ownpay_amt"] <= cases["psn_part_amt"]).all()
    assert (cases[domain.FEE_COLUMNS].sum(axis=1) == cases["medfee_sumamt"]).all()
    assert (money >= 0).all().all() and (cases[domain.FEE_COLUMNS] >= 0).all().all()


def test_employees_are_reimbursed_a_larger_share_than_residents(cases):
    share = cases.groupby("insutype")[["fund_pay_sumamt", "medfee_sumamt"]].sum()
    ratio = share["fund_pay_sumamt"] / share["medfee_sumamt"]
    assert ratio["310"] > ratio["390"] + 0.1
    assert (
        cases.loc[cases["age"] < 18, "insutype"] == "390"
    ).all()  # children are insured as residents
    assert (
        cases.loc[cases["insutype"] == "390", "acct_pay"] == 0
    ).all()  # residents have no personal account


def test_costs_follow_the_disease(stays):
    median = stays.groupby("maindiag_code")["medfee_sumamt"].median()
    assert (
        median["I21.001"] > 3 * median["J18.900"]
    )  # myocardial infarction costs more than pneumonia
    assert (
        median["O82.000"] > median["O80.000"]
    )  # caesarean section costs more than a normal delivery


def test_about_three_percent_of_stays_are_cost_deviation_cases_each_way(stays):
    ratio = stays["medfee_sumamt"] / stays.groupby(["maindiag_code", "main_oprn_oprt_code"])[
        "medfee_sumamt"
    ].transform("mean")
    assert 0.02 <= (ratio < 0.5).mean() <= 0.07
    assert 0.015 <= (ratio > 2).mean() <= 0.05
    assert (ratio > 5).sum() > 0


# --- clinical consistency -----------------------------------------------------------------------


def test_sex_and_age_agree_with_the_diagnosis(cases):
    obstetric = cases["maindiag_code"].str.startswith("O")
    assert (cases.loc[obstetric, "gend"] == "2").all()
    assert (cases.loc[cases["maindiag_code"] == "N40.x00", "gend"] == "1").all()
    newborn = cases["maindiag_code"].str.startswith("P")
    assert (cases.loc[newborn, "age"] == 0).all() and (cases.loc[newborn, "nwb_age"] <= 28).all()
    assert (cases["age"] == 0).sum() > 0 and (cases["nwb_age"].notna() == (cases["age"] == 0)).all()


def test_stays_have_ordered_times_and_matching_days(stays):
    assert (stays["adm_time"] <= stays["dscg_time"]).all() and (
        stays["dscg_time"] <= stays["setl_time"]
    ).all()
    days = (stays["dscg_time"].dt.normalize() - stays["adm_time"].dt.normalize()).dt.days.clip(
        lower=1
    )
    assert (stays["act_ipt_days"].astype(int) == days).all()


def test_outpatient_chronic_cases_have_no_stay_but_a_disease_code(cases):
    outpatient = cases[cases["med_type"] == "14"]
    assert 0.08 <= len(outpatient) / len(cases) <= 0.2
    assert outpatient["adm_time"].isna().all() and outpatient["dscg_time"].isna().all()
    assert (outpatient["opsp_dise_code"] != "").all() and (
        outpatient["main_oprn_oprt_code"] == ""
    ).all()
    assert (
        outpatient["psn_no"].nunique() < len(outpatient) / 3
    )  # a patient settles several times a year
    assert (cases.loc[cases["med_type"] != "14", "opsp_dise_code"] == "").all()


def test_day_surgery_is_short_and_always_operated(cases):
    day = cases[cases["med_type"] == "28"]
    assert len(day) > 0
    assert (day["main_oprn_oprt_code"] != "").all() and (
        day["dscg_time"] - day["adm_time"] <= pd.Timedelta(hours=24)
    ).all()


def test_some_severe_stays_have_icu_ventilation_or_death(stays):
    assert 0 < stays["scs_cutd_sum_dura"].notna().mean() < 0.1
    assert (stays["vent_used_dura"].fillna(0) <= stays["scs_cutd_sum_dura"].fillna(0)).all()
    assert 0 < (stays["dscg_way"] == "5").mean() < 0.03


def test_some_stays_are_readmissions_within_fifteen_days_mostly_unplanned(stays):
    again = readmitted(stays)
    assert 0.02 <= again.mean() <= 0.08
    flags = stays.loc[again, "days_rinp_flag_31"].value_counts(normalize=True)
    assert 0.05 <= flags["2"] <= 0.4 and flags["1"] > 0.6


# --- planted anomalies --------------------------------------------------------------------------


def test_the_split_admission_hospital_readmits_far_more_often_with_the_same_disease(
    stays, institutions
):
    again = readmitted(stays)
    split = at(stays, institutions, domain.SPLIT_ADMISSION)
    assert again[split].mean() > 4 * again[~split].mean()
    ordered = stays[split].sort_values(["psn_no", "adm_time"])
    same_disease = ordered["maindiag_code"] == ordered.groupby("psn_no")["maindiag_code"].shift()
    assert same_disease.sum() == ordered["psn_no"].duplicated().sum()
    assert (stays.loc[split & again, "days_rinp_flag_31"] == "1").all()


def test_the_upcoding_hospital_codes_more_diagnoses_and_procedures_than_its_peers(
    stays, institutions
):
    upcoding = at(stays, institutions, domain.UPCODING)
    peers = (
        stays["institution_code"].isin(institutions.loc[institutions["level"] == "3", "code"])
        & ~upcoding
    )
    count = lambda codes: codes.str.count(";") + (codes != "")  # noqa: E731
    assert (
        count(stays.loc[upcoding, "otherdiag_codes"]).mean()
        > 1.3 * count(stays.loc[peers, "otherdiag_codes"]).mean()
    )
    assert (
        count(stays.loc[upcoding, "other_oprn_oprt_codes"]).mean()
        > 2 * count(stays.loc[peers, "other_oprn_oprt_codes"]).mean()
    )
    operated = lambda rows: (rows["main_oprn_oprt_code"] != "").mean()  # noqa: E731
    assert operated(stays[upcoding]) > 1.2 * operated(stays[peers])


def test_the_low_standard_hospital_admits_cheap_short_stays_of_grassroots_diseases(
    stays, institutions
):
    low = at(stays, institutions, domain.LOW_STANDARD_ADMISSION)
    peers = (
        stays["institution_code"].isin(institutions.loc[institutions["level"] == "2", "code"])
        & ~low
    )
    grassroots = set(domain.catalog_load().diagnoses.query("grassroots == 1")["code"])

    def short(rows):
        return ((rows["act_ipt_days"] <= 2) & rows["maindiag_code"].isin(grassroots)).mean()

    assert short(stays[low]) > 2.5 * short(stays[peers])


def test_the_fast_growth_hospital_has_most_of_its_cases_in_the_second_half(cases, institutions):
    growth = at(cases, institutions, domain.FAST_GROWTH)
    second_half = cases["setl_time"].dt.month > 6
    assert second_half[growth].mean() > 0.65
    assert 0.45 <= second_half[~growth].mean() <= 0.55


def test_tertiary_hospitals_treat_most_inpatients(stays, institutions):
    level = stays["institution_code"].map(institutions.set_index("code")["level"])
    assert level.isin(["3A", "3"]).mean() > 0.4
    assert level.value_counts().idxmax() == "3A"


def test_the_code_lists_are_consistent():
    catalog = domain.catalog_load()
    procedures = set(catalog.procedures["code"])
    listed = {
        code for codes in catalog.diagnoses["procedures"] for code in codes.split(";") if code
    }
    assert listed <= procedures
    assert len(catalog.diagnoses) >= 150 and catalog.diagnoses["code"].is_unique
    assert (catalog.diagnoses["category"] == catalog.diagnoses["code"].str[:3]).all()
    assert set(catalog.procedures["treatment_type"]) == {"诊断性操作", "治疗性操作", "手术"}
    assert len(catalog.outpatient) >= 20 and catalog.outpatient["code"].is_unique
