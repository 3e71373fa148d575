"""Reading the environment: one place, typed, failing loudly with the variable's name."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A .env beside manage.py is optional; the real environment always wins.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DATA_DIR = Path(env.str("AGENTSTUDIO_DATA_DIR", default=str(BASE_DIR / "data")))


def require(name: str, value, check, message: str):
    if not check(value):
        raise ImproperlyConfigured(f"{name}: {message} (got {value!r})")
    return value


def bool_var(name: str, default: bool) -> bool:
    raw = env.str(name, default="1" if default else "0").strip().lower()
    truthy = {"1", "true", "yes", "on"}
    falsy = {"0", "false", "no", "off", ""}
    require(name, raw, lambda v: v in truthy | falsy, "must be true or false")
    return raw in truthy


def list_var(name: str, default: list[str]) -> list[str]:
    return [item.strip() for item in env.list(name, default=default) if item.strip()]


def rate_var(name: str, default: str) -> str | None:
    """A DRF throttle rate like "2000/min" (per s, min, hour or day); empty means no limit."""
    raw = env.str(name, default=default).strip()
    if not raw:
        return None
    count, _, period = raw.partition("/")
    require(
        name,
        raw,
        lambda v: count.isdigit() and period[:1] in {"s", "m", "h", "d"},
        'must be a rate like "100/min" (per s, min, hour or day), or empty for none',
    )
    return raw


def redis_url() -> str:
    url = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
    require(
        "REDIS_URL",
        url,
        lambda v: urlparse(v).scheme in {"redis", "rediss", "unix"},
        "must be a redis://, rediss:// or unix:// URL",
    )
    return url


def database(default_sqlite: Path, variable: str = "DATABASE_URL") -> dict:
    raw = env.str(variable, default=f"sqlite:///{default_sqlite}")
    scheme = urlparse(raw).scheme
    require(
        variable,
        raw,
        lambda v: scheme in {"sqlite", "postgres", "postgresql", "pgsql"},
        "must be a sqlite:/// or postgres:// URL",
    )
    try:
        config = environ.Env.db_url_config(raw)
    except Exception as exc:  # django-environ raises several types on garbage
        raise ImproperlyConfigured(f"{variable}: cannot be parsed ({exc})") from exc
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # WAL lets the web server and the worker read while the other writes.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        # Request threads outlive requests (asgi_handler), so their connections may too: a
        # SQLite connection is a file handle, and opening one cost more than most requests' SQL.
        config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    else:
        config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
        config["CONN_HEALTH_CHECKS"] = True
    return config


def generated_secret(filename: str) -> str:
    """A per-install secret, generated once into the git-ignored data folder."""
    path = DATA_DIR / filename
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked into place: processes starting together (the web server and
        # the worker) all end up reading the one secret that won, never a half-written file.
        draft = path.with_name(f".{filename}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(50))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def dev_secret_key() -> str:
    return generated_secret("secret_key")


def sandbox(enabled_by_default: bool) -> tuple[bool, str]:
    """SANDBOX_ENABLED and SANDBOX_API_KEY. An enabled sandbox always has a key: the environment's,
    else one generated into the data folder, which the web server and worker share."""
    enabled = bool_var("SANDBOX_ENABLED", default=enabled_by_default)
    key = env.str("SANDBOX_API_KEY", default="").strip()
    if enabled and not key:
        key = generated_secret("sandbox_api_key")
    return enabled, key
