import calendar
import datetime

from django.db import models


class RunType(models.TextChoices):
    """运行类型 — what a settlement run computes (Jilin art. 29–35)."""

    MONTHLY = "monthly", "月度预付"
    QUARTERLY = "quarterly", "季度预清算"
    ANNUAL = "annual", "年度结算"
    CLEARING = "clearing", "年终清算"

    def period_label(self, year: int, number: int) -> str:
        if self == RunType.MONTHLY:
            return f"{year}年{number}月"
        if self == RunType.QUARTERLY:
            return f"{year}年第{number}季度"
        return f"{year}年度"

    def months(self, number: int) -> list[int]:
        """The months whose cases the run reads."""
        if self == RunType.MONTHLY:
            return [number]
        if self == RunType.QUARTERLY:
            return [3 * number - 2, 3 * number - 1, 3 * number]
        return list(range(1, 13))

    def period_end(self, year: int, number: int) -> datetime.date:
        """The last day of the period: the parameters and institution states in force on it are the run's."""
        month = self.months(number)[-1]
        return datetime.date(year, month, calendar.monthrange(year, month)[1])


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "计算中"
    COMPLETED = "completed", "有效"
    SUPERSEDED = "superseded", "已被替代"
    FAILED = "failed", "失败"

    @classmethod
    def active(cls) -> list[str]:
        return [cls.QUEUED, cls.RUNNING]
