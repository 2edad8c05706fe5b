"""Reads of special-case reviews and disputes, all through ``for_user``: a hospital sees its own
institution's items (and their attachments, comments, timeline), an expert the items of the panels
they sit on, the bureau everything."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from disputes import conf, domain
from disputes.choices import ItemKind, ItemStatus, Reason, Vote
from disputes.models import Attachment, Comment, DisputeItem, Expert, Notification, PanelAssignment, TimelineEntry
from settlement.choices import MedType
from settlement.models import CaseRecord, SettlementPeriod

#: Statuses whose filings no longer use a quota place.
QUOTA_FREE = [ItemStatus.WITHDRAWN]


def item_list_for_user(user, *, kind: str = "", status: str = "", overdue: bool = False, institution_id: int | None = None) -> QuerySet[DisputeItem]:
    items = DisputeItem.objects.for_user(user).select_related("institution", "period", "case")
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
    return items.annotate(last_step=Subquery(latest.values("note")[:1]), last_step_at=Subquery(latest.values("at")[:1]))


def item_get_for_user(user, pk: int) -> DisputeItem:
    """One item the user may see, or 404 (another institution's item is not disclosed)."""
    return get_object_or_404(item_list_for_user(user).select_related("decided_by", "screened_by", "created_by"), pk=pk)


def queue_counts() -> dict[str, dict[str, int]]:
    """The bureau's queues: items per stage and how many are past their deadline."""
    rows = DisputeItem.objects.filter(status__in=ItemStatus.queues()).values("status").annotate(
        total=Count("id"), overdue=Count("id", filter=Q(due_on__lt=conf.today()))
    )
    counts = {status: {"total": 0, "overdue": 0} for status in ItemStatus.queues()}
    counts.update({row["status"]: {"total": row["total"], "overdue": row["overdue"]} for row in rows})
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
    return PanelAssignment.objects.for_user(user).filter(item=item).select_related("expert__user", "expert__institution")


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
    return [domain.Candidate(pk, institution_id) for pk, institution_id in experts.values_list("pk", "institution_id")]


def notification_list(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("item")


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def case_for_filing(user, *, setl_id: str) -> CaseRecord | None:
    """The user's own case with this settlement id (a hospital user never reaches another institution's)."""
    return CaseRecord.objects.for_user(user).select_related("period").filter(setl_id=setl_id.strip()).first()


def period_list_for_region(region_id: int) -> QuerySet[SettlementPeriod]:
    return SettlementPeriod.objects.filter(region_id=region_id).order_by("-year", "-month")


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
    rows = CaseRecord.objects.filter(period=period, med_type__in=MedType.inpatient()).values("institution_id").annotate(n=Count("id"))
    return {row["institution_id"]: row["n"] for row in rows}


def quota_used(*, institution_id: int, period: SettlementPeriod) -> int:
    filings = DisputeItem.objects.filter(kind=ItemKind.SPECIAL_CASE, institution_id=institution_id, period=period)
    return filings.exclude(status__in=QUOTA_FREE).count()


def quota_status(*, institution_id: int, period: SettlementPeriod) -> QuotaStatus:
    discharges = period_discharges(period)
    allocation = domain.special_case_quota(discharges, conf.quota_rate())
    return QuotaStatus(
        period, discharges.get(institution_id, 0), allocation.discharges, allocation.total,
        allocation.by_institution.get(institution_id, 0), quota_used(institution_id=institution_id, period=period),
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

    filed = DisputeItem.objects.filter(kind=ItemKind.SPECIAL_CASE).exclude(status=ItemStatus.WITHDRAWN).values("case_id")
    rows = (RunCase.objects.for_user(user).filter(run__status=RunStatus.COMPLETED, deviation__in=list(SUGGESTED))
            .filter(Q(needs_review=True) | Q(deviation="ungroupable")).exclude(case_id__in=filed)
            .select_related("case__period").order_by("-ratio", "case_id"))  # fmt: skip
    seen, suggestions = set(), []
    for row in rows[: limit * 3]:
        if row.case_id in seen:
            continue
        seen.add(row.case_id)
        suggestions.append(Suggestion(row.case_id, row.case.setl_id, row.case.period, row.group_code, row.ratio, SUGGESTED[row.deviation]))
    return suggestions[:limit]
