"""Where notifications go: Slack when ``SLACK_BOT_TOKEN`` is set, else the
local notifier (the row itself is the AE's inbox; only ids are logged).

Both raise :class:`NotifierUnavailable` for a failure worth retrying later
(Slack down, rate-limited past its retries, a revoked token); the worker then
keeps the row pending with backoff, so nothing is lost.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.notifications.messages import Alert, plain_text, slack_blocks
from bot.routing.team import TeamConfig
from bot.settings import Settings

logger = logging.getLogger(__name__)

#: Slack errors that mean "not this user or channel": fall back to the next place.
#: Anything else (auth, rate limits past the retries, 5xx, timeouts) keeps the
#: notification pending, to be retried with backoff.
FALLBACK_ERRORS = frozenset(
    {
        "users_not_found",
        "user_not_found",
        "user_disabled",
        "cannot_dm_bot",
        "channel_not_found",
        "is_archived",
        "not_in_channel",
    }
)


#: Slack errors that mean a message we would update is not there any more.
GONE_ERRORS = frozenset({"message_not_found", "channel_not_found", "is_archived", "cant_update_message"})


class NotifierUnavailable(Exception):  # noqa: N818 - named for what the worker does with it
    """Delivery failed for now; try again later."""


class Notifier(Protocol):
    def send(self, alert: Alert) -> Dict[str, Any]:
        """Delivers ``alert``; returns where it went."""


class LocalNotifier:
    """The embedded default: the outbox row is the message; log its ids only."""

    def send(self, alert: Alert) -> Dict[str, Any]:
        logger.info(
            "notification %s for %s (lead %s) delivered to the local inbox", alert.kind, alert.recipient, alert.lead_id
        )
        return {"channel": "local"}


def slack_client(token: str, base_url: str | None = None, timeout: int = 10) -> WebClient:
    """A WebClient that retries rate limits (honouring Retry-After), 5xx and connection errors."""
    client = WebClient(token=token, timeout=timeout, base_url=base_url or WebClient.BASE_URL)
    client.retry_handlers.extend(
        [
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=2),
        ]
    )
    return client


class SlackNotifier:
    """DMs the AE (found by email) and posts to the team's channel; falls back
    to the team channel, then the ops channel, when a user or channel is gone."""

    def __init__(self, client: WebClient, team: TeamConfig, ops_channel: str | None = None) -> None:
        self.client = client  # also used by /slack/actions to update a message
        self._team = team
        self._ops_channel = ops_channel

    def send(self, alert: Alert) -> Dict[str, Any]:
        kind, _, key = alert.recipient.partition(":")
        fallbacks = []
        try:
            if kind == "ae":
                ae = self._team.by_key.get(key)
                if ae is None:
                    raise LookupError(f"AE {key} is not in ops/team.yml")
                try:
                    channel = self._dm_channel(ae.slack_user_id or self._user_id(ae.email))
                    return self._post(channel, alert, via="dm")
                except SlackApiError as exc:
                    if _code(exc) not in FALLBACK_ERRORS:
                        raise
                    fallbacks.append(f"dm:{_code(exc)}")
                team_key = next(iter(self._team.teams_of(key)), None)
            else:
                team_key = key
            team = self._team.team(team_key or "")
            if team is not None and team.slack_channel:
                try:
                    return self._post(team.slack_channel, alert, via="team", fallbacks=fallbacks)
                except SlackApiError as exc:
                    if _code(exc) not in FALLBACK_ERRORS:
                        raise
                    fallbacks.append(f"team:{_code(exc)}")
            if self._ops_channel:
                return self._post(self._ops_channel, alert, via="ops", fallbacks=fallbacks)
            raise LookupError(f"nowhere to deliver ({', '.join(fallbacks) or 'no channel configured'})")
        except SlackApiError as exc:
            raise NotifierUnavailable(f"slack: {_code(exc)}") from exc
        except LookupError as exc:
            raise NotifierUnavailable(str(exc)) from exc
        except OSError as exc:  # timeouts and connection errors that outlasted the retries
            raise NotifierUnavailable(f"slack unreachable: {exc.__class__.__name__}") from exc

    def redact(self, channel: str, ts: str, text: str) -> Dict[str, Any]:
        """Replaces a message we posted with ``text`` (an erasure); a message or channel
        already gone needs nothing more."""
        try:
            self.client.chat_update(channel=channel, ts=ts, text=text, blocks=[])
        except SlackApiError as exc:
            if _code(exc) in GONE_ERRORS:
                return {"channel": channel, "via": "erasure", "skipped": _code(exc)}
            raise NotifierUnavailable(f"slack: {_code(exc)}") from exc
        except OSError as exc:
            raise NotifierUnavailable(f"slack unreachable: {exc.__class__.__name__}") from exc
        return {"channel": channel, "ts": ts, "via": "erasure"}

    def _user_id(self, email: str) -> str:
        return str(self.client.users_lookupByEmail(email=email)["user"]["id"])

    def _dm_channel(self, user_id: str) -> str:
        return str(self.client.conversations_open(users=[user_id])["channel"]["id"])

    def _post(self, channel: str, alert: Alert, via: str, fallbacks: list[str] | None = None) -> Dict[str, Any]:
        response = self.client.chat_postMessage(channel=channel, text=plain_text(alert), blocks=slack_blocks(alert))
        return {"channel": response["channel"], "ts": response["ts"], "via": via, "fallbacks": fallbacks or []}


def _code(exc: SlackApiError) -> str:
    try:
        return str(exc.response.get("error") or exc.response.status_code)
    except AttributeError:
        return "unknown"


def make_notifier(settings: Settings, team: TeamConfig) -> Notifier:
    """Slack when ``SLACK_BOT_TOKEN`` is set, else the local notifier."""
    if settings.slack_bot_token:
        return SlackNotifier(
            slack_client(settings.slack_bot_token, settings.slack_api_url), team, settings.slack_ops_channel
        )
    return LocalNotifier()
