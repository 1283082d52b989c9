"""Django settings for cronsuite, read from the environment once, here.

Every variable is documented in docs/runtime.md and the pages under docs/jobs/.
"""

import sys
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
        # Subprocess tests must see the test database, so it is a file, never :memory:.
        config["TEST"] = {"NAME": f"{config['NAME']}.test"}
    if config["ENGINE"] == "django.db.backends.mysql":
        config.setdefault("OPTIONS", {})["charset"] = "utf8mb4"
    return config


DATABASE_URL = env.string("DATABASE_URL", f"sqlite:///{DATA_DIR / 'cronsuite.sqlite3'}")
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "app.accounts",
    "app.chat",
    "app.runs",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "app.urls"
WSGI_APPLICATION = "app.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "app" / "templates"],
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
PUSHGATEWAY_TIMEOUT = env.integer("PUSHGATEWAY_TIMEOUT", 5, minimum=1)
CRONSUITE_ENTRY = env.string("CRONSUITE_ENTRY")
CRONSUITE_SCHEDULE = env.string("CRONSUITE_SCHEDULE")
CRONSUITE_TIMEZONE = env.string("CRONSUITE_TIMEZONE", "UTC")
CRONSUITE_CRONJOB = env.string("CRONSUITE_CRONJOB")
CRONSUITE_K8S_JOB = env.string("CRONSUITE_K8S_JOB")
CRONSUITE_NAMESPACE = env.string("CRONSUITE_NAMESPACE")
CRONSUITE_POD = env.string("CRONSUITE_POD") or env.string("HOSTNAME")

# housekeeping
CONVERSATION_RETENTION_DAYS = env.integer("CONVERSATION_RETENTION_DAYS", 30, minimum=1)
UNVERIFIED_USER_DAYS = env.integer("UNVERIFIED_USER_DAYS", 7, minimum=1)
HOUSEKEEPING_BATCH_SIZE = env.integer("HOUSEKEEPING_BATCH_SIZE", 5000, minimum=1)

# Values that must never reach a log line, a metric or a JobRun row.
SECRET_VALUES = [
    value
    for value in (
        env.raw("SECRET_KEY"),
        DATABASES["default"].get("PASSWORD"),
    )
    if value
]
