"""The project's configuration of third-party apps."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.contrib.admin.apps import SimpleAdminConfig
from django.utils.module_loading import module_has_submodule

# Apps whose admin module is not loaded: django-import-export's admin module builds its list of file
# formats when imported, which imports openpyxl (and NumPy) at start-up; we register no
# ImportExportModelAdmin (our imports have their own pages), so nothing is lost.
ADMIN_SKIPPED = {"import_export"}


class PortalAdminConfig(SimpleAdminConfig):
    """``django.contrib.admin`` with autodiscovery of every app's ``admin`` module but ``ADMIN_SKIPPED``."""

    def ready(self) -> None:
        super().ready()
        for app_config in apps.get_app_configs():
            if app_config.name not in ADMIN_SKIPPED and module_has_submodule(
                app_config.module, "admin"
            ):
                import_module(f"{app_config.name}.admin")
