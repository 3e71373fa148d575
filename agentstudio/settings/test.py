"""pytest settings: real Redis (the machine's, or an embedded one), isolated queue and prefixes."""

import os
import uuid

# Resolve Redis before base.py reads REDIS_URL, so every subprocess a test starts inherits it.
from agentstudio.redis_server import ensure_redis_for_tests
from agentstudio.settings.env import DATA_DIR as _DATA_DIR

ensure_redis_for_tests(_DATA_DIR)
# One queue and one channel prefix per test session: a `make run` worker on the same Redis never
# steals the suite's tasks, and two suites never see each other's events.
os.environ.setdefault("CELERY_QUEUE", f"test-{uuid.uuid4().hex[:8]}")
os.environ.setdefault("CHANNEL_LAYER_PREFIX", f"test-{os.environ['CELERY_QUEUE']}")

from .base import *  # noqa: E402, F403
from .base import BASE_DIR, DATA_DIR, DATABASES, MISTRAL_API_KEY  # noqa: E402
from .env import sandbox  # noqa: E402

SECRET_KEY = "test-secret-key-not-for-production-" + "x" * 20
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = DATA_DIR / "test-media"
SANDBOX_DELAY_MS = int(os.environ.get("SANDBOX_DELAY_MS", "0"))
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not :memory:, so live servers and worker processes share the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
# The sandbox's test database is set up on its own too (conftest.py), so it depends on no other.
DATABASES["sandbox"]["TEST"] = {"DEPENDENCIES": []}
if DATABASES["sandbox"]["ENGINE"].endswith("sqlite3"):
    DATABASES["sandbox"]["TEST"]["NAME"] = str(DATA_DIR / "test-sandbox.sqlite3")
SANDBOX_ENABLED, SANDBOX_API_KEY = sandbox(enabled_by_default=not MISTRAL_API_KEY)
# Scripted sandbox replies used by the browser tests of the conversation page.
SANDBOX_SCENARIO_DIRS = [str(BASE_DIR / "conversations" / "tests" / "scenarios")]
