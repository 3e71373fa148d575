"""Settings shared by every environment. Behaviour is switched by environment variables."""

from __future__ import annotations

from datetime import timedelta

from csp.constants import NONE, SELF

from .env import BASE_DIR, DATA_DIR, bool_var, database, env, list_var, rate_var, redis_url

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
    "workspaces",
    "audit",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "agentstudio",
    "agents",
    "integrations.mistral",
    "conversations",
    "evaluations",
    "orchestrations",
    "observability",
    "sandbox",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "agentstudio.middleware.BodySizeLimitMiddleware",
    "audit.context.AuditContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "agentstudio.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "agentstudio.middleware.SecurityHeadersMiddleware",
    # Last: it turns a lockout flagged during authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
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

DATABASES = {
    "default": database(DATA_DIR / "agentstudio.sqlite3"),
    # The sandbox keeps its state apart from the product's (sandbox/routers.py sends it there).
    "sandbox": database(DATA_DIR / "sandbox.sqlite3", "SANDBOX_DATABASE_URL"),
}
DATABASE_ROUTERS = ["sandbox.routers.SandboxRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The lockout check runs before the password check (django-axes).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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
    # Token first: DRF answers missing or bad credentials with the first class's
    # `WWW-Authenticate` challenge (401); SessionAuthentication has none, which made it a 403.
    # Session requests still need their CSRF token (403 without it).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only, through one parser for every endpoint: hostile nesting is a 400 naming the
    # body, not a 500. (Form-encoded bodies would reach serializers' JSONField as strings that
    # it decodes itself, without that limit.)
    "DEFAULT_PARSER_CLASSES": ["workspaces.jsonbody.SafeJSONParser"],
    "DEFAULT_METADATA_CLASS": "agentstudio.api.Metadata",
    # 429 with Retry-After past these. Counted in the default cache, i.e. per server process.
    "DEFAULT_THROTTLE_CLASSES": [
        "agentstudio.api.AnonRateThrottle",
        "agentstudio.api.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": rate_var("API_THROTTLE_ANON", default="600/min"),
        "user": rate_var("API_THROTTLE_USER", default="2000/min"),
    },
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
    # Swagger UI from the drf-spectacular-sidecar package: /api/docs/ needs no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "conversations.api.schema.add_event_components",  # the event catalogue's payloads
        "orchestrations.api.schema.add_run_event_components",  # and its run events
    ],
}

# The Mistral backend: the real API when a key is set, else the sandbox served under /sandbox.
MISTRAL_API_KEY = env.str("MISTRAL_API_KEY", default="")
MISTRAL_SERVER_URL = env.str("MISTRAL_SERVER_URL", default="")
# The sandbox under /sandbox/: off here; dev.py and test.py turn it on when there is no API key,
# production.py only when SANDBOX_ENABLED says so. When on, it answers only SANDBOX_API_KEY.
SANDBOX_ENABLED = False
SANDBOX_API_KEY = ""
# Where the worker reaches this server's own /sandbox when there is no API key.
SANDBOX_BASE_URL = env.str("SANDBOX_BASE_URL", default="http://127.0.0.1:8000/sandbox")
SANDBOX_DELAY_MS = env.int("SANDBOX_DELAY_MS", default=30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "httpx": {"level": "WARNING"},
        "httpx2": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # lockouts only, not every successful sign-in
    },
}

# Backend client behaviour (integrations/mistral/backend.py).
MISTRAL_TIMEOUT_MS = env.int("MISTRAL_TIMEOUT_MS", default=120_000)
MISTRAL_RETRY_INITIAL_MS = env.int("MISTRAL_RETRY_INITIAL_MS", default=500)
MISTRAL_RETRY_MAX_INTERVAL_MS = env.int("MISTRAL_RETRY_MAX_INTERVAL_MS", default=10_000)
MISTRAL_RETRY_MAX_ELAPSED_MS = env.int("MISTRAL_RETRY_MAX_ELAPSED_MS", default=60_000)
# Retries of a stream's start, each one shown on the conversation page (retrying.py).
MISTRAL_RETRY_MAX_ATTEMPTS = env.int("MISTRAL_RETRY_MAX_ATTEMPTS", default=10)

# The local runtime (conversations with runtime "local"): chat completions from any server that
# speaks Mistral's API (self-hosted vLLM or Ollama serving Mistral models, or Mistral itself).
# Unset URL / key: the active backend's (Mistral with MISTRAL_API_KEY, else the sandbox).
LOCAL_COMPLETIONS_URL = env.str("LOCAL_COMPLETIONS_URL", default="")
LOCAL_COMPLETIONS_API_KEY = env.str("LOCAL_COMPLETIONS_API_KEY", default="")
# Agent model → served model name, "mistral-medium-latest=mistral-small3.2,*=fallback-name".
LOCAL_MODEL_MAP = env.str("LOCAL_MODEL_MAP", default="")
# Model calls a local run may make for one user message before it stops (the graph's default).
LOCAL_MAX_TURNS = env.int("LOCAL_MAX_TURNS", default=10)
# MCP servers over stdio are commands run on the worker's (and web server's) host; workspace
# admins attach them. Off: only streamable-HTTP servers may be attached.
MCP_STDIO_ENABLED = env.bool("MCP_STDIO_ENABLED", default=True)

# Conversation engine.
TURN_HEARTBEAT_S = env.int("TURN_HEARTBEAT_S", default=2)
# Deltas of one entry that arrive within this window are logged and published as one event.
EVENT_DELTA_WINDOW_MS = env.int("EVENT_DELTA_WINDOW_MS", default=100)
# A running turn whose heartbeat is older than this is presumed dead and recovered.
TURN_STALE_AFTER_S = env.int("TURN_STALE_AFTER_S", default=60)
# An open orchestration run no pass has touched for this long is advanced by the recovery job.
ORCHESTRATION_STALE_AFTER_S = env.int("ORCHESTRATION_STALE_AFTER_S", default=60)
FUNCTION_TIME_LIMIT_S = env.int("FUNCTION_TIME_LIMIT_S", default=30)
# How long the answer to a POST with an Idempotency-Key is kept for retries (hourly purge).
IDEMPOTENCY_TTL_HOURS = env.int("IDEMPOTENCY_TTL_HOURS", default=24)
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

# Observability (observability/). Traces: OTLP over HTTP/protobuf, on when an endpoint is set.
# The standard variables: the traces endpoint as given, or the base endpoint + /v1/traces.
OTEL_EXPORTER_OTLP_ENDPOINT = env.str("OTEL_EXPORTER_OTLP_ENDPOINT", default="")
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = env.str("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", default="")
OTEL_TRACES_ENDPOINT = OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or (
    OTEL_EXPORTER_OTLP_ENDPOINT.rstrip("/") + "/v1/traces" if OTEL_EXPORTER_OTLP_ENDPOINT else ""
)
OTEL_EXPORTER_OTLP_HEADERS = env.str("OTEL_EXPORTER_OTLP_HEADERS", default="")  # k=v,k2=v2
OTEL_SERVICE_NAME = env.str("OTEL_SERVICE_NAME", default="agent-studio")
# One export's whole budget, retries included; a failed export is retried by the beat task.
TRACE_EXPORT_TIMEOUT_S = env.float("TRACE_EXPORT_TIMEOUT_S", default=5.0)
TRACE_EXPORT_RETRY_INTERVAL_S = env.int("TRACE_EXPORT_RETRY_INTERVAL_S", default=60)
# /metrics answers 404 while this is empty, 401 without `Authorization: Bearer <token>`.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# Request bodies (JSON, forms) larger than this get a 413 naming the limit (Django's setting).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
# Deeper JSON request bodies are refused with a 400 (workspaces/jsonbody.py).
JSON_MAX_DEPTH = env.int("JSON_MAX_DEPTH", default=100)
# The largest graph an import or an editor save accepts (agents.portable); the editor is
# measured at this size (`make bench-editor`).
GRAPH_MAX_AGENTS = env.int("GRAPH_MAX_AGENTS", default=500)
GRAPH_MAX_HANDOFFS = env.int("GRAPH_MAX_HANDOFFS", default=2000)

# Sign-in lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from
# one address, that pair is refused (429, the lockout page) for AXES_COOLOFF_MINUTES, on
# /login/ and /admin/login/ alike; a further try during the lockout starts the wait again.
# API tokens are not passwords and are never locked. The address is the audit trail's
# (X-Forwarded-For only with AUDIT_TRUST_X_FORWARDED_FOR).
AXES_ENABLED = bool_var("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "audit.context.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "agentstudio.views.locked_out"
# The audit trail records refused sign-ins and lockouts; axes keeps only what it needs to count.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no start-up banner in every process's log

# Content-Security-Policy (django-csp): only our own scripts, styles, images and sockets. No
# inline script or style anywhere (data blocks use json_script; colours are set from data-*
# attributes by static/conversations/agent-colors.js).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }
}

# Tasks sent by name (besides observability's) when a conversation stops: finished, or waiting
# for input. The suites answer their cases' function calls and judge them there.
TURN_ENDED_EXTRA_TASKS = ["evaluations.conversation_settled"]
