"""What a settlement run computes, from plain frames to plain frames: pure, no ORM.

``run_selectors`` reads the inputs into the frames named here; ``run_execute`` writes what these
functions return. The arithmetic itself is the engine's (``settlement.engine``); this module puts a
period's cases, its catalog, coefficients and decisions into the engine's columns, and shapes the
engine's answers into the rows a run stores.

Frames:

- cases: ``id``, ``institution_id``, ``medfee_fen``, ``fund_fen``, ``psn_part_fen`` (+ the grouper's columns);
- grouped: ``group_code`` ("" = ungroupable), ``typing_coefficient`` (text or None), ``trace`` (``cases_grouped``);
- groups: ``code``, ``score`` (Decimal), ``mean_cost`` (Decimal), ``level_means`` ({level code: text}), ``is_grassroots``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from config.lazy import numpy as np
from config.lazy import pandas as pd
from settlement.engine.fixed import (
    E4,
    MONEY_PLACES,
    POINTS_PLACES,
    quantize,
    to_fen,
    to_units,
    unit_count,
    unit_decimal,
)
from settlement.engine.params import Deviation, SpecialOutcome

ZERO = Decimal("0.00")
UNGROUPABLE = "ungroupable"
DEVIATION_LABELS = {
    Deviation.NORMAL: "正常病例",
    Deviation.LOW: "费用极低",
    Deviation.HIGH: "费用极高",
    Deviation.EXTREME: "极端异常（待专家评议）",
    UNGROUPABLE: "不能入组",
}
SPECIAL_LABELS = {
    SpecialOutcome.FFS.value: "按项目付费折算点数",
    SpecialOutcome.POINTS.value: "按核定点数",
    "": "",
}
LEVEL_NUMBER = {"3A": 3, "3": 3, "2A": 2, "2": 2, "1": 1, "0": 0}

ERR_UNKNOWN_GROUP = "有 {count} 个病例的分组在目录中找不到（如 {code}），目录版本与分组结果不一致。"


@dataclass(frozen=True)
class Decision:
    """An approved special-case decision (特例单议) the run applies to one case."""

    item_id: int
    case_id: int
    outcome: SpecialOutcome
    points: Decimal | None = None


def _units(values: Iterable, places: int) -> np.ndarray:
    return to_units(pd.Series(list(values), dtype=object), places)


def engine_cases(
    cases: pd.DataFrame,
    grouped: pd.DataFrame,
    groups: pd.DataFrame,
    *,
    kind: str,
    levels: Mapping[int, str],
    coefficients: Mapping[int, Decimal],
    decisions: Iterable[Decision] = (),
    base_mean: Decimal | Fraction,
) -> pd.DataFrame:
    """The engine's case frame (``settlement.engine.points``) of a period's grouped cases.

    Ungroupable cases (不能入组) get score 0 — no points unless a special-case decision pays them — and the
    catalog's all-case mean M (to the fen, as every mean) as their reference, so the engine can classify them; ``run_case_rows`` shows
    them as ungroupable. ``levels`` and ``coefficients`` are by institution id; an institution without a
    coefficient row gets 1.
    """
    table = groups.set_index("code")
    # Few distinct group codes among many cases: look each up once.
    case_codes, distinct = pd.factorize(grouped["group_code"].astype(str))
    distinct = np.asarray(distinct, dtype=object)
    distinct_rows = pd.Index(table.index).get_indexer(distinct)  # -1 for ungroupable ("")
    unknown = (distinct_rows < 0) & (distinct != "")
    if unknown.any():
        count = int(np.isin(case_codes, np.flatnonzero(unknown)).sum())
        raise ValueError(ERR_UNKNOWN_GROUP.format(count=count, code=distinct[unknown][0]))
    base_fen = unit_count(quantize(base_mean, MONEY_PLACES), MONEY_PLACES)
    row = distinct_rows[case_codes] if len(case_codes) else np.zeros(0, dtype=np.int64)
    grouped_mask = row >= 0
    score = np.where(grouped_mask, _units(table["score"], POINTS_PLACES)[row], 0)
    mean = np.where(grouped_mask, _units(table["mean_cost"], MONEY_PLACES)[row], base_fen)
    institution = cases["institution_id"].to_numpy(dtype=np.int64)
    # Institutions are few: their level and coefficient are looked up once each, then spread over the cases.
    inst_codes, inst_ids = pd.factorize(institution)
    inst_levels = [levels.get(int(i), "0") for i in inst_ids]
    level_names = sorted(set(inst_levels)) or ["0"]
    level_index = np.array([level_names.index(level) for level in inst_levels], dtype=np.int64)[
        inst_codes
    ]
    frame = pd.DataFrame(
        {
            "kind": kind,
            "score_e4": score,
            "medfee_fen": cases["medfee_fen"].to_numpy(dtype=np.int64),
            "mean_fen": mean,
            "mean_level_fen": np.where(
                grouped_mask, _level_means(table, row, level_index, level_names), 0
            ),
            "level": np.array(
                [LEVEL_NUMBER.get(level, 0) for level in level_names], dtype=np.int64
            )[level_index],
            "aux_coef_e4": _typing_e4(grouped["typing_coefficient"]),
            "inst_coef_e4": np.array(
                [unit_count(coefficients.get(int(i), Decimal(1)), POINTS_PLACES) for i in inst_ids],
                dtype=np.int64,
            )[inst_codes]
            if len(institution)
            else np.zeros(0, dtype=np.int64),
            "grassroots": np.where(
                grouped_mask, table["is_grassroots"].to_numpy(dtype=bool)[row], False
            ),
        },
        index=cases.index,
    )
    return _with_decisions(frame, cases["id"].to_numpy(dtype=np.int64), decisions)


def _level_means(
    table: pd.DataFrame, row: np.ndarray, level_index: np.ndarray, level_names: list[str]
) -> np.ndarray:
    """Each case's group mean at its institution's level (同级别次均费用), 0 where the catalog has none:
    a (group × level) table of fen, indexed by the case's group row and level."""
    means = table["level_means"].to_numpy(dtype=object)
    grid = np.array(
        [
            [
                unit_count(Decimal(str((m or {}).get(level, 0))), MONEY_PLACES)
                for level in level_names
            ]
            for m in means
        ]
        or [[0] * len(level_names)],
        dtype=np.int64,
    )
    return np.where(row >= 0, grid[np.maximum(row, 0), level_index], 0)


def _typing_e4(coefficients: pd.Series) -> np.ndarray:
    """Typing coefficients (text, None = no subtype = 1) as e4; the few distinct values converted once."""
    codes, uniques = pd.factorize(coefficients.to_numpy(dtype=object), use_na_sentinel=True)
    table = np.array([unit_count(value, POINTS_PLACES) for value in uniques] + [E4], dtype=np.int64)
    return table[codes]  # code -1 (no subtype) takes the last entry, 1.0000


def _with_decisions(
    frame: pd.DataFrame, case_ids: np.ndarray, decisions: Iterable[Decision]
) -> pd.DataFrame:
    decided = {d.case_id: d for d in decisions}
    outcome = np.full(len(frame), "", dtype=object)
    points = np.zeros(len(frame), dtype=np.int64)
    if decided:
        for position in np.flatnonzero(np.isin(case_ids, list(decided))):
            decision = decided[int(case_ids[position])]
            outcome[position] = decision.outcome.value
            if decision.points is not None:
                points[position] = unit_count(decision.points, POINTS_PLACES)
    return frame.assign(special_outcome=outcome, special_points_e4=points)


def applied_decisions(decisions: Iterable[Decision], case_ids: Iterable[int]) -> list[Decision]:
    """The decisions whose case is among the run's cases."""
    present = {int(i) for i in case_ids}
    return [d for d in decisions if d.case_id in present]


def run_case_rows(
    cases: pd.DataFrame,
    grouped: pd.DataFrame,
    engine: pd.DataFrame,
    points: pd.DataFrame,
    *,
    booked: pd.Series,
    pv: Decimal | None,
) -> pd.DataFrame:
    """The ``RunCase`` columns as exact integers (``*_e4``, ``*_fen``) plus text; ``bulk`` renders them."""
    deviation = points["deviation"].astype(str).to_numpy(dtype=object)
    ungroupable = (grouped["group_code"].astype(str) == "").to_numpy()
    deviation = np.where(
        ungroupable, UNGROUPABLE, deviation
    )  # paid or not, an ungroupable case stays one
    points_e4 = points["points_e4"].to_numpy(dtype=np.int64)
    return pd.DataFrame(
        {
            "case_id": cases["id"].to_numpy(dtype=np.int64),
            "institution_id": cases["institution_id"].to_numpy(dtype=np.int64),
            "booked_id": booked.to_numpy(dtype=np.int64),
            "group_code": grouped["group_code"].astype(str).to_numpy(),
            "trace": grouped["trace"].astype(str).to_numpy(),
            "score_e4": engine["score_e4"].to_numpy(),
            "mean_fen": np.where(
                engine["mean_level_fen"] > 0, engine["mean_level_fen"], engine["mean_fen"]
            ),
            "ratio_e4": points["ratio_e4"].to_numpy(),
            "deviation": deviation,
            "factor_e4": points["factor_e4"].to_numpy(),
            "aux_coef_e4": engine["aux_coef_e4"].to_numpy(),
            "inst_coef_e4": points["coef_e4"].to_numpy(),
            "points_e4": points_e4,
            "special": engine["special_outcome"].to_numpy(dtype=object),
            "needs_review": points["needs_review"].to_numpy(dtype=bool),
            "amount_fen": case_amounts_fen(points_e4, pv),
        }
    )


def case_amounts_fen(points_e4: np.ndarray, pv: Decimal | None) -> np.ndarray:
    """Each case's points × PV to the fen, half-up (for reading only: institution amounts are allocated)."""
    if pv is None:
        return np.zeros(len(points_e4), dtype=np.int64)
    pv_e6 = unit_count(pv, 6)
    # points_e4 × pv_e6 counts 1e-10 yuan; a fen is 1e8 of them. Points and PV are never negative.
    if len(points_e4) == 0 or int(points_e4.max()) * pv_e6 < 2**62:
        return (points_e4 * pv_e6 + 5 * 10**7) // 10**8
    return np.array([(int(p) * pv_e6 + 5 * 10**7) // 10**8 for p in points_e4], dtype=np.int64)


@dataclass(frozen=True)
class MemberShare:
    """A consortium member's share of its lead's statement (医共体成员份额): its cases, their points and,
    beside the one rounding of points × PV, the sum of its per-case amounts (each rounded to the fen, as
    the case list shows them) with the difference between the two."""

    cases: int
    points: Decimal
    point_value: Decimal | None
    case_amounts: Decimal

    @property
    def amount(self) -> Decimal | None:
        """折算金额: the member's points × PV, rounded once to the fen."""
        return None if self.point_value is None else to_fen(self.points * self.point_value)

    @property
    def rounding_difference(self) -> Decimal | None:
        """逐例舍入差异: Σ per-case amounts − points × PV (each case rounded separately)."""
        return None if self.amount is None else self.case_amounts - self.amount


def breakdowns(rows: pd.DataFrame, group_types: pd.Series) -> dict[int, dict]:
    """Per booked institution: cases and points by group type (病种类型) and by deviation type (偏差类型)."""
    frame = pd.DataFrame(
        {
            "booked": rows["booked_id"].to_numpy(),
            "points_e4": rows["points_e4"].to_numpy(),
            "deviation": rows["deviation"].to_numpy(),
            "group_type": group_types.astype(str).to_numpy(),
        }
    )
    result: dict[int, dict] = {}
    for column in ("group_type", "deviation"):
        sums = frame.groupby(["booked", column], sort=True).agg(
            cases=("points_e4", "size"), points_e4=("points_e4", "sum")
        )
        for (booked, key), values in sums.iterrows():
            result.setdefault(int(booked), {}).setdefault(column, {})[str(key) or "—"] = {
                "cases": int(values["cases"]),
                "points": str(unit_decimal(int(values["points_e4"]), POINTS_PLACES)),
            }
    return result


def case_set_hash(cases: pd.DataFrame, version_column: str = "version") -> str:
    """Fingerprint of the exact case set: the sorted (case id, version) pairs (a correction bumps the version)."""
    pairs = np.sort(
        cases["id"].to_numpy(dtype=np.int64) * 2**20
        + cases[version_column].to_numpy(dtype=np.int64)
    )
    return hashlib.sha256(b"case-set-v1" + pairs.tobytes()).hexdigest()


HASHED_CASE_COLUMNS = (
    "case_id",
    "booked_id",
    "group_code",
    "deviation",
    "ratio_e4",
    "points_e4",
    "amount_fen",
    "special",
)


def combined_hash(*hashes: str) -> str:
    """One fingerprint of a run's results from the fingerprints of its institution rows and case rows."""
    return hashlib.sha256("|".join(hashes).encode()).hexdigest()


def input_hash(values: Mapping) -> str:
    """Fingerprint of the frozen inputs (versions, pools, decisions, deductions, the case-set hash)."""
    text = repr(sorted((str(k), repr(v)) for k, v in values.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def year_paid(
    months: Mapping[int, pd.DataFrame], quarters: Mapping[int, pd.DataFrame]
) -> pd.DataFrame:
    """Per institution, the deposit still withheld and the money paid during the year (for clearing).

    A quarter with a pre-settlement run replaces its months' deposits by its own deposit, and its
    payment settles the difference with the months' advances; a quarter without one keeps the months'.
    ``months`` frames have ``institution``, ``deposit``, ``paid``; ``quarters`` ``institution``, ``deposit``, ``payment``.
    """
    parts = []
    for quarter in range(1, 5):
        quarter_months = [months[m] for m in range(3 * quarter - 2, 3 * quarter + 1) if m in months]
        paid = [frame[["institution", "paid"]] for frame in quarter_months]
        if quarter in quarters:
            frame = quarters[quarter]
            parts.append(frame[["institution", "deposit"]].assign(paid=frame["payment"]))
            parts.extend(p.assign(deposit=ZERO) for p in paid)
        else:
            parts.extend(frame[["institution", "deposit", "paid"]] for frame in quarter_months)
    if not parts:
        return pd.DataFrame({"institution": [], "deposit": [], "paid_before": []})
    every = pd.concat(parts, ignore_index=True)
    sums: dict[object, list[Decimal]] = {}
    for institution, deposit, paid in every[["institution", "deposit", "paid"]].itertuples(
        index=False
    ):
        total = sums.setdefault(institution, [ZERO, ZERO])
        total[0] += deposit
        total[1] += paid
    ordered = sorted(sums)
    return pd.DataFrame(
        {
            "institution": ordered,
            "deposit": [sums[i][0] for i in ordered],
            "paid_before": [sums[i][1] for i in ordered],
        }
    )


@dataclass(frozen=True)
class InstitutionChange:
    """One institution's figures in the superseded run and in the new one (重算差异)."""

    institution_id: int
    before: Decimal | None
    after: Decimal | None

    @property
    def difference(self) -> Decimal:
        return (self.after or ZERO) - (self.before or ZERO)


def run_changes(
    before: Mapping[int, Decimal], after: Mapping[int, Decimal]
) -> list[InstitutionChange]:
    """Per institution, the amount before and after a rerun; unchanged institutions left out."""
    changes = [
        InstitutionChange(i, before.get(i), after.get(i)) for i in sorted(set(before) | set(after))
    ]
    return [change for change in changes if change.before != change.after]
