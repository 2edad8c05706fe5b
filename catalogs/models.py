"""Regions and institutions: the bottom of the data model. Every institution-owned row in every app
reaches an ``Institution`` and is read through ``for_user`` (accounts/tenancy.py)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from accounts.tenancy import TenantQuerySet
from catalogs.choices import InstitutionLevel, InstitutionType

ERR_CONSORTIUM_SELF = "医共体牵头机构不能是本机构自身。"
ERR_CONSORTIUM_REGION = "医共体牵头机构必须属于同一统筹区。"
ERR_ACTIVE_DATES = "停用日期不能早于启用日期。"


class Region(models.Model):
    """统筹区 — a pooling region, identified by its administrative-division code (行政区划代码)."""

    code = models.CharField("行政区划代码", max_length=6, unique=True, validators=[RegexValidator(r"^\d{6}$", "行政区划代码应为6位数字。")])
    name = models.CharField("统筹区名称", max_length=100)

    class Meta:
        verbose_name = "统筹区"
        verbose_name_plural = "统筹区"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class InstitutionQuerySet(TenantQuerySet):
    tenant_field = "pk"

    def active_on(self, day) -> InstitutionQuerySet:
        return self.filter(Q(active_from__lte=day) | Q(active_from__isnull=True), Q(active_to__gte=day) | Q(active_to__isnull=True))


class Institution(models.Model):
    """定点医疗机构 — a designated medical institution, known by its national code (fixmedins_code)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="institutions", verbose_name="统筹区")
    code = models.CharField(
        "定点医药机构编号",
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]\d{11}$", "机构编号格式应为1位大写字母加11位数字，如 H37080200001。")],
    )
    name = models.CharField("机构名称", max_length=100)
    level = models.CharField("医院等级", max_length=2, choices=InstitutionLevel.choices)
    type = models.CharField("机构类别", max_length=12, choices=InstitutionType.choices)
    is_grassroots = models.BooleanField("基层医疗机构", default=False)
    consortium_lead = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="consortium_members", verbose_name="医共体牵头机构"
    )
    active_from = models.DateField("启用日期", null=True, blank=True)
    active_to = models.DateField("停用日期", null=True, blank=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = "定点医疗机构"
        verbose_name_plural = "定点医疗机构"
        ordering = ["code"]
        indexes = [models.Index(fields=["region", "level"], name="catalogs_inst_region_level")]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_from__isnull=True) | Q(active_to__gte=models.F("active_from")),
                name="%(app_label)s_%(class)s_active_dates_ordered",
                violation_error_message=ERR_ACTIVE_DATES,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    def clean(self) -> None:
        lead = self.consortium_lead
        if lead is not None:
            if lead.pk == self.pk:
                raise ValidationError({"consortium_lead": ERR_CONSORTIUM_SELF})
            if lead.region_id != self.region_id:
                raise ValidationError({"consortium_lead": ERR_CONSORTIUM_REGION})
