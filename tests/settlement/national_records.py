"""4101-shaped records for the intake tests: a settlement (setlinfo) with its diagnoses, procedures and ICU stays."""

from __future__ import annotations

from tests.settlement.intake_rows import valid_row

DERIVED = (
    "maindiag_code",
    "otherdiag_codes",
    "main_oprn_oprt_code",
    "other_oprn_oprt_codes",
    "scs_cutd_sum_dura",
)


def national_record(
    setl_id: str = "S0001",
    /,
    *,
    diseinfo: list[dict] | None = None,
    oprninfo: list[dict] | None = None,
    icuinfo: list[dict] | None = None,
    **setlinfo,
) -> dict:
    """A valid 4101 record of hospital A: the flat row's setlinfo fields under their national names, a
    main and two other diagnoses, a flagged main procedure and one other, one ICU stay; ``setlinfo``
    overrides replace setlinfo fields."""
    flat = valid_row(setl_id, **setlinfo)
    setl = {code: value for code, value in flat.items() if code not in DERIVED and value != ""}
    setl["psn_cashpay"] = setl.pop("psn_cash_pay", "0.00")  # 4101 spelling
    setl.update(
        {"psn_name": "张三", "medcasno": f"BA{setl_id}", "hi_type": "310"}
    )  # national fields the portal does not keep
    return {
        "setlinfo": setl,
        "diseinfo": diseinfo
        if diseinfo is not None
        else [
            {
                "diag_type": "1",
                "diag_code": "I21.000",
                "diag_name": "急性心肌梗死",
                "maindiag_flag": "1",
                "adm_cond_type": "1",
            },
            {"diag_type": "1", "diag_code": "I10.x00", "diag_name": "高血压", "maindiag_flag": "0"},
            {
                "diag_type": "1",
                "diag_code": "E11.900",
                "diag_name": "2型糖尿病",
                "maindiag_flag": "0",
            },
            {
                "diag_type": "2",
                "diag_code": "BNV060",
                "diag_name": "胸痹心痛病",
                "maindiag_flag": "1",
            },
        ],
        "oprninfo": oprninfo
        if oprninfo is not None
        else [
            {
                "oprn_oprt_code": "36.0601",
                "oprn_oprt_name": "冠状动脉支架置入术",
                "main_oprn_flag": "1",
                "oprn_oprt_date": "2024-03-02",
                "anst_way": "01",
                "oper_dr_name": "李医生",
                "oper_dr_code": "D001",
            },
            {
                "oprn_oprt_code": "88.5501",
                "oprn_oprt_name": "冠状动脉造影",
                "main_oprn_flag": "0",
                "oprn_oprt_date": "2024-03-02",
            },
        ],
        "icuinfo": icuinfo
        if icuinfo is not None
        else [
            {
                "scs_cutd_ward_type": "1",
                "scs_cutd_inpool_time": "2024-03-02 10:00",
                "scs_cutd_exit_time": "2024-03-03 12:30",
                "scs_cutd_sum_dura": "1/2/30",
            },
        ],
    }


def national_tables(records: list[dict]) -> dict[str, list[dict]]:
    """The same records as one table per national table, list rows carrying setl_id (a workbook or zip)."""
    tables: dict[str, list[dict]] = {"setlinfo": [record["setlinfo"] for record in records]}
    for table in ("diseinfo", "oprninfo", "icuinfo"):
        tables[table] = [
            {"setl_id": record["setlinfo"]["setl_id"], **row}
            for record in records
            for row in record[table]
        ]
    return tables
