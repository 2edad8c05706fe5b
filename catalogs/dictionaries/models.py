"""The coding dictionaries (ICD-10 / ICD-9-CM-3 医保版): each list is kept as dated ``DictionaryVersion`` s
holding their ``DictionaryCode`` rows; ``Diagnosis`` and ``Procedure`` are the codes of the version in force,
the table every lookup reads.

Imported by catalogs/models.py, so the models belong to the ``catalogs`` app (same tables)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from catalogs.choices import DictionaryKind, DictionaryStatus, TreatmentType
from catalogs.codes import CODE_LENGTH
from workflow.models import user_field


class Diagnosis(models.Model):
    """诊断编码 — ICD-10 医保版 2.0; ``category`` is the 3-character 类目 comprehensive diseases fold into.
    The rows are the codes of the diagnosis ``DictionaryVersion`` in force (publishing a version rewrites them)."""

    code = models.CharField("诊断编码", max_length=CODE_LENGTH, unique=True)
    name = models.CharField("诊断名称", max_length=200)
    category = models.CharField(
        "类目", max_length=3, db_index=True, blank=True, help_text="留空时取编码前3位"
    )
    subcategory = models.CharField("亚目", max_length=5, blank=True)

    class Meta:
        verbose_name = "诊断编码（ICD-10医保版）"
        verbose_name_plural = "诊断编码（ICD-10医保版）"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    def clean(self) -> None:
        self.category = self.category or self.code[:3]


class Procedure(models.Model):
    """手术操作编码 — ICD-9-CM-3 医保版; its treatment type decides the comprehensive disease of a case."""

    code = models.CharField("手术操作编码", max_length=CODE_LENGTH, unique=True)
    name = models.CharField("手术操作名称", max_length=200)
    category = models.CharField("类目", max_length=10, blank=True)
    subcategory = models.CharField("亚目", max_length=10, blank=True)
    operating_room = models.BooleanField("手术室手术", default=False)
    treatment_type = models.CharField(
        "操作类型", max_length=12, choices=TreatmentType.choices, default=TreatmentType.THERAPEUTIC
    )

    class Meta:
        verbose_name = "手术操作编码（ICD-9-CM-3医保版）"
        verbose_name_plural = "手术操作编码（ICD-9-CM-3医保版）"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def natural_key(self) -> tuple[str]:
        return (self.code,)


ERR_DICTIONARY_DATES = "失效日期不能早于生效日期。"


ERR_DICTIONARY_ONE_IN_FORCE = "每类编码字典只能有一个现行版本。"


ERR_DICTIONARY_NAME = "该类编码字典已有同名版本。"


class DictionaryVersion(models.Model):
    """编码字典版本 — one dated edition of the diagnosis or the procedure list (国家版 or a bureau's newer
    one). Loaded as a draft with its codes, compared with the version in force, then published: the previous
    version is retired (its ``effective_to`` set) and ``Diagnosis`` / ``Procedure`` take the new codes."""

    kind = models.CharField("字典类别", max_length=10, choices=DictionaryKind.choices)
    name = models.CharField("版本名称", max_length=100)
    source = models.CharField("来源", max_length=300, blank=True)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=DictionaryStatus.choices, default=DictionaryStatus.DRAFT
    )
    code_count = models.PositiveIntegerField("编码数", default=0)
    changes = models.JSONField(
        "发布时差异", default=dict, blank=True, help_text="新增、删除、更名、属性变更的编码数"
    )
    created_by = user_field("导入人")
    created_at = models.DateTimeField("导入时间", auto_now_add=True)
    published_by = user_field("发布人")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "编码字典版本"
        verbose_name_plural = "编码字典版本"
        ordering = ["kind", "-effective_from", "-id"]
        permissions = [("publish_dictionaryversion", "可以发布编码字典版本")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(status=DictionaryStatus.PUBLISHED),
                name="%(app_label)s_%(class)s_one_in_force",
                violation_error_message=ERR_DICTIONARY_ONE_IN_FORCE,
            ),
            models.UniqueConstraint(
                fields=["kind", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=ERR_DICTIONARY_NAME,
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="%(app_label)s_%(class)s_dates",
                violation_error_message=ERR_DICTIONARY_DATES,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class DictionaryCode(models.Model):
    """One code of a ``DictionaryVersion``, with the attributes the rules read (the procedure ones blank for
    a diagnosis)."""

    version = models.ForeignKey(
        DictionaryVersion, on_delete=models.CASCADE, related_name="codes", verbose_name="字典版本"
    )
    code = models.CharField("编码", max_length=CODE_LENGTH)
    name = models.CharField("名称", max_length=200)
    category = models.CharField("类目", max_length=10, blank=True)
    subcategory = models.CharField("亚目", max_length=10, blank=True)
    operating_room = models.BooleanField("手术室手术", default=False)
    treatment_type = models.CharField(
        "操作类型", max_length=12, choices=TreatmentType.choices, blank=True
    )

    class Meta:
        verbose_name = "编码字典条目"
        verbose_name_plural = "编码字典条目"
        ordering = ["version", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"], name="%(app_label)s_%(class)s_unique_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
