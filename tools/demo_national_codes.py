"""Put the demo's codes on the national CHS-DRG 1.1 rule lists, so the demo region groups meaningfully under them.

    python tools/demo_national_codes.py          # rewrites demo/data/*.csv and catalogs/data/drg/adrg.csv in place

The demo's inpatient diseases (demo/data/diagnoses.csv) are ICD-10 医保版 2.0 codes, but CHS-DRG 1.1 lists
many of its main diagnoses by their extension codes (I21.000 is not on MDCF's list, I21.000x005 is), and a
case whose main diagnosis is on no MDC list cannot be grouped. For every demo diagnosis on no MDC list of the
national rules (catalogs/data/chs_drg_11) this picks, deterministically, a code that is on one and in the
national dictionary (catalogs/data/national/icd10_yb20.csv.gz): same 3-character category, same
4-character subcategory when there is one, then the closest national name, then the smallest code; the
row takes the national code and name and keeps its cost profile. A demo procedure that is surgical
(procedures.csv, 手术) or some disease's main procedure, on no ADRG list, gets the listed national code of the
same ``xx.xx`` stem with the closest name, if there is one (else it stays, and its cases group as the rules
say): the new code is added as a row of its own (the old row stays, a valid code) and every disease naming the
old one names the new one. The demo rule set (catalogs/data/drg/adrg.csv) lists each new code next to the old
one, so it still groups the demo cases. Running it again changes nothing.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalogs.drg import grouper as drg_grouper  # noqa: E402  (after ROOT is on the path)

DEMO = ROOT / "demo" / "data"
NATIONAL = ROOT / "catalogs" / "data" / "national"


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def closest(
    code: str,
    name: str,
    candidates: dict[str, str],
    taken: set[str],
    prefix: int,
    widen: bool = True,
) -> str | None:
    """The candidate with the same first ``prefix`` characters as ``code`` (when there is none and ``widen``: of
    its category), with the closest name, then the smallest code; none already ``taken``."""
    pool = sorted(
        c
        for c in candidates
        if c[: len(code.split(".")[0])] == code.split(".")[0] and c not in taken
    )
    narrow = [c for c in pool if c[:prefix] == code[:prefix]] or (pool if widen else [])
    if not narrow:
        return None
    return max(
        narrow,
        key=lambda c: (
            difflib.SequenceMatcher(None, name, candidates[c]).ratio(),
            [-ord(ch) for ch in c],
        ),
    )


def main() -> None:
    rules = drg_grouper.drg_rules_load(drg_grouper.DATA_DIR.parent / "chs_drg_11")
    icd10 = read(NATIONAL / "icd10_yb20.csv.gz")
    icd9 = read(NATIONAL / "icd9cm3_yb.csv.gz")
    diagnosis_names = dict(zip(icd10["诊断编码"], icd10["诊断名称"], strict=True))
    procedure_names = dict(zip(icd9["手术操作编码"], icd9["手术操作名称"], strict=True))
    on_mdc = set(rules.mdc_diagnoses["diag_code"])
    listed_procedures = set(rules.adrg_procedures["proc_code"])

    diagnoses = read(DEMO / "diagnoses.csv")
    candidates = {c: diagnosis_names[c] for c in on_mdc if "+" not in c and c in diagnosis_names}
    taken = set(diagnoses["code"])
    moved: dict[str, str] = {}
    for row in diagnoses.index[~diagnoses["code"].isin(on_mdc)]:
        code, name = diagnoses.at[row, "code"], diagnoses.at[row, "name"]
        new = closest(code, name, candidates, taken, prefix=5)
        if new is None:
            raise SystemExit(
                f"demo_national_codes: no national MDC code in the category of {code} {name}"
            )
        taken.add(new)
        moved[code] = new
        diagnoses.loc[row, ["code", "name"]] = [new, diagnosis_names[new]]
        print(f"diagnosis {code} {name} -> {new} {diagnosis_names[new]}")

    procedures = read(DEMO / "procedures.csv")
    procedure_candidates = {
        c: procedure_names[c] for c in listed_procedures if c in procedure_names
    }
    renamed: dict[str, str] = {}
    main = set(
        diagnoses["procedures"].str.split(";").str[0]
    )  # the procedure a disease's surgical stays get
    wanted = (procedures["treatment_type"] == "手术") | procedures["code"].isin(main)
    added = []
    for row in procedures.index[wanted & ~procedures["code"].isin(listed_procedures)]:
        code, name = procedures.at[row, "code"], procedures.at[row, "name"]
        new = closest(code, name, procedure_candidates, set(), prefix=5, widen=False)
        if new is None:
            continue  # no listed procedure of its stem: it stays (grouped as the rules say)
        renamed[code] = new
        if new not in set(procedures["code"]) and new not in {
            r["code"] for r in added
        }:  # the old row stays: a valid code
            added.append(
                {**procedures.loc[row].to_dict(), "code": new, "name": procedure_names[new]}
            )
            print(f"procedure {code} {name} -> {new} {procedure_names[new]}")
    procedures = pd.concat(
        [procedures, pd.DataFrame(added, columns=procedures.columns)], ignore_index=True
    )
    diagnoses["procedures"] = diagnoses["procedures"].map(
        lambda cell: ";".join(renamed.get(c, c) for c in cell.split(";")) if cell else cell
    )

    # The demo rule set lists the new codes next to the old ones, so it groups the demo cases as before.
    def beside(cell, mapping):
        codes = cell.split(";")
        return ";".join(
            part
            for c in codes
            for part in ([c, mapping[c]] if c in mapping and mapping[c] not in codes else [c])
        )

    demo_adrg = read(drg_grouper.DATA_DIR / "adrg.csv")
    demo_adrg["proc_codes"] = demo_adrg["proc_codes"].map(
        lambda cell: beside(cell, renamed) if cell else cell
    )
    demo_adrg["diag_codes"] = demo_adrg["diag_codes"].map(
        lambda cell: beside(cell, moved) if cell else cell
    )

    diagnoses.to_csv(DEMO / "diagnoses.csv", index=False, lineterminator="\n")
    procedures.to_csv(DEMO / "procedures.csv", index=False, lineterminator="\n")
    demo_adrg.to_csv(drg_grouper.DATA_DIR / "adrg.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    main()
