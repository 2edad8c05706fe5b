from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from accounts.roles import roles_sync

        post_migrate.connect(roles_sync, dispatch_uid="accounts.roles_sync")
