from django.db import models


class ResponseKind(models.TextChoices):
    """结算单回复 — a hospital's answer to a published statement."""

    CONFIRMED = "confirmed", "已确认"
    OBJECTED = "objected", "已提出异议"


class ResponseState(models.TextChoices):
    """Where one institution stands in a publication window (the bureau's overview)."""

    CONFIRMED = "confirmed", "已确认"
    OBJECTED = "objected", "已提出异议"
    PENDING = "pending", "待回复"
    LAPSED = "lapsed", "逾期未回复"
