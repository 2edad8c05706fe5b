"""Reads of statement publication: the holiday calendar, a run's publication and the answers to it.

The hospitals' side of the rule — statements of published runs only — is ``RunResultQuerySet.for_user``
(settlement/runs/models.py), which every statement read goes through.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from disputes.models import DisputeItem
from settlement.publication.choices import ResponseState
from settlement.publication.domain import response_state
from settlement.publication.models import Holiday, StatementPublication, StatementResponse
from settlement.runs.models import RunInstitution, SettlementRun


def holiday_list() -> QuerySet[Holiday]:
    return Holiday.objects.order_by("-day")


def holiday_calendar() -> tuple[set[date], set[date]]:
    """The bureau's holidays (不计工作日) and make-up working days (调休上班日)."""
    rows = list(Holiday.objects.values_list("day", "workday"))
    return {day for day, workday in rows if not workday}, {day for day, workday in rows if workday}


def publication_of(run: SettlementRun) -> StatementPublication | None:
    return (
        StatementPublication.objects.filter(run=run)
        .select_related("published_by", "notice")
        .first()
    )


def response_of(statement: RunInstitution) -> StatementResponse | None:
    return StatementResponse.objects.filter(statement=statement).first()


def objection_of(statement: RunInstitution) -> DisputeItem | None:
    """The dispute an objection to this statement opened (``DisputeItem.statement_line``)."""
    return DisputeItem.objects.filter(statement_line=statement).order_by("-id").first()


@dataclass(frozen=True)
class AnswerRow:
    """One institution of a published run: its statement, where it stands, its answer and dispute."""

    statement: RunInstitution
    state: ResponseState
    response: StatementResponse | None
    dispute: DisputeItem | None


@dataclass(frozen=True)
class Overview:
    publication: StatementPublication
    rows: list[AnswerRow]
    counts: dict[str, int]  # ResponseState value → institutions


def publication_overview(publication: StatementPublication, *, today: date) -> Overview:
    """Who confirmed, who objected, who has yet to answer and who let the window pass (the bureau's view)."""
    statements = publication.run.institutions.select_related("institution").order_by(
        "institution__code"
    )
    responses = {
        r.statement_id: r
        for r in StatementResponse.objects.filter(publication=publication).select_related(
            "responded_by"
        )
    }
    disputes = {
        d.statement_line_id: d
        for d in DisputeItem.objects.filter(statement_line__run=publication.run).order_by("id")
    }
    rows = []
    for statement in statements:
        response = responses.get(statement.pk)
        state = response_state(
            response.kind if response else None, deadline=publication.deadline, today=today
        )
        rows.append(AnswerRow(statement, state, response, disputes.get(statement.pk)))
    counts = Counter(row.state.value for row in rows)
    return Overview(
        publication, rows, {state.value: counts.get(state.value, 0) for state in ResponseState}
    )
