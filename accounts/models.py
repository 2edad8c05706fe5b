from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q

from accounts.choices import Role

ERR_HOSPITAL_NEEDS_INSTITUTION = "医疗机构用户必须绑定一家定点医疗机构；其他角色不得绑定机构。"


class User(AbstractUser):
    """A portal user with one role; a hospital user is bound to exactly one institution."""

    display_name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.BUREAU_OFFICER)
    institution = models.ForeignKey(
        "catalogs.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name="所属机构"
    )

    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.HOSPITAL) & Q(institution__isnull=False)) | (~Q(role=Role.HOSPITAL) & Q(institution__isnull=True)),
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
