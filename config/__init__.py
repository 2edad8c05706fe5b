"""The project package. The Celery app is config/celery.py (``celery -A config`` finds it); it is not
imported here, so that web processes and management commands start without loading Celery."""
