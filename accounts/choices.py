from django.db import models


class Role(models.TextChoices):
    """用户角色."""

    BUREAU_ADMIN = "bureau_admin", "经办机构管理员"
    BUREAU_OFFICER = "bureau_officer", "经办人员"
    EXPERT = "expert", "专家"
    HOSPITAL = "hospital", "医疗机构用户"

    @classmethod
    def bureau(cls) -> set[str]:
        return {cls.BUREAU_ADMIN, cls.BUREAU_OFFICER}
