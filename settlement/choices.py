from django.db import models


class PeriodStatus(models.TextChoices):
    OPEN = "open", "开放"
    CLOSED = "closed", "已关账"


class MedType(models.TextChoices):
    """医疗类别 (national dictionary med_type, the codes this portal settles by points)."""

    OUTPATIENT = "11", "普通门诊"
    EMERGENCY = "13", "急诊"
    CHRONIC_SPECIAL = "14", "门诊慢特病"
    INPATIENT = "21", "普通住院"
    TRAUMA_INPATIENT = "22", "外伤住院"
    REFERRED_INPATIENT = "23", "转外诊治住院"
    EMERGENCY_INPATIENT = "24", "急诊转住院"
    DAY_SURGERY = "28", "日间手术"

    @classmethod
    def inpatient(cls) -> set[str]:
        return {
            cls.INPATIENT,
            cls.TRAUMA_INPATIENT,
            cls.REFERRED_INPATIENT,
            cls.EMERGENCY_INPATIENT,
            cls.DAY_SURGERY,
        }


class Gender(models.TextChoices):
    MALE = "1", "男"
    FEMALE = "2", "女"
    UNSTATED = "9", "未说明"


class DischargeWay(models.TextChoices):
    """离院方式."""

    ORDERED = "1", "医嘱离院"
    TRANSFER = "2", "医嘱转院"
    TO_COMMUNITY = "3", "转社区/乡镇卫生院"
    AGAINST_ADVICE = "4", "非医嘱离院"
    DEATH = "5", "死亡"
    OTHER = "9", "其他"


class ReadmissionPlan(models.TextChoices):
    """出院31天内再住院计划."""

    NONE = "1", "无"
    PLANNED = "2", "有"
