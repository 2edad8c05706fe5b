"""The demo region, generated: institutions and a year of settlement lists (结算清单), pure and seeded.

Everything here is numpy ``Generator(PCG64)`` + pandas, vectorised, with no ORM and no settings:
the same seed and parameters give identical frames. Money is int64 **fen** throughout, so the
identities of a settlement list hold exactly on every row:

- ``medfee_sumamt = fund_pay_sumamt + psn_part_amt``, ``hifp_pay <= fund_pay_sumamt <= medfee_sumamt``;
- ``acct_pay + psn_cash_pay = psn_part_amt``, ``fulamt_ownpay_amt <= psn_part_amt``;
- ``fee_drug + fee_material + fee_exam + fee_treatment + fee_other = medfee_sumamt``.

A year is generated in independent chunks (``CHUNK_CASES``), each a sample of the whole year with
its own child seed, so a million cases never sit in memory at once and the loader can stream them.
The planted supervision anomalies (``ANOMALIES``) are documented in demo/data/README.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from config.lazy import numpy as np
from config.lazy import pandas as pd

DATA_DIR = Path(__file__).resolve().parent / "data"
TZ = ZoneInfo("Asia/Shanghai")
CHUNK_CASES = 250_000
MINUTE_NS = 60 * 1_000_000_000

# Planted anomalies: kind → code of the institution that carries it (see demo/data/README.md).
SPLIT_ADMISSION = "split_admission"  # 分解住院
UPCODING = "upcoding"  # 高套编码
LOW_STANDARD_ADMISSION = "low_standard_admission"  # 低标准入院
FAST_GROWTH = "fast_growth"  # 病例数异常增长

OUTPATIENT_SHARE = 0.12  # med_type 14 门诊慢特病 settlements among all cases
READMISSION_SHARE = (
    0.035  # readmissions within 15 days, everywhere (on top of the planted hospital)
)
PLANNED_READMISSION_SHARE = 0.25  # of readmissions, flagged days_rinp_flag_31 = "2"
LOW_DEVIATION_SHARE = 0.03  # cost ratio < 0.5 vs the disease-procedure mean
HIGH_DEVIATION_SHARE = 0.03  # cost ratio > 2 (a tenth of them > 5)
DAY_SURGERY_SHARE = 0.6  # of day-surgery-eligible cases outside grassroots institutions

# Cost and reimbursement by level: cost multiplier, employee (310) and resident (390) rates and deductibles (yuan).
LEVEL_PROFILE = {
    "cost_factor": [1.1, 1.05, 1.0, 0.95, 0.85, 0.9],
    "volume": [12.0, 7.0, 4.0, 2.0, 0.5, 0.8],
    "rate_310": [0.85, 0.87, 0.89, 0.90, 0.92, 0.88],
    "rate_390": [0.60, 0.62, 0.70, 0.72, 0.80, 0.65],
    "deductible_310": [800, 700, 500, 400, 200, 400],
    "deductible_390": [1000, 800, 600, 500, 300, 500],
}
LEVELS = ["3A", "3", "2A", "2", "1", "0"]


@lru_cache(maxsize=1)
def level_profile() -> pd.DataFrame:
    """LEVEL_PROFILE as a frame indexed by level (built on first use: pandas is imported lazily)."""
    return pd.DataFrame(LEVEL_PROFILE, index=pd.Index(LEVELS, name="level"))


# Serious-illness insurance (大病保险) pays half of the personal share above these thresholds (yuan).
SERIOUS_ILLNESS_THRESHOLD = {"310": 20000, "390": 15000}
# Codes of the national dictionary (atrial fibrillation as I48.200, the demo's own AF code: I48.x00 is not one).
COMORBIDITIES = [
    "I10.x00",
    "E11.900",
    "I25.100",
    "E78.500",
    "K76.000",
    "I67.200",
    "M81.900",
    "E87.600",
    "D64.900",
    "I48.200",
    "J44.100",
    "N39.000",
    "K29.500",
    "E03.900",
]
# Fee shares (drug, material, exam, treatment, other) of a conservative stay, a surgical stay, an outpatient visit.
FEE_COLUMNS = ["fee_drug", "fee_material", "fee_exam", "fee_treatment", "fee_other"]
FEE_SHARES = {
    "medical": [0.40, 0.08, 0.25, 0.17, 0.10],
    "surgical": [0.22, 0.28, 0.15, 0.27, 0.08],
    "outpatient": [0.72, 0.03, 0.15, 0.07, 0.03],
}
SPECIALTY_PREFIXES = {
    "maternity": (
        "O",
        "P",
        "D25",
        "N83",
        "N84",
        "N73",
        "C53",
        "C54",
        "C56",
        "D24",
        "N61",
        "C50",
        "J18.0",
        "J21",
        "A08",
        "B08",
    ),
    "oncology": ("C", "Z51", "D32"),
    "orthopedic": ("S", "M", "Z47"),
    "eye": ("H25", "H26", "H33", "H40"),
    "psychiatric": ("F", "G30"),
}


@dataclass(frozen=True)
class Catalog:
    """The curated code lists of demo/data (diagnoses with cost profiles, procedures, outpatient diseases)."""

    diagnoses: pd.DataFrame
    procedures: pd.DataFrame
    outpatient: pd.DataFrame


@lru_cache(maxsize=1)
def catalog_load() -> Catalog:
    read = lambda name: pd.read_csv(DATA_DIR / name, dtype=str, keep_default_na=False)  # noqa: E731
    diagnoses = read("diagnoses.csv")
    for column in ["median_cost", "cost_sigma", "surgical_share", "surgery_cost_factor", "weight"]:
        diagnoses[column] = diagnoses[column].astype(float)
    for column in [
        "los_median",
        "age_min",
        "age_max",
        "grassroots",
        "tcm",
        "severe",
        "day_surgery",
    ]:
        diagnoses[column] = diagnoses[column].astype(int)
    outpatient = read("outpatient_diseases.csv")
    for column in ["median_cost", "cost_sigma", "weight"]:
        outpatient[column] = outpatient[column].astype(float)
    for column in ["age_min", "age_max"]:
        outpatient[column] = outpatient[column].astype(int)
    return Catalog(diagnoses=diagnoses, procedures=read("procedures.csv"), outpatient=outpatient)


# --- institutions -------------------------------------------------------------------------------

# (district suffix, name, level, type, specialty, anomaly). Districts: 02/03 city, 21/22/23 counties.
_INSTITUTIONS: list[tuple[str, str, str, str, str, str]] = [
    ("02", "{city}人民医院", "3A", "general", "", ""),
    ("03", "{city}医学院附属医院", "3A", "general", "", ""),
    ("02", "{city}中医院", "3A", "tcm", "", ""),
    ("02", "{city}妇幼保健院", "3A", "specialty", "maternity", ""),
    ("03", "{city}第二人民医院", "3", "general", "", ""),
    ("02", "{city}第三人民医院", "3", "general", "", UPCODING),
    ("03", "{city}肿瘤医院", "3", "specialty", "oncology", ""),
    ("02", "{city}精神卫生中心", "3", "specialty", "psychiatric", ""),
    ("21", "东陵县人民医院", "2A", "general", "", ""),
    ("22", "西岭县人民医院", "2A", "general", "", ""),
    ("23", "南湖县人民医院", "2A", "general", "", ""),
    ("21", "东陵县中医院", "2A", "tcm", "", ""),
    ("22", "西岭县中医院", "2A", "tcm", "", ""),
    ("23", "南湖县中医院", "2A", "tcm", "", ""),
    ("02", "河东区人民医院", "2A", "general", "", ""),
    ("03", "{city}骨科医院", "2A", "specialty", "orthopedic", ""),
    ("02", "{city}仁和医院", "2", "general", "", SPLIT_ADMISSION),
    ("03", "{city}康宁医院", "2", "general", "", LOW_STANDARD_ADMISSION),
    ("03", "{city}东方医院", "2", "general", "", ""),
    ("21", "东陵县第二人民医院", "2", "general", "", ""),
    ("22", "西岭县第二人民医院", "2", "general", "", ""),
    ("23", "南湖县第二人民医院", "2", "general", "", ""),
    ("02", "{city}光明眼科医院", "2", "specialty", "eye", ""),
    ("03", "{city}妇产医院", "2", "specialty", "maternity", ""),
    ("03", "河西区人民医院", "2", "general", "", ""),
    ("02", "{city}康复医院", "2", "general", "", ""),
    *[
        ("21", f"东陵县{town}镇卫生院", "1", "grassroots", "", "")
        for town in ["城关", "柳林", "石桥", "杨庄", "马集"]
    ],
    *[
        ("22", f"西岭县{town}镇卫生院", "1", "grassroots", "", "")
        for town in ["新安", "黄河", "白云", "王楼", "李营"]
    ],
    *[
        ("23", f"南湖县{town}镇卫生院", "1", "grassroots", "", "")
        for town in ["湖东", "北湖", "张桥", "刘集", "青山"]
    ],
    *[
        ("02", f"河东区{street}街道社区卫生服务中心", "1", "grassroots", "", "")
        for street in ["东城", "北关", "南苑"]
    ],
    *[
        ("03", f"河西区{street}街道社区卫生服务中心", "1", "grassroots", "", "")
        for street in ["西城", "滨河"]
    ],
    ("02", "{city}博爱医院", "0", "general", "", FAST_GROWTH),
    *[
        ("03", f"{{city}}{name}医院", "0", "general", "", "")
        for name in ["同济", "华康", "惠民", "济民", "安康"]
    ],
    *[
        ("2" + str(1 + i % 3), f"{county}{town}社区卫生服务站", "0", "grassroots", "", "")
        for i, (county, town) in enumerate(
            zip(
                ["东陵县", "西岭县", "南湖县"] * 3,
                ["东关", "西关", "南关", "北关", "中心", "新城", "老城", "开发区"],
            )
        )
    ],
]


def institutions_frame(*, region_code: str, city: str) -> pd.DataFrame:
    """≈60 institutions of all levels and types, with 4 medical consortia (医共体) and the anomaly carriers.

    Columns: code (``H`` + district code + 5 digits), name, level, type, is_grassroots, specialty,
    anomaly, consortium_lead_code ("" when none), volume (relative share of inpatient cases).
    """
    prefix = region_code[:4]
    rows = [
        {
            "code": f"H{prefix}{district}{number:05d}",
            "name": name.format(city=city),
            "level": level,
            "type": kind,
            "specialty": specialty,
            "anomaly": anomaly,
            "district": district,
        }
        for number, (district, name, level, kind, specialty, anomaly) in enumerate(
            _INSTITUTIONS, start=1
        )
    ]
    frame = pd.DataFrame(rows)
    frame["is_grassroots"] = (frame["type"] == "grassroots") | (frame["level"] == "1")
    frame["consortium_lead_code"] = _consortium_leads(frame)
    volume = frame["level"].map(level_profile()["volume"])
    frame["volume"] = np.where(frame["specialty"] != "", volume * 0.6, volume)
    return frame.drop(columns="district")


def _consortium_leads(frame: pd.DataFrame) -> pd.Series:
    """Each county's 人民医院 (二级甲等) leads its county's other institutions; the city 人民医院 leads the community centres."""
    leads = pd.Series("", index=frame.index)
    for district in ["21", "22", "23"]:
        in_county = frame["district"] == district
        lead = frame.index[
            in_county & (frame["level"] == "2A") & frame["name"].str.endswith("人民医院")
        ][0]
        leads[in_county & (frame.index != lead)] = frame.at[lead, "code"]
    city_lead = frame.index[0]
    leads[frame["name"].str.contains("社区卫生服务中心")] = frame.at[city_lead, "code"]
    return leads


def anomalies_of(institutions: pd.DataFrame) -> dict[str, str]:
    """Anomaly kind → institution code, as planted."""
    planted = institutions[institutions["anomaly"] != ""]
    return dict(zip(planted["anomaly"], planted["code"], strict=True))


# --- cases --------------------------------------------------------------------------------------


CASE_COLUMNS = [
    "institution_code",
    "setl_id",
    "mdtrt_id",
    "psn_no",
    "insutype",
    "med_type",
    "gend",
    "age",
    "nwb_age",
    "nwb_bir_wt",
    "nwb_adm_wt",
    "adm_time",
    "dscg_time",
    "act_ipt_days",
    "dscg_way",
    "maindiag_code",
    "otherdiag_codes",
    "main_oprn_oprt_code",
    "other_oprn_oprt_codes",
    "opsp_dise_code",
    "scs_cutd_sum_dura",
    "vent_used_dura",
    "days_rinp_flag_31",
    "medfee_sumamt",
    "fund_pay_sumamt",
    "hifp_pay",
    "psn_part_amt",
    "fulamt_ownpay_amt",
    "acct_pay",
    "psn_cash_pay",
    *FEE_COLUMNS,
    "setl_time",
]


def year_chunks(
    *, seed: int, year: int, n_cases: int, institutions: pd.DataFrame
) -> Iterator[pd.DataFrame]:
    """A year of cases in independent chunks of at most ``CHUNK_CASES`` rows (deterministic per chunk)."""
    catalog = catalog_load()
    for number, start in enumerate(range(0, n_cases, CHUNK_CASES)):
        size = min(CHUNK_CASES, n_cases - start)
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, year, number])))
        yield cases_frame(
            rng=rng,
            year=year,
            n_cases=size,
            first_number=start,
            institutions=institutions,
            catalog=catalog,
        )


def cases_frame(
    *,
    rng: np.random.Generator,
    year: int,
    n_cases: int,
    first_number: int,
    institutions: pd.DataFrame,
    catalog: Catalog,
) -> pd.DataFrame:
    """``n_cases`` settled cases of ``year``: inpatient stays (with readmissions), day surgery, outpatient chronic care.

    Returns CaseRecord columns (money in fen) plus ``institution_code``; ids are numbered from ``first_number``.
    """
    # Readmissions add stays; drawing fewer index stays keeps the total at n_cases, outpatients take the rest.
    n_index = int(n_cases * (1 - OUTPATIENT_SHARE) / 1.06)
    stays = _inpatient_drivers(
        rng, year=year, n=n_index, institutions=institutions, catalog=catalog
    )
    stays = _readmissions(rng, stays, year=year).iloc[:n_cases]
    visits = _outpatient_drivers(
        rng, year=year, n=n_cases - len(stays), institutions=institutions, catalog=catalog
    )
    frame = pd.concat([stays, visits], ignore_index=True)
    frame = _money(rng, frame)
    frame = _identifiers(frame, year=year, first_number=first_number)
    frame["institution_code"] = institutions["code"].to_numpy()[frame["inst"].to_numpy()]
    return frame[CASE_COLUMNS]


def _disease_probabilities(institution: pd.Series, diagnoses: pd.DataFrame) -> np.ndarray:
    """How likely each disease is at an institution of this kind (specialty, level, TCM, grassroots)."""
    weight = diagnoses["weight"].to_numpy().copy()
    complex_case = (
        (diagnoses["severe"] == 1)
        | (diagnoses["surgery_cost_factor"] > 2)
        | diagnoses["code"].str.startswith("C")
    )
    grassroots_ok = diagnoses["grassroots"].to_numpy() == 1
    if institution["specialty"]:
        weight *= (
            diagnoses["code"]
            .str.startswith(SPECIALTY_PREFIXES[institution["specialty"]])
            .to_numpy()
        )
    elif institution["type"] == "grassroots" or institution["level"] == "1":
        weight *= np.where(grassroots_ok, 1.0, 0.03)
    elif institution["level"] in {"3A", "3"}:
        weight *= np.where(grassroots_ok, 0.6, 1.0)
    else:
        weight *= np.where(complex_case.to_numpy(), 0.5, 1.0)
    if institution["type"] == "tcm":
        weight *= np.where(diagnoses["tcm"].to_numpy() == 1, 3.0, 0.7)
    return weight / weight.sum()


def _year_days(year: int) -> int:
    return 366 if pd.Timestamp(year=year, month=1, day=1).is_leap_year else 365


def _discharge_minutes(rng: np.random.Generator, *, year: int, growth: np.ndarray) -> np.ndarray:
    """Minutes since 1 January: uniform over the year; ``growth`` rows put three quarters in the second half."""
    days = _year_days(year)
    half = days // 2
    uniform = rng.uniform(0, days, size=len(growth))
    late = np.where(
        rng.random(len(growth)) < 0.75,
        rng.uniform(half, days, len(growth)),
        rng.uniform(0, half, len(growth)),
    )
    day = np.where(growth, late, uniform).astype(np.int64)
    return day * 1440 + rng.integers(8 * 60, 18 * 60, size=len(growth))


def _inpatient_drivers(
    rng: np.random.Generator, *, year: int, n: int, institutions: pd.DataFrame, catalog: Catalog
) -> pd.DataFrame:
    """Who, where, what and when of the inpatient stays (no money yet)."""
    inst, disease = _institution_diseases(
        rng, n=n, institutions=institutions, diagnoses=catalog.diagnoses
    )
    d = catalog.diagnoses.iloc[disease].reset_index(drop=True)
    frame = pd.DataFrame(
        {"inst": inst, "person": np.arange(n), "maindiag_code": d["code"].to_numpy()}
    )
    frame["level"] = institutions["level"].to_numpy()[inst]
    frame["anomaly"] = institutions["anomaly"].to_numpy()[inst]
    _demographics(rng, frame, d)
    _treatment(rng, frame, d, grassroots_institution=institutions["is_grassroots"].to_numpy()[inst])
    _stay_length(rng, frame, d)
    frame["dscg_minute"] = _discharge_minutes(
        rng, year=year, growth=frame["anomaly"].to_numpy() == FAST_GROWTH
    )
    _care(rng, frame)
    frame["otherdiag_codes"] = _other_diagnoses(rng, frame)
    frame["other_oprn_oprt_codes"] = _other_procedures(rng, frame, d)
    frame["opsp_dise_code"] = ""
    frame["days_rinp_flag_31"] = "1"
    return frame


def _institution_diseases(
    rng: np.random.Generator, *, n: int, institutions: pd.DataFrame, diagnoses: pd.DataFrame
):
    """Institution by volume (tertiary hospitals get most stays), then a disease by what that institution treats."""
    inst = rng.choice(
        len(institutions),
        size=n,
        p=(institutions["volume"] / institutions["volume"].sum()).to_numpy(),
    )
    disease = np.empty(n, dtype=np.int64)
    for index, institution in institutions.iterrows():
        rows = np.flatnonzero(inst == index)
        disease[rows] = rng.choice(
            len(diagnoses), size=len(rows), p=_disease_probabilities(institution, diagnoses)
        )
    return inst, disease


def _treatment(
    rng: np.random.Generator,
    frame: pd.DataFrame,
    d: pd.DataFrame,
    *,
    grassroots_institution: np.ndarray,
) -> None:
    """Operated or not (grassroots institutions rarely, the up-coder more often), day surgery, med_type, cost basis."""
    n = len(frame)
    upcoding = frame["anomaly"].to_numpy() == UPCODING
    share = np.where(upcoding, np.minimum(1.0, d["surgical_share"] * 1.6), d["surgical_share"])
    share = np.where(grassroots_institution, share * 0.3, share)
    frame["surgical"] = (rng.random(n) < share) & (d["procedures"].to_numpy() != "")
    frame["main_oprn_oprt_code"] = np.where(
        frame["surgical"], d["procedures"].str.split(";").str[0], ""
    )
    eligible = (
        (d["day_surgery"].to_numpy() == 1) & frame["surgical"].to_numpy() & ~grassroots_institution
    )
    frame["day_surgery"] = eligible & (rng.random(n) < DAY_SURGERY_SHARE)
    frame["severe"] = d["severe"].to_numpy() == 1
    frame["med_type"] = _inpatient_med_type(rng, frame)
    frame["cost_median"] = d["median_cost"].to_numpy() * np.where(
        frame["surgical"], d["surgery_cost_factor"], 1.0
    )
    frame["cost_sigma"] = d["cost_sigma"].to_numpy()


def _stay_length(rng: np.random.Generator, frame: pd.DataFrame, d: pd.DataFrame) -> None:
    """Days in hospital around the disease's typical stay; day surgery 0; the low-standard hospital's 1–2 day stays."""
    n = len(frame)
    los = np.maximum(1, np.rint(d["los_median"].to_numpy() * rng.lognormal(0, 0.35, n))).astype(
        np.int64
    )
    grassroots_disease = d["grassroots"].to_numpy() == 1
    frame["low_standard"] = (
        (frame["anomaly"].to_numpy() == LOW_STANDARD_ADMISSION)
        & grassroots_disease
        & (rng.random(n) < 0.6)
    )
    los = np.where(frame["low_standard"], rng.integers(1, 3, n), los)
    frame["los"] = np.where(frame["day_surgery"], 0, los)


def _demographics(rng: np.random.Generator, frame: pd.DataFrame, d: pd.DataFrame) -> None:
    """Age and sex consistent with the disease; newborn age in days; scheme by age (children are residents)."""
    n = len(frame)
    age_min, age_max = d["age_min"].to_numpy(), d["age_max"].to_numpy()
    frame["age"] = np.rint(age_min + (age_max - age_min) * rng.beta(2.2, 1.6, n)).astype(np.int64)
    sex = d["sex"].to_numpy()
    frame["gend"] = np.where(sex != "", sex, np.where(rng.random(n) < 0.52, "1", "2"))
    newborn_disease = age_max == 0
    nwb = np.where(newborn_disease, rng.integers(0, 29, n), rng.integers(0, 366, n))
    frame["nwb_age"] = pd.array(np.where(frame["age"] == 0, nwb, 0), dtype="Int64")
    frame.loc[frame["age"] != 0, "nwb_age"] = pd.NA
    _newborn_weights(rng.spawn(1)[0], frame, newborn_disease)
    employee_share = np.where(frame["age"] >= 18, 0.45, 0.0)
    frame["insutype"] = np.where(rng.random(n) < employee_share, "310", "390")


def _newborn_weights(rng: np.random.Generator, frame: pd.DataFrame, newborn: np.ndarray) -> None:
    """Birth and admission weights (grams, to 10 g as 4101 asks) of the newborn diseases' cases; preterm
    infants (P07) are lighter. ``rng`` is a child generator, so the other draws stay what they were."""
    n = len(frame)
    preterm = frame["maindiag_code"].str.startswith("P07").to_numpy()
    birth = np.clip(
        rng.normal(np.where(preterm, 1800, 3250), np.where(preterm, 400, 450), n), 600, 5200
    )
    days = frame["nwb_age"].fillna(0).to_numpy(dtype=np.int64)
    admission = birth * rng.uniform(0.92, 1.0, n) + 25 * np.maximum(days - 10, 0)
    for column, grams in (("nwb_bir_wt", birth), ("nwb_adm_wt", admission)):
        frame[column] = pd.array(
            np.where(newborn, np.rint(grams / 10) * 10, 0).astype(np.int64), dtype="Int64"
        )
        frame.loc[~newborn, column] = pd.NA


def _inpatient_med_type(rng: np.random.Generator, frame: pd.DataFrame) -> np.ndarray:
    trauma = frame["maindiag_code"].str.startswith("S").to_numpy() & (rng.random(len(frame)) < 0.8)
    emergency = frame["severe"].to_numpy() & (rng.random(len(frame)) < 0.3)
    med_type = np.where(trauma, "22", np.where(emergency, "24", "21"))
    return np.where(frame["day_surgery"], "28", med_type)


def _care(rng: np.random.Generator, frame: pd.DataFrame) -> None:
    """Discharge way, and ICU / ventilator minutes on some severe stays (never longer than the stay)."""
    n = len(frame)
    severe = frame["severe"].to_numpy()
    tertiary = np.isin(frame["level"], ["3A", "3"])
    icu = severe & (rng.random(n) < np.where(tertiary, 0.35, 0.15)) & (frame["los"].to_numpy() >= 2)
    stay_minutes = frame["los"].to_numpy() * 1440
    icu_minutes = np.minimum(stay_minutes, rng.lognormal(np.log(3 * 1440), 0.6, n).astype(np.int64))
    vent = icu & (rng.random(n) < 0.5)
    frame["icu"] = icu
    frame["scs_cutd_sum_dura"] = pd.array(np.where(icu, icu_minutes, 0), dtype="Int64")
    frame.loc[~icu, "scs_cutd_sum_dura"] = pd.NA
    frame["vent_used_dura"] = pd.array(
        np.where(vent, (icu_minutes * rng.uniform(0.2, 0.9, n)).astype(np.int64), 0), dtype="Int64"
    )
    frame.loc[~vent, "vent_used_dura"] = pd.NA
    death = severe & (rng.random(n) < np.where(icu, 0.12, 0.03))
    way = rng.choice(np.array(["1", "2", "3", "4", "9"]), size=n, p=[0.92, 0.02, 0.02, 0.03, 0.01])
    frame["dscg_way"] = np.where(death, "5", way)


def _join_codes(columns: list[np.ndarray]) -> np.ndarray:
    """Row-wise ``;``-join of code columns, skipping blanks."""
    joined = np.full(len(columns[0]), "", dtype="<U1")
    for column in columns:
        separator = np.where((joined != "") & (column != ""), ";", "")
        joined = np.strings.add(np.strings.add(joined, separator), column.astype(str))
    return joined


def _other_diagnoses(rng: np.random.Generator, frame: pd.DataFrame) -> np.ndarray:
    """0–5 distinct comorbidities, more with age; the up-coding hospital codes about twice as many."""
    n = len(frame)
    rate = 0.4 + frame["age"].to_numpy() / 40
    rate = np.where(frame["anomaly"] == UPCODING, rate * 2.2, rate)
    count = np.minimum(rng.poisson(rate), 5)
    pool = np.array(COMORBIDITIES)
    picks = pool[np.argsort(rng.random((n, len(pool))), axis=1)[:, :5]]
    picks = np.where(picks == frame["maindiag_code"].to_numpy()[:, None], "", picks)
    return _join_codes([np.where(count > slot, picks[:, slot], "") for slot in range(5)])


def _other_procedures(rng: np.random.Generator, frame: pd.DataFrame, d: pd.DataFrame) -> np.ndarray:
    """A second listed procedure on some surgical stays, imaging on many; the up-coding hospital adds more."""
    n = len(frame)
    upcoding = frame["anomaly"].to_numpy() == UPCODING
    second = d["procedures"].str.split(";").str[1].fillna("").to_numpy()
    second = np.where(
        frame["surgical"] & (rng.random(n) < np.where(upcoding, 0.9, 0.3)), second, ""
    )
    ct = np.where(rng.random(n) < np.where(upcoding, 0.8, 0.25), "88.3800", "")
    echo = np.where(upcoding & (rng.random(n) < 0.6), "88.7201", "")
    return _join_codes([second, ct, echo])


def _readmissions(rng: np.random.Generator, stays: pd.DataFrame, *, year: int) -> pd.DataFrame:
    """Copy some stays as a second stay of the same patient within 1–14 days of discharge.

    Everywhere ``READMISSION_SHARE`` of stays (a quarter planned, flag "2"); at the split-admission
    hospital a further third of its stays come back with the same disease, unplanned, and cheaper.
    A readmission that would end after the year belongs to the next year and is dropped.
    """
    n = len(stays)
    eligible = (stays["med_type"] != "28").to_numpy() & (stays["dscg_way"] != "5").to_numpy()
    split = (stays["anomaly"] == SPLIT_ADMISSION).to_numpy()
    chosen = eligible & ((rng.random(n) < READMISSION_SHARE) | (split & (rng.random(n) < 0.35)))
    again = stays[chosen].copy()
    k = len(again)
    splitting = again["anomaly"].to_numpy() == SPLIT_ADMISSION
    gap_days = np.where(splitting, rng.integers(1, 8, k), rng.integers(1, 15, k))
    admission = again["dscg_minute"].to_numpy() + gap_days * 1440 + rng.integers(-240, 240, k)
    again["los"] = np.maximum(1, again["los"].to_numpy() // np.where(splitting, 2, 1))
    again["dscg_minute"] = admission + again["los"].to_numpy() * 1440
    again["days_rinp_flag_31"] = np.where(
        ~splitting & (rng.random(k) < PLANNED_READMISSION_SHARE), "2", "1"
    )
    again["split"] = splitting
    again = again[again["dscg_minute"].to_numpy() < _year_days(year) * 1440 - 180]
    stays["split"] = False
    return pd.concat([stays, again], ignore_index=True)


def _outpatient_drivers(
    rng: np.random.Generator, *, year: int, n: int, institutions: pd.DataFrame, catalog: Catalog
) -> pd.DataFrame:
    """门诊慢特病 settlements: a panel of patients, each settled several times a year at one institution."""
    diseases = catalog.outpatient
    patients = max(1, n // 6)
    disease = rng.choice(
        len(diseases), size=patients, p=(diseases["weight"] / diseases["weight"].sum()).to_numpy()
    )
    d = diseases.iloc[disease].reset_index(drop=True)
    clinics = institutions.index[
        institutions["specialty"].isin(["", "oncology", "psychiatric"])
    ].to_numpy()
    volume = institutions["volume"].to_numpy()[clinics]
    home = clinics[rng.choice(len(clinics), size=patients, p=volume / volume.sum())]
    panel = pd.DataFrame(
        {"inst": home, "opsp_dise_code": d["code"], "maindiag_code": d["maindiag_code"]}
    )
    _demographics(rng, panel, d)
    panel["cost_median"] = d["median_cost"].to_numpy()
    panel["cost_sigma"] = d["cost_sigma"].to_numpy()
    visits = (
        panel.iloc[rng.integers(0, patients, size=n)]
        .reset_index(drop=False)
        .rename(columns={"index": "person"})
    )
    visits["level"] = institutions["level"].to_numpy()[visits["inst"]]
    visits["anomaly"] = ""
    visits["med_type"] = "14"
    visits["dscg_minute"] = _discharge_minutes(rng, year=year, growth=np.zeros(n, dtype=bool))
    visits["los"] = -1  # no stay
    for column, value in {
        "surgical": False,
        "severe": False,
        "icu": False,
        "day_surgery": False,
        "low_standard": False,
        "split": False,
    }.items():
        visits[column] = value
    for column in [
        "main_oprn_oprt_code",
        "other_oprn_oprt_codes",
        "otherdiag_codes",
        "dscg_way",
        "days_rinp_flag_31",
    ]:
        visits[column] = ""
    visits["scs_cutd_sum_dura"] = pd.array([pd.NA] * n, dtype="Int64")
    visits["vent_used_dura"] = pd.array([pd.NA] * n, dtype="Int64")
    return visits


def _money(rng: np.random.Generator, frame: pd.DataFrame) -> pd.DataFrame:
    """Total cost (log-normal by disease × level, planted deviations), fund/personal split, fee breakdown; all fen."""
    n = len(frame)
    level = frame["level"].to_numpy()
    factor = level_profile()["cost_factor"].reindex(level).to_numpy(copy=True)
    natural = np.exp(frame["cost_sigma"].to_numpy() * np.clip(rng.standard_normal(n), -0.7, 0.7))
    anomaly = frame["anomaly"].to_numpy()
    factor *= np.where(anomaly == UPCODING, 1.2, 1.0) * np.where(frame["icu"], 1.5, 1.0)
    factor *= np.where(frame["low_standard"], 0.3, 1.0) * np.where(frame["split"], 0.6, 1.0)
    factor *= np.where(frame["med_type"] == "28", 0.85, 1.0)
    draw = rng.random(n)
    deviation = np.where(draw < LOW_DEVIATION_SHARE, rng.uniform(0.15, 0.45, n), 1.0)
    high = (draw >= 1 - HIGH_DEVIATION_SHARE) & (frame["med_type"] != "14").to_numpy()
    extreme = high & (rng.random(n) < 0.1)
    deviation = np.where(
        high, np.where(extreme, rng.uniform(5.5, 9.0, n), rng.uniform(2.3, 4.5, n)), deviation
    )
    yuan = frame["cost_median"].to_numpy() * factor * natural * deviation
    total = np.maximum(np.rint(yuan * 100).astype(np.int64), 5_00)
    frame["medfee_sumamt"] = total
    _fund_split(rng, frame, total)
    _fees(rng, frame, total)
    return frame


def _fund_split(rng: np.random.Generator, frame: pd.DataFrame, total: np.ndarray) -> None:
    """Fund and personal shares by scheme and level: employees (310) are reimbursed more than residents (390)."""
    n = len(frame)
    employee = frame["insutype"].to_numpy() == "310"
    outpatient = frame["med_type"].to_numpy() == "14"
    profile = level_profile().reindex(frame["level"].to_numpy())
    rate = np.where(employee, profile["rate_310"], profile["rate_390"]) * rng.uniform(0.92, 1.0, n)
    deductible = np.where(
        outpatient,
        0,
        np.where(employee, profile["deductible_310"], profile["deductible_390"]) * 100,
    )
    ownpay = np.rint(total * rng.uniform(0.0, 0.08, n)).astype(np.int64)
    eligible = total - ownpay
    hifp = np.minimum(
        eligible, np.rint(np.maximum(0, eligible - deductible) * rate).astype(np.int64)
    )
    threshold = (
        np.where(employee, SERIOUS_ILLNESS_THRESHOLD["310"], SERIOUS_ILLNESS_THRESHOLD["390"]) * 100
    )
    serious = np.maximum(0, (total - hifp - ownpay - threshold) // 2)
    fund = hifp + serious
    personal = total - fund
    account = np.where(employee, np.rint(personal * rng.uniform(0, 0.6, n)).astype(np.int64), 0)
    frame["hifp_pay"] = hifp
    frame["fund_pay_sumamt"] = fund
    frame["psn_part_amt"] = personal
    frame["fulamt_ownpay_amt"] = ownpay
    frame["acct_pay"] = account
    frame["psn_cash_pay"] = personal - account


def _fees(rng: np.random.Generator, frame: pd.DataFrame, total: np.ndarray) -> None:
    """Five fee columns from a Dirichlet share around the stay's profile, the last taking the rounding remainder."""
    outpatient = (frame["med_type"] == "14").to_numpy()[:, None]
    surgical = frame["surgical"].to_numpy()[:, None]
    shares = {kind: np.array(values) for kind, values in FEE_SHARES.items()}
    base = np.where(
        outpatient, shares["outpatient"], np.where(surgical, shares["surgical"], shares["medical"])
    )
    shares = rng.gamma(base * 40)
    shares /= shares.sum(axis=1, keepdims=True)
    parts = np.floor(shares[:, :4] * total[:, None]).astype(np.int64)
    for index, column in enumerate(FEE_COLUMNS[:4]):
        frame[column] = parts[:, index]
    frame["fee_other"] = total - parts.sum(axis=1)


def _identifiers(frame: pd.DataFrame, *, year: int, first_number: int) -> pd.DataFrame:
    """Ids, patient numbers and timestamps (Asia/Shanghai); ``setl_time`` (which decides the month) stays in the year.

    Outpatient settlements have no stay: ``dscg_minute`` is the visit time and adm/dscg stay empty.
    """
    n = len(frame)
    number = np.arange(first_number, first_number + n)
    frame["setl_id"] = np.strings.add(f"S{year}", np.strings.zfill(number.astype(str), 8))
    frame["mdtrt_id"] = np.strings.add(f"M{year}", np.strings.zfill(number.astype(str), 8))
    # A person is numbered within the chunk (a readmission carries its index stay's number); the chunk offset keeps it unique.
    kind = np.where(frame["med_type"] == "14", "C", "I")
    person = (first_number + frame["person"].to_numpy()).astype(str)
    frame["psn_no"] = np.strings.add(np.strings.add(f"P{year}", kind), np.strings.zfill(person, 8))
    start = pd.Timestamp(year=year, month=1, day=1, tz=TZ).value
    dscg = start + frame["dscg_minute"].to_numpy().astype(np.int64) * MINUTE_NS
    stay = frame["los"].to_numpy()
    inpatient = stay >= 0
    adm = dscg - np.where(stay > 0, stay * 1440 - 120, 360) * MINUTE_NS
    settle = dscg + np.where(inpatient, 90, 5) * MINUTE_NS  # discharges end by 21:00 on 31 December
    as_time = lambda ns: pd.DatetimeIndex(ns.astype("datetime64[ns]"), tz="UTC").tz_convert(TZ)  # noqa: E731
    frame["dscg_time"] = pd.Series(as_time(dscg), index=frame.index).where(inpatient)
    frame["adm_time"] = pd.Series(as_time(adm), index=frame.index).where(inpatient)
    frame["setl_time"] = as_time(settle)
    days = (frame["dscg_time"].dt.normalize() - frame["adm_time"].dt.normalize()).dt.days
    frame["act_ipt_days"] = pd.array(np.maximum(days.fillna(0), 1).astype(np.int64), dtype="Int64")
    frame.loc[~inpatient, "act_ipt_days"] = pd.NA
    return frame
