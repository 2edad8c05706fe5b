"""Settings shared by every environment. Everything that differs between machines comes from the
environment through ``config.env`` (strict parsing: a malformed value stops start-up)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF

from config.env import env_bool, env_database, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str(
    "DJANGO_SECRET_KEY", "dev-insecure-key-only-for-local-use-0123456789abcdefghijklmnop"
)
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "config.apps.PortalAdminConfig",  # django.contrib.admin, start-up kept light (config/apps.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "csp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "axes",
    # Ours, bottom layer first: apps depend downward only (docs/architecture.md).
    "audit",
    "workflow",
    "jobs",
    "catalogs",
    "accounts",
    "notices",
    "budgets",
    "settlement",
    "disputes",
    "supervision",
    "reports",
    "reconciliation",
    "portal",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.NoStoreMiddleware",
    "audit.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.SpreadsheetRefusedMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
                "accounts.context_processors.region_scope",
                "notices.context_processors.unread_notices",
            ],
        },
    },
]

DATABASES = {
    "default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'portal.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the in-process job thread write while pages read; the timeout rides out short write locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # A second connection to the same database, used only by jobs.services.job_progress and the lease
    # heartbeat (jobs/leases.py): a job that works inside one long transaction still shows its progress
    # live and keeps its lease. A short lock timeout keeps it from ever waiting on its own job's locks
    # (progress then falls back to the job's connection).
    DATABASES["jobs_progress"] = {
        **DATABASES["default"],
        "OPTIONS": {
            **DATABASES["default"].get("OPTIONS", {}),
            "options": "-c lock_timeout=2000 -c statement_timeout=5000",
        },
        "TEST": {"MIRROR": "default"},
    }
# A read-only replica (a hot standby streaming from the primary): reports, dashboards, exports and list
# pages read from it (config/routers.py); writes and transactions never do. In tests it mirrors the test
# database (same name, on the replica's host and port), which replication fills.
if env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = {
        **env_database("DATABASE_REPLICA_URL", ""),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]
# Off: every read stays on the primary though the replica is configured (the test settings: a test's
# uncommitted rows never reach a replica; tests/config/test_replica.py turns it on).
DATABASE_REPLICA_READS = env_bool("DATABASE_REPLICA_READS", True)
# Content-Security-Policy on every answer: scripts, style sheets, fonts, images and fetches come from
# this server only (every asset is vendored under static/), and no template carries an inline script,
# event handler or <style> element (tests/config/test_security.py). Style *attributes* stay allowed:
# ECharts writes its tooltips and Swagger UI its panels as markup with style="..."; an attribute cannot
# run code. Redoc builds its search index in a blob: worker.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The largest request body (not file uploads): the documented API batch of 10,000 settlement lists
# (about 11 MB as flat JSON, more in the 4101 shape) must fit; a larger body gets the API's 413 JSON.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("API_MAX_BODY_MB", 32) * 1024 * 1024
# The password policy (docs/operations.md): length, character classes, history; optional expiry.
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 10)
PASSWORD_MIN_CLASSES = env_int("PASSWORD_MIN_CLASSES", 3)
PASSWORD_HISTORY = env_int("PASSWORD_HISTORY", 5)
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 0)  # 0: passwords do not expire
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "accounts.passwords.CharacterClassesValidator",
        "OPTIONS": {"min_classes": PASSWORD_MIN_CLASSES},
    },
    {
        "NAME": "accounts.passwords.PasswordHistoryValidator",
        "OPTIONS": {"history": PASSWORD_HISTORY},
    },
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# A session lasts one working day; closing the browser ends it too.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Lockout keyed by username + IP: a hospital's staff share one NAT address, so IP alone would lock
# out a whole hospital for one person's typos.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Plain {{ n }} never groups, so years, ids and codes stay as typed (2024, not 2,024) in text, links
# and form values; amounts and counts are grouped explicitly with the |money and |thousands filters.
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles")))
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "media/"

# Case intake (结算清单导入): the largest upload accepted, and the limits an .xlsx zip must respect
# before any XML is parsed (a zip bomb is refused from its central directory, in milliseconds).
INTAKE_MAX_UPLOAD_MB = env_int("INTAKE_MAX_UPLOAD_MB", 500)
INTAKE_MAX_XLSX_UNCOMPRESSED_MB = env_int("INTAKE_MAX_XLSX_UNCOMPRESSED_MB", 2048)

# E-mail (optional): the in-app inbox always gets every dispute status change; with
# DISPUTES_EMAIL_NOTIFICATIONS on, the users concerned who have an address get the same message by mail.
DISPUTES_EMAIL_NOTIFICATIONS = env_bool("DISPUTES_EMAIL_NOTIFICATIONS", False)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ybzf-noreply@localhost")

REST_FRAMEWORK = {
    # Token first: DRF takes the first class's challenge, so an unauthenticated call gets 401 with
    # "WWW-Authenticate: Token" (a machine client knows to authenticate) instead of 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "config.api_params.KnownParamsFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "config.api_schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "医保支付方式管理平台 API",
    "DESCRIPTION": "Regional point-method budgeting and DIP/DRG/APG settlement portal. Session or token authentication.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema names every field of the case records: callers must be logged in (session or token).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" field with different choices; name each enum after its choices.
    "ENUM_NAME_OVERRIDES": {
        "JobStatusEnum": "jobs.choices.JobStatus",
        "PeriodStatusEnum": "settlement.choices.PeriodStatus",
        "NationalFileKindEnum": "reconciliation.choices.FileKind",
        "ReconDiffKindEnum": "reconciliation.choices.DiffKind",
    },
}

# API tokens (接口令牌, django-rest-knox): only a digest is stored; a token lives API_TOKEN_TTL_HOURS
# from its creation (no sliding renewal, so a leaked token dies by itself) and is revoked by the user
# on the tokens page, by POST auth/logout/, or with every other token when the password changes.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env_int("API_TOKEN_TTL_HOURS", 7 * 24)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

# Background jobs: with a broker they run on Celery workers; without one, in a thread of this process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
JOBS_BACKEND = env_str("JOBS_BACKEND", "celery" if CELERY_BROKER_URL else "thread")
# A running job's lease: its process renews it every third of this; lapsed, the job is failed (jobs/leases.py).
JOBS_LEASE_SECONDS = env_int("JOBS_LEASE_SECONDS", 60, minimum=3)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 55 * 60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 60 * 60)
# A message not acknowledged within the visibility timeout is redelivered; it must outlast the hard
# time limit or a long job would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 30 * 60}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TRACK_STARTED = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
