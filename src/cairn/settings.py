"""Django settings for Cairn.

All state of an instance (database, evidence files, keys) lives under one data directory,
``CAIRN_DATA_DIR`` (default ``var/`` in the project root). SQLite in WAL mode unless
``DATABASE_URL`` names another database. DEBUG is off unless asked for.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

from cairn.env import ConfigurationError, env_bool, env_choice, env_int, env_list, env_str
from cairn.importers.dkim_dns import parse_nameservers
from cairn.web.proxies import parse_trusted_proxies

PROJECT_DIR = Path(__file__).resolve().parents[2]
PACKAGE_DIR = Path(__file__).resolve().parent

# Everything Cairn makes is its user's alone: folders 0700, files 0600 (the database and its
# journal, keys, evidence, static files, temporary files, packs), whatever the login's umask.
os.umask(0o077)
DATA_DIR = Path(env_str("CAIRN_DATA_DIR", str(PROJECT_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
# A data dir an older Cairn made readable by others is closed (what is inside goes with it).
if DATA_DIR.stat().st_uid == os.geteuid() and DATA_DIR.stat().st_mode & 0o077:
    DATA_DIR.chmod(0o700)
# Django's file storages chmod what they save (collectstatic included) to these.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

DEBUG = env_bool("CAIRN_DEBUG", False)
# A production instance refuses demo data and insists on HTTPS settings being considered.
PRODUCTION = env_bool("CAIRN_PRODUCTION", False)


def _secret_key() -> str:
    """The instance's secret key: from the environment, else a file in the data dir made once.

    Never a default baked into the code (a known key forges sessions).
    """
    try:
        return env_str("CAIRN_SECRET_KEY")
    except ConfigurationError:
        pass
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("CAIRN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CAIRN_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "cairn.jobs",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "cairn.accounts",
    "cairn.audit",
    "cairn.store",
    "cairn.ledger",
    "cairn.vault",
    "cairn.importers",
    "cairn.analysis",
    "cairn.packs",
    "cairn.cases",
    "cairn.orders",
    "cairn.breaches",
    "cairn.flags",
    "cairn.dashboard",
    "cairn.checks",
    "cairn.integrity",
    "cairn.cameras",
    "cairn.api",
    "cairn.web",
]

MIDDLEWARE = [
    # First: the client's address and scheme, believed only from CAIRN_TRUSTED_PROXIES.
    "cairn.web.middleware.TrustedProxyMiddleware",
    "cairn.web.request_log.RequestLogMiddleware",  # a request id and one line per request
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cairn.accounts.middleware.TwoFactorRequiredMiddleware",
    "cairn.accounts.middleware.SessionRecordMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cairn.web.middleware.SafetyHeadersMiddleware",
    # Inside the safety headers, so the page it makes gets them too.
    "cairn.web.middleware.NotAllowedPageMiddleware",
    # Last, as django-axes asks: it turns a flagged failed sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cairn.urls"
WSGI_APPLICATION = "cairn.wsgi.application"

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
                "cairn.web.context_processors.cairn",
                "cairn.accounts.context_processors.role",
            ],
        },
    }
]

_database_url = env_str("DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    # No server-side cursors for .iterator(): a reader that stops early (a destroyed key, a
    # closed pipe) would otherwise leave a named cursor for the garbage collector to close
    # later, inside whatever transaction is open then. They also break behind a transaction-
    # pooling proxy such as PgBouncer.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "cairn.sqlite3",
            # WAL lets readers carry on while one writer commits; IMMEDIATE takes the write
            # lock at BEGIN, so two writers queue instead of failing with "database is locked".
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
            "TEST": {"NAME": env_str("CAIRN_TEST_SQLITE", "") or None},
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "vault:home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

# Sign-in throttling (django-axes; docs/adr/0014-two-factor-for-organisation-roles.md): after
# 5 failures for one username from one address, that pair is locked out for 15 minutes. The
# backend must come first: it refuses a locked-out pair before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = True
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cairn.accounts.throttling.lockout_response"
# Successful sign-ins are not logged with their address and browser: a table of where a
# victim signs in from is itself a risk to her. Failed attempts are kept until they expire.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# The address counted is the client's as TrustedProxyMiddleware resolved it (below).
AXES_CLIENT_IP_CALLABLE = "cairn.accounts.throttling.client_address"

# Reverse proxies (cairn/web/proxies.py, ADR 0036): empty (none: forwarded headers are
# dropped), a hop count, or the proxies' addresses and networks. Only requests from them are
# believed about the client's address (the lockout) and scheme (the HTTPS redirect).
try:
    CAIRN_TRUSTED_PROXIES = parse_trusted_proxies(env_str("CAIRN_TRUSTED_PROXIES", ""))
except ValueError as exc:
    raise ConfigurationError(f"CAIRN_TRUSTED_PROXIES: {exc}") from None
if env_str("CAIRN_TRUSTED_PROXY_COUNT", ""):
    raise ConfigurationError(
        "CAIRN_TRUSTED_PROXY_COUNT is replaced by CAIRN_TRUSTED_PROXIES "
        "(a hop count, or the proxies' addresses)"
    )
if CAIRN_TRUSTED_PROXIES.configured:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Two-factor sign-in (TOTP, django-otp) for everyone with an organisation role; the name an
# authenticator app shows beside the code.
OTP_TOTP_ISSUER = env_str("CAIRN_TOTP_ISSUER", "Cairn")
# django-otp's own delay after the first wrong code is off: Cairn allows five wrong codes in a
# row, then waits (cairn.accounts.two_factor.wait_until).
OTP_TOTP_THROTTLE_FACTOR = 0

# How victims join (docs/adr/0030-victims-own-accounts.md): "open" (anyone may create an
# account at /account/sign-up/), "invite" (with a one-time code from an advocate or officer;
# the default on a production instance) or "closed" (the operator makes accounts; the local
# default). Sign-ups from one address are limited to CAIRN_SIGN_UP_PER_HOUR an hour.
CAIRN_SIGN_UP = env_choice(
    "CAIRN_SIGN_UP", ("open", "invite", "closed"), "invite" if PRODUCTION else "closed"
)
CAIRN_SIGN_UP_PER_HOUR = env_int("CAIRN_SIGN_UP_PER_HOUR", 5)
# Optional: a MaxMind-format database (GeoLite2 City or Country) that turns a sign-in's
# address into an approximate place on /account/sessions/. Without it the page says the
# instance cannot tell. The address itself is never stored.
CAIRN_GEOIP_DATABASE = env_str("CAIRN_GEOIP_DATABASE", "")

# E-mail is sent only for a victim who added and confirmed a recovery address, and only when
# the instance has a mail server (CAIRN_EMAIL_HOST). Nothing else ever e-mails anyone.
EMAIL_HOST = env_str("CAIRN_EMAIL_HOST", "")
EMAIL_PORT = env_int("CAIRN_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("CAIRN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("CAIRN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("CAIRN_EMAIL_TLS", True)
DEFAULT_FROM_EMAIL = env_str("CAIRN_EMAIL_FROM", "no-reply@localhost")
CAIRN_MAIL_CONFIGURED = bool(EMAIL_HOST)

# Sessions live in the database under a keyed hash of their key, never the key itself, so a
# copy of the database signs nobody in (cairn/accounts/session_store.py, ADR 0035).
SESSION_ENGINE = "cairn.accounts.session_store"
# Sessions end after inactivity: a phone left unlocked on a table should not stay signed in.
SESSION_COOKIE_AGE = env_int("CAIRN_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# A form kept open too long (or posted from elsewhere) gets the service's 403 page.
CSRF_FAILURE_VIEW = "cairn.web.views.csrf_failure"

SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin": our own POSTs keep their Origin (Django's CSRF check needs it); other sites
# receive no referrer, so no Cairn URL ever leaks to a linked site.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
_https = env_bool("CAIRN_HTTPS", PRODUCTION)  # a production instance is served over HTTPS
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https
SECURE_HSTS_SECONDS = 31536000 if _https else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_HSTS_PRELOAD = _https
# Health checks come from the load balancer over plain HTTP, inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [("govuk", PROJECT_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk")]
WHITENOISE_USE_FINDERS = DEBUG

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Evidence files. Uploads above this size are refused with a clear message. They live in
# CAIRN_EVIDENCE_DIR unless CAIRN_STORAGE_URL names S3-compatible object storage
# (s3://BUCKET[/PREFIX]?endpoint=URL&region=R; cairn/store/s3backend.py), encrypted alike.
CAIRN_EVIDENCE_DIR = DATA_DIR / "evidence"
CAIRN_STORAGE_URL = env_str("CAIRN_STORAGE_URL", "")
CAIRN_STORAGE_ACCESS_KEY = env_str("CAIRN_STORAGE_ACCESS_KEY", "")
CAIRN_STORAGE_SECRET_KEY = env_str("CAIRN_STORAGE_SECRET_KEY", "")
CAIRN_MAX_UPLOAD_BYTES = env_int("CAIRN_MAX_UPLOAD_BYTES", 2 * 1024 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The most text a form may carry (files are apart): room for a long pasted description,
# which its form then limits with a message that keeps the text. Beyond this, a page says
# the limit and shows back what it could read (cairn.web.views.too_large).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Keys live in their own folder, apart from the database and the evidence files, so that the
# two can be copied, backed up or placed separately (docs/security.md).
CAIRN_KEYS_DIR = Path(env_str("CAIRN_KEYS_DIR", str(DATA_DIR / "keys"))).resolve()
# The instance's Ed25519 key, which signs tree heads; made on first use.
CAIRN_SIGNING_KEY_FILE = env_str(
    "CAIRN_SIGNING_KEY_FILE", str(CAIRN_KEYS_DIR / "signing-ed25519.pem")
)
# The key-encryption key: 32 bytes in base64 (CAIRN_KEK, or a file named by CAIRN_KEK_FILE), or
# a passphrase stretched with Argon2id; with neither, a random KEK is made in CAIRN_KEYS_DIR.
CAIRN_KEK = env_str("CAIRN_KEK", "")
CAIRN_PASSPHRASE = env_str("CAIRN_PASSPHRASE", "")
# The backup keyring (cairn/store/keyring.py, docs/operations.md): a file outside the data
# directory with one key per vault that backups seal the vault keys under; destroying a
# vault deletes its key there, so no backup can bring the vault back.
CAIRN_BACKUP_KEYRING = env_str("CAIRN_BACKUP_KEYRING", "")
# An RFC 3161 time-stamping authority that countersigns tree heads (optional), and the PEM
# certificates that verify its tokens: its own certificate and the CA chain.
CAIRN_TSA_URL = env_str("CAIRN_TSA_URL", "")
CAIRN_TSA_CERT_FILE = env_str("CAIRN_TSA_CERT_FILE", "")
CAIRN_TSA_CA_FILE = env_str("CAIRN_TSA_CA_FILE", "")

# DKIM keys of imported e-mail are looked up in DNS (and archived on the batch) unless this is
# off; CAIRN_DNS_SERVERS names the resolvers to ask ("host" or "host:port", IP addresses),
# else the system's. The queries go from this server, never the victim's device, but the
# domain's owner could see them (docs/security.md).
CAIRN_DKIM_LOOKUP = env_bool("CAIRN_DKIM_LOOKUP", True)
CAIRN_DNS_SERVERS = env_list("CAIRN_DNS_SERVERS", [])
try:
    parse_nameservers(CAIRN_DNS_SERVERS)
except ValueError as exc:
    raise ConfigurationError(f"CAIRN_DNS_SERVERS: {exc}") from None

# Background work (large imports). `cairn serve` switches to the database backend and starts
# a worker process beside the web server; a hosted instance sets
# CAIRN_TASKS_BACKEND=django_tasks_db.DatabaseBackend and runs `python -m django db_worker`
# processes. Left unset (tests, management commands) tasks run at once, in the caller
# (docs/adr/0008-background-imports.md).
TASKS = {
    "default": {
        "BACKEND": env_str(
            "CAIRN_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# The neutral page "Exit this page" leaves for.
CAIRN_EXIT_URL = env_str("CAIRN_EXIT_URL", "https://www.bbc.co.uk/weather")
# The one title every page a victim sees carries in her tabs and history (DESIGN.md invariant
# 11): it names no activity. Officers' pages add what the page is to it.
CAIRN_PAGE_TITLE = env_str("CAIRN_PAGE_TITLE", "Cairn").strip()
if not CAIRN_PAGE_TITLE or len(CAIRN_PAGE_TITLE) > 60:
    raise ConfigurationError("CAIRN_PAGE_TITLE: give a plain title of 1 to 60 characters")

# Folders of risk questionnaire definitions (YAML, cairn/analysis/questionnaire.py) that a
# deployment holds a licence for, offered beside Cairn's own form on a case's risk pages.
CAIRN_RISK_FORM_DIRS = env_list("CAIRN_RISK_FORM_DIRS", [])

# Logs carry no vault content (DESIGN.md invariant 5): request lines only (method, path of ids,
# status, time, request id: cairn/web/request_log.py), never bodies, query strings or titles.
# CAIRN_LOG_FORMAT=json (the default in production) writes one JSON object per record.
_log_format = env_choice("CAIRN_LOG_FORMAT", ("text", "json"), "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "cairn.web.request_log.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": _log_format,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("CAIRN_LOG_LEVEL", "WARNING")},
    "loggers": {
        # One line per request (CAIRN_REQUEST_LOG, on by default in production).
        "cairn.request": {
            "level": "INFO" if env_bool("CAIRN_REQUEST_LOG", PRODUCTION) else "WARNING"
        },
        # Django's request logger includes the path on 4xx/5xx; our URLs hold only ids.
        "django.request": {"level": "ERROR"},
        # django-axes would log each failed sign-in's username and address; its own table
        # (AccessAttempt) is the record, kept only until the lockout expires.
        "axes": {"level": "ERROR"},
    },
}
