"""Shared pieces of every versioned, four-eyes series (budgets, parameter sets, catalog versions,
coefficient tables, supervision rule sets): the maker/checker user fields and the series constraints.

A series is the versions of one thing (e.g. a region's 2025 职工 budget). Within it: version numbers
are unique; at most one version is in force (published) and at most one is open (draft/submitted),
by partial unique indexes; and the approver is never the submitter, by a check constraint — so the
database holds the rules even against code that forgets them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import F, Q

ERR_SELF_APPROVAL = "审批人不能是提交人。"


def user_field(verbose_name: str) -> models.ForeignKey:
    """A nullable maker/checker reference (编制人, 提交人, 审批人 …) that never cascades."""
    return models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=verbose_name)  # fmt: skip


@dataclass(frozen=True)
class SeriesMessages:
    version_exists: str
    one_in_force: str
    one_open: str
    self_approval: str = ERR_SELF_APPROVAL


def series_constraints(*, series: list[str], in_force: str, open_statuses: list[str], messages: SeriesMessages,
                       in_force_name: str = "one_in_force") -> list[models.BaseConstraint]:  # fmt: skip
    """The four constraints of a series identified by ``series`` fields (names keep the
    ``%(app_label)s_%(class)s_<rule>`` convention)."""
    return [
        models.UniqueConstraint(fields=[*series, "version"], name="%(app_label)s_%(class)s_unique_version",
                                violation_error_message=messages.version_exists),
        models.UniqueConstraint(fields=series, condition=Q(status=in_force), name=f"%(app_label)s_%(class)s_{in_force_name}",
                                violation_error_message=messages.one_in_force),
        models.UniqueConstraint(fields=series, condition=Q(status__in=open_statuses), name="%(app_label)s_%(class)s_one_open",
                                violation_error_message=messages.one_open),
        models.CheckConstraint(
            condition=Q(approved_by__isnull=True) | Q(submitted_by__isnull=True) | ~Q(approved_by=F("submitted_by")),
            name="%(app_label)s_%(class)s_four_eyes", violation_error_message=messages.self_approval,
        ),
    ]  # fmt: skip
