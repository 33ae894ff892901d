"""Settings, all from the environment.

DATABASE_URL picks the database (a SQLite file under var/ by default), REDIS_URL turns on the
Celery broker and the shared cache; without it tasks run in-process (embedded mode).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("AFTERSALES_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me"
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

# Production mode (AFTERSALES_ENV=production) is the default as soon as ALLOWED_HOSTS names a host
# other than this machine's own names: such a site is reachable by others, so it refuses to start
# with the development key or DEBUG, and turns on the HTTPS-only settings below (each can still be
# turned off by its own variable, e.g. SECURE_SSL_REDIRECT=false on a trial without TLS).
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]", "testserver"}
PUBLIC_HOSTS = [host for host in ALLOWED_HOSTS if host not in LOCAL_HOSTS]
AFTERSALES_ENV = os.environ.get("AFTERSALES_ENV", "production" if PUBLIC_HOSTS else "development")
if AFTERSALES_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"AFTERSALES_ENV is {AFTERSALES_ENV!r}: set it to production or development.")
if AFTERSALES_ENV == "development" and PUBLIC_HOSTS:
    raise ImproperlyConfigured(
        f"ALLOWED_HOSTS names {', '.join(PUBLIC_HOSTS)}, which only production mode serves: "
        "unset AFTERSALES_ENV (or set it to production)."
    )
PRODUCTION = AFTERSALES_ENV == "production"
if PRODUCTION and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "Production mode needs a secret key of its own: set the SECRET_KEY environment variable to a "
        "long random string (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "DEBUG shows settings and tracebacks to anyone: set the DEBUG environment variable to false "
        f"in production mode (ALLOWED_HOSTS: {', '.join(ALLOWED_HOSTS)})."
    )

INSTALLED_APPS = [
    # Before django.contrib.auth: its `changepassword` command replaces Django's (it revokes the
    # user's API tokens); an earlier app's command of the same name wins.
    "aftersales.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "aftersales.core",
    "aftersales.notifications",
    "aftersales.customers",
    "aftersales.catalog",
    "aftersales.devices",
    "aftersales.workorders",
    "aftersales.field",
    "aftersales.sla",
    "aftersales.servicing",
    "aftersales.feedback",
    "aftersales.complaints",
    "aftersales.billing",
    "aftersales.parts",
    "aftersales.returns",
]

MIDDLEWARE = [
    "aftersales.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "aftersales.accounts.middleware.SessionTimeoutMiddleware",
    "aftersales.accounts.middleware.LoginLockoutMiddleware",
    "aftersales.core.middleware.ControlCharacterMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "aftersales.config.urls"
WSGI_APPLICATION = "aftersales.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'aftersales.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # Readable numbers are taken on a connection of their own, in autocommit (core.services:
    # number_next), so concurrent creates never wait for each other's counter row.
    DATABASES["numbers"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # A file, not memory, so the browser tests' live server reads it from its own threads; one
    # per process, so two test runs in the same checkout never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("SQLITE_TEST_NAME", str(VAR_DIR / f"test-{os.getpid()}.sqlite3"))
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Readable numbers (WO…, SV…) are taken outside the creating transaction on PostgreSQL, so creates
# never wait for each other (a rolled-back create leaves a gap; core.services.number_next).
NUMBERS_OUTSIDE_TRANSACTION = env_bool("NUMBERS_OUTSIDE_TRANSACTION", True)
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Every sign-in that passes the request to `authenticate` (the sign-in page, the admin's, the API
# token endpoint) is throttled per username and IP address: LOGIN_FAILURE_LIMIT failures within
# LOGIN_FAILURE_WINDOW_MINUTES lock that pair out for LOGIN_LOCKOUT_MINUTES (accounts.services_login).
AUTHENTICATION_BACKENDS = ["aftersales.accounts.backends.ThrottledModelBackend"]
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW_MINUTES = float(os.environ.get("LOGIN_FAILURE_WINDOW_MINUTES", "15"))
LOGIN_LOCKOUT_MINUTES = float(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
# Proxies in front that append the client's address to X-Forwarded-For (nginx: 1); with 0 the
# address is the connection's own.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# A signed-in browser session ends after this long without a request, and this long after signing
# in however active it is (accounts.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT_MINUTES = float(os.environ.get("SESSION_IDLE_TIMEOUT_MINUTES", "30"))
SESSION_ABSOLUTE_TIMEOUT_HOURS = float(os.environ.get("SESSION_ABSOLUTE_TIMEOUT_HOURS", "12"))
# The cookie (and the stored session, for `clearsessions`) lasts no longer than that.
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", PROJECT_DIR / "staticfiles"))
NODE_MODULES = PROJECT_DIR / "node_modules"
STATICFILES_DIRS = [
    PACKAGE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/signature_pad", NODE_MODULES / "signature_pad" / "dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never served directly: attachments go through a permission-checked view
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = ATTACHMENT_MAX_BYTES + 1024 * 1024

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Reference data kept in each process's memory (core/reference.py) is reloaded when it changes
# (a version in the cache above) and at the latest after this many seconds.
REFERENCE_CACHE_SECONDS = float(os.environ.get("REFERENCE_CACHE_SECONDS", "60"))

# R41: masked personal values one user may reveal (with a reason, logged) in any hour; beyond, 429.
PRIVACY_REVEALS_PER_HOUR = int(os.environ.get("PRIVACY_REVEALS_PER_HOUR", "30"))

# Hand a queued message to the job queue when the transaction commits: with a broker (REDIS_URL)
# that only publishes the job; in the embedded mode a request would deliver it itself, so there
# the job process's outbox flush (every OUTBOX_FLUSH_SECONDS) sends it instead.
OUTBOX_SEND_ON_COMMIT = env_bool("OUTBOX_SEND_ON_COMMIT", bool(REDIS_URL))
OUTBOX_FLUSH_SECONDS = float(os.environ.get("OUTBOX_FLUSH_SECONDS", "15"))
# R15, R21: the signed service form (PDF) of a sign-off is rendered by a job, never in the
# engineer's request: with a broker it is queued when the sign-off commits; in the embedded mode
# (where a queued job would run inside the request) the job process's periodic job renders it,
# every FIELD_SIGNED_FORM_SECONDS.
FIELD_SIGNED_FORM_ON_COMMIT = env_bool("FIELD_SIGNED_FORM_ON_COMMIT", bool(REDIS_URL))
FIELD_SIGNED_FORM_SECONDS = float(os.environ.get("FIELD_SIGNED_FORM_SECONDS", "10"))

# The day's map (/field/schedule/map/, Leaflet): the tile layer's URL template ({s}, {z}, {x}, {y});
# empty, no tiles: the positions on a plain background and no request leaves the site. The tiles'
# coordinate system: "wgs84" (what phones report and the database keeps; OpenStreetMap) or "gcj02"
# (Chinese providers such as AutoNavi: the page shifts the positions, the database never changes).
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
MAP_TILE_SUBDOMAINS = os.environ.get("MAP_TILE_SUBDOMAINS", "abc")
MAP_COORDINATES = os.environ.get("MAP_COORDINATES", "wgs84").strip().lower()


def map_tile_sources(template: str) -> list[str]:
    """The Content-Security-Policy source of the tiles' host: the labels holding a placeholder
    become `*` (`https://{s}.tile.openstreetmap.org/...` → `https://*.tile.openstreetmap.org`)."""
    if not template:
        return []
    scheme, _, rest = template.partition("://")
    host = rest.split("/", 1)[0]
    labels = host.split(".")
    if any("{" in label for label in labels):
        labels = ["*", *labels[max(i for i, label in enumerate(labels) if "{" in label) + 1 :]]
    return [f"{scheme}://{'.'.join(labels)}"]


if MAP_COORDINATES not in {"wgs84", "gcj02"}:
    raise ValueError(f"MAP_COORDINATES must be wgs84 or gcj02, not {MAP_COORDINATES!r}")

# R1, R34: how far back an agent may date the time a request was received (a voicemail or an e-mail
# left before the Spring Festival or National Day holidays, entered after them); the service-level
# clocks start from it, so an older date (a typing mistake) is refused.
WORKORDER_RECEIVED_BACKDATE_DAYS = int(os.environ.get("WORKORDER_RECEIVED_BACKDATE_DAYS", "14"))

# R29: days a service point has to report an old part to HQ after replacing it; past them the dealer
# is charged the part's out-of-warranty price (once).
PARTS_OLD_PART_REPORT_DAYS = int(os.environ.get("PARTS_OLD_PART_REPORT_DAYS", "7"))
# R31: the day of the month the warranty reimbursement claims of the previous month are built.
PARTS_CLAIM_DAY = int(os.environ.get("PARTS_CLAIM_DAY", "3"))
# R33: the default rules of returns and exchanges until HQ saves its own (returns.ReturnPolicy):
# a return within 7 days of purchase, an exchange within 15, proof of purchase required; customer
# service follows up within 3 days of the refund or the replacement's delivery.
RETURNS_RETURN_DAYS = int(os.environ.get("RETURNS_RETURN_DAYS", "7"))
RETURNS_EXCHANGE_DAYS = int(os.environ.get("RETURNS_EXCHANGE_DAYS", "15"))
RETURNS_PROOF_REQUIRED = env_bool("RETURNS_PROOF_REQUIRED", True)
RETURNS_FOLLOW_UP_DAYS = int(os.environ.get("RETURNS_FOLLOW_UP_DAYS", "3"))

# A list's count of its rows (exact up to 10,000) may take this long on PostgreSQL; past it the
# pager shows the planner's estimate instead (core.lists: a search for a common word).
COUNT_TIME_LIMIT_MS = int(os.environ.get("COUNT_TIME_LIMIT_MS", "100"))

# Search (core/search.py): the most frequent words of jieba's dictionary kept by the segmenter; the
# whole dictionary (349,046 words) would cost every process about 80 MB in jieba, these about 1 MB.
SEARCH_DICTIONARY_WORDS = int(os.environ.get("SEARCH_DICTIONARY_WORDS", "50000"))
# Where the segmenter keeps those words once chosen and packed (read by every process after the first).
SEARCH_CACHE_DIR = Path(os.environ.get("SEARCH_CACHE_DIR", VAR_DIR / "cache"))

# Celery: a real broker with REDIS_URL; otherwise tasks run in-process ("embedded" mode), and
# `celery beat` still fires the periodic jobs, which then run inside the beat process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
# The Celery app, imported by a web process only when it hands over its first job (core/jobs.py).
JOBS_APP = "aftersales.config.celery.app"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # with late acks: a task waits in Redis, not in a busy worker
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True  # a worker started before Redis keeps trying
# Every periodic job of every app, in one place: seconds between runs, or the crontab fields of a
# time of day (made `crontab`s by config/celery.py, so that settings do not import Celery).
CELERY_BEAT_SCHEDULE = {
    # sign-in failure counters whose window and lock-out are over (the audit of failures stays)
    "accounts-purge-login-throttles": {
        "task": "aftersales.accounts.tasks.purge_login_throttles",
        "schedule": 3600.0,
    },
    # the outbox: messages not sent yet (embedded mode), failed ones, or ones whose worker died
    "notifications-flush-outbox": {
        "task": "aftersales.notifications.tasks.flush_outbox",
        "schedule": OUTBOX_FLUSH_SECONDS,
    },
    # R15, R21: signed service forms still to render (all of them in the embedded mode), failed
    # ones tried again
    "field-render-signed-forms": {
        "task": "aftersales.field.tasks.render_pending_signed_forms",
        "schedule": FIELD_SIGNED_FORM_SECONDS,
    },
    # R34: clocks at 75 % of their budget warn the owner, breached ones escalate (a warning at
    # 75 % of a 24-hour budget comes at most five minutes late)
    "sla-check-clocks": {
        "task": "aftersales.sla.tasks.sla_check_clocks",
        "schedule": 300.0,
    },
    # R10: invoices not sent by their due day are reminded to finance, each once a day
    "billing-invoice-reminders": {
        "task": "aftersales.billing.tasks.remind_overdue_invoices",
        "schedule": 3600.0,
    },
    # R26: complaints at risk of missing their response time are warned, overdue ones escalated
    "complaints-response-check": {
        "task": "aftersales.complaints.tasks.check_complaint_responses",
        "schedule": 300.0,
    },
    # R14: devices at external vendors are followed up until they are back
    "servicing-external-repair-follow-ups": {
        "task": "aftersales.servicing.tasks.external_repair_follow_ups",
        "schedule": 3600.0,
    },
    # R35: maintenance work orders of the contracts' plans, each created once, lead_days ahead
    # (daily; a missed run is caught up by the next)
    "servicing-maintenance-work-orders": {
        "task": "aftersales.servicing.tasks.maintenance_work_orders_generate",
        "schedule": {"hour": 6, "minute": 0},
    },
    # R35: contracts past their last day expire; those ending soon remind customer and seller once
    "devices-service-contracts-daily": {
        "task": "aftersales.devices.tasks.service_contracts_daily",
        "schedule": {"hour": 8, "minute": 30},
    },
    # R32: every stock balance equals the sum of its moves; a mismatch is told to the HQ admins
    "parts-stock-ledger-check": {
        "task": "aftersales.parts.tasks.stock_ledger_check",
        "schedule": {"hour": 3, "minute": 10},
    },
    # R29: old parts not reported by their deadline charge their dealer the out-of-warranty price,
    # each once (daily; a missed run is caught up by the next)
    "parts-old-part-penalties": {
        "task": "aftersales.parts.tasks.charge_unreported_old_parts",
        "schedule": {"hour": 1, "minute": 15},
    },
    # Idempotency-Key: the keys of API requests older than 24 hours are forgotten (core.idempotency)
    "core-purge-idempotency-keys": {
        "task": "aftersales.core.tasks.purge_idempotency_keys",
        "schedule": 3600.0,
    },
    # R31: on PARTS_CLAIM_DAY, one warranty reimbursement claim per dealer for the previous month
    "parts-monthly-claims": {
        "task": "aftersales.parts.tasks.build_monthly_claims",
        "schedule": {"day_of_month": str(PARTS_CLAIM_DAY), "hour": 2, "minute": 30},
    },
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# An SMTP server that accepts and never answers fails a delivery after this many seconds; the
# message stays in the outbox and is retried.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "service@aftersales.example.cn")

# Printed at the top of every form (R16, R21); the defaults are the demo company.
AFTERSALES_COMPANY = {
    "name": os.environ.get("COMPANY_NAME", "华东数码办公设备有限公司 售后服务中心"),
    "hotline": os.environ.get("COMPANY_HOTLINE", "400-820-6688"),
    "address": os.environ.get("COMPANY_ADDRESS", "上海市浦东新区张江路 368 号 2 幢 1 楼"),
    "email": os.environ.get("COMPANY_EMAIL", "service@aftersales.example.cn"),
}
# The address customers reach the site at: QR codes on documents made without a request (the
# receipt kept on the work order) point there.
AFTERSALES_SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# R8: plan revisions a customer may ask for before a supervisor must approve the next one.
SERVICING_PLAN_FREE_REVISIONS = int(os.environ.get("SERVICING_PLAN_FREE_REVISIONS", "1"))
# How long a quote sent to the customer stands (R9), in days.
BILLING_QUOTE_VALID_DAYS = int(os.environ.get("BILLING_QUOTE_VALID_DAYS", "30"))
# Days finance has to issue and send an invoice that was not issued on site (R10).
BILLING_INVOICE_DUE_DAYS = int(os.environ.get("BILLING_INVOICE_DUE_DAYS", "7"))
# R14: days between follow-ups of a device at an external vendor.
SERVICING_FOLLOW_UP_DAYS = float(os.environ.get("SERVICING_FOLLOW_UP_DAYS", "2"))
# R35: days before a service contract ends that its customer and seller are reminded.
DEVICES_CONTRACT_EXPIRY_REMINDER_DAYS = int(os.environ.get("DEVICES_CONTRACT_EXPIRY_REMINDER_DAYS", "30"))

# How long an API token (POST /api/auth/token/) works before its client must sign in again, in days.
API_TOKEN_LIFETIME = timedelta(days=float(os.environ.get("API_TOKEN_LIFETIME_DAYS", "30")))

# The empty choice of every list filter reads "全部" (All), not "---------".
FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("All")

# Idempotency-Key (core.idempotency): how long, on PostgreSQL, a request waits for one with the same
# key still running before it is answered 409 idempotency_request_in_progress.
IDEMPOTENCY_WAIT_SECONDS = float(os.environ.get("IDEMPOTENCY_WAIT_SECONDS", "10"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "aftersales.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "aftersales.core.api_filters.ListFilterBackend",
        "aftersales.core.api_filters.RowOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "aftersales.core.pagination.StandardPagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "aftersales.core.api.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "aftersales.core.api.AutoSchema",
    # A time of day without an offset, as the schema describes it (core.api.TIME_PATTERN), not
    # whatever `time.fromisoformat` takes ("12", "1230").
    "TIME_INPUT_FORMATS": ["%H:%M", "%H:%M:%S", "%H:%M:%S.%f"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AfterSales API",
    "DESCRIPTION": "售后服务管理系统 REST API",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "aftersales.core.api.error_codes_in_schema",
    ],
    # One name per choice set, however many fields use it.
    "ENUM_NAME_OVERRIDES": {
        # R41: why a personal value was revealed.
        "AccessReasonEnum": "aftersales.core.models.AccessLog.Reason",
        "WorkOrderStateEnum": "aftersales.workorders.choices.State",
        # What a bulk action did to each row named (every list's bulk endpoint).
        "BulkOutcomeEnum": "aftersales.core.bulk.BULK_OUTCOMES",
        "CustomerKindEnum": "aftersales.customers.choices.CustomerKind",
        "ProductModelKindEnum": "aftersales.catalog.choices.ModelKind",
        "FeeKindEnum": "aftersales.catalog.choices.FeeKind",
        "PartCategoryEnum": "aftersales.catalog.choices.PartCategory",
        "PartUnitEnum": "aftersales.catalog.choices.PartUnit",
        # "category" also names the parts' categories: both sets named after their class.
        "ComplaintCategoryEnum": "aftersales.complaints.choices.ComplaintCategory",
        "QuoteStateEnum": "aftersales.billing.choices.QuoteState",
        "QuoteLineKindEnum": "aftersales.billing.choices.LineKind",
        "WaiverKindEnum": "aftersales.billing.choices.WaiverKind",
        "PaymentMethodEnum": "aftersales.billing.choices.PaymentMethod",
        "PaymentKindEnum": "aftersales.billing.choices.PaymentKind",
        "InvoiceTypeEnum": "aftersales.billing.choices.InvoiceType",
        "InvoiceDeliveryEnum": "aftersales.billing.choices.InvoiceDelivery",
        # R35: the contracts' kind, state and date shift (names used by other choice sets too).
        "ServiceContractKindEnum": "aftersales.devices.choices.ContractKind",
        "ServiceContractStateEnum": "aftersales.devices.choices.ContractState",
        "MaintenanceDateShiftEnum": "aftersales.devices.choices.DateShift",
        # R32: the stock desk's warehouses, moves, transfers and counts.
        "WarehouseKindEnum": "aftersales.parts.choices.WarehouseKind",
        "StockMoveKindEnum": "aftersales.parts.choices.MoveKind",
        "StockTransferStateEnum": "aftersales.parts.choices.TransferState",
        "StockCountStateEnum": "aftersales.parts.choices.CountState",
        # R29, R31: old parts, their shipments and the reimbursement claims.
        "OldPartStateEnum": "aftersales.parts.choices.OldPartState",
        "OldPartShipmentStateEnum": "aftersales.parts.choices.ShipmentState",
        "ReimbursementClaimStateEnum": "aftersales.parts.choices.ClaimState",
        "InspectionResultEnum": "aftersales.parts.choices.InspectionResult",
        "ClaimLineDecisionEnum": "aftersales.parts.choices.LineDecision",
        # R33: returns and exchanges.
        "ReturnKindEnum": "aftersales.returns.choices.ReturnKind",
        "ReturnStateEnum": "aftersales.returns.choices.ReturnState",
        "ReturnReasonEnum": "aftersales.returns.choices.ReturnReason",
        "ReturnInspectionResultEnum": "aftersales.returns.choices.InspectionResult",
        "ItemConditionEnum": "aftersales.returns.choices.ItemCondition",
        "RefundMethodEnum": "aftersales.returns.choices.RefundMethod",
        # R34: the official holiday schedule of coming years.
        "OfficialDayKindEnum": "aftersales.sla.choices.OfficialDayKind",
        "HolidaySourceEnum": "aftersales.sla.choices.HolidaySource",
        # R34: the calendars and policies; a policy matches the work order's own choice sets, and
        # its milestones stop on work-order transitions (the names the work order gave them).
        "CalendarExceptionKindEnum": "aftersales.sla.choices.ExceptionKind",
        "MilestoneKindEnum": "aftersales.sla.choices.MilestoneKind",
        "WeekdayEnum": "aftersales.sla.choices.Weekday",
        "PriorityEnum": "aftersales.workorders.choices.Priority",
        "TypeEnum": "aftersales.workorders.choices.WorkOrderType",
        "WorkOrderAvailableActionsEnum": "aftersales.workorders.transitions.TRANSITIONS",
        "ComplaintSourceEnum": "aftersales.complaints.choices.ComplaintSource",
        # R28, R30: part requests, dealer account entries, the approval of dealers' fee standards.
        "PartRequestStateEnum": "aftersales.parts.choices.PartRequestState",
        "AccountEntryKindEnum": "aftersales.parts.choices.EntryKind",
        "FeeApprovalEnum": "aftersales.catalog.choices.FeeApproval",
        "FeeUnitEnum": "aftersales.catalog.choices.FeeUnit",
    },
}

# Every line carries the request id shown to the user; phones and e-mail addresses are masked in
# messages and tracebacks alike (core/logging.py). Unhandled errors (django.request) are logged
# with their traceback whatever DEBUG says.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "aftersales.core.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "()": "aftersales.core.logging.MaskingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}
    },
    "loggers": {
        "aftersales": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "celery": {"handlers": ["console"], "level": "WARNING"},
    },
}

# HTTPS: on by default in production mode (README "Production"). Behind a proxy that ends TLS,
# SECURE_PROXY_SSL_HEADER names the header it sets to "https" (e.g. X-Forwarded-Proto); without it
# the redirect to HTTPS would loop. Only set it when the proxy always sets (or strips) that header.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
if proxy_ssl_header := os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + proxy_ssl_header.upper().replace("-", "_"), "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600) if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading is a promise to browsers' built-in lists that is slow to take back, so it stays an
# explicit choice: with it off, check --deploy's reminder of it (W021) is not a finding.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = os.environ.get("SECURE_REFERRER_POLICY", "same-origin")

# Content-Security-Policy, enforced in development too so an inline script or handler fails at
# once (tests/core/test_security_headers.py, and every browser test). Scripts and style sheets come
# only from our static files; style="" attributes are allowed (they cannot run script; the pages
# size and place things with them), <style> elements are not. Bootstrap draws some icons as data:
# SVG images. htmx's own indicator style is off (meta htmx-config in base.html, app.css has it).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],  # browsers without -elem/-attr (before CSP 3)
        "style-src-elem": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", *map_tile_sources(MAP_TILE_URL)],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
