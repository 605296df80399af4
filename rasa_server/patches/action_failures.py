"""An action call that fails ends the turn cleanly, and the visitor is asked again.

Rasa 3.6 waits up to 300 s for the action server, and when a call fails it
logs "Bot will continue, but the actions events are lost" and goes on
predicting: the visitor's answer is dropped, the rules carry on without the
events the action would have returned (a form asks its next question, a
consent that was never stored is acted on), and the visitor's next message
lands as the answer to the wrong question.

:func:`install` wraps ``RemoteAction.run`` and the processor's ``_run_action``:

- **a short timeout**: ``ACTION_TIMEOUT_SECONDS`` (10 s by default) for the
  whole call, not Rasa's five minutes;
- **a retry only where it is safe**: while the action server refuses the
  connection (it is being restarted by the supervisor), nothing has run yet,
  so the call is tried again for up to ``ACTION_CONNECT_RETRY_SECONDS`` (8 s);
  a call that was sent and then failed or timed out is never re-sent, since
  it may have booked a meeting or written the lead store;
- **when it still fails**: the turn ends there (a ``FollowupAction`` to
  listen, so no rule acts on events that never came), and the visitor gets
  ``utter_action_failed`` and then the bot's previous message again, buttons
  and all. Their next message answers that same question. The re-sent
  message carries no ``utter_action``, so it does not count as asking a
  question again (actions/qualification.py counts those).

The failure is logged in one line with the action's name and the error's
kind, never the visitor's text.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Callable, List

import aiohttp
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import BotUttered, Event, FollowupAction, UserUttered
from rasa.shared.exceptions import RasaException

from rasa_server.patches.guard import replace

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_CONNECT_RETRY_SECONDS = 8.0
RETRY_PAUSE_SECONDS = 0.5
FAILED_RESPONSE = "utter_action_failed"
#: Marks the re-sent message in its metadata (and keeps it out of the question counts).
RESENT_KEY = "resent_after_failure"


def _seconds(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name) or default)
    except ValueError:
        logger.warning("%s is not a number of seconds; using %s", name, default)
        return default
    return value if value > 0 else default


def _refused(error: BaseException) -> bool:
    """Whether the call never reached the action server (so nothing ran and a retry is safe)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, aiohttp.ClientConnectorError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def last_bot_message(tracker: Any) -> BotUttered | None:
    """The bot's message before the visitor's latest one: the question they were answering."""
    seen_user = False
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            seen_user = True
        elif seen_user and isinstance(event, BotUttered) and (event.text or event.data.get("buttons")):
            return event
    return None


async def failure_events(action_name: str, output_channel: Any, nlg: Any, tracker: Any) -> List[Event]:
    """What the turn ends with after a failed call: the apology, the last question again, then listen."""
    events: List[Event] = []
    apology = await nlg.generate(FAILED_RESPONSE, tracker, output_channel.name())
    if apology:
        events.append(BotUttered(apology.get("text"), metadata={RESENT_KEY: action_name}))
    previous = last_bot_message(tracker)
    if previous is not None:
        events.append(BotUttered(previous.text, dict(previous.data), {RESENT_KEY: action_name}))
    events.append(FollowupAction("action_listen"))
    return events


class ActionCallFailed(RasaException):
    """An action call that timed out or failed after it was sent (so it is not sent again)."""

    def __init__(self, action_name: str, kind: str) -> None:
        super().__init__(f"action {action_name} failed ({kind})")
        self.action_name = action_name
        self.kind = kind


def wrap_remote_run(run: Callable[..., Any]) -> Callable[..., Any]:
    """``RemoteAction.run`` with the short timeout and the safe retry; raises :class:`ActionCallFailed`.
    The two durations are read from the environment once, here."""
    timeout = _seconds("ACTION_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS)
    retry_for = _seconds("ACTION_CONNECT_RETRY_SECONDS", DEFAULT_CONNECT_RETRY_SECONDS)

    async def run_with_timeout(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any,
                               domain: Any) -> List[Event]:  # fmt: skip
        loop = asyncio.get_running_loop()
        retry_until = loop.time() + retry_for
        while True:
            try:
                return await asyncio.wait_for(run(self, output_channel, nlg, tracker, domain), timeout)
            except ActionExecutionRejection:
                raise
            except Exception as error:  # noqa: BLE001 - any failure of the call ends the turn the same way
                if _refused(error) and loop.time() + RETRY_PAUSE_SECONDS < retry_until:
                    await asyncio.sleep(RETRY_PAUSE_SECONDS)
                    continue
                kind = "timed out" if isinstance(error, asyncio.TimeoutError) else type(error).__name__
                raise ActionCallFailed(self.name(), kind) from None

    run_with_timeout.__wrapped__ = run  # type: ignore[attr-defined]
    return run_with_timeout


def wrap_run_action(run_action: Callable[..., Any]) -> Callable[..., Any]:
    """``MessageProcessor._run_action`` that ends the turn when a call inside the action failed.

    The action may be a form whose validation call failed: whatever the form
    would have done is dropped with it, so its question stays on the table.
    """

    async def run_action_or_ask_again(self: Any, action: Any, tracker: Any, output_channel: Any, nlg: Any,
                                      prediction: Any) -> bool:  # fmt: skip
        run = action.run

        async def run_or_fail_softly(channel: Any, generator: Any, temporary: Any, domain: Any) -> List[Event]:
            try:
                return await run(channel, generator, temporary, domain)
            except ActionCallFailed as failure:
                logger.error("action %s failed (%s) while running %s; the visitor is asked to send their message "
                             "again", failure.action_name, failure.kind, action.name())  # fmt: skip
                return await failure_events(action.name(), channel, generator, temporary)

        action.run = run_or_fail_softly
        return await run_action(self, action, tracker, output_channel, nlg, prediction)

    run_action_or_ask_again.__wrapped__ = run_action  # type: ignore[attr-defined]
    return run_action_or_ask_again


def install() -> None:
    replace(RemoteAction, "run", "rasa.core.actions.action.RemoteAction.run", wrap_remote_run)
    replace(MessageProcessor, "_run_action", "rasa.core.processor.MessageProcessor._run_action", wrap_run_action)
