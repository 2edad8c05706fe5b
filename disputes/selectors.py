"""Reads of special-case reviews and disputes, all through ``for_user``: a hospital sees its own
institution's items (and their attachments, comments, timeline), an expert the items of the panels
they sit on, the bureau everything."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.regions import in_user_regions
from catalogs.versions.models import CatalogGroup, CatalogVersion
from catalogs.versions.selectors import catalog_version_list_for_user
from disputes import conf, domain
from disputes.choices import ItemKind, ItemStatus, Reason, Vote
from disputes.models import (
    Attachment,
    Comment,
    DisputeItem,
    Expert,
    Notification,
    PanelAssignment,
    TimelineEntry,
)
from settlement.choices import MedType
from settlement.models import CaseRecord, SettlementPeriod
from settlement.runs.models import RunInstitution, SettlementRun
from settlement.runs.selectors import member_run_list_for_user, statement_list_for_user

#: Statuses whose filings no longer use a quota place.
QUOTA_FREE = [ItemStatus.WITHDRAWN]


def item_list_for_user(
    user,
    *,
    kind: str = "",
    status: str = "",
    overdue: bool = False,
    institution_id: int | None = None,
) -> QuerySet[DisputeItem]:
    items = DisputeItem.objects.for_user(user).select_related(
        "institution", "period", "case", "run", "group__version"
    )
    if kind:
        items = items.filter(kind=kind)
    if status:
        items = items.filter(status=status)
    if overdue:
        items = items.filter(status__in=ItemStatus.open(), due_on__lt=conf.today())
    if institution_id:
        items = items.filter(institution_id=institution_id)
    return items


def with_last_step(items: QuerySet[DisputeItem]) -> QuerySet[DisputeItem]:
    """Annotate each item with its latest timeline step (``last_step``, ``last_step_at``) for list pages."""
    latest = TimelineEntry.objects.filter(item=OuterRef("pk")).order_by("-at", "-id")
    return items.annotate(
        last_step=Subquery(latest.values("note")[:1]),
        last_step_at=Subquery(latest.values("at")[:1]),
    )


def item_get_for_user(user, pk: int) -> DisputeItem:
    """One item the user may see, or 404 (another institution's item is not disclosed)."""
    return get_object_or_404(
        item_list_for_user(user).select_related("decided_by", "screened_by", "created_by"), pk=pk
    )


def _stage_counts(items: QuerySet[DisputeItem], *by: str) -> QuerySet:
    """Items per stage (and ``by``) and how many of them are past their deadline."""
    return (
        items.filter(status__in=ItemStatus.queues())
        .values(*by, "status")
        .annotate(total=Count("id"), overdue=Count("id", filter=Q(due_on__lt=conf.today())))
        .order_by()
    )


def queue_counts() -> dict[str, dict[str, int]]:
    """The bureau's queues: items per stage and how many are past their deadline."""
    rows = _stage_counts(DisputeItem.objects.all())
    counts = {status: {"total": 0, "overdue": 0} for status in ItemStatus.queues()}
    counts.update(
        {row["status"]: {"total": row["total"], "overdue": row["overdue"]} for row in rows}
    )
    return counts


def timeline_for_user(user, item: DisputeItem) -> QuerySet[TimelineEntry]:
    return TimelineEntry.objects.for_user(user).filter(item=item).select_related("actor")


def comment_list_for_user(user, item: DisputeItem) -> QuerySet[Comment]:
    return Comment.objects.for_user(user).filter(item=item).select_related("author")


def attachment_list_for_user(user, item: DisputeItem | None = None) -> QuerySet[Attachment]:
    attachments = Attachment.objects.for_user(user).select_related("uploaded_by")
    return attachments.filter(item=item) if item is not None else attachments


def attachment_get_for_user(user, pk: int) -> Attachment:
    return get_object_or_404(attachment_list_for_user(user), pk=pk)


def panel_for_user(user, item: DisputeItem) -> QuerySet[PanelAssignment]:
    return (
        PanelAssignment.objects.for_user(user)
        .filter(item=item)
        .select_related("expert__user", "expert__institution")
    )


def assignment_list_for_expert(user) -> QuerySet[PanelAssignment]:
    """我的评审任务: the expert's seats, open reviews first."""
    return (
        PanelAssignment.objects.filter(expert__user=user)
        .select_related("item__institution", "item__case")
        .order_by("-item__status", "voted_at", "-drawn_at")
    )


def assignment_for(user, item: DisputeItem) -> PanelAssignment | None:
    return PanelAssignment.objects.filter(expert__user=user, item=item).first()


def expert_candidates(*, specialty: str) -> list[domain.Candidate]:
    experts = Expert.objects.filter(specialty=specialty, active=True, user__is_active=True)
    return [
        domain.Candidate(pk, institution_id)
        for pk, institution_id in experts.values_list("pk", "institution_id")
    ]


def notification_list(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("item")


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def case_for_filing(user, *, setl_id: str) -> CaseRecord | None:
    """The user's own case with this settlement id (a hospital user never reaches another institution's)."""
    return (
        CaseRecord.objects.for_user(user)
        .select_related("period")
        .filter(setl_id=setl_id.strip())
        .first()
    )


def period_list_for_region(region_id: int) -> QuerySet[SettlementPeriod]:
    return SettlementPeriod.objects.filter(region_id=region_id).order_by("-year", "-month")


def period_list_for_user(user) -> QuerySet[SettlementPeriod]:
    """The periods of the user's regions (the bureau's dashboard filter)."""
    periods = in_user_regions(SettlementPeriod.objects.select_related("region"), user)
    return periods.order_by("-year", "-month", "region__code")


# --------------------------------------------------------------------------- what an objection may link (结算批次、病种/病组)


def run_list_for_filing(user) -> QuerySet[SettlementRun]:
    """结算批次 a hospital user may link: the runs whose statement it can read — its institution's own, or
    its consortium lead's that includes it (医共体成员). Other institutions' runs stay unknown to it."""
    institution_id = getattr(user, "institution_id", None)
    own = (
        statement_list_for_user(user).filter(institution_id=institution_id).values("run_id")
        if institution_id
        else []
    )
    member = [run.pk for run in member_run_list_for_user(user)]
    runs = SettlementRun.objects.filter(Q(pk__in=own) | Q(pk__in=member)).select_related("region")
    return runs.order_by("-year", "run_type", "-number", "-id")


def catalog_version_list_for_filing(user) -> QuerySet[CatalogVersion]:
    """The catalog versions of the user's region that the user may read (a hospital: the published ones)."""
    region_id = user.institution.region_id if getattr(user, "institution_id", None) else None
    return (
        catalog_version_list_for_user(user)
        .filter(region_id=region_id)
        .order_by("-year", "kind", "-version")
    )


def group_list_for_filing(user) -> QuerySet[CatalogGroup]:
    """病种/病组 the user may read, of any region (the region rule is the item's, with its own message)."""
    return CatalogGroup.objects.filter(
        version__in=catalog_version_list_for_user(user).values("pk")
    ).select_related("version__region")


def group_for_filing(user, *, version_id: int, code: str) -> CatalogGroup | None:
    return group_list_for_filing(user).filter(version_id=version_id, code=code.strip()).first()


def run_statement_for_user(user, item: DisputeItem) -> RunInstitution | None:
    """The filing institution's statement in the item's linked run, if the user may read it."""
    if item.run_id is None:
        return None
    return (
        statement_list_for_user(user)
        .filter(run_id=item.run_id, institution_id=item.institution_id)
        .first()
    )


def group_visible_to(user, item: DisputeItem) -> bool:
    return (
        item.group_id is not None and group_list_for_filing(user).filter(pk=item.group_id).exists()
    )


# --------------------------------------------------------------------------- quota


@dataclass(frozen=True)
class QuotaStatus:
    """特病单议名额 of one institution in one period."""

    period: SettlementPeriod
    discharges: int
    region_discharges: int
    region_quota: int
    quota: int
    used: int

    @property
    def remaining(self) -> int:
        return max(self.quota - self.used, 0)


def period_discharges(period: SettlementPeriod) -> dict[int, int]:
    """DIP discharges (inpatient cases, not 门诊慢特病) of each institution of the period's region."""
    rows = (
        CaseRecord.objects.filter(period=period, med_type__in=MedType.inpatient())
        .values("institution_id")
        .annotate(n=Count("id"))
    )
    return {row["institution_id"]: row["n"] for row in rows}


def quota_used(*, institution_id: int, period: SettlementPeriod) -> int:
    filings = DisputeItem.objects.filter(
        kind=ItemKind.SPECIAL_CASE, institution_id=institution_id, period=period
    )
    return filings.exclude(status__in=QUOTA_FREE).count()


def quota_status(*, institution_id: int, period: SettlementPeriod) -> QuotaStatus:
    discharges = period_discharges(period)
    allocation = domain.special_case_quota(discharges, conf.quota_rate())
    return QuotaStatus(
        period,
        discharges.get(institution_id, 0),
        allocation.discharges,
        allocation.total,
        allocation.by_institution.get(institution_id, 0),
        quota_used(institution_id=institution_id, period=period),
    )


def vote_summary(item: DisputeItem) -> dict[str, int]:
    """Votes of the panel by label (同意 2、不同意 1), for the page and the decision letter."""
    counts = dict(item.panel.exclude(vote="").values_list("vote").annotate(n=Count("id")))
    return {label: counts[value] for value, label in Vote.choices if value in counts}


@dataclass(frozen=True)
class Suggestion:
    """A case of the hospital that a current settlement run marked for review, not filed yet (建议申请特病单议)."""

    case_id: int
    setl_id: str
    period: SettlementPeriod
    group_code: str
    ratio: object
    reason: str


SUGGESTED = {"extreme": Reason.EXTREME_DEVIATION, "ungroupable": Reason.UNGROUPABLE}


def review_suggestions(user, *, limit: int = 50) -> list[Suggestion]:
    """The user's institution's cases flagged by the current (not superseded) settlement runs — extreme
    deviation awaiting expert review, or ungroupable — that have no special-case filing yet."""
    from settlement.runs.choices import RunStatus
    from settlement.runs.models import RunCase

    filed = (
        DisputeItem.objects.filter(kind=ItemKind.SPECIAL_CASE)
        .exclude(status=ItemStatus.WITHDRAWN)
        .values("case_id")
    )
    rows = (
        RunCase.objects.for_user(user)
        .filter(run__status=RunStatus.COMPLETED, deviation__in=list(SUGGESTED))
        .filter(Q(needs_review=True) | Q(deviation="ungroupable"))
        .exclude(case_id__in=filed)
        .select_related("case__period")
        .order_by("-ratio", "case_id")
    )
    seen, suggestions = set(), []
    for row in rows[: limit * 3]:
        if row.case_id in seen:
            continue
        seen.add(row.case_id)
        suggestions.append(
            Suggestion(
                row.case_id,
                row.case.setl_id,
                row.case.period,
                row.group_code,
                row.ratio,
                SUGGESTED[row.deviation],
            )
        )
    return suggestions[:limit]


# --------------------------------------------------------------------------- dashboard (办理统计)

STAGE_LABELS = {
    ItemStatus.SUBMITTED: "受理（已提交→受理）",
    ItemStatus.SCREENING: "初审",
    ItemStatus.EXPERT_REVIEW: "专家评审（至作出决定）",
    ItemStatus.DECIDED: "结算执行（已决定→已执行）",
}
ALL_KINDS = ("", "合计")


@dataclass(frozen=True)
class StageRow:
    """One stage of the dashboard: the completed stays' durations, and the items in it now (and overdue)."""

    stage: str
    label: str
    durations: domain.DurationStats
    current: int
    overdue: int


@dataclass(frozen=True)
class KindDashboard:
    """办理统计 of one kind of item ("" for all kinds)."""

    kind: str
    label: str
    stages: list[StageRow]
    filing_to_decision: domain.DurationStats


def _steps_by_kind(items: QuerySet[DisputeItem]) -> dict[str, list[domain.Step]]:
    """The items' status changes, each item's in timeline order, on their local dates."""
    rows = (
        TimelineEntry.objects.filter(item__in=items.values("pk"))
        .exclude(to_status="")
        .order_by("item_id", "at", "id")
        .values_list("item_id", "item__kind", "from_status", "to_status", "at")
    )
    steps: dict[str, list[domain.Step]] = {kind: [] for kind in ItemKind.values}
    for item_id, kind, source, target, at in rows.iterator():
        steps[kind].append(domain.Step(item_id, source, target, timezone.localdate(at)))
    return steps


def _current_by_kind(items: QuerySet[DisputeItem]) -> dict[str, dict[str, tuple[int, int]]]:
    """(in the stage now, of them overdue) per kind and stage, and for all kinds under ""."""
    current: dict[str, dict[str, tuple[int, int]]] = {kind: {} for kind in (*ItemKind.values, "")}
    for row in _stage_counts(items, "kind"):
        current[row["kind"]][row["status"]] = (row["total"], row["overdue"])
        total, overdue = current[""].get(row["status"], (0, 0))
        current[""][row["status"]] = (total + row["total"], overdue + row["overdue"])
    return current


def handling_dashboard(
    user, *, year: int | None = None, period: SettlementPeriod | None = None
) -> list[KindDashboard]:
    """特病单议与争议办理统计: per kind, then for all kinds, each stage's durations (working days) from the
    timelines and the items in it now; optionally only the items submitted in ``year`` or of ``period``."""
    items = DisputeItem.objects.for_user(user)
    if year:
        items = items.filter(submitted_at__year=year)
    if period is not None:
        items = items.filter(period=period)
    steps, current, holidays = _steps_by_kind(items), _current_by_kind(items), conf.holidays()
    blocks = [(kind, label, steps[kind]) for kind, label in ItemKind.choices]
    blocks.append((*ALL_KINDS, [step for kind in ItemKind.values for step in steps[kind]]))
    dashboards = []
    for kind, label, kind_steps in blocks:
        durations = domain.handling_durations(kind_steps, holidays)
        rows = [
            StageRow(
                stage,
                STAGE_LABELS[stage],
                durations.stages[stage],
                *current[kind].get(stage, (0, 0)),
            )
            for stage in domain.MEASURED_STAGES
        ]
        dashboards.append(KindDashboard(kind, label, rows, durations.filing_to_decision))
    return dashboards
