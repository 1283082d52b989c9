"""Django settings for cronsuite, read from the environment once, here.

Every variable is documented in docs/runtime.md and the pages under docs/jobs/.
"""

import sys
from email.utils import formataddr, getaddresses
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from app import env

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / "data"

SECRET_KEY = env.string("SECRET_KEY", "cronsuite-local-only-not-secret")
DEBUG = env.boolean("DEBUG", False)
ALLOWED_HOSTS = env.string_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"])


def _make_parent_folder(path: str) -> None:
    # The default SQLite file lives in ./data; a read-only image never uses it.
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass


def _database(url: str) -> dict:
    try:
        config = dj_database_url.parse(url, conn_max_age=0)
    except ValueError as e:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {e}")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        _make_parent_folder(config["NAME"])
        # Jobs overlap with the web app and with skipped runs: take the write lock up front
        # (a deferred transaction that later writes fails at once with "database is locked"),
        # wait for it rather than fail, and let readers go on while one job writes (WAL).
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL;",
        }
        # Subprocess tests must see the test database, so it is a file, never :memory:.
        config["TEST"] = {"NAME": f"{config['NAME']}.test"}
    if config["ENGINE"] == "django.db.backends.mysql":
        config.setdefault("OPTIONS", {}).update(charset="utf8mb4", connect_timeout=CONNECT_TIMEOUT)
    if config["ENGINE"] == "django.db.backends.postgresql":
        # A server that accepts the TCP connection and never answers costs CONNECT_TIMEOUT, not
        # forever; keepalives find a peer that vanished (a lost node, a dropped NAT entry).
        config.setdefault("OPTIONS", {}).update(
            connect_timeout=CONNECT_TIMEOUT,
            keepalives=1,
            keepalives_idle=30,
            keepalives_interval=10,
            keepalives_count=3,
        )
    return config


CONNECT_TIMEOUT = env.integer("DATABASE_CONNECT_TIMEOUT", 10, minimum=1)


# The image sets DATABASE_URL_REQUIRED: a container (the migration hook above all) must never fall
# back to a throw-away SQLite file when the Secret forgot DATABASE_URL or left it empty.
if env.boolean("DATABASE_URL_REQUIRED", False) and env.raw("DATABASE_URL") is None:
    raise ImproperlyConfigured(
        "DATABASE_URL is not set or empty, and this image has no database of its own: "
        "set it (the chart reads it from its Secret)."
    )
DATABASE_URL = env.string("DATABASE_URL", f"sqlite:///{DATA_DIR / 'cronsuite.sqlite3'}")
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    # Admin modules load with the URLconf (app/urls.py), not in every job process.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # The scheduler API: JSON for every answer, tokens a staff user creates in the admin.
    "rest_framework",
    "rest_framework.authtoken",
    "app.accounts",
    "app.chat",
    "jobs",
    "jobs.scheduler",  # python -m jobs schedule: the last fire of each entry
    "app.timetable",
    "app.external",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves the collected static files itself (admin CSS included) with DEBUG off, under
    # gunicorn, in the image and in `make web`: no separate web server to configure.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page of the admin and the scheduler dashboard is staff only: 403 and a page that
    # says so for anyone else, decided in that one place (named, not imported: app/ never
    # imports jobs/).
    "jobs.web.staff_only.StaffOnlyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
# The web app reached over HTTPS only, through a proxy that terminates TLS and sets
# X-Forwarded-Proto (an Ingress): cookies never travel in clear, browsers are told to keep to
# HTTPS (HSTS, this host only), plain HTTP is redirected, except the kubelet's probes of /healthz.
# Off, the app also answers plain HTTP: `make web`, `kubectl port-forward`.
WEB_HTTPS = env.boolean("WEB_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = WEB_HTTPS
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if WEB_HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if WEB_HTTPS else None
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# HSTS for this host only, never for the whole domain (its other hosts are not ours to bind to
# HTTPS) and never preloaded into browsers (irreversible for months): these two stay off.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
ROOT_URLCONF = "app.urls"
WSGI_APPLICATION = "app.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
STATIC_URL = "static/"
# `manage.py collectstatic` writes here (the image does at build time); whitenoise serves it.
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names served with a year of caching, compressed once at collectstatic.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "jobs.web.auth.BearerTokenAuthentication",  # the old dashboard's `Authorization: Bearer TOKEN`
        "rest_framework.authentication.TokenAuthentication",  # DRF's own `Token TOKEN`
        "rest_framework.authentication.SessionAuthentication",  # the admin's, CSRF checked
    ],
    "DEFAULT_PERMISSION_CLASSES": ["jobs.web.auth.IsStaff"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "jobs.web.auth.json_error",
}
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.string("TIME_ZONE", "UTC")
USE_TZ = True

# The job runtime (docs/runtime.md).
LOG_FORMAT = env.choice("LOG_FORMAT", ("json", "text"), "text" if sys.stdout.isatty() else "json")
LOG_LEVEL = env.choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO")
JOB_TIMEOUT = env.integer("JOB_TIMEOUT", 3600, minimum=1)
# Extra modules defining `JOBS = [...]`: a project's own jobs, run by the same runtime.
JOB_MODULES = env.string_list("JOB_MODULES")
PUSHGATEWAY_URL = env.string("PUSHGATEWAY_URL")
if env.has_credentials(PUSHGATEWAY_URL):
    # urllib would take "user:password@host" for a host name and fail every push in silence.
    raise ImproperlyConfigured(
        f"PUSHGATEWAY_URL {env.shown_url(PUSHGATEWAY_URL)} carries credentials: set "
        "PUSHGATEWAY_USERNAME and PUSHGATEWAY_PASSWORD instead."
    )
# Basic auth, as the prometheus-community chart's webConfiguration.basicAuthUsers sets it up.
PUSHGATEWAY_USERNAME = env.string("PUSHGATEWAY_USERNAME")
PUSHGATEWAY_PASSWORD = env.raw("PUSHGATEWAY_PASSWORD")
if bool(PUSHGATEWAY_USERNAME) != bool(PUSHGATEWAY_PASSWORD):
    raise ImproperlyConfigured("Set PUSHGATEWAY_USERNAME and PUSHGATEWAY_PASSWORD together.")
# The whole push, not each socket read. Short: a push in flight when SIGTERM comes must end
# within the 5 s the runtime promises.
PUSHGATEWAY_TIMEOUT = env.integer("PUSHGATEWAY_TIMEOUT", 2, minimum=1)
CRONSUITE_ENTRY = env.string("CRONSUITE_ENTRY")
CRONSUITE_SCHEDULE = env.string("CRONSUITE_SCHEDULE")
CRONSUITE_TIMEZONE = env.string("CRONSUITE_TIMEZONE", "UTC")
CRONSUITE_CRONJOB = env.string("CRONSUITE_CRONJOB")
CRONSUITE_K8S_JOB = env.string("CRONSUITE_K8S_JOB")
# Who started a manual run (Run now's user, `jobs trigger`'s user@host): recorded on its row.
CRONSUITE_STARTED_BY = env.string("CRONSUITE_STARTED_BY")
CRONSUITE_NAMESPACE = env.string("CRONSUITE_NAMESPACE")
CRONSUITE_POD = env.string("CRONSUITE_POD") or env.string("HOSTNAME")
# The due time of a run `python -m jobs schedule` started (ISO 8601): trigger=scheduled.
CRONSUITE_SCHEDULED_FOR = env.string("CRONSUITE_SCHEDULED_FOR")
# The release's schedules (jobs, defaults, suspendAll: schedule, timeZone, enabled, suspend), set
# by the chart on its test pod only, so `python -m jobs check` warns about the release's entries
# rather than those of the values.yaml baked into the image.
CRONSUITE_CHART_SCHEDULES = env.json_object("CRONSUITE_CHART_SCHEDULES")
# On one machine: the chart values override files (comma-separated, merged as `helm -f` does)
# that the scheduler, the dashboard and every `python -m jobs` command read when given no
# --values, so all of them see the entries the scheduler runs.
CRONSUITE_VALUES = env.string_list("CRONSUITE_VALUES")
# The Job's activeDeadlineSeconds (every attempt of one run), so alerts allow for retries.
CRONSUITE_JOB_DEADLINE = env.integer("CRONSUITE_JOB_DEADLINE", 0, minimum=0) or None
# Failures in a row before CronsuiteJobFailed fires (the chart's failureThreshold), and the
# CronJob's startingDeadlineSeconds: both pushed as gauges, so the rules hold no per-entry values.
CRONSUITE_FAILURE_THRESHOLD = env.integer("CRONSUITE_FAILURE_THRESHOLD", 1, minimum=1)
CRONSUITE_STARTING_DEADLINE = env.integer("CRONSUITE_STARTING_DEADLINE", 0, minimum=0) or None
# Set in a cluster (e.g. "cronsuite-"): the admin's "Run now" creates a Job from the CronJob
# <prefix><entry> in CRONSUITE_NAMESPACE. Unset: it runs the job on the web app's machine.
CRONSUITE_CRONJOB_PREFIX = env.string("CRONSUITE_CRONJOB_PREFIX")

# python -m jobs schedule: the chart's schedules on one machine (docs/scheduler.md).
# false suspends every entry, as the chart's suspendAll does (the FastAPI setup's switch).
BACKGROUND_JOBS_ENABLED = env.boolean("BACKGROUND_JOBS_ENABLED", True)
# Its /metrics and /healthz: on loopback unless told otherwise; port 0 serves neither.
SCHEDULER_METRICS_ADDRESS = env.string("SCHEDULER_METRICS_ADDRESS", "127.0.0.1")
SCHEDULER_METRICS_PORT = env.integer("SCHEDULER_METRICS_PORT", 9746, minimum=0)
# Tests only: a file holding the time the scheduler's clock reads (jobs/scheduler/clock.py).
SCHEDULER_TEST_CLOCK_FILE = env.string("SCHEDULER_TEST_CLOCK_FILE")

# housekeeping
CONVERSATION_RETENTION_DAYS = env.integer("CONVERSATION_RETENTION_DAYS", 30, minimum=1)
UNVERIFIED_USER_DAYS = env.integer("UNVERIFIED_USER_DAYS", 7, minimum=1)
# Batches are sized by time (pt-online-schema-change's --chunk-time): each is grown or shrunk to
# take about this long, so no transaction holds its locks for long at any table size. A tenth of
# the 0.25 s we allow: at 5M conversations a checkpoint made one batch of a 50 ms target take
# 0.27 s. 0 keeps every batch at HOUSEKEEPING_BATCH_SIZE, otherwise the first one's size.
HOUSEKEEPING_BATCH_MILLISECONDS = env.integer("HOUSEKEEPING_BATCH_MILLISECONDS", 25, minimum=0)
HOUSEKEEPING_BATCH_SIZE = env.integer("HOUSEKEEPING_BATCH_SIZE", 1000, minimum=1)

# cleanup-logs, daily-report, health-check (docs/jobs/).
# BASE_URL is the app's own address; sync-timetable calls it too, health-check asks its /healthz.
BASE_URL = env.string("BASE_URL")
LOG_RETENTION_DAYS = env.integer("LOG_RETENTION_DAYS", 30, minimum=1)
LOG_KEEP_RUNS = env.integer("LOG_KEEP_RUNS", 10, minimum=0)
LOG_CLEANUP_BATCH_SIZE = env.integer("LOG_CLEANUP_BATCH_SIZE", 1000, minimum=1)
HEALTH_CHECK_TIMEOUT = env.integer("HEALTH_CHECK_TIMEOUT", 10, minimum=1)


def _addresses(name: str) -> list[str]:
    # "Ops <ops@example.com>, dev@example.com"; getaddresses copes with commas in quoted names.
    value = env.string(name)
    if value is None:
        return []
    pairs = getaddresses([value])
    if not pairs or any("@" not in address for _, address in pairs):
        raise ImproperlyConfigured(
            f"{name} must be email addresses separated by commas, got {value!r}."
        )
    return [formataddr(pair) for pair in pairs]


ADMINS = _addresses("ADMINS")
REPORT_RECIPIENTS = _addresses("REPORT_RECIPIENTS") or ADMINS
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "cronsuite@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_email_password = env.string("EMAIL_HOST_PASSWORD", "")


def _mailer() -> dict:
    # Django 6.1 mailers: the EMAIL_* variables feed MAILERS, never settings of the same name
    # (Django refuses EMAIL_HOST and friends next to MAILERS).
    host = env.string("EMAIL_HOST")
    if host is None:  # local use: print the mail on stderr, keeping stdout for JSON log lines
        return {
            "BACKEND": "django.core.mail.backends.console.EmailBackend",
            "OPTIONS": {"stream": sys.stderr},
        }
    use_tls, use_ssl = env.boolean("EMAIL_USE_TLS", False), env.boolean("EMAIL_USE_SSL", False)
    if use_tls and use_ssl:
        raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
    default_port = 465 if use_ssl else 587 if use_tls else 25
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": host,
            "port": env.integer("EMAIL_PORT", default_port, minimum=1),
            "username": env.string("EMAIL_HOST_USER", ""),
            "password": _email_password,
            "use_tls": use_tls,
            "use_ssl": use_ssl,
            "timeout": env.integer("EMAIL_TIMEOUT", 30, minimum=1),
        },
    }


MAILERS = {"default": _mailer()}

# sync-timetable (docs/jobs/sync-timetable.md). The job sends TOKEN to BASE_URL (set above);
# the app's /api/groups/update checks it and reads the timetable feed at TIMETABLE_FEED_URL.
TOKEN = env.string("TOKEN")
SYNC_TIMETABLE_TIMEOUT = env.integer("SYNC_TIMETABLE_TIMEOUT", 300, minimum=1)
SYNC_TIMETABLE_RETRIES = env.integer("SYNC_TIMETABLE_RETRIES", 3, minimum=0)
SYNC_TIMETABLE_BACKOFF_FACTOR = env.integer("SYNC_TIMETABLE_BACKOFF_FACTOR", 2, minimum=0)
TIMETABLE_FEED_URL = env.string("TIMETABLE_FEED_URL")
TIMETABLE_FEED_TIMEOUT = env.integer("TIMETABLE_FEED_TIMEOUT", 30, minimum=1)
# "schedule" means a cron expression in cronsuite; the timetable settings had it in their names.
env.renamed(
    {
        "SCHEDULE_SOURCE_URL": "TIMETABLE_FEED_URL",
        "SCHEDULE_SOURCE_TIMEOUT": "TIMETABLE_FEED_TIMEOUT",
        "SYNC_SCHEDULES_TIMEOUT": "SYNC_TIMETABLE_TIMEOUT",
        "SYNC_SCHEDULES_RETRIES": "SYNC_TIMETABLE_RETRIES",
        "SYNC_SCHEDULES_BACKOFF_FACTOR": "SYNC_TIMETABLE_BACKOFF_FACTOR",
    }
)

# sync-external-data (docs/jobs/sync-external-data.md).
EXTERNAL_DATA_URL = env.string("EXTERNAL_DATA_URL")
EXTERNAL_DATA_TIMEOUT = env.integer("EXTERNAL_DATA_TIMEOUT", 60, minimum=1)

# Values that must never reach a log line, a metric or a JobRun row: the secret settings, and the
# userinfo, password and query values of every URL setting (requests quotes a URL it refuses).
_url_settings = (DATABASE_URL, BASE_URL, TIMETABLE_FEED_URL, EXTERNAL_DATA_URL, PUSHGATEWAY_URL)
SECRET_VALUES = [
    value
    for value in (
        env.raw("SECRET_KEY"),
        DATABASES["default"].get("PASSWORD"),
        _email_password,
        TOKEN,
        PUSHGATEWAY_PASSWORD,
        *(secret for url in _url_settings for secret in env.url_secrets(url)),
    )
    if value
]
