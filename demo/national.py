"""One month of "national" results for the demo region (国家平台对账演示): the national platform's group,
QC and booking files built from our own cases and groups, with one planted difference of each kind, and
uploaded through ``reconciliation.services.national_upload`` so the officer can start the reconciliation.

Planted: a main-diagnosis mismatch, a group our catalog lacks (version), a case we could not group that
the platform grouped, a case the platform never received (ours only), a case only the platform has, a
national QC error on a case our quality rules accept, a case our quality rules flag that the national QC
passes (a 75-day stay planted in our case table; the national QC file has no finding for it), and an
institution whose booking is one fen above our records.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from catalogs.models import Institution, Region
from config.lazy import pandas as pd
from reconciliation import domain, selectors, services
from reconciliation.choices import FileKind
from settlement.grouping.selectors import catalog_version_in_force
from settlement.models import CaseRecord

MISSING_GROUP = "ZZ99.999"
NATIONAL_ONLY = "DEMO-NAT-0001"
QC_RULE = ("QC-ZD-001", "maindiag_code", "主要诊断编码不符合医保版编码规范")


def national_frames(cases: pd.DataFrame, codes: list[str], month: str) -> dict[str, pd.DataFrame]:
    """The three national tables of ``cases`` (``selectors.our_case_frame`` with ``fixmedins_code``), pure.

    The national QC file holds one error, on a grouped case our quality rules (``domain.our_quality``)
    accept; the cases our rules flag get no national finding, so each is a "we flag, national accepts"
    difference (the demo year has a few: long stays, newborn weights)."""
    groups = cases[["setl_id", "fixmedins_code", "group_code"]].copy()
    grouped = groups.index[groups["group_code"] != ""]
    other = next(c for c in codes if c[:3] != groups.loc[grouped[0], "group_code"][:3])
    groups.loc[grouped[0], "group_code"] = other  # main diagnosis
    groups.loc[grouped[1], "group_code"] = MISSING_GROUP  # version
    ungrouped = groups.index[groups["group_code"] == ""]
    if len(ungrouped):
        groups.loc[ungrouped[0], "group_code"] = codes[0]  # ours ungroupable
    groups = groups.drop(index=grouped[-1])  # ours only
    extra = pd.DataFrame(
        [
            {
                "setl_id": NATIONAL_ONLY,
                "fixmedins_code": groups["fixmedins_code"].iloc[0],
                "group_code": codes[0],
            }
        ]
    )
    groups = pd.concat([groups, extra], ignore_index=True).assign(
        setl_month=month, group_kind="DIP", weight="100", case_type="normal"
    )
    flagged = set(domain.our_quality(cases)["setl_id"])
    accepted = next(i for i in grouped[2:-1] if cases.loc[i, "setl_id"] not in flagged)
    qc = pd.DataFrame(
        [
            {
                "setl_id": cases.loc[accepted, "setl_id"],
                "fixmedins_code": cases.loc[accepted, "fixmedins_code"],
                "rule_code": QC_RULE[0],
                "level": "error",
                "field": QC_RULE[1],
                "message": QC_RULE[2],
            }
        ]
    )
    bookings = (
        cases.groupby("fixmedins_code")
        .agg(fund_fen=("fund_fen", "sum"), case_count=("setl_id", "size"))
        .reset_index()
    )
    bookings = bookings.assign(
        fund_paid=[Decimal(int(fen)).scaleb(-2) for fen in bookings.pop("fund_fen")],
        setl_month=month,
    )
    bookings.loc[0, "fund_paid"] += Decimal("0.01")
    return {FileKind.GROUPS: groups, FileKind.QC: qc, FileKind.BOOKINGS: bookings}


def national_month_upload(
    *, actor, region: Region, year: int, month: int, scheme: str = "310"
) -> dict[str, int]:
    """Build and upload the month's three national files; returns the upload ids by kind."""
    version = catalog_version_in_force(region=region, kind="DIP", year=year)
    if version is None:
        return {}
    cases = selectors.our_case_frame(
        region=region, year=year, month=month, scheme=scheme, version=version, kind="DIP"
    )
    codes = dict(Institution.objects.filter(region=region).values_list("id", "code"))
    cases = cases.assign(fixmedins_code=cases["institution_id"].map(codes)).sort_values(
        "setl_id", ignore_index=True
    )
    if (cases["group_code"] != "").sum() < 5:
        return {}
    _long_stay_planted(cases)
    frames = national_frames(
        cases, sorted(version.groups.values_list("code", flat=True)), f"{year}-{month:02d}"
    )
    return {
        kind: services.national_upload(
            actor=actor,
            region=region,
            year=year,
            month=month,
            kind=kind,
            name=f"national-{kind}.csv",
            content=frame.to_csv(index=False).encode(),
        ).pk
        for kind, frame in frames.items()
    }


LONG_STAY_DAYS = 75


def _long_stay_planted(cases: pd.DataFrame) -> None:
    """A case our quality rules flag and the national QC passes: one grouped case of the month becomes a
    75-day stay (admission moved back to match, as intake would require), so intake's long-stay rule
    (``IQ-LOS``) flags it; the national QC file has no finding for it. In the table and in ``cases``."""
    position = cases.index[cases["group_code"] != ""][-2]
    case = CaseRecord.objects.get(pk=int(cases.loc[position, "case_id"]))
    case.act_ipt_days = LONG_STAY_DAYS
    case.adm_time = case.dscg_time - datetime.timedelta(days=LONG_STAY_DAYS)
    case.save(update_fields=["act_ipt_days", "adm_time"])
    cases.loc[position, "act_ipt_days"] = LONG_STAY_DAYS
