"""Peership settings, read from the environment (see the README's table).

With no variable set, the project runs on the embedded default: an SQLite file,
Celery tasks run in-process, email printed to the console.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (got {value!r}).")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_seconds(name: str, default: int) -> timedelta:
    value = os.environ.get(name) or str(default)
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1
    if not seconds >= 0:
        raise ImproperlyConfigured(f"{name} must be a number of seconds (got {value!r}).")
    return timedelta(seconds=seconds)


def mailer_from_url(url: str) -> dict:
    """Translate EMAIL_URL (smtp://user:pass@host:port, smtp+tls://, smtp+ssl://,
    console://, locmem://) into a Django 6.1 MAILERS entry."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme not in {"smtp", "smtp+tls", "smtp+ssl"}:
        raise ImproperlyConfigured(
            f"EMAIL_URL scheme {scheme!r} is not supported: use smtp://, smtp+tls://, "
            "smtp+ssl://, console:// or locmem://."
        )
    query = parse_qs(parts.query)
    options: dict = {
        "host": parts.hostname or "localhost",
        "port": parts.port or (465 if scheme == "smtp+ssl" else 587 if scheme == "smtp+tls" else 25),
        "use_tls": scheme == "smtp+tls",
        "use_ssl": scheme == "smtp+ssl",
        "timeout": int(query.get("timeout", ["10"])[0]),
    }
    if parts.username:
        options["username"] = unquote(parts.username)
        options["password"] = unquote(parts.password or "")
    return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "django-insecure-local-development-only"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set (at least 50 random characters) when DJANGO_DEBUG=0. "
            'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(64))"'
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG=0 "
            "(a comma-separated list of the host names this site answers to)."
        )

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_countries",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "exchange",
    "accounts",
    "notifications",
    "businesses",
    "internships",
    "feedback",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
]

ROOT_URLCONF = "exchange.urls"
WSGI_APPLICATION = "exchange.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "businesses.context_processors.current_business",
            ],
        },
    },
    # The long lists of the busiest pages, included with {% jinja %} (exchange/jinja2.py).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "exchange.jinja2.environment"},
    },
]

# Databases. PostgreSQL in production (DATABASE_URL); an SQLite file by default.
# Persistent connections with health checks: a database restart costs one failed
# check, not a broken web process.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# QuerySet.iterator() without a server-side cursor: Django reads every model choice field's options with
# it, which on PostgreSQL is three round trips (DECLARE, FETCH, CLOSE) for a dozen rows; the project
# streams no large result with it. (It also suits a transaction-pooling connection pooler.)
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Two indexes carry extra columns for PostgreSQL's index-only scans (matching runs); SQLite ignores
# those columns and keeps the index on its key, as intended: its warning says just that.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Redis: Celery's broker and the cache. Without it, tasks run in-process.
# A healthy Redis answers in a millisecond: one that does not answer within a second is treated as
# down, so that pages keep coming while it is (see exchange/cache.py and the broker options below).
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_TIMEOUT = 1
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "exchange.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# Separate deployments (or test runs) sharing one Redis use separate queues.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "celery")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# A killed worker's task is redelivered: tasks are acknowledged after they run,
# so every task must be idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Redis redelivers an unacknowledged task after this many seconds: keep it above
    # the longest task and any retry countdown, or a task runs twice.
    "visibility_timeout": 3600,
    # Without them, a publish to a Redis that hangs (rather than refuses) waits forever.
    "socket_timeout": REDIS_TIMEOUT,
    "socket_connect_timeout": REDIS_TIMEOUT,
}
# One immediate retry (a connection dropped since its last use), not Celery's default of three
# spaced out: a request waits on it, and the outbox's relay queues again what was not handed over.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"

# Email (Django 6.1 MAILERS). Every message goes through notifications/.
MAILERS = {"default": mailer_from_url(os.environ.get("EMAIL_URL", "console://"))}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Peership <no-reply@peership.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The outbox relay (notifications/services.py) queues again a row whose task was lost after
# REQUEUE_AFTER, and releases a row claimed by a worker that died after RELEASE_CLAIM_AFTER (keep it
# above CELERY_TASK_TIME_LIMIT, or a slow send is sent twice); a failed send is retried after
# FIRST_RETRY, then twice as long each time. Only the fault tests shorten them.
NOTIFICATIONS_REQUEUE_AFTER = env_seconds("NOTIFICATIONS_REQUEUE_AFTER_SECONDS", 5 * 60)
NOTIFICATIONS_RELEASE_CLAIM_AFTER = env_seconds("NOTIFICATIONS_RELEASE_CLAIM_AFTER_SECONDS", 15 * 60)
NOTIFICATIONS_FIRST_RETRY = env_seconds("NOTIFICATIONS_FIRST_RETRY_SECONDS", 30)

# Accounts: email is the login; django-allauth does signup, login and recovery.
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
# Never reveal whether an address has an account: password reset and signup with
# a known address both answer as if all went well and email the address's owner.
ACCOUNT_PREVENT_ENUMERATION = True
# ACCOUNT_RATE_LIMITS is left unset on purpose: allauth's default limits (login
# failures, signup, password reset, confirmation emails) are then on.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Tell people when their password or address changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"

# Two-factor authentication (allauth.mfa): an authenticator app (TOTP) backed by recovery codes.
# Anyone may turn it on at /accounts/2fa/; moderators and staff must
# (accounts.middleware.SecondFactorMiddleware) and cannot turn it off (accounts.adapter.MFAAdapter).
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Peership"
# Also accept the code of the 30-second step before or after: a phone clock slightly off, or a code
# typed as it rolls over, still works. Each code is accepted once (allauth remembers it in the cache).
MFA_TOTP_TOLERANCE = 1

# Sessions last two weeks from sign-in (less if "Remember me" was left unticked: until the browser
# closes); a moderator's or staff member's ends 12 hours after sign-in (accounts.middleware).
SESSION_COOKIE_AGE = 14 * 24 * 60 * 60
SESSION_ENGINE = "exchange.sessions"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Django's renderer with <select>s written in Python: the same markup, several times faster.
FORM_RENDERER = "exchange.form_renderer.FormRenderer"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
# English only: without the translation machinery (a lookup per label, date and message) pages render faster.
USE_I18N = False
USE_TZ = True

# Static files: ours in static/, Bootstrap from the pinned npm package.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Security headers. The Content Security Policy is on everywhere (also in
# development) so that an inline script or style fails early, not in production.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
