from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save, pre_save


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth import signals as auth_signals

        from accounts import receivers
        from accounts.models import User
        from accounts.roles import roles_sync

        post_migrate.connect(roles_sync, dispatch_uid="accounts.roles_sync")
        auth_signals.user_logged_in.connect(
            receivers.on_user_logged_in, dispatch_uid="accounts.audit_login"
        )
        auth_signals.user_logged_out.connect(
            receivers.on_user_logged_out, dispatch_uid="accounts.audit_logout"
        )
        auth_signals.user_login_failed.connect(
            receivers.on_user_login_failed, dispatch_uid="accounts.audit_login_failed"
        )
        pre_save.connect(
            receivers.on_user_saving, sender=User, dispatch_uid="accounts.password_change_noted"
        )
        post_save.connect(
            receivers.on_user_saved,
            sender=User,
            dispatch_uid="accounts.password_change_revokes_tokens",
        )
        post_save.connect(
            receivers.on_user_role_saved, sender=User, dispatch_uid="accounts.role_decides_groups"
        )
        user_locked_out.connect(
            receivers.on_user_locked_out, dispatch_uid="accounts.audit_locked_out"
        )
