from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q

from accounts.choices import Role

ERR_HOSPITAL_NEEDS_INSTITUTION = "医疗机构用户必须绑定一家定点医疗机构；其他角色不得绑定机构。"


class User(AbstractUser):
    """A portal user with one role; a hospital user is bound to exactly one institution."""

    display_name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField(
        "角色", max_length=20, choices=Role.choices, default=Role.BUREAU_OFFICER
    )
    institution = models.ForeignKey(
        "catalogs.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name="所属机构",
    )
    regions = models.ManyToManyField(
        "catalogs.Region",
        blank=True,
        related_name="users",
        verbose_name="所属统筹区",
        help_text="经办人员、管理员和专家可读写的统筹区；医疗机构用户随所属机构的统筹区。",
    )
    province_wide = models.BooleanField(
        "省级用户", default=False, help_text="省级用户可查看全部统筹区。"
    )
    phone = models.CharField("手机", max_length=20, blank=True)
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.HOSPITAL) & Q(institution__isnull=False))
                | (~Q(role=Role.HOSPITAL) & Q(institution__isnull=True)),
                name="%(app_label)s_%(class)s_hospital_has_institution",
                violation_error_message=ERR_HOSPITAL_NEEDS_INSTITUTION,
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_bureau(self) -> bool:
        return self.is_superuser or self.role in Role.bureau()

    @property
    def is_bureau_admin(self) -> bool:
        return self.is_superuser or self.role == Role.BUREAU_ADMIN

    @property
    def is_hospital(self) -> bool:
        return self.role == Role.HOSPITAL and not self.is_superuser

    @property
    def is_expert(self) -> bool:
        return self.role == Role.EXPERT and not self.is_superuser


class PasswordHistory(models.Model):
    """密码历史 — the hashes of a user's earlier passwords, so a new one cannot repeat them."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="password_history", verbose_name="用户"
    )
    password = models.CharField("密码哈希", max_length=128)
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "密码历史"
        verbose_name_plural = "密码历史"
        ordering = ["-created_at", "-pk"]
