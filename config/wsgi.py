import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
application = get_wsgi_application()

from jobs.services import job_sweep_start  # noqa: E402  (needs the apps loaded above)

# Jobs a dead web process left behind fail once their leases lapse: now, and, when this process runs
# jobs in its own threads (no broker, hence no beat), at every heartbeat.
job_sweep_start(periodically=settings.JOBS_BACKEND == "thread")
