"""Settings shared by every environment. Behaviour is switched by environment variables."""

from __future__ import annotations

from .env import BASE_DIR, DATA_DIR, bool_var, database, env, list_var, redis_url

DEBUG = bool_var("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")  # dev.py and production.py decide what empty means
ALLOWED_HOSTS = list_var("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = list_var("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Before rest_framework.authtoken: its `drf_create_token` command shadows DRF's (audited).
    "audit",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "channels",
    "agentstudio",
    "agents",
    "conversations",
    "sandbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "audit.context.AuditContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "agentstudio.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "agentstudio.urls"
ASGI_APPLICATION = "agentstudio.asgi.application"

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
                "agentstudio.context_processors.backend",
                "audit.context_processors.audit_nav",
            ],
        },
    },
]

DATABASES = {"default": database(DATA_DIR / "agentstudio.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# collectstatic target (the Dockerfile sets it); without it WhiteNoise serves from the finders.
STATIC_ROOT = env.str("STATIC_ROOT", default="") or None
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = None  # generated files are served only through permission-checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from static/ without a collectstatic step

REDIS_URL = redis_url()

# Redis pub/sub delivers each message with one push instead of the list layer's several round
# trips per message; it keeps nothing for absent clients, which is fine here: every socket fills
# gaps from the event log, the source of truth.
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            "hosts": [REDIS_URL],
            "prefix": env.str("CHANNEL_LAYER_PREFIX", default="asgi"),
        },
    }
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="agentstudio")
CELERY_TASK_SOFT_TIME_LIMIT = 600
CELERY_TASK_TIME_LIMIT = 660
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Agent Studio API",
    "DESCRIPTION": "Design, run, watch and audit Mistral agent handoff graphs.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "conversations.api.schema.add_event_components",  # the event catalogue's payloads
    ],
}

# The Mistral backend: the real API when a key is set, else the sandbox served under /sandbox.
MISTRAL_API_KEY = env.str("MISTRAL_API_KEY", default="")
MISTRAL_SERVER_URL = env.str("MISTRAL_SERVER_URL", default="")
# Where the worker reaches this server's own /sandbox when there is no API key.
SANDBOX_BASE_URL = env.str("SANDBOX_BASE_URL", default="http://127.0.0.1:8000/sandbox")
SANDBOX_DELAY_MS = env.int("SANDBOX_DELAY_MS", default=30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"httpx": {"level": "WARNING"}, "httpx2": {"level": "WARNING"}},
}

# Backend client behaviour (conversations/backend.py).
MISTRAL_TIMEOUT_MS = env.int("MISTRAL_TIMEOUT_MS", default=120_000)
MISTRAL_RETRY_INITIAL_MS = env.int("MISTRAL_RETRY_INITIAL_MS", default=500)
MISTRAL_RETRY_MAX_INTERVAL_MS = env.int("MISTRAL_RETRY_MAX_INTERVAL_MS", default=10_000)
MISTRAL_RETRY_MAX_ELAPSED_MS = env.int("MISTRAL_RETRY_MAX_ELAPSED_MS", default=60_000)

# Conversation engine.
TURN_HEARTBEAT_S = env.int("TURN_HEARTBEAT_S", default=2)
# A running turn whose heartbeat is older than this is presumed dead and recovered.
TURN_STALE_AFTER_S = env.int("TURN_STALE_AFTER_S", default=60)
FUNCTION_TIME_LIMIT_S = env.int("FUNCTION_TIME_LIMIT_S", default=30)
# Modules whose @agent_function functions the worker answers by itself.
AGENT_FUNCTION_MODULES = env.list(
    "AGENT_FUNCTION_MODULES", default=["conversations.builtin_functions"]
)

# Audit trail. Rows older than this many days are deleted by the daily `audit.purge_expired`
# task; empty or 0 keeps them forever (the default).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=0) or None
AUDIT_PURGE_INTERVAL_S = env.int("AUDIT_PURGE_INTERVAL_S", default=24 * 3600)
# Take the client address from X-Forwarded-For (first hop) only behind a proxy that sets it.
AUDIT_TRUST_X_FORWARDED_FOR = env.bool("AUDIT_TRUST_X_FORWARDED_FOR", default=False)
