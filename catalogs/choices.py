from django.db import models


class Scheme(models.TextChoices):
    """险种类型 — national insutype codes; each scheme has its own budget, pools and point values."""

    EMPLOYEE = "310", "职工基本医疗保险"
    RESIDENT = "390", "城乡居民基本医疗保险"


class InstitutionLevel(models.TextChoices):
    """医院等级. The order matters: level coefficients and deviation thresholds are set per level."""

    TERTIARY_A = "3A", "三级甲等"
    TERTIARY = "3", "三级"
    SECONDARY_A = "2A", "二级甲等"
    SECONDARY = "2", "二级"
    PRIMARY = "1", "一级"
    UNRATED = "0", "未定级"

    @classmethod
    def tertiary(cls) -> set[str]:
        return {cls.TERTIARY_A, cls.TERTIARY}


class InstitutionType(models.TextChoices):
    """机构类别."""

    GENERAL = "general", "综合"
    TCM = "tcm", "中医"
    SPECIALTY = "specialty", "专科"
    GRASSROOTS = "grassroots", "基层"
