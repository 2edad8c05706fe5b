from django.db import models


class ImportSource(models.TextChoices):
    """导入来源."""

    XLSX = "xlsx", "Excel 文件"
    CSV = "csv", "CSV 文件"
    ZIP = "zip", "CSV 压缩包（国家接口分表）"
    API = "api", "接口"


class ImportStatus(models.TextChoices):
    """导入批次状态."""

    QUEUED = "queued", "排队中"
    RUNNING = "running", "处理中"
    SUCCEEDED = "succeeded", "已导入"
    REJECTED = "rejected", "校验未通过"
    FAILED = "failed", "处理失败"


class IssueSeverity(models.TextChoices):
    ERROR = "error", "错误"
    WARNING = "warning", "警告"
