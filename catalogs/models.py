"""Regions and institutions: the bottom of the data model. Every institution-owned row in every app
reaches an ``Institution`` and is read through ``for_user`` (accounts/tenancy.py); ``InstitutionState``
is the register's dated history (catalogs/register/).

The rest of the app's models live in its sub-packages and are imported at the end of this module, so
they keep the app label ``catalogs`` and their tables: the coding dictionaries (catalogs/dictionaries/),
the catalog versions (catalogs/versions/), the DRG rule sets (catalogs/drg/) and the institution
coefficient tables (catalogs/coefficients/)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.tenancy import TenantQuerySet
from catalogs.choices import InstitutionLevel, InstitutionType
from workflow.models import user_field

ERR_CONSORTIUM_SELF = "医共体牵头机构不能是本机构自身。"
ERR_CONSORTIUM_REGION = "医共体牵头机构必须属于同一统筹区。"
ERR_ACTIVE_DATES = "停用日期不能早于启用日期。"


class Region(models.Model):
    """统筹区 — a pooling region, identified by its administrative-division code (行政区划代码)."""

    code = models.CharField(
        "行政区划代码",
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", "行政区划代码应为6位数字。")],
    )
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


class Institution(models.Model):
    """定点医疗机构 — a designated medical institution, known by its national code (fixmedins_code)."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="institutions", verbose_name="统筹区"
    )
    code = models.CharField(
        "定点医药机构编号",
        max_length=20,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z]\d{11}$", "机构编号格式应为1位大写字母加11位数字，如 H37080200001。"
            )
        ],
    )
    name = models.CharField("机构名称", max_length=100)
    level = models.CharField("医院等级", max_length=2, choices=InstitutionLevel.choices)
    type = models.CharField("机构类别", max_length=12, choices=InstitutionType.choices)
    is_grassroots = models.BooleanField("基层医疗机构", default=False)
    consortium_lead = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consortium_members",
        verbose_name="医共体牵头机构",
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
                condition=Q(active_to__isnull=True)
                | Q(active_from__isnull=True)
                | Q(active_to__gte=models.F("active_from")),
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


# --- the register's history (机构信息变更历史) -------------------------------------------------------

ERR_STATE_DATES = "有效期止不能早于有效期起。"
ERR_AGREEMENT_DATES = "协议期止不能早于协议期起。"
ERR_STATE_UNIQUE = "同一机构同一生效日期只能有一条状态。"


class InstitutionStateQuerySet(TenantQuerySet):
    tenant_field = "institution"


class InstitutionState(models.Model):
    """机构状态 — what an institution was from ``valid_from`` to ``valid_to`` (inclusive; open-ended when
    null): level, type, grassroots flag, consortium lead and agreement period (协议期).

    Kept by ``catalogs.register.services.institution_change``: a change with an effective date splits the
    state in force on that date and never touches the days before it; ``changed`` lists the fields the
    change set, so a later change of another field keeps them. An institution without states has the
    fields of its ``Institution`` row at every date; before its first state, that first state."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="states", verbose_name="定点医疗机构"
    )
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField(
        "有效期止", null=True, blank=True, help_text="下一次变更生效的前一天；为空表示至今"
    )
    level = models.CharField("医院等级", max_length=2, choices=InstitutionLevel.choices)
    type = models.CharField("机构类别", max_length=12, choices=InstitutionType.choices)
    is_grassroots = models.BooleanField("基层医疗机构", default=False)
    consortium_lead = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="医共体牵头机构",
    )
    agreement_from = models.DateField("协议期起", null=True, blank=True)
    agreement_to = models.DateField("协议期止", null=True, blank=True)
    changed = models.JSONField("本次变更项", default=list, blank=True)
    reason = models.CharField("变更原因", max_length=200, blank=True)
    recorded_by = user_field("登记人")
    recorded_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = InstitutionStateQuerySet.as_manager()

    class Meta:
        verbose_name = "机构状态"
        verbose_name_plural = "机构状态"
        ordering = ["institution", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "valid_from"],
                name="%(app_label)s_%(class)s_unique_from",
                violation_error_message=ERR_STATE_UNIQUE,
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="%(app_label)s_%(class)s_dates_ordered",
                violation_error_message=ERR_STATE_DATES,
            ),
            models.CheckConstraint(
                condition=Q(agreement_to__isnull=True)
                | Q(agreement_from__isnull=True)
                | Q(agreement_to__gte=F("agreement_from")),
                name="%(app_label)s_%(class)s_agreement_ordered",
                violation_error_message=ERR_AGREEMENT_DATES,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.valid_from}–{self.valid_to or ''}"

    @classmethod
    def field_labels(cls, names) -> str:
        """The Chinese names of state fields (``consortium_lead_id`` → 医共体牵头机构), joined."""
        return "、".join(
            str(cls._meta.get_field(name.removesuffix("_id")).verbose_name) for name in names
        )

    @property
    def changed_labels(self) -> str:
        return self.field_labels(self.changed)


# The models of the sub-packages belong to this app (app label ``catalogs``, same tables);
# importing them here registers them.
