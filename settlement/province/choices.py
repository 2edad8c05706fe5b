from django.db import models


class PartState(models.TextChoices):
    """一个统筹区（× 险种 × 细分类别）在全省结算中的状态: its settlement run's status, or not started."""

    QUEUED = "queued", "排队中"
    RUNNING = "running", "计算中"
    COMPLETED = "completed", "有效"
    SUPERSEDED = "superseded", "已被替代"
    FAILED = "failed", "失败"
    REFUSED = "refused", "未能发起"

    @classmethod
    def active(cls) -> set[str]:
        return {cls.QUEUED, cls.RUNNING}

    @classmethod
    def failures(cls) -> set[str]:
        return {cls.FAILED, cls.REFUSED}


class ProvinceStatus(models.TextChoices):
    """全省结算的总体状态, derived from its parts whenever it is read (nothing to keep in step)."""

    RUNNING = "running", "进行中"
    COMPLETED = "completed", "全部完成"
    PARTLY_FAILED = "partly_failed", "部分失败"
    FAILED = "failed", "全部失败"
