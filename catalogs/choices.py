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


class CatalogKind(models.TextChoices):
    """目录类别 — the payment method a catalog version serves."""

    DIP = "DIP", "DIP病种目录"
    DRG = "DRG", "DRG病组目录"
    APG = "APG", "APG门诊病组目录"


class CatalogStatus(models.TextChoices):
    """目录版本状态: draft → submitted → published → retired. Only a draft is editable."""

    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已停用"

    @classmethod
    def open(cls) -> list[str]:
        """Statuses of a version still being worked on; a series has at most one open version."""
        return [cls.DRAFT, cls.SUBMITTED]


class GroupType(models.TextChoices):
    """病种类型 (spec §3): a core disease has enough cases of its own; the rest fold into comprehensive ones."""

    CORE = "core", "核心病种"
    COMPREHENSIVE = "comprehensive", "综合病种"
    DRG = "drg", "DRG病组"
    APG = "apg", "APG门诊病组"


class AdrgKind(models.TextChoices):
    """ADRG类型 of a CHS-DRG rule set (catalogs/drg/grouper/): matched by procedure (surgical, operation) or by diagnosis."""

    SURGICAL = "surgical", "外科手术组"
    OPERATION = "operation", "非手术室操作组"
    MEDICAL = "medical", "内科组"
    AMBIGUOUS = "ambiguous", "歧义组"


class SeveritySplit(models.TextChoices):
    """细分规则: the severity digits an ADRG is split into (1 = MCC, 3 = CC, 5 = none, 9 = not split)."""

    FULL = "135", "伴MCC / 伴CC / 不伴"
    MCC = "15", "伴MCC / 不伴MCC"
    ANY_CC = "35", "伴CC或MCC / 不伴"
    NONE = "9", "不细分"


class CcLevel(models.TextChoices):
    """并发症/合并症级别."""

    MCC = "MCC", "严重并发症或合并症（MCC）"
    CC = "CC", "一般并发症或合并症（CC）"


class ApgUnit(models.TextChoices):
    """APG计量单位 (spec §10): one settlement, or one patient's settlements of a month in one group."""

    SETTLEMENT = "settlement", "按结算人次"
    PATIENT_MONTH = "patient_month", "按人月"


class TreatmentType(models.TextChoices):
    """治疗方式分组 of a comprehensive disease (spec §3); also the class of an ICD-9-CM-3 procedure."""

    MEDICAL = "medical", "内科诊疗"
    DIAGNOSTIC = "diagnostic", "诊断性操作"
    THERAPEUTIC = "therapeutic", "治疗性操作"
    SURGICAL = "surgical", "相关手术"


class ScoreMethod(models.TextChoices):
    """分值基准 (spec §4): what the group mean is divided by."""

    AVERAGE = "average", "平均费用法"
    BENCHMARK = "benchmark", "基准病种费用法"
    FIXED = "fixed", "标准定额法"


class SubtypeDimension(models.TextChoices):
    """辅助分型维度 (spec §5)."""

    AGE = "age", "年龄特征"
    COMORBIDITY = "comorbidity", "合并症严重程度"
    DEATH = "death", "死亡"


class CoefficientStatus(models.TextChoices):
    """机构系数表状态: draft → submitted → in_force → superseded. Only a draft is editable."""

    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审批"
    IN_FORCE = "in_force", "执行中"
    SUPERSEDED = "superseded", "已替代"

    @classmethod
    def open(cls) -> list[str]:
        """Statuses of a table still being worked on; a series has at most one open table."""
        return [cls.DRAFT, cls.SUBMITTED]


class Combination(models.TextChoices):
    """系数组合方式 (spec §7): basic + bonuses, or basic x (1 + bonus) for each bonus."""

    ADDITIVE = "additive", "加法（基本系数＋加成系数）"
    MULTIPLICATIVE = "multiplicative", "乘法（基本系数×(1＋加成系数)）"


class DictionaryKind(models.TextChoices):
    """编码字典类别: the national diagnosis and procedure lists, each versioned on its own."""

    DIAGNOSIS = "diagnosis", "诊断编码（ICD-10医保版）"
    PROCEDURE = "procedure", "手术操作编码（ICD-9-CM-3医保版）"


class DictionaryStatus(models.TextChoices):
    """编码字典版本状态: loaded as a draft, published (in force, one per kind), retired by the next one."""

    DRAFT = "draft", "待发布"
    PUBLISHED = "published", "现行"
    RETIRED = "retired", "已停用"
