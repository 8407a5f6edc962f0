"""Settings for the Cluster CRM: one module, read from the environment.

Local use needs no configuration at all (SQLite, DEBUG on, a throw-away
secret key). Production is switched on with ``DJANGO_ENV=production`` and
then refuses to start without a real ``SECRET_KEY``.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_rate(name: str, default: str) -> str | None:
    """A rate such as ``1200/minute``; ``off`` (or an empty value) for none."""
    value = os.environ.get(name, default).strip()
    return None if value.lower() in {"", "off", "none"} else value


PRODUCTION = os.environ.get("DJANGO_ENV", "development").strip().lower() == "production"

# Only ever used on a developer's machine: production refuses it below.
DEVELOPMENT_SECRET_KEY = "django-insecure-local-development-key-never-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else DEVELOPMENT_SECRET_KEY)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value (at least 32 characters) when DJANGO_ENV=production."
    )

DEBUG = env_bool("DEBUG", default=not PRODUCTION)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "django_countries",
    "django_filters",
    "django_htmx",
    "phonenumber_field",
    "django_otp",
    # django-otp's TOTP and backup-code plugins and django-rest-knox, under the names accounts.login_apps gives them in
    # the back office.
    "accounts.login_apps.AuthenticatorAppsConfig",
    "accounts.login_apps.BackupCodesConfig",
    "rest_framework",
    "accounts.login_apps.ApiTokensConfig",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    # The layers, lowest first (docs/architecture.md): the shared core, the domain apps, the features over them.
    "django_tasks",
    "django_tasks_db",
    "core",
    "jobs",
    "clusters",
    "contacts",
    "events",
    "agreements",
    "webhooks",
    "interactions",
    "accounts",
    "backoffice",
]
# Made-up data for trying the CRM at scale (`manage.py generate_demo`): never in production.
if not PRODUCTION:
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.RejectNulCharactersMiddleware",
    "core.middleware.LimitAdminSearchMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's, except that the API (/api/, which has no /en/ prefix) follows Accept-Language.
    "core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session confirmed a code of the user's authenticator app.
    "django_otp.middleware.OTPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.two_factor.TwoFactorRequiredMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "jobs.context_processors.active_jobs",
                "interactions.context_processors.follow_ups_due",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web requests and the worker write to the same file: WAL lets them read while another writes, writing
    # transactions take the lock when they begin (not halfway, where SQLite would have to give up), and a
    # writer waits up to 20 s for another's lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# AxesStandaloneBackend first: it refuses a locked-out username and address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("PASSWORD_MIN_LENGTH", "12"))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# French first: the staff are French-speaking; English is available.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# collectstatic's target; whitenoise serves it in production. In development the files are
# served from the apps and static/ directly, so there is no directory to warn about.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or (BASE_DIR / "staticfiles" if PRODUCTION else None)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files the site stores (default_storage). Never served as they are: they may hold personal data, and only views
# that check permissions hand them out. Several servers need a shared folder or a shared storage backend here.
MEDIA_ROOT = os.environ.get("MEDIA_ROOT") or (BASE_DIR / "media")
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# The client's address (accounts.login_protection.client_address), for failed logins and the API's throttling:
# REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT reverse proxies that each add the address they were reached from to
# X-Forwarded-For, the address the first of them added (django-ipware). Left at 0 without a proxy: a client could
# otherwise claim any address in the header.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Failed logins (django-axes, stored in the database so that every app server sees them): after
# AXES_FAILURE_LIMIT failures for one username from one address, that pair is refused for an hour,
# even with the right password; after AXES_ADDRESS_FAILURE_LIMIT failures from one address, whatever the
# usernames (password spraying), that address is. `manage.py axes_reset` lifts every lockout.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "30"))
if AXES_ADDRESS_FAILURE_LIMIT <= AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "AXES_ADDRESS_FAILURE_LIMIT must be higher than AXES_FAILURE_LIMIT: an address is shared by several users."
    )
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "accounts.login_protection.AddressLimitHandler"
AXES_CLIENT_IP_CALLABLE = "accounts.login_protection.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.login_protection.lockout_response"

# Two-factor authentication (django-otp): anyone may add an authenticator app (TOTP) to their account, and then
# gives its code after the password. Administrators (superusers and the Administrateur group) must have one when
# this is on: on by default in production, off in development so that `make run`'s demo login works with the
# password it prints.
TWO_FACTOR_REQUIRED_FOR_ADMINISTRATORS = env_bool("TWO_FACTOR_REQUIRED_FOR_ADMINISTRATORS", default=PRODUCTION)
OTP_TOTP_ISSUER = "Cluster CRM"
# The back office lists devices but never shows their secret keys, not even to a superuser.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Email (password reset links): written to the console in development, sent through an SMTP server in production.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")
# The address of the site as its users reach it, for the links of emails sent outside a request (the daily digest
# of follow-ups): SITE_URL, else the first host of ALLOWED_HOSTS over HTTPS.
SITE_URL = (
    os.environ.get("SITE_URL")
    or next((f"https://{host}" for host in ALLOWED_HOSTS if host not in ("*",) and not host.startswith(".")), "")
    if PRODUCTION
    else os.environ.get("SITE_URL", "http://127.0.0.1:8000")
).rstrip("/")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# A password reset link works for two hours (Django's default is three days).
PASSWORD_RESET_TIMEOUT = 2 * 60 * 60

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content security policy (django-csp), in every mode so that developers see a violation as soon as they write
# one: no inline script, no inline style, nothing from another site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Nothing is kept on an app server's disk: several servers share one PostgreSQL. In production the cache is a
# database table (`manage.py createcachetable`); it holds an admin import's file between its preview and its
# confirmation, whichever server answers the second request.
# core.cache's backends are Django's, able to delete the values that name a person whose data is erased.
CACHES = {
    "default": (
        {"BACKEND": "core.cache.DatabaseCache", "LOCATION": "crm_cache"}
        if PRODUCTION
        else {"BACKEND": "core.cache.LocMemCache"}
    )
}

# Phone numbers are stored in E.164; numbers written without a country code are French.
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_REGION = "FR"
PHONENUMBER_DEFAULT_FORMAT = "E164"

REST_FRAMEWORK = {
    # Tokens first: a request without credentials is then answered 401 with `WWW-Authenticate: Token`, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "accounts.api_auth.SessionAuthentication",
    ],
    # Per user (per address for a request without credentials); 429 with Retry-After beyond the rate.
    "DEFAULT_THROTTLE_CLASSES": ["accounts.api_auth.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env_rate("API_THROTTLE_RATE", "1200/minute")},
    # Reading needs the model's view permission too, not only a login (core.api.ModelPermissions).
    "DEFAULT_PERMISSION_CLASSES": ["core.api.ModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": ["core.api.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.PagePagination",
    # JSON bodies only, within bounds (size, nesting): core.api.BoundedJSONParser. No endpoint takes a file or a
    # form, and a schema offering three body types makes generated clients send multipart (docs/api.md).
    "DEFAULT_PARSER_CLASSES": ["core.api.BoundedJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "PAGE_SIZE": 50,
    # "format" names the export format, as on the pages; responses are negotiated from the Accept header.
    "URL_FORMAT_OVERRIDE": None,
    "EXCEPTION_HANDLER": "core.api_errors.exception_handler",
}

# API tokens (django-rest-knox): stored as SHA-512 digests, shown once when made; each expires (API_TOKEN_DAYS by
# default, `manage.py create_api_token --expires-in DAYS` otherwise) and is revoked by deleting it in the back office.
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=int(os.environ.get("API_TOKEN_DAYS", "90"))),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

# Membership periods stay "in grace" (their organisation still a member) this many days after they end.
MEMBERSHIP_GRACE_DAYS = int(os.environ.get("MEMBERSHIP_GRACE_DAYS", "30"))

# The job queue (jobs, docs/decisions/0034): django-tasks with its database backend, worked by `manage.py worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A running job reports its progress at most this often (seconds); each report is one UPDATE.
JOBS_PROGRESS_EVERY = float(os.environ.get("JOBS_PROGRESS_EVERY", "0.5"))
# A worker running a job shows it is alive this often (seconds)...
JOBS_HEARTBEAT = float(os.environ.get("JOBS_HEARTBEAT", "10"))
# ...and a job with no sign of life for this long is given to another worker (or failed after its attempts).
JOBS_STALLED_AFTER = float(os.environ.get("JOBS_STALLED_AFTER", "60"))
if JOBS_STALLED_AFTER < 3 * JOBS_HEARTBEAT:
    raise ImproperlyConfigured("JOBS_STALLED_AFTER must be at least three times JOBS_HEARTBEAT.")
# How many times a job is tried, and the pause before the second try (doubled before each later one), in seconds.
JOBS_MAX_ATTEMPTS = int(os.environ.get("JOBS_MAX_ATTEMPTS", "3"))
JOBS_RETRY_PAUSE = float(os.environ.get("JOBS_RETRY_PAUSE", "30"))
# How often each worker looks for periodic tasks due (seconds).
JOBS_SCHEDULER_INTERVAL = float(os.environ.get("JOBS_SCHEDULER_INTERVAL", "30"))
# The domain apps' periodic tasks, run by the job queue's scheduler beside its own (jobs.schedule.periodic_tasks):
# {dotted path of a django-tasks task: period in seconds}. The jobs app may not import the apps above it, so an app
# lists its task here rather than in jobs/schedule.py.
JOBS_PERIODIC_TASKS = {
    # Hourly; it sends each day's digests once, from FOLLOW_UP_DIGEST_HOUR.
    "interactions.tasks.send_follow_up_digests": 60 * 60,
}
# The daily digest of follow-ups due (interactions.digest) is sent from this hour (local time, TIME_ZONE).
FOLLOW_UP_DIGEST_HOUR = int(os.environ.get("FOLLOW_UP_DIGEST_HOUR", "7"))
# Webhooks (webhooks, docs/webhooks.md, docs/decisions/0040): how many times a delivery is tried, the pause
# before each retry (seconds, the last repeated), how long a receiver may take to answer (seconds), and whether an
# endpoint may be at a private or loopback address (a receiver on this machine, in tests and the benchmark).
WEBHOOKS_MAX_ATTEMPTS = int(os.environ.get("WEBHOOKS_MAX_ATTEMPTS", "6"))
WEBHOOKS_RETRY_PAUSES = [int(pause) for pause in env_list("WEBHOOKS_RETRY_PAUSES", "60,300,1800,7200,21600")]
WEBHOOKS_TIMEOUT = float(os.environ.get("WEBHOOKS_TIMEOUT", "5"))
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", default=False)
# A job's file (an export) is kept this many days, then deleted.
JOB_FILE_DAYS = int(os.environ.get("JOB_FILE_DAYS", "2"))
# Exports of up to this many people are answered at once (about 0.2 s at the benchmark's 10 000 rows/s); larger
# ones become a job, and the person follows it on its page until the file is ready.
EXPORT_DIRECT_MAX_ROWS = int(os.environ.get("EXPORT_DIRECT_MAX_ROWS", "2000"))
# A merge moves each row pointing at the record merged away, checking it for a twin (about 4 ms a row): beyond this
# many rows, the merge is a job.
MERGE_DIRECT_MAX_ROWS = int(os.environ.get("MERGE_DIRECT_MAX_ROWS", "200"))
# The retention review (/interactions/retention/) lists the people with nothing that kept them in this many years:
# no interaction, position, list entry, invitation or change (docs/privacy.md).
RETENTION_YEARS = int(os.environ.get("RETENTION_YEARS", "3"))

# Spreadsheet imports (core.tables.TableLimits): what a file may hold, checked as it is read and refused beyond.
# The admin's import (preview, then confirmation) runs in web requests that must end well within gunicorn's
# 30 s timeout: each of them took 7-9 s for 500 rows, 17-21 s for 1 000, on a busy 2-CPU machine
# (docs/benchmarks.md, "Hostile files"). The command line (and, later, background jobs) may read larger files,
# still bounded. An XLSX file is also bounded once unzipped: its parts together as they are inflated, and the
# text of its cells.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(2 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "500"))
IMPORT_MAX_UNZIPPED_BYTES = int(os.environ.get("IMPORT_MAX_UNZIPPED_BYTES", str(16 * 1024 * 1024)))
IMPORT_BATCH_MAX_BYTES = int(os.environ.get("IMPORT_BATCH_MAX_BYTES", str(64 * 1024 * 1024)))
IMPORT_BATCH_MAX_ROWS = int(os.environ.get("IMPORT_BATCH_MAX_ROWS", "100000"))
IMPORT_BATCH_MAX_UNZIPPED_BYTES = int(os.environ.get("IMPORT_BATCH_MAX_UNZIPPED_BYTES", str(128 * 1024 * 1024)))
IMPORT_MAX_COLUMNS = int(os.environ.get("IMPORT_MAX_COLUMNS", "100"))
IMPORT_MAX_CELL_CHARACTERS = int(os.environ.get("IMPORT_MAX_CELL_CHARACTERS", "10000"))

# An uploaded file waits this long for its import to be confirmed (jobs.imports), then it is deleted.
IMPORT_UPLOAD_HOURS = int(os.environ.get("IMPORT_UPLOAD_HOURS", "24"))

# Emails uploaded as .eml files (interactions.emails): the largest file read and how many files one upload takes.
# An email sent from one of our domains (or from a user's address) is logged as outbound, any other as inbound.
EMAIL_IMPORT_MAX_BYTES = int(os.environ.get("EMAIL_IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
EMAIL_IMPORT_MAX_FILES = int(os.environ.get("EMAIL_IMPORT_MAX_FILES", "20"))
EMAIL_IMPORT_OUR_DOMAINS = env_list("EMAIL_IMPORT_OUR_DOMAINS", "")

# Spreadsheet imports (core.imports): one transaction per import.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# Histories of records (core.history): the reason of a change (a merge, a restoration) can be a long sentence.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# django-import-export's own admin import is no longer used (imports run on the job queue, their files in the
# storage: jobs.imports); were it used again, its upload would wait in the cache, not in a local folder.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"

SPECTACULAR_SETTINGS = {
    "TITLE": "Cluster CRM API",
    # Replaced, in the language of the request, by core.api_schema.describe_api.
    "DESCRIPTION": "Organisations, people, agreements and press releases of the Cluster CRM.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No "valid" badge: it is an image from swagger.io, which the content security policy refuses (and it would
    # send the schema's address to another site).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    # The docstrings of our base classes (ModelRulesSerializer, RecordViewSet) say how they work inside, not what
    # a resource is: they do not describe the resources built on them.
    "GET_LIB_DOC_EXCLUDES": "core.api_schema.base_classes_left_undocumented",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api_errors.add_error_responses",
        "core.api_schema.describe_api",
        "core.api_schema.describe_path_parameters",
        "core.api_schema.document_versions",
    ],
    # Several models have a "kind" or a "status": each choice set gets its own, readable name.
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "clusters.models.Organisation.Kind",
        "SiteKindEnum": "clusters.models.Site.Kind",
        "RelationKindEnum": "clusters.models.OrganisationRelation.Kind",
        "MembershipStatusEnum": "clusters.models.Membership.Status",
        "ContactPointKindEnum": "contacts.models.ContactPoint.Kind",
        "AgreementKindEnum": "agreements.models.Agreement.Kind",
        "AgreementStatusEnum": "agreements.models.Agreement.Status",
    },
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
