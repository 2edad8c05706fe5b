"""The model side of every versioned, four-eyes series (budgets, parameter sets, catalog versions,
DRG rule sets, coefficient tables, supervision rule sets, assessments): the maker/checker fields
(``FourEyesSeries``, an abstract base) and the series constraints. The transitions themselves are
``workflow.services``; the page panel is ``templates/workflow/_panel.html``.

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
#: The two open statuses, spelled the same in every series (each series names its own closed ones).
DRAFT = "draft"
SUBMITTED = "submitted"


def user_field(verbose_name: str) -> models.ForeignKey:
    """A nullable maker/checker reference (编制人, 提交人, 审批人 …) that never cascades."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=verbose_name,
    )


@dataclass(frozen=True)
class SeriesMessages:
    version_exists: str
    one_in_force: str
    one_open: str
    self_approval: str = ERR_SELF_APPROVAL


def series_constraints(
    *,
    series: list[str],
    in_force: str,
    open_statuses: list[str],
    messages: SeriesMessages,
    in_force_name: str = "one_in_force",
) -> list[models.BaseConstraint]:
    """The four constraints of a series identified by ``series`` fields (names keep the
    ``%(app_label)s_%(class)s_<rule>`` convention)."""
    return [
        models.UniqueConstraint(
            fields=[*series, "version"],
            name="%(app_label)s_%(class)s_unique_version",
            violation_error_message=messages.version_exists,
        ),
        models.UniqueConstraint(
            fields=series,
            condition=Q(status=in_force),
            name=f"%(app_label)s_%(class)s_{in_force_name}",
            violation_error_message=messages.one_in_force,
        ),
        models.UniqueConstraint(
            fields=series,
            condition=Q(status__in=open_statuses),
            name="%(app_label)s_%(class)s_one_open",
            violation_error_message=messages.one_open,
        ),
        models.CheckConstraint(
            condition=Q(approved_by__isnull=True)
            | Q(submitted_by__isnull=True)
            | ~Q(approved_by=F("submitted_by")),
            name="%(app_label)s_%(class)s_four_eyes",
            violation_error_message=messages.self_approval,
        ),
    ]


class FourEyesSeries(models.Model):
    """The maker/checker block of a series version: who compiled, submitted and approved it and when, and
    when a later version superseded it. Each model adds its series fields, ``status``, ``SERIES`` (the
    fields naming its series, used to find the version in force) and ``series_constraints`` in its Meta.
    Column names are the same in every series, so ``workflow.services`` works on any of them."""

    SERIES: tuple[str, ...] = ()

    created_by = user_field("编制人")
    created_at = models.DateTimeField("编制时间", auto_now_add=True)
    submitted_by = user_field("提交人")
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    approved_by = user_field("审批人")
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    superseded_at = models.DateTimeField("被替代时间", null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_editable(self) -> bool:
        """Only a draft changes; a submitted or approved version changes by a new version."""
        return self.status == DRAFT
