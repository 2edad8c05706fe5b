"""Kinds and statuses of the national reconciliation (国家平台对账)."""

from django.db import models


class FileKind(models.TextChoices):
    GROUPS = "groups", "国家分组结果"
    QC = "qc", "国家质控结果"
    BOOKINGS = "bookings", "国家对账记账"


class GroupKind(models.TextChoices):
    DRG = "DRG", "DRG"
    DIP = "DIP", "DIP"


class CaseType(models.TextChoices):
    NORMAL = "normal", "正常病例"
    HIGH = "high", "高倍率病例"
    LOW = "low", "低倍率病例"
    UNGROUPABLE = "ungroupable", "不能入组"
    OTHER = "other", "其他"


class QcLevel(models.TextChoices):
    ERROR = "error", "错误"
    WARNING = "warning", "警告"


class ReconStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"


class DiffKind(models.TextChoices):
    GROUP = "group", "分组不一致"
    QC_NATIONAL = "qc_national", "国家质控未通过、本地通过"
    QC_OURS = "qc_ours", "本地未通过、国家质控通过"
    NATIONAL_ONLY = "national_only", "仅国家平台有"
    OURS_ONLY = "ours_only", "仅本地有"


class Divergence(models.TextChoices):
    """The step of our grouping at which our group leaves the national one (分歧环节)."""

    VERSION = "version", "目录版本（本地目录无该病组）"
    MAIN_DIAGNOSIS = "main_diagnosis", "主要诊断/MDC"
    PROCEDURE = "procedure", "手术操作/ADRG"
    SEVERITY = "severity", "并发症严重程度"
    UNGROUPABLE = "ungroupable", "本地不能入组"
    KIND = "kind", "付费方式"
