"""Settings from the environment, read once at startup.

Every variable is documented in README.md and ``.env.example``. Secrets (API
tokens) come only from here and are never logged.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The trained Rasa model the stack serves (``make model``).
DEFAULT_MODEL = PROJECT_ROOT / "models" / "cqlbot.tar.gz"


@dataclass(frozen=True)
class Settings:
    database_url: str
    tracker_database_url: str
    ops_dir: Path
    rasa_url: str
    actions_url: str
    api_token: str | None
    rasa_auth_token: str | None
    action_server_token: str | None
    public_rasa_url: str
    privacy_url: str
    web_host: str
    web_port: int
    unconsented_retention_minutes: int
    public_url: str
    google_service_account_file: Path | None
    google_oauth_client_id: str | None
    google_oauth_client_secret: str | None
    booking_link_secret: str | None
    slack_bot_token: str | None
    slack_ops_channel: str | None
    slack_api_url: str | None
    slack_signing_secret: str | None
    ops_password: str | None
    session_secret: str | None
    #: How many proxies in front of the web app append to X-Forwarded-For (0: none, use the socket's address).
    trusted_proxies: int

    def __repr__(self) -> str:  # never print a secret
        return f"Settings(database={make_url(self.database_url).render_as_string(hide_password=True)}, ops_dir={self.ops_dir})"


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name) or default
    try:
        make_url(value)
    except ArgumentError as exc:
        raise ConfigError("environment", name, "is not a database URL like sqlite:///var/cqlbot.db") from exc
    return value


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError("environment", name, f"must be a port number, got {raw!r}")
    return int(raw)


def _minutes(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= 525_600:
        raise ConfigError("environment", name, f"must be a number of minutes from 1 to 525600, got {raw!r}")
    return int(raw)


def _count(env: Mapping[str, str], name: str, default: int, highest: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) > highest:
        raise ConfigError("environment", name, f"must be a whole number from 0 to {highest}, got {raw!r}")
    return int(raw)


_ORIGIN = re.compile(r"https?://(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?", re.ASCII)


def _public_origin(env: Mapping[str, str], name: str, default: str) -> str:
    """An http(s) origin browsers use (scheme, host, port; nothing else): it goes into the page and its CSP."""
    raw = (env.get(name) or default).rstrip("/")
    match = _ORIGIN.fullmatch(raw)
    if match is None or (match.group(1) and not 0 < int(match.group(1)) < 65536):
        raise ConfigError("environment", name, f"must be an origin like https://chat.example.com, got {raw[:100]!r}")
    return raw


def load_settings(env: Mapping[str, str] = os.environ) -> Settings:
    """Reads the settings from ``env``; a bad value raises ConfigError naming it."""
    var_dir = PROJECT_ROOT / "var"
    database_url = _url(env, "DATABASE_URL", f"sqlite:///{var_dir / 'cqlbot.db'}")
    # SQLite allows one writer at a time, so Rasa's tracker gets a file of its own;
    # any server database serves both from the one URL.
    default_tracker = (
        f"sqlite:///{var_dir / 'tracker.db'}" if make_url(database_url).get_backend_name() == "sqlite" else database_url
    )
    rasa_url = env.get("RASA_URL") or f"http://127.0.0.1:{_port(env, 'RASA_PORT', 5005)}"
    return Settings(
        database_url=database_url,
        tracker_database_url=_url(env, "TRACKER_DATABASE_URL", default_tracker),
        ops_dir=Path(env.get("CQLBOT_OPS_DIR") or PROJECT_ROOT / "ops"),
        rasa_url=rasa_url,
        actions_url=env.get("ACTION_SERVER_URL") or "http://localhost:5055",
        api_token=env.get("CQLBOT_API_TOKEN") or None,
        rasa_auth_token=env.get("RASA_AUTH_TOKEN") or None,
        action_server_token=env.get("ACTION_SERVER_TOKEN") or None,
        # Browsers reach Rasa here; never derived from a request's Host header (a crafted
        # one would reach the page and its CSP). By default the Rasa server on this machine.
        public_rasa_url=_public_origin(
            env,
            "CQLBOT_PUBLIC_RASA_URL",
            f"http://127.0.0.1:{urlsplit(rasa_url).port or _port(env, 'RASA_PORT', 5005)}",
        ),
        privacy_url=env.get("CQLBOT_PRIVACY_URL") or "/privacy",
        web_host=env.get("WEB_HOST") or "127.0.0.1",
        web_port=_port(env, "WEB_PORT", 8000),
        unconsented_retention_minutes=_minutes(env, "CQLBOT_UNCONSENTED_RETENTION_MINUTES", 60),
        public_url=(env.get("CQLBOT_PUBLIC_URL") or f"http://localhost:{_port(env, 'WEB_PORT', 8000)}").rstrip("/"),
        google_service_account_file=_existing_file(env, "GOOGLE_SERVICE_ACCOUNT_FILE"),
        google_oauth_client_id=env.get("GOOGLE_OAUTH_CLIENT_ID") or None,
        google_oauth_client_secret=env.get("GOOGLE_OAUTH_CLIENT_SECRET") or None,
        booking_link_secret=env.get("CQLBOT_BOOKING_LINK_SECRET") or None,
        slack_bot_token=env.get("SLACK_BOT_TOKEN") or None,
        slack_ops_channel=env.get("SLACK_OPS_CHANNEL") or None,
        slack_api_url=env.get("SLACK_API_URL") or None,
        slack_signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
        ops_password=env.get("CQLBOT_OPS_PASSWORD") or None,
        session_secret=env.get("CQLBOT_SESSION_SECRET") or None,
        trusted_proxies=_count(env, "CQLBOT_TRUSTED_PROXIES", 0, 5),
    )


def _existing_file(env: Mapping[str, str], name: str) -> Path | None:
    raw = env.get(name)
    if not raw:
        return None
    path = Path(raw)
    if not path.is_file():
        raise ConfigError("environment", name, f"names no readable file: {raw}")
    return path
