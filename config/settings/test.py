"""Test settings: fast password hashing; jobs run inline unless a test asks for a real worker."""

from config.env import env_str

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
JOBS_BACKEND = env_str("JOBS_BACKEND", "inline")
DATABASE_REPLICA_READS = False  # a test's rows are uncommitted: the replica never sees them
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
