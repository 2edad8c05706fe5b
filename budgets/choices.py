from django.db import models


class BudgetStatus(models.TextChoices):
    """预算版本状态: draft → submitted → in force (approved) → superseded by a later approved version."""

    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交待审批"
    IN_FORCE = "in_force", "已批准执行"
    SUPERSEDED = "superseded", "已被替代"

    @classmethod
    def open(cls) -> list[str]:
        """Statuses of a version still being worked on; a series has at most one open version."""
        return [cls.DRAFT, cls.SUBMITTED]


class LineKind(models.TextChoices):
    """预算行类型, in the order of the derivation (测算顺序)."""

    INCOME = "income", "基金收入"
    RESERVE = "reserve", "风险备用金"
    CARVE_OUT = "carve_out", "单列支出"
    POOL = "pool", "点数法预算"
    CATEGORY = "category", "细分类别"


class LineMethod(models.TextChoices):
    """测算方法 — how a line's amount is obtained from its inputs."""

    AMOUNT = "amount", "直接录入金额"
    GROWTH = "growth", "上年实际×(1+增长率)"
    PER_CAPITA = "per_capita", "人均标准×人数"
    SHARE = "share", "占点数法预算比例"
    REMAINDER = "remainder", "点数法预算余额"
    COMPUTED = "computed", "系统计算"

    @classmethod
    def for_income(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in (cls.AMOUNT, cls.GROWTH, cls.PER_CAPITA)]

    @classmethod
    def for_carve_out(cls) -> list[tuple[str, str]]:
        return cls.for_income()

    @classmethod
    def for_category(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in (cls.AMOUNT, cls.SHARE, cls.REMAINDER)]


class PhasingMethod(models.TextChoices):
    """分月方法."""

    EQUAL = "equal", "按月平均"
    PATTERN = "pattern", "按上年分月结构"
    ENTERED = "entered", "逐月录入"
