"""Pure rules of special-case reviews and disputes (特病单议与争议): quota, lifecycle, deadlines, panels,
and the handling durations of the officers' dashboard.

No ORM, no settings: services and selectors read the configuration and pass it in.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction

from disputes.choices import ItemStatus, MeetingStatus, PanelRule, Reason, Vote

#: 5‰ of the region's DIP discharges (S5 art.20).
DEFAULT_QUOTA_RATE = Decimal("0.005")
#: Working days each stage may take, counted from the day the item enters it.
DEFAULT_STAGE_WORKING_DAYS = {
    ItemStatus.SUBMITTED: 5,
    ItemStatus.SCREENING: 10,
    ItemStatus.EXPERT_REVIEW: 15,
}

ERR_TRANSITION = "当前状态为「{status}」，不能执行「{action}」。"
ERR_ROLE = "「{action}」只能由{roles}办理。"
ERR_POOL_TOO_SMALL = "符合条件的专家只有 {available} 位（已回避申请机构的专家），不足 {size} 位。"
ERR_PANEL_SIZE = "专家组人数至少为 1。"
ERR_QUOTA_RATE = "单议名额比例应在 0 到 1 之间。"

HOSPITAL, BUREAU = "hospital", "bureau"
ACTOR_LABELS = {HOSPITAL: "申请机构", BUREAU: "经办机构"}


class DisputeError(Exception):
    """A rule of the process refused the request; ``message`` is shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class WrongSideError(DisputeError):
    """The action belongs to the other side (hospital vs bureau)."""


# --------------------------------------------------------------------------- lifecycle


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]


def _t(label: str, sources: Collection[str], target: str, *actors: str) -> Transition:
    return Transition(label, frozenset(sources), target, frozenset(actors))


#: Which action moves an item from which statuses to which, done by whom. Anything else is refused.
TRANSITIONS: dict[str, Transition] = {
    "submit": _t("提交", [ItemStatus.DRAFT], ItemStatus.SUBMITTED, HOSPITAL),
    "withdraw": _t("撤回", ItemStatus.open(), ItemStatus.WITHDRAWN, HOSPITAL),
    "accept": _t("受理", [ItemStatus.SUBMITTED], ItemStatus.SCREENING, BUREAU),
    "screen_pass": _t("初审通过", [ItemStatus.SCREENING], ItemStatus.EXPERT_REVIEW, BUREAU),
    "screen_reject": _t("初审不予受理", [ItemStatus.SCREENING], ItemStatus.REJECTED, BUREAU),
    "decide": _t("作出决定", [ItemStatus.EXPERT_REVIEW], ItemStatus.DECIDED, BUREAU),
    "apply": _t("结算执行", [ItemStatus.DECIDED], ItemStatus.APPLIED, BUREAU),
}


def transition_target(action: str, *, status: str, actor: str) -> str:
    """The status ``action`` leads to from ``status`` when done by ``actor`` (hospital/bureau), or DisputeError."""
    transition = TRANSITIONS[action]
    if actor not in transition.actors:
        roles = "、".join(ACTOR_LABELS[a] for a in sorted(transition.actors))
        raise WrongSideError(ERR_ROLE.format(action=transition.label, roles=roles))
    if status not in transition.sources:
        raise DisputeError(
            ERR_TRANSITION.format(status=ItemStatus(status).label, action=transition.label)
        )
    return transition.target


def actions_allowed(*, status: str, actor: str) -> list[str]:
    """The actions ``actor`` may take on an item in ``status`` (what the page offers)."""
    return [name for name, t in TRANSITIONS.items() if status in t.sources and actor in t.actors]


# --------------------------------------------------------------------------- deadlines


def add_working_days(start: date, days: int, holidays: Collection[date] = ()) -> date:
    """The date ``days`` working days (Mon–Fri, not a holiday) after ``start``; 0 gives ``start``."""
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            left -= 1
    return current


def stage_due(
    status: str, *, entered: date, working_days: Mapping[str, int], holidays: Collection[date] = ()
) -> date | None:
    """Deadline (办理时限) of the stage ``status`` entered on ``entered``; None for a stage without one."""
    days = working_days.get(status)
    return None if days is None else add_working_days(entered, days, holidays)


def working_days_between(start: date, end: date, holidays: Collection[date] = ()) -> int:
    """Working days from ``start`` to ``end``: those after ``start`` up to and including ``end``, so that
    ``working_days_between(d, add_working_days(d, n)) == n``; 0 when ``end`` is not after ``start``."""
    days = (start + timedelta(days=offset) for offset in range(1, (end - start).days + 1))
    return sum(1 for day in days if day.weekday() < 5 and day not in holidays)


# --------------------------------------------------------------------------- handling durations (办理时长统计)

#: The stages the dashboard measures, in order. A stay in a stage runs from the step that enters it to the
#: step that leaves it, whatever comes next (a withdrawal or a rejection ends a stay too).
MEASURED_STAGES = (
    ItemStatus.SUBMITTED,
    ItemStatus.SCREENING,
    ItemStatus.EXPERT_REVIEW,
    ItemStatus.DECIDED,
)
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Step:
    """One status change of an item's timeline (办理记录), on its local date."""

    item_id: int
    from_status: str
    to_status: str
    on: date


@dataclass(frozen=True)
class DurationStats:
    """Completed stays (or filings) counted, and their mean, median and longest in working days (None when none)."""

    count: int
    mean: Decimal | None = None
    median: Decimal | None = None
    max: int | None = None


@dataclass(frozen=True)
class HandlingDurations:
    """Per measured stage, the stays completed in it; and from submission (提交) to decision (作出决定)."""

    stages: dict[str, DurationStats]
    filing_to_decision: DurationStats


def _tenth(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def duration_stats(days: Sequence[int]) -> DurationStats:
    """Count, mean and median to one decimal (half up), and maximum of working-day durations."""
    if not days:
        return DurationStats(0)
    mean, median = Decimal(sum(days)) / len(days), Decimal(str(statistics.median(days)))
    return DurationStats(len(days), _tenth(mean), _tenth(median), max(days))


def stage_stays(steps: Iterable[Step], holidays: Collection[date] = ()) -> dict[str, list[int]]:
    """Working days of every completed stay in each measured stage. ``steps`` come in each item's timeline
    order; an item still in a stage has no completed stay there."""
    stays: dict[str, list[int]] = {stage: [] for stage in MEASURED_STAGES}
    entered: dict[tuple[int, str], date] = {}
    for step in steps:
        start = entered.pop((step.item_id, step.from_status), None)
        if start is not None:
            stays[step.from_status].append(working_days_between(start, step.on, holidays))
        if step.to_status in stays:
            entered[(step.item_id, step.to_status)] = step.on
    return stays


def filing_to_decision_days(steps: Iterable[Step], holidays: Collection[date] = ()) -> list[int]:
    """Working days from each decided item's first submission to its decision."""
    submitted: dict[int, date] = {}
    decided: dict[int, date] = {}
    for step in steps:
        if step.to_status == ItemStatus.SUBMITTED:
            submitted.setdefault(step.item_id, step.on)
        elif step.to_status == ItemStatus.DECIDED:
            decided.setdefault(step.item_id, step.on)
    return [
        working_days_between(submitted[pk], on, holidays)
        for pk, on in decided.items()
        if pk in submitted
    ]


def handling_durations(steps: Sequence[Step], holidays: Collection[date] = ()) -> HandlingDurations:
    """The dashboard's durations of one set of items (one kind) from their status changes."""
    stays = stage_stays(steps, holidays)
    return HandlingDurations(
        {stage: duration_stats(days) for stage, days in stays.items()},
        duration_stats(filing_to_decision_days(steps, holidays)),
    )


# --------------------------------------------------------------------------- quota


def allocate_integer(total: int, weights: Mapping[int, int]) -> dict[int, int]:
    """Split ``total`` whole units in proportion to ``weights`` by largest remainder (ties: smaller key first)."""
    keys = sorted(weights)
    weight_sum = sum(weights.values())
    if total <= 0 or weight_sum == 0:
        return dict.fromkeys(keys, 0)
    quotas = {key: Fraction(total * weights[key], weight_sum) for key in keys}
    parts = {key: q.numerator // q.denominator for key, q in quotas.items()}
    by_remainder = sorted(keys, key=lambda key: (-(quotas[key] - parts[key]), key))
    for key in by_remainder[: total - sum(parts.values())]:
        parts[key] += 1
    return parts


@dataclass(frozen=True)
class QuotaAllocation:
    """特病单议名额: the region's total and each institution's share of it."""

    discharges: int
    total: int
    by_institution: dict[int, int]


def special_case_quota(
    discharges: Mapping[int, int], rate: Decimal = DEFAULT_QUOTA_RATE
) -> QuotaAllocation:
    """Quota = ⌊rate × region's DIP discharges⌋ (at most 5‰), allocated pro rata to each institution's discharges.

    E13: 200,000 discharges → 1,000; an institution with 10 % of the discharges → 100.
    """
    if not Decimal(0) <= rate <= Decimal(1):
        raise DisputeError(ERR_QUOTA_RATE)
    count = sum(discharges.values())
    total = int((rate * count).to_integral_value(rounding=ROUND_FLOOR))
    return QuotaAllocation(count, total, allocate_integer(total, discharges))


# --------------------------------------------------------------------------- panels


@dataclass(frozen=True)
class Candidate:
    """An expert who could sit on a panel: the expert's id and institution (None for a non-hospital expert)."""

    expert_id: int
    institution_id: int | None


@dataclass(frozen=True)
class Draw:
    """The record of a draw: who was eligible, the seed, who was drawn — enough to replay it."""

    pool: tuple[int, ...]
    seed: int
    chosen: tuple[int, ...]


def panel_draw(
    candidates: Sequence[Candidate], *, filing_institution_id: int, size: int, seed: int
) -> Draw:
    """Draw ``size`` experts at random, never one from the filing institution (回避); the same seed gives the same panel."""
    if size < 1:
        raise DisputeError(ERR_PANEL_SIZE)
    pool = tuple(
        sorted(c.expert_id for c in candidates if c.institution_id != filing_institution_id)
    )
    if len(pool) < size:
        raise DisputeError(ERR_POOL_TOO_SMALL.format(available=len(pool), size=size))
    return Draw(pool, seed, tuple(random.Random(seed).sample(pool, size)))


def panel_outcome(votes: Sequence[str | None], rule: str = PanelRule.MAJORITY) -> str | None:
    """The panel's conclusion (approve/reject), or None while a vote is missing.

    Majority: more than half of the panel approves (an abstention is not approval). Unanimous: everyone approves.
    """
    if not votes or any(vote is None or vote == "" for vote in votes):
        return None
    approvals = sum(1 for vote in votes if vote == Vote.APPROVE)
    needed = len(votes) if rule == PanelRule.UNANIMOUS else len(votes) // 2 + 1
    return Vote.APPROVE if approvals >= needed else Vote.REJECT


# --------------------------------------------------------------------------- attachments

#: Accepted attachment types, recognised by their first bytes (magic numbers), never by the name.
MAGIC = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
}
EXTENSIONS = dict(MAGIC.values())


def sniff_content_type(head: bytes) -> str | None:
    """The content type a file's first bytes prove (PDF, JPEG, PNG), or None."""
    return next((kind for magic, (kind, _) in MAGIC.items() if head.startswith(magic)), None)


# --------------------------------------------------------------------------- negotiation (协商谈判)

ERR_MEETING_STATUS = "会议状态不能从「{source}」改为「{target}」。"
#: A meeting moves forward only; a closed meeting is the final record.
MEETING_NEXT = {
    MeetingStatus.PLANNED: {MeetingStatus.HELD},
    MeetingStatus.HELD: {MeetingStatus.CLOSED},
    MeetingStatus.CLOSED: set(),
}


def meeting_status_check(source: str, target: str) -> None:
    """Refuse (DisputeError) a status change other than staying put or one step forward."""
    if target != source and target not in MEETING_NEXT.get(source, set()):
        raise DisputeError(
            ERR_MEETING_STATUS.format(
                source=MeetingStatus(source).label, target=MeetingStatus(target).label
            )
        )


@dataclass(frozen=True)
class CoverageRow:
    """参会代表覆盖情况: of the region's institutions of one level (or type), how many sent a representative."""

    dimension: str
    key: str
    total: int
    represented: int

    @property
    def covered(self) -> bool:
        return self.represented > 0


def representation_coverage(
    institutions: Sequence[tuple[int, str, str]], represented: Collection[int]
) -> list[CoverageRow]:
    """Rows per level then per type, in first-seen order, from ``(institution_id, level, type)`` and the represented ids."""
    rows: dict[tuple[str, str], list[int]] = {}
    for pk, level, kind in institutions:
        for key in (("level", level), ("type", kind)):
            counts = rows.setdefault(key, [0, 0])
            counts[0] += 1
            counts[1] += pk in represented
    ordered = sorted(
        rows.items(), key=lambda row: row[0][0]
    )  # stable: levels, then types, each in first-seen order
    return [CoverageRow(dimension, key, total, hit) for (dimension, key), (total, hit) in ordered]


# --------------------------------------------------------------------------- batch filing (批量申报)

ERR_BATCH_SETL_ID = "缺少结算清单号。"
ERR_BATCH_STATEMENT = "缺少申请陈述。"
ERR_BATCH_REASONS = "请至少选择一项申请理由。"
ERR_BATCH_UNKNOWN_REASON = "未知的申请理由代码：{codes}。"
#: Separators a person may type between several reason codes in one cell.
REASON_SEPARATORS = str.maketrans(dict.fromkeys("，、;；/ ", ","))


@dataclass(frozen=True)
class BatchRow:
    """One row of the batch-filing template, parsed: the case, its reason codes and the statement."""

    line: int
    setl_id: str
    reasons: tuple[str, ...]
    statement: str


def batch_row_parse(
    line: int, setl_id: str, reason_cells: Sequence[str], statement: str
) -> BatchRow | list[str]:
    """A parsed row, or its errors (missing case id or statement, no reason, unknown reason codes)."""
    codes = [
        code
        for cell in reason_cells
        for code in cell.translate(REASON_SEPARATORS).split(",")
        if code
    ]
    errors = [] if setl_id else [ERR_BATCH_SETL_ID]
    unknown = [code for code in codes if code not in Reason.values]
    if unknown:
        errors.append(ERR_BATCH_UNKNOWN_REASON.format(codes="、".join(unknown)))
    elif not codes:
        errors.append(ERR_BATCH_REASONS)
    if not statement:
        errors.append(ERR_BATCH_STATEMENT)
    return errors or BatchRow(line, setl_id, tuple(dict.fromkeys(codes)), statement)
