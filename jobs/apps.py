from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jobs"
    verbose_name = "后台任务"

    def ready(self) -> None:
        # Job kinds register themselves in each app's tasks.py; the in-process runner needs them all
        # loaded, as a Celery worker does through autodiscovery.
        autodiscover_modules("tasks")
