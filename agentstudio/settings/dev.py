"""Local development: `make run`. Everything has a default; nothing is required."""

from .base import *  # noqa: F403
from .base import MISTRAL_API_KEY
from .base import SECRET_KEY as _SECRET_KEY
from .env import bool_var, dev_secret_key, sandbox

DEBUG = bool_var("DEBUG", default=True)
SECRET_KEY = _SECRET_KEY or dev_secret_key()
SANDBOX_ENABLED, SANDBOX_API_KEY = sandbox(enabled_by_default=not MISTRAL_API_KEY)
