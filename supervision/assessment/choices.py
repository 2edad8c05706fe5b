from django.db import models

from supervision.assessment import domain


class ItemKind(models.TextChoices):
    """考核项目评分方式 — the kinds of ``supervision.assessment.domain``."""

    METRIC = domain.METRIC, domain.KINDS[domain.METRIC]
    DEDUCTION = domain.DEDUCTION, domain.KINDS[domain.DEDUCTION]
    QUALITY = domain.QUALITY, domain.KINDS[domain.QUALITY]
    MANUAL = domain.MANUAL, domain.KINDS[domain.MANUAL]


class AssessmentStatus(models.TextChoices):
    """年度考核状态: draft (computed, manual items entered) → submitted → approved (four eyes) → superseded
    by a later approved version of the same region and year."""

    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交待审批"
    APPROVED = "approved", "已审批"
    SUPERSEDED = "superseded", "已被替代"

    @classmethod
    def open(cls) -> list[str]:
        return [cls.DRAFT, cls.SUBMITTED]
