from django.db import models

from supervision import anomalies


class Rule(models.TextChoices):
    """监管规则 — the anomaly rules of ``supervision.anomalies``."""

    SPLIT_ADMISSION = anomalies.SPLIT_ADMISSION, anomalies.RULES[anomalies.SPLIT_ADMISSION]
    LOW_STANDARD_ADMISSION = (
        anomalies.LOW_STANDARD_ADMISSION,
        anomalies.RULES[anomalies.LOW_STANDARD_ADMISSION],
    )
    UPCODING = anomalies.UPCODING, anomalies.RULES[anomalies.UPCODING]
    CMI_JUMP = anomalies.CMI_JUMP, anomalies.RULES[anomalies.CMI_JUMP]
    SHIRKING = anomalies.SHIRKING, anomalies.RULES[anomalies.SHIRKING]
    POINT_INFLATION = anomalies.POINT_INFLATION, anomalies.RULES[anomalies.POINT_INFLATION]


class Severity(models.TextChoices):
    HIGH = anomalies.HIGH, "高"
    MEDIUM = anomalies.MEDIUM, "中"


class FindingStatus(models.TextChoices):
    """监管发现状态: open → confirmed (a deduction at clearing) or dismissed (with a reason)."""

    OPEN = "open", "待复核"
    CONFIRMED = "confirmed", "已确认"
    DISMISSED = "dismissed", "已排除"


class RuleSetStatus(models.TextChoices):
    """规则阈值版本状态, as a budget: draft → submitted → in force (four eyes) → superseded."""

    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交待审批"
    IN_FORCE = "in_force", "已批准执行"
    SUPERSEDED = "superseded", "已被替代"

    @classmethod
    def open(cls) -> list[str]:
        return [cls.DRAFT, cls.SUBMITTED]
