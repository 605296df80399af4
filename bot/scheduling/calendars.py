"""Which calendar the bot books on: Google Calendar when credentials are set,
else the local calendar in our database (the embedded default)."""

from __future__ import annotations

import json
import os
from typing import Mapping

from sqlalchemy.engine import Engine

from bot.clock import Clock
from bot.errors import ConfigError
from bot.routing.team import TeamConfig
from bot.settings import Settings
from calendar_booking.google import GoogleCalendar, oauth_http, service_account_http
from calendar_booking.local import LocalCalendar
from calendar_booking.port import CalendarPort


def refresh_token_variable(ae_key: str) -> str:
    """The environment variable holding an AE's OAuth refresh token."""
    return "GOOGLE_REFRESH_TOKEN_" + ae_key.upper().replace("-", "_")


def make_calendar(
    settings: Settings, team: TeamConfig, engine: Engine, clock: Clock, env: Mapping[str, str] = os.environ
) -> CalendarPort:
    """The calendar adapter the settings ask for; a missing credential is a startup error."""
    owners = {ae.calendar: ae.email for ae in team.aes}

    def owner_of(calendar_id: str) -> str:
        return owners.get(calendar_id, calendar_id)

    if settings.google_service_account_file is not None:
        path = settings.google_service_account_file
        try:
            key_info = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(
                "environment", "GOOGLE_SERVICE_ACCOUNT_FILE", f"{path} is not a service-account JSON key"
            ) from exc
        if not isinstance(key_info, dict) or key_info.get("type") != "service_account":
            raise ConfigError("environment", "GOOGLE_SERVICE_ACCOUNT_FILE", f"{path} is not a service-account JSON key")
        return GoogleCalendar(service_account_http(key_info, owner_of))
    if settings.google_oauth_client_id and settings.google_oauth_client_secret:
        tokens = {}
        for ae in team.aes:
            name = refresh_token_variable(ae.key)
            if not env.get(name):
                raise ConfigError("environment", name, f"is needed for {ae.key}'s calendar (OAuth is configured)")
            tokens[ae.calendar] = env[name]
        return GoogleCalendar(
            oauth_http(settings.google_oauth_client_id, settings.google_oauth_client_secret, tokens.__getitem__)
        )
    return LocalCalendar(engine, clock)
