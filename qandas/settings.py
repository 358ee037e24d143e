"""Qandas settings: one module, read from the environment.

Variables (see README): SECRET_KEY, DEBUG, ALLOWED_HOSTS, DATABASE_URL, HTTPS,
EMAIL_* and DEFAULT_FROM_EMAIL. Any of them can instead be read from a file named
by NAME_FILE. With DEBUG off the server refuses to start without SECRET_KEY.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from qandas.lib.env import env, env_bool, env_list

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", False)
# HTTPS governs redirects, secure cookies and HSTS. Production always has it; the
# development server and the test suite's live server speak plain HTTP on loopback.
HTTPS = env_bool("HTTPS", not DEBUG)

SECRET_KEY = env("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is False."
        )
    SECRET_KEY = "development-only-key-never-used-in-production"  # noqa: S105
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "qandas.accounts",
    "qandas.audit",
    "qandas.people",
    "qandas.documents",
    "qandas.incidents",
    "qandas.applications",
    "qandas.correspondence",
    "qandas.matching",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "qandas.lib.middleware.BadInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "qandas.lib.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "qandas.accounts.middleware.SecondFactorMiddleware",
    "qandas.accounts.middleware.SessionLifetimeMiddleware",
    "qandas.accounts.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "qandas.lib.middleware.NoStoreMiddleware",
    "qandas.lib.middleware.ApiErrorMiddleware",
    "qandas.lib.middleware.RefusalAuditMiddleware",
    # django-axes asks to be last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qandas.urls"
WSGI_APPLICATION = "qandas.wsgi.application"

# Every form field autocomplete="off": nothing typed is remembered by the browser (R13).
FORM_RENDERER = "qandas.lib.renderer.Unremembered"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qandas.accounts.context_processors.navigation",
            ],
        },
    }
]

# Database: SQLite in the checkout by default, PostgreSQL through DATABASE_URL.
DATABASE_URL = env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
_database = dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
if _database["ENGINE"] == "django.db.backends.sqlite3":
    name = Path(str(_database["NAME"]))
    if not name.is_absolute():
        name = BASE_DIR / name
    name.parent.mkdir(parents=True, exist_ok=True)
    _database["NAME"] = str(name)
    _database["CONN_MAX_AGE"] = 0
    # A record of legal record: every commit reaches the disk before we say "saved".
    _database["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 5,
    }
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Accounts and authentication.
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "qandas.accounts.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout: five failures for one (username, address) pair lock it for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "qandas.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# A lock ends 15 minutes after it began, whatever an attacker keeps sending.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ADMIN = False
# The same address the audit trail records (behind a proxy, the proxy sets REMOTE_ADDR).
AXES_CLIENT_IP_CALLABLE = "qandas.audit.record.client_ip"

OTP_TOTP_ISSUER = "Qandas"

# Sessions: 30 minutes idle, 8 hours at most (SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = 30 * 60
# Messages ("Line 2 is NAME.") kept in the session, on the server: in a cookie they sat
# readable (signed, not encrypted) in the browser's cookie store (R13).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_LIFETIME = 8 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_FAILURE_VIEW = "qandas.lib.views.csrf_failure"

# Transport and headers.
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Not "no-referrer": with it Chromium sends "Origin: null" on form posts, which
# Django's CSRF check must refuse. "same-origin" still sends nothing to other sites.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

# Languages: Urdu and Persian are written right to left.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ru", _("Russian")),
    ("kk", _("Kazakh")),
    ("ur", _("Urdu")),
    ("fa", _("Persian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Karachi"

# Static files, served by WhiteNoise straight from the app and project folders (a
# handful of files: no collectstatic step to forget). STATIC_ROOT only for those
# who want collectstatic for a separate web server.
STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT") or None
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True

# Mail: the owner of a locked account is told by email.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost") or "localhost"
EMAIL_PORT = int(env("EMAIL_PORT", "25") or "25")
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "") or ""
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "qandas@localhost") or "qandas@localhost"

# No query string is logged (qandas.lib.logs): a search's holds the name searched for.
# The filter sits on the loggers that write request lines and paths, so every handler,
# Django's own for the development server included, gets the records without it.
# Configuring a logger replaces its handlers: the development server's are Django's own
# (django.utils.log.DEFAULT_LOGGING), given again here.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_query": {"()": "qandas.lib.logs.DropQueryStrings"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {
            "level": "INFO",
            "class": "logging.StreamHandler",
            "formatter": "django.server",
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["no_query"],
        },
        "django.request": {"filters": ["no_query"]},
        # Django's own console handler (DEBUG only) wrote each of its records a second
        # time beside the root's: the root's alone writes them.
        "django": {"handlers": []},
    },
}

# Uploaded files (scans, photos) live outside the web root and are served only
# through permission-checked, audited views.
PRIVATE_FILES_DIR = Path(env("PRIVATE_FILES_DIR") or VAR_DIR / "private")
UPLOAD_MAX_BYTES = 15 * 1024 * 1024
# A request's body past this is refused before it is read (lib.middleware.BadInputMiddleware).
REQUEST_MAX_BYTES = 2 * UPLOAD_MAX_BYTES
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Large uploads are spooled to disk before they are checked: keep them beside the
# private files, not in the system's shared temporary folder.
FILE_UPLOAD_TEMP_DIR = str(PRIVATE_FILES_DIR / "incoming")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# API tokens expire unless renewed.
API_TOKEN_LIFETIME = timedelta(days=90)

# Background work (django-tasks): an uploaded list is matched against the registry by
# `manage.py db_worker`, which bin/run starts, from tasks stored in the database.
# TASKS_IMMEDIATE=True runs each task at once, in the process that asks for it (the
# test suite does; so may a setup that runs no worker, at the cost of slow uploads).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env_bool("TASKS_IMMEDIATE", False)
            else "django_tasks_db.DatabaseBackend"
        )
    }
}
