"""Settings for Réemploi.

Everything comes from the environment. With no variable set, the project runs
embedded: a SQLite file beside manage.py and Celery tasks executed inline, so a
newcomer needs nothing but Python. Production overrides live in settings_prod.py.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

# The embedded default key is only for the demo; settings_prod.py refuses it.
SECRET_KEY = env.str("SECRET_KEY", default="insecure-demo-key-do-not-use-in-production")
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
# Public address of the site, used in QR codes and e-mails (no trailing slash).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "simple_history",
    "django_celery_beat",
    "import_export",
    # The locked doors (accounts/): login throttling, the second factor, the CSP header.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "accounts",
    "inventory",
    "lending",
    "labels",
    "exchange",
    "reports",
    "sales",
    "public",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "accounts.csp.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.IgnoreBrowserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.sessions.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "accounts.twofactor.SecondFactorRequiredMiddleware",
    # Last, so that it turns the lockout of a login attempt into the login page.
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
                "django.template.context_processors.i18n",
                "accounts.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of
    # failing with "database is locked" when a read upgrades to a write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # The reports' covering indexes (INCLUDE columns) are for PostgreSQL at a network's
    # size; SQLite builds them without those columns, which is all it needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # The few statements run through a server-binding cursor (the scan's card, see
    # inventory/scan/card.py) are prepared on their first use on a connection: planning
    # that query cost more than running it. Django's own cursors bind on the client and
    # are never prepared, whatever this says. Behind a pooler in transaction mode that
    # cannot keep prepared statements (PgBouncer before 1.21, or without
    # max_prepared_statements), set DATABASE_PREPARED_STATEMENTS=false.
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes first: it refuses an attempt on a locked account or address before the
# password is even checked (and needs the request, which Django's login view passes).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend reading roles and permissions in one query per request.
    "accounts.backends.RolesAndPermissionsBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve static files straight from the apps' folders unless collectstatic was run
# (production turns this off and serves the hashed, compressed copies).
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# The public pages (a label's QR code, a certificate's check): at most this many views
# per client address per window ("60/10m": 60 in 10 minutes); see inventory/ratelimit.py.
PUBLIC_PAGE_RATE = env.str("PUBLIC_PAGE_RATE", default="60/10m")
# Reverse proxies (addresses or networks such as 172.16.0.0/12) whose X-Forwarded-For
# header names the client; empty: the client is whoever connects to Django.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# Login throttling (django-axes, accounts/lockout.py). After LOGIN_FAILURE_LIMIT failed
# logins for one account, or from one client address, further attempts are refused, even
# with the right password, for LOGIN_LOCKOUT_MINUTES (a superuser can lift it sooner in
# the admin's "Access attempts", or with `manage.py axes_reset`).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
AXES_COOLOFF_TIME = "accounts.lockout.cool_off"
# Either parameter alone locks: the account (an attack from many addresses), or the
# address (one address trying many accounts).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# The client address as the public pages' rate limit sees it (TRUSTED_PROXIES).
AXES_CLIENT_IP_CALLABLE = "config.clients.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# Not reset on a success: a success with one account must not wipe the failures counted
# against its address.
AXES_RESET_ON_SUCCESS = False
# Failed attempts are counted in the database (shared by every web process); the log of
# successful logins is not kept (the access log of household files is another matter).
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# Sessions. A session cookie lasts SESSION_COOKIE_HOURS (Django's default is two weeks).
# People who see households' files (social workers, coordinators, superusers), often on
# a shared computer in a social centre, are also logged out after
# HOUSEHOLD_SESSION_IDLE_MINUTES without a request (accounts/sessions.py); technicians
# keep their session on the workshop's bench computer.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_HOURS", default=12) * 60 * 60
HOUSEHOLD_SESSION_IDLE_MINUTES = env.int("HOUSEHOLD_SESSION_IDLE_MINUTES", default=30)

# Second factor (TOTP, django-otp; accounts/twofactor.py): optional for superusers and
# coordinators, who enrol on "Account security"; the roles named here (any of
# "superuser", "coordinator") must enrol before they see anything else.
REQUIRE_2FA_FOR = env.list("REQUIRE_2FA_FOR", default=[])
OTP_TOTP_ISSUER = "Réemploi"

# Content-Security-Policy (django-csp 4): our own scripts, styles and images only, no
# inline script or style; data: and blob: images for QR codes and the camera's frames.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Celery: no broker configured means tasks run inline (eager), for the demo and tests.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "snapshot-stock-nightly": {
        "task": "inventory.tasks.snapshot_stock",
        "schedule": 60 * 60 * 24,
    },
    "rebuild-monthly-flows-nightly": {
        "task": "inventory.tasks.rebuild_monthly_flows",
        "schedule": 60 * 60 * 24,
    },
    "send-loan-reminders-daily": {
        "task": "lending.tasks.send_loan_reminders",
        "schedule": 60 * 60 * 24,
    },
    "delete-expired-label-files-hourly": {
        "task": "labels.tasks.delete_expired_label_files",
        "schedule": 60 * 60,
    },
    "delete-expired-imports-daily": {
        "task": "exchange.tasks.delete_expired_imports",
        "schedule": 60 * 60 * 24,
    },
    "fail-stalled-imports-every-minute": {
        "task": "exchange.tasks.fail_stalled_imports",
        "schedule": 60,
    },
    "anonymise-expired-households-nightly": {
        "task": "lending.tasks.anonymise_expired_households",
        "schedule": 60 * 60 * 24,
    },
    "forget-old-household-accesses-nightly": {
        "task": "lending.tasks.forget_old_household_accesses",
        "schedule": 60 * 60 * 24,
    },
}
# Label batches of more labels than this are built by a Celery task, with a progress bar.
LABEL_INLINE_LIMIT = env.int("LABEL_INLINE_LIMIT", default=200)
# A task's batch of more labels than this is cut into chunks of about this many labels
# (whole pages) that the Celery workers plan side by side (labels/chunks.py): 10,000
# labels take ~11 s of one process. The chunks need a result backend (Celery's chord).
LABEL_CHUNK_SIZE = env.int("LABEL_CHUNK_SIZE", default=1000)
# Label PDFs (and their batches) are deleted this many hours after they were asked for.
LABEL_FILE_RETENTION_HOURS = env.int("LABEL_FILE_RETENTION_HOURS", default=24)
# A label printer attached to this server (labels/autoprint.py): the command that prints
# a PDF from its standard input, e.g. "lp -d zebra", and the name of the stock it holds.
LABEL_PRINT_COMMAND = env.str("LABEL_PRINT_COMMAND", default="")
LABEL_PRINT_LAYOUT = env.str("LABEL_PRINT_LAYOUT", default="")

# Imports: their files and row reports are deleted this many days after the upload.
IMPORT_RETENTION_DAYS = env.int("IMPORT_RETENTION_DAYS", default=30)
# Files bigger than this are refused at upload (they are kept in the database).
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
# Checked before a file is parsed, at upload and again by the job (exchange/limits.py).
# Data rows of a file: 50,000 are previewed in about 10 s; more, and the file is to split.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=50_000)
# What an XLSX or ODS file (zip files) may unzip to, in MB, read from the zip's directory
# without unzipping: 50,000 rows of 11 columns are 32 MB of XLSX and 51 MB of ODS; a
# 400 KB ODS of repeated rows may unzip to gigabytes, and its reader would hold them.
IMPORT_MAX_UNCOMPRESSED_MB = env.int("IMPORT_MAX_UNCOMPRESSED_MB", default=100)
# Cells of the grid an XLSX or ODS reader builds (python-calamine, about 150 bytes each
# in memory): an ODS cell "repeated 16,000 times" on 1,000 rows is 16 million cells,
# 2.3 GB, from a 2 KB file. 2,000,000 cells: 50,000 rows of 40 columns, about 300 MB.
IMPORT_MAX_CELLS = env.int("IMPORT_MAX_CELLS", default=2_000_000)
# A job reading or writing a file records a heartbeat as it goes (each chunk of rows, or
# every few seconds); one silent for this many minutes has lost its worker and is shown
# as failed, on its page and by the periodic clean-up.
IMPORT_STALLED_AFTER_MINUTES = env.int("IMPORT_STALLED_AFTER_MINUTES", default=5)

# Loans: reminders this many days before the due date; SIM plans, before they end.
LOAN_REMINDER_DAYS = env.int("LOAN_REMINDER_DAYS", default=7)
SIM_REMINDER_DAYS = env.int("SIM_REMINDER_DAYS", default=30)
# Households: anonymised this many days after the last contact with them (no loan
# open). Default: two years, the CNIL's référentiel for social support (délibérations
# 2021-028 and 2023-095; docs/privacy.md).
HOUSEHOLD_RETENTION_DAYS = env.int("HOUSEHOLD_RETENTION_DAYS", default=2 * 365)
# Who opened which household file: entries deleted after this many days (the CNIL's
# recommendation on logging: six months to a year; docs/privacy.md).
ACCESS_LOG_RETENTION_DAYS = env.int("ACCESS_LOG_RETENTION_DAYS", default=365)
# Donors: the download link of a donation's erasure summary, e-mailed to the donor's
# contact, works without login for this many days.
DONOR_LINK_DAYS = env.int("DONOR_LINK_DAYS", default=60)
# Text messages to households: a class with send(phone, text). The default logs them;
# lending.sms.LocmemBackend keeps them in lending.sms.outbox (tests).
SMS_BACKEND = env.str("SMS_BACKEND", default="lending.sms.LogBackend")

# EMAIL_URL such as smtp+tls://user:password@smtp.example.org:587 (console by default).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="reemploi@localhost")

# Asset tags look like RE-000123: short, upper case, digits, one hyphen; every
# barcode scanner and keyboard layout types them.
ASSET_TAG_PREFIX = env.str("ASSET_TAG_PREFIX", default="RE")
ORGANISATION_NAME = env.str("ORGANISATION_NAME", default="Ressourcerie numérique solidaire")

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals": {"()": "config.logs.RefusalWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["refusals"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Django's own console handler (DEBUG only) printed every line a second time
        # beside the root's; its mail to ADMINS is not used (no ADMINS).
        "django": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
