"""Build engine input frames from readable rows (yuan and plain scores), converted exactly."""

from __future__ import annotations

from decimal import Decimal as D

import pandas as pd

from settlement.engine.fixed import to_units

MONEY = ("medfee", "mean", "mean_level", "fund", "psn_part", "base")
E4_COLUMNS = {
    "score": 0,
    "aux_coef": 1,
    "inst_coef": 1,
    "special_points": 0,
}  # name: value when absent
DEFAULTS = {"institution": "H1", "kind": "DIP", "level": 2, "fund": D(0), "psn_part": D(0)}


def case_frame(*rows: dict) -> pd.DataFrame:
    """Rows in yuan / plain numbers (``medfee=D("25000")``, ``score=1000``) → the engine's fixed-point frame."""
    raw = pd.DataFrame([{**DEFAULTS, **row} for row in rows])
    frame = raw.drop(columns=[c for c in (*MONEY, *E4_COLUMNS) if c in raw])
    for name in MONEY:
        if name in raw:
            frame[f"{name}_fen"] = to_units(raw[name].fillna(0), 2)
    for name, absent in E4_COLUMNS.items():
        if name in raw:
            frame[f"{name}_e4"] = to_units(raw[name].fillna(absent), 4)
    return frame
