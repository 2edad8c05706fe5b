"""Rows for the intake tests: one valid settlement-list row per call, as text cells keyed by code."""

from __future__ import annotations

import csv
import io


def valid_row(
    setl_id: str = "S0001", /, *, institution: str = "H37080200001", **overrides
) -> dict[str, str]:
    """A valid inpatient row (hospital A, March 2024); ``overrides`` replace cells by field code."""
    row = {
        "setl_id": setl_id,
        "mdtrt_id": f"M{setl_id}",
        "psn_no": f"P{setl_id}",
        "fixmedins_code": institution,
        "insutype": "310",
        "med_type": "21",
        "gend": "1",
        "age": "60",
        "nwb_age": "",
        "nwb_bir_wt": "",
        "nwb_adm_wt": "",
        "adm_time": "2024-03-01 08:30",
        "dscg_time": "2024-03-08 10:00",
        "act_ipt_days": "7",
        "dscg_way": "1",
        "maindiag_code": "I21.000",
        "otherdiag_codes": "I10.x00;E11.900",
        "main_oprn_oprt_code": "36.0601",
        "other_oprn_oprt_codes": "",
        "opsp_dise_code": "",
        "scs_cutd_sum_dura": "",
        "vent_used_dura": "",
        "days_rinp_flag_31": "1",
        "medfee_sumamt": "30000.00",
        "fund_pay_sumamt": "21000.00",
        "hifp_pay": "21000.00",
        "psn_part_amt": "9000.00",
        "fulamt_ownpay_amt": "",
        "acct_pay": "",
        "psn_cash_pay": "",
        "fee_drug": "10000.00",
        "fee_material": "5000.00",
        "fee_exam": "5000.00",
        "fee_treatment": "5000.00",
        "fee_other": "5000.00",
        "setl_time": "2024-03-08 12:00",
    }
    row.update(overrides)
    return row


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")
