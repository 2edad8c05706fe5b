from django.db import models


class ItemKind(models.TextChoices):
    """申请类型: a special case filed for one settled case, or an objection to a result."""

    SPECIAL_CASE = "special_case", "特病单议"
    OBJECTION = "objection", "争议"


class Subject(models.TextChoices):
    """争议事项 — what an objection disputes."""

    GROUPING = "grouping", "病种分组"
    SCORE = "score", "病种分值"
    COEFFICIENT = "coefficient", "机构系数"
    DEDUCTION = "deduction", "扣款"
    ASSESSMENT = "assessment", "考核结果"
    AMOUNT = "amount", "结算金额"


class Reason(models.TextChoices):
    """申请理由 (domain spec §14: S5 art.20, Jilin art.36, Jinhua)."""

    LONG_STAY = "long_stay", "住院时间过长"
    HIGH_COST = "high_cost", "费用超过病种标准倍数"
    CRITICAL_CARE = "critical_care", "重症监护/危重抢救"
    NEW_TECHNOLOGY = "new_technology", "使用新药品、新耗材、新技术"
    MULTIDISCIPLINARY = "multidisciplinary", "多学科联合诊疗"
    UNGROUPABLE = "ungroupable", "无法入组"
    EXTREME_DEVIATION = "extreme_deviation", "极端偏差病例"


class ItemStatus(models.TextChoices):
    """办理状态: draft → submitted → screening → expert_review → decided → applied; or withdrawn / rejected."""

    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交待受理"
    SCREENING = "screening", "初审中"
    EXPERT_REVIEW = "expert_review", "专家评审中"
    DECIDED = "decided", "已决定"
    APPLIED = "applied", "已执行"
    WITHDRAWN = "withdrawn", "已撤回"
    REJECTED = "rejected", "初审不予受理"

    @classmethod
    def open(cls) -> list[str]:
        """Statuses still being handled: they have a stage deadline and can be withdrawn."""
        return [cls.DRAFT, cls.SUBMITTED, cls.SCREENING, cls.EXPERT_REVIEW]

    @classmethod
    def queues(cls) -> list[str]:
        """The bureau's work queues, one per stage."""
        return [cls.SUBMITTED, cls.SCREENING, cls.EXPERT_REVIEW, cls.DECIDED]


class Decision(models.TextChoices):
    """处理决定."""

    APPROVED_FFS = "approved_ffs", "同意，按项目付费"
    ADJUSTED_SCORE = "adjusted_score", "同意，调整分值"
    PARTLY = "partly", "部分同意"
    REJECTED = "rejected", "不予支持"

    @classmethod
    def approving(cls) -> list[str]:
        return [cls.APPROVED_FFS, cls.ADJUSTED_SCORE, cls.PARTLY]


class Vote(models.TextChoices):
    """专家表决."""

    APPROVE = "approve", "同意"
    REJECT = "reject", "不同意"
    ABSTAIN = "abstain", "弃权"


class PanelRule(models.TextChoices):
    """专家组表决规则."""

    MAJORITY = "majority", "过半数同意"
    UNANIMOUS = "unanimous", "全体同意"


class Specialty(models.TextChoices):
    """专家专业 (the expert library's dictionary)."""

    INTERNAL = "internal", "内科"
    SURGERY = "surgery", "外科"
    OBSTETRICS = "obstetrics", "妇产科"
    PEDIATRICS = "pediatrics", "儿科"
    ONCOLOGY = "oncology", "肿瘤科"
    CRITICAL_CARE = "critical_care", "重症医学"
    CARDIOLOGY = "cardiology", "心血管"
    NEUROLOGY = "neurology", "神经科"
    ORTHOPEDICS = "orthopedics", "骨科"
    CODING = "coding", "病案编码"
    PHARMACY = "pharmacy", "药学"
    INSURANCE = "insurance", "医保管理"


class MeetingStatus(models.TextChoices):
    """协商会议状态: planned → held → closed (a closed meeting's record is final)."""

    PLANNED = "planned", "计划召开"
    HELD = "held", "已召开"
    CLOSED = "closed", "已结束"


class ParticipantRole(models.TextChoices):
    """参会身份 — representatives of institutions of every level and type, and the bureau's side (domain spec §15)."""

    REPRESENTATIVE = "representative", "医疗机构代表"
    BUREAU = "bureau", "医保经办机构"
    EXPERT = "expert", "专家"
    OBSERVER = "observer", "列席"


class AgendaTopic(models.TextChoices):
    """协商议题."""

    COEFFICIENTS = "coefficients", "机构系数"
    SCORES = "scores", "病种分值"
    POOLS = "pools", "总额与基金池"
    GROWTH_RATES = "growth_rates", "增长率"
    OTHER = "other", "其他"


class AgendaStatus(models.TextChoices):
    """议题结论."""

    OPEN = "open", "协商中"
    AGREED = "agreed", "达成一致"
    NOT_AGREED = "not_agreed", "未达成一致"


class Stance(models.TextChoices):
    """代表意见."""

    AGREE = "agree", "同意"
    OBJECT = "object", "反对"
    ABSTAIN = "abstain", "弃权"
