from django.db import models


class NoticeKind(models.TextChoices):
    """公告类别 — what a notice announces."""

    POINT_VALUE = "point_value", "点值公布"
    STATEMENT = "statement", "结算单公示"
    CATALOG = "catalog", "目录版本"
    DEADLINE = "deadline", "办理时限"
    GENERAL = "general", "一般通知"


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
