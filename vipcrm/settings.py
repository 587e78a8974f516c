"""VIP CRM settings: one module, configured from environment variables.

``DJANGO_ENV=development`` (the default) runs with no external service: SQLite, a Celery broker on
the filesystem and mail written to ``var/mail``. ``DJANGO_ENV=production`` expects PostgreSQL and
Redis through ``DATABASE_URL``/``REDIS_URL`` and refuses to start with a default secret or DEBUG.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VIPCRM_VAR_DIR", str(BASE_DIR / "var")))

env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", "development")
if DJANGO_ENV not in ("development", "production"):
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
IS_PRODUCTION = DJANGO_ENV == "production"

# The development key is public on purpose; production refuses it below.
DEVELOPMENT_SECRET_KEY = "django-insecure-vipcrm-development-key-do-not-use-in-production"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env.bool("DJANGO_DEBUG", default=not IS_PRODUCTION)

if IS_PRODUCTION:
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "Production needs DJANGO_SECRET_KEY: a random value of at least 50 characters."
        )
    if DEBUG:
        raise ImproperlyConfigured("Production must not run with DJANGO_DEBUG on.")

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=[] if IS_PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"],
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    # Audit history (issue 8). django-simple-history rather than django-pghistory: pghistory
    # records every write, bulk ones too, by database triggers, but only on PostgreSQL, and our
    # embedded default database is SQLite. simple-history records save() and delete(); every bulk
    # write of an audited model therefore records its history explicitly (vipcrm/audit.py).
    "simple_history",
    "clients",
    "programme",
    "feedback",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "vipcrm.middleware.ContentSecurityPolicyMiddleware",
    # Who made a change: the history rows take the signed-in user from the request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vipcrm.urls"
WSGI_APPLICATION = "vipcrm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vipcrm.context_processors.role_flags",
            ],
            # The list pages' filter bars and row links (each module says why).
            "libraries": {"filter_bar": "vipcrm.filter_bar", "row_urls": "vipcrm.row_urls"},
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default is shared by the web server, the worker and beat: WAL and immediate
    # transactions keep concurrent writers from failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", 60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
IS_POSTGRESQL = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery ---------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "vipcrm.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", "vipcrm"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    # A task with an ETA further away than this would be delivered twice; reminders never
    # schedule that far ahead (see feedback.tasks), and tests hold them to it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    # kombu's filesystem transport: a queue in a folder, so the worker and beat really run on a
    # machine with no broker server. One folder serves as both in and out.
    CELERY_BROKER_FOLDER = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT = "vipcrm.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER),
        "data_folder_out": str(CELERY_BROKER_FOLDER),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    for folder in (CELERY_BROKER_FOLDER, VAR_DIR / "celery" / "control"):
        folder.mkdir(parents=True, exist_ok=True)
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
    CELERY_BROKER_VISIBILITY_TIMEOUT = 3600

# Task modules outside the apps (the apps' tasks.py are discovered by vipcrm/celery.py).
CELERY_IMPORTS = ["vipcrm.tasks"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
# --- Reminders (feedback.services.reminders) -----------------------------------------------------
# Exactly one beat must run (bin/run-all starts one; in production run one `celery beat` process,
# never `worker -B` on several machines). A second beat would only repeat work: every reminder is
# unique per (recipient, event) in the database, so nobody is notified twice.
REMINDER_HOUR = env.int("REMINDER_HOUR", 7)  # the morning scans, local time
REMINDER_DIGEST_WEEKDAY = env.int("REMINDER_DIGEST_WEEKDAY", 1)  # 1 = Monday
REMINDER_DIGEST_HOUR = env.int("REMINDER_DIGEST_HOUR", 8)
REMINDER_NO_MEETING_AFTER_DAYS = env.int("REMINDER_NO_MEETING_AFTER_DAYS", 14)
REMINDER_REFERRAL_NOT_CONTACTED_DAYS = env.int("REMINDER_REFERRAL_NOT_CONTACTED_DAYS", 7)
REMINDER_CONTACT_VERIFY_DAYS = env.int("REMINDER_CONTACT_VERIFY_DAYS", 365)
REMINDER_ESCALATE_AFTER_DAYS = env.int("REMINDER_ESCALATE_AFTER_DAYS", 3)
REMINDER_BATCH_SIZE = env.int("REMINDER_BATCH_SIZE", 500)
REMINDER_EMAIL_MAX_ATTEMPTS = env.int("REMINDER_EMAIL_MAX_ATTEMPTS", 6)
REMINDER_EMAIL_RETRY_SECONDS = env.int("REMINDER_EMAIL_RETRY_SECONDS", 60)
REMINDER_EMAIL_SWEEP_AFTER_MINUTES = env.int("REMINDER_EMAIL_SWEEP_AFTER_MINUTES", 15)
REMINDER_EMAIL_TIMEOUT_SECONDS = env.int("REMINDER_EMAIL_TIMEOUT_SECONDS", 30)
REMINDER_SITE_URL = env.str("REMINDER_SITE_URL", "http://127.0.0.1:8000")
# Beat reads the hours above in the programme's time zone, not UTC.
CELERY_TIMEZONE = env.str("TIME_ZONE", "Europe/Moscow")


def _scan(scan, schedule):
    return {
        "task": "feedback.run_reminder_scan",
        "schedule": schedule,
        "kwargs": {"scan": scan},
        # A scan that waited longer than an hour is superseded by the next one.
        "options": {"expires": 3600},
    }


_MORNING = crontab(minute=0, hour=REMINDER_HOUR)
# --- Dashboards (programme.dashboards.snapshots) -----------------------------------------------
# A dashboard page shows a snapshot of its figures built in the background; older than this
# (seconds), a page view queues a refresh, and the beat rebuilds every snapshot opened in the
# last day at this interval. 0 rebuilds on every view (the tests, with an eager queue).
VIPCRM_DASHBOARD_MAX_AGE = env.int("VIPCRM_DASHBOARD_MAX_AGE", 900)
# A dashboard export (CSV/XLSX, prepared in the background) is handed out again for the same
# request of the same person for this many seconds after it is ready (a double click, a reload)
# instead of being built anew. 0 builds every time (the tests).
VIPCRM_DASHBOARD_EXPORT_REUSE = env.int("VIPCRM_DASHBOARD_EXPORT_REUSE", 300)
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "vipcrm.tasks.heartbeat", "schedule": crontab(minute="*/15")},
    # Meetings are scanned every hour of the working day (a meeting booked at noon for tomorrow
    # is still reminded); repeating a scan notifies nobody twice.
    "reminders-meetings": _scan("meetings", crontab(minute=5, hour=f"{REMINDER_HOUR}-20")),
    "reminders-follow-ups": _scan("follow_ups", _MORNING),
    "reminders-no-meeting-booked": _scan("no_meeting_booked", _MORNING),
    "reminders-corrective-actions": _scan("corrective_actions", _MORNING),
    "reminders-referrals": _scan("referrals", _MORNING),
    "reminders-contacts": _scan("contacts", _MORNING),
    "reminders-weekly-digest": _scan(
        "weekly_digest",
        crontab(minute=0, hour=REMINDER_DIGEST_HOUR, day_of_week=REMINDER_DIGEST_WEEKDAY),
    ),
    # The dashboards' snapshots people opened in the last day, rebuilt before they go stale.
    "dashboard-snapshots": {
        "task": "programme.refresh_dashboard_snapshots",
        "schedule": timedelta(seconds=VIPCRM_DASHBOARD_MAX_AGE or 900),
        "options": {"expires": VIPCRM_DASHBOARD_MAX_AGE or 900},
    },
    # Dashboard exports are kept a day (programme.dashboards.exports).
    "dashboard-exports": {
        "task": "programme.prune_dashboard_exports",
        "schedule": crontab(minute=40),
        "options": {"expires": 3600},
    },
    "reminders-email-sweep": {
        "task": "feedback.send_pending_emails",
        "schedule": crontab(minute="*/10"),
    },
}

# --- Mail ---------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "VIP CRM <vipcrm@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
if env.str("EMAIL_URL", ""):
    vars().update(env.email_url("EMAIL_URL"))
elif env.str("EMAIL_HOST", ""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.str("EMAIL_HOST")
    EMAIL_PORT = env.int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# --- Auth, sessions -----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: after AXES_FAILURE_LIMIT wrong passwords for one username from one address,
# that pair is locked out for AXES_COOLOFF_MINUTES; a correct login resets the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
if env.bool("DJANGO_BEHIND_PROXY", IS_PRODUCTION):
    AXES_IPWARE_PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", 1)
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", 60 * 60 * 12)
SESSION_COOKIE_HTTPONLY = True

# --- Languages ----------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["vipcrm.formats"]

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Forms and the API --------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["vipcrm.api.IsAuthenticatedReadOnlyForManagement"],
    "DEFAULT_FILTER_BACKENDS": [
        "vipcrm.api.ScopedFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "vipcrm.api.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "vipcrm.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "VIP CRM API",
    "DESCRIPTION": "Programmes, personal lists, visits and follow-ups of the VIP programme.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" or "kind" with their own choices: name each set once.
    "ENUM_NAME_OVERRIDES": {
        "ClientKindEnum": "clients.enums.ClientKind",
        "ContactRoleEnum": "clients.enums.ContactRole",
        "CorrectiveActionStatusEnum": "feedback.enums.CorrectiveActionStatus",
        "OpportunityKindEnum": "feedback.enums.OpportunityKind",
        "OpportunityStatusEnum": "feedback.enums.OpportunityStatus",
        "ReferralStatusEnum": "feedback.enums.ReferralStatus",
        "NotificationKindEnum": "feedback.enums.NotificationKind",
        "EmailStatusEnum": "feedback.enums.EmailStatus",
    },
}

# --- Security (production) ----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- The programme's own settings ---------------------------------------------------------------
VIPCRM = {
    # Demo logins are never created in production.
    "DEMO_PASSWORD": "vipdemo",
    # Spreadsheet imports (clients/imports): the largest file and row count accepted, and up to
    # how many rows an import runs while the page waits (more go to the worker).
    "IMPORT_MAX_BYTES": env.int("IMPORT_MAX_BYTES", 5 * 1024 * 1024),
    "IMPORT_MAX_ROWS": env.int("IMPORT_MAX_ROWS", 20_000),
    "IMPORT_INLINE_ROWS": env.int("IMPORT_INLINE_ROWS", 2_000),
}

# The admin shows the audit history read-only: a revert there would bypass the services' rules.
SIMPLE_HISTORY_REVERT_DISABLED = True
