"""DRG rule sets (CHS-DRG 分组规则): a ``DrgRuleSet`` holds the MDC, ADRG, CC/MCC, exclusion, OR-procedure
and trauma tables (``DrgRuleRow`` models) and its golden cases; versioned and published with four eyes.

Imported by catalogs/models.py, so the models belong to the ``catalogs`` app (same tables)."""

from __future__ import annotations

from django.db import models

from catalogs.choices import AdrgKind, CcLevel, SeveritySplit
from catalogs.codes import CODE_LENGTH
from catalogs.versions.models import (
    ERR_SELF_APPROVAL,
    PublishedSeries,
    published_series_constraints,
)
from workflow.models import SeriesMessages

ERR_RULES_EXISTS = "该统筹区、年度已存在此版本号的DRG分组规则。"


ERR_RULES_ONE_PUBLISHED = "同一统筹区、年度只能有一个已发布的DRG分组规则。"


ERR_RULES_ONE_OPEN = "同一统筹区、年度只能有一个草稿或待审核的DRG分组规则。"


ERR_RULE_CODE = "同一分组规则中编码不能重复。"


CODE_LIST_HELP = "诊断填完整编码或3位类目，手术操作填ICD-9-CM-3编码；多个以分号分隔"


class DrgRuleSet(PublishedSeries):
    """DRG分组规则 — one numbered version of a region's CHS-DRG rule tables for a year.

    Imported from a workbook (or the demo CSVs) into a draft, submitted, published by a different user
    (四眼原则), which retires the set published before it. Rows keep their file order (by id): it breaks
    ties between ADRGs matching the same procedure (catalogs/drg/grouper/). Severity digits follow each ADRG's
    split (细分规则) and the CC list's levels (MCC → 1, CC → 3, none → 5).
    """

    region = models.ForeignKey(
        "catalogs.Region",
        on_delete=models.PROTECT,
        related_name="drg_rule_sets",
        verbose_name="统筹区",
    )
    name = models.CharField("名称", max_length=100, blank=True)
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="copies",
        verbose_name="复制自",
    )
    source = models.CharField("来源", max_length=200, blank=True)

    SERIES = ("region", "year")

    class Meta:
        verbose_name = "DRG分组规则"
        verbose_name_plural = "DRG分组规则"
        ordering = ["-year", "region", "-version"]
        permissions = [("publish_drgruleset", "可以审核发布DRG分组规则")]
        constraints = published_series_constraints(
            ["region", "year"],
            SeriesMessages(
                ERR_RULES_EXISTS, ERR_RULES_ONE_PUBLISHED, ERR_RULES_ONE_OPEN, ERR_SELF_APPROVAL
            ),
        )

    def __str__(self) -> str:
        return f"{self.year}年DRG分组规则 第{self.version}版"


class DrgGoldenCase(models.Model):
    """金标准病例 of a DRG rule set: a case and the DRG a reference grouper gives it ("" = 不能入组). Publishing
    the rule set groups every one and is refused when any differs (catalogs.drg.services)."""

    rule_set = models.ForeignKey(
        DrgRuleSet,
        on_delete=models.CASCADE,
        related_name="golden_cases",
        verbose_name="DRG分组规则",
    )
    case_id = models.CharField("病例编号", max_length=60)
    kind = models.CharField("规则类型", max_length=60, blank=True)
    case = models.JSONField(
        "病例字段", default=dict, help_text="gend、age、nwb_age、nwb_bir_wt、诊断与手术操作编码等"
    )
    expected_drg = models.CharField(
        "预期DRG", max_length=20, blank=True, help_text="空表示预期不能入组"
    )
    source = models.CharField("来源", max_length=200, blank=True)

    class Meta:
        verbose_name = "DRG金标准病例"
        verbose_name_plural = "DRG金标准病例"
        ordering = ["rule_set", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "case_id"],
                name="catalogs_drggoldencase_unique_case",
                violation_error_message="同一分组规则中金标准病例编号不能重复。",
            )
        ]

    def __str__(self) -> str:
        return self.case_id


class DrgRuleRow(models.Model):
    """One row of a rule set's table. Rows keep their file order (by id); each table's key is unique per set."""

    rule_set = models.ForeignKey(
        DrgRuleSet,
        on_delete=models.CASCADE,
        related_name="%(class)s_rows",
        verbose_name="DRG分组规则",
    )

    class Meta:
        abstract = True
        ordering = ["rule_set", "pk"]


def _rule_key(field: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["rule_set", field],
        name="%(app_label)s_%(class)s_unique_code",
        violation_error_message=ERR_RULE_CODE,
    )


class DrgMdc(DrgRuleRow):
    """主要诊断大类 (MDC) — the main diagnoses (codes or categories) that open it."""

    mdc = models.CharField("MDC编码", max_length=10)
    name = models.CharField("MDC名称", max_length=100)
    diag_codes = models.TextField("主要诊断", blank=True, help_text=CODE_LIST_HELP)
    sex = models.CharField("性别条件", max_length=1, blank=True, help_text="M 男、F 女，空为不限")
    age_days_max = models.CharField("年龄天数上限", max_length=6, blank=True)
    or_procedure = models.CharField(
        "须有手术室手术", max_length=3, blank=True, help_text="yes：先期分组（MDCA）"
    )
    min_regions = models.CharField("创伤部位数下限", max_length=2, blank=True)

    class Meta(DrgRuleRow.Meta):
        verbose_name = verbose_name_plural = "主要诊断大类（MDC）"
        constraints = [_rule_key("mdc")]


class DrgAdrg(DrgRuleRow):
    """核心疾病诊断相关组 (ADRG) — matched by main procedure (surgical, operation) or main diagnosis (medical)."""

    adrg = models.CharField("ADRG编码", max_length=10)
    mdc = models.CharField("所属MDC", max_length=10)
    name = models.CharField("ADRG名称", max_length=200)
    kind = models.CharField("类型", max_length=10, choices=AdrgKind.choices)
    split = models.CharField("细分规则", max_length=3, choices=SeveritySplit.choices)
    diag_match = models.CharField(
        "诊断匹配方式", max_length=5, blank=True, help_text="main 主要诊断、any 任一诊断"
    )
    diag_codes = models.TextField("主要诊断", blank=True, help_text=CODE_LIST_HELP)
    proc_match = models.CharField(
        "手术匹配方式", max_length=7, blank=True, help_text="main/any/or_main/or_any/no_or"
    )
    proc_codes = models.TextField("主要手术操作", blank=True, help_text=CODE_LIST_HELP)
    proc_rule = models.CharField(
        "手术组合规则", max_length=100, blank=True, help_text="如 1+2|1+3+4"
    )
    age_days_max = models.CharField("年龄天数上限", max_length=6, blank=True)
    weight_min = models.CharField("体重下限(克)", max_length=6, blank=True)
    weight_max = models.CharField("体重上限(克)", max_length=6, blank=True)

    class Meta(DrgRuleRow.Meta):
        verbose_name = verbose_name_plural = "核心疾病诊断相关组（ADRG）"
        constraints = [_rule_key("adrg")]


class DrgCc(DrgRuleRow):
    """并发症/合并症 — an other diagnosis that raises severity, and the exclusion family it belongs to."""

    diag_code = models.CharField("诊断编码", max_length=CODE_LENGTH)
    level = models.CharField("级别", max_length=3, choices=CcLevel.choices)
    family = models.CharField("排除组", max_length=20)

    class Meta(DrgRuleRow.Meta):
        verbose_name = verbose_name_plural = "并发症/合并症（CC/MCC）"
        constraints = [_rule_key("diag_code")]


class DrgExclusion(DrgRuleRow):
    """CC排除表 — a family of main diagnoses for which the family's CCs do not count."""

    family = models.CharField("排除组", max_length=20)
    name = models.CharField("排除组名称", max_length=100)
    diag_codes = models.TextField(
        "主要诊断", blank=True, help_text=CODE_LIST_HELP + "；为空时该组不排除任何并发症"
    )

    class Meta(DrgRuleRow.Meta):
        verbose_name = verbose_name_plural = "CC排除表"
        constraints = [_rule_key("family")]


class DrgOrProcedure(DrgRuleRow):
    """手术室手术 — the operating-room procedures (pre-MDC, 歧义组, "no OR procedure" conditions)."""

    proc_code = models.CharField("手术操作编码", max_length=CODE_LENGTH)
    name = models.CharField("名称", max_length=200, blank=True)

    class Meta(DrgRuleRow.Meta):
        verbose_name = verbose_name_plural = "手术室手术"
        constraints = [_rule_key("proc_code")]


class DrgTraumaRegion(DrgRuleRow):
    """创伤部位 — the diagnoses of one body region; multiple trauma (MDCZ) counts the regions of a case."""

    region = models.CharField("部位", max_length=20)
    name = models.CharField("部位名称", max_length=100)
    diag_codes = models.TextField("诊断", help_text=CODE_LIST_HELP)

    class Meta(DrgRuleRow.Meta):
        verbose_name = verbose_name_plural = "创伤部位"
        constraints = [_rule_key("region")]
