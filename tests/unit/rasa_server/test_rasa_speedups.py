"""The Rasa server's event-type table and its kept-alive connections to the action server."""

from __future__ import annotations

import asyncio
from typing import List

import pytest
from aiohttp import web
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from rasa_server.patches import event_types, install_all
from rasa_server.patches.action_connections import shared_session

install_all()  # as the Rasa server does before it starts


def rasas_own_lookup(type_name: str) -> type | None:
    """What Rasa 3.6's Event.resolve_by_type returns for a known name: the first in its walk."""
    return next((cls for cls in all_subclasses(Event) if cls.type_name == type_name), None)


def test_every_event_type_resolves_to_the_class_rasa_finds() -> None:
    assert Event.resolve_by_type is event_types.resolve_by_type
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "bot", "action", "slot", "session_started", "active_loop"} <= names
    for name in names:
        assert Event.resolve_by_type(name) is rasas_own_lookup(name)


def test_events_read_back_through_the_table() -> None:
    events = [UserUttered("hi"), ActionExecuted("action_listen"), SlotSet("consent", True), SessionStarted()]
    assert [Event.from_parameters(event.as_dict()) for event in events] == events


def test_unknown_names_get_rasas_answers() -> None:
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")


def test_a_class_defined_later_is_found() -> None:
    class LateEvent(Event):
        type_name = "late_event_for_test"

        def as_story_string(self) -> str:
            return ""

        def __eq__(self, other: object) -> bool:
            return isinstance(other, LateEvent)

        __hash__ = Event.__hash__

    assert Event.resolve_by_type("late_event_for_test") is LateEvent


async def serve_and_call(calls: int) -> List[str]:
    """A local action-server stand-in; the client peers it saw and the headers it got, one per call."""
    seen: List[str] = []

    async def webhook(request: web.Request) -> web.Response:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        seen.append(f"{peer[1] if peer else '?'} {request.headers.get('X-Test')}")
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", headers={"X-Test": "kept"})
    try:
        for _ in range(calls):
            assert await endpoint.request(json={"next_action": "x"}, method="post") == {"events": [], "responses": []}
        await asyncio.gather(*(endpoint.request(json={}, method="post") for _ in range(3)))
    finally:
        async with shared_session(endpoint) as session:
            await session.close()
        await runner.cleanup()
    return seen


def test_action_calls_reuse_one_connection_with_the_endpoints_headers() -> None:
    assert EndpointConfig.session is shared_session
    seen = asyncio.run(serve_and_call(5))
    sequential = seen[:5]
    assert len(set(sequential)) == 1, sequential  # one client port: one connection for five calls in a row
    assert all(line.endswith(" kept") for line in seen)
    assert len(seen) == 8


def test_a_new_event_loop_gets_its_own_session() -> None:
    first, second = asyncio.run(serve_and_call(2)), asyncio.run(serve_and_call(2))
    assert len(first) == len(second) == 5


def test_action_calls_carry_the_domain_without_its_responses() -> None:
    from pathlib import Path

    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(str(Path(__file__).resolve().parents[3] / "domain.yml"))
    action = RemoteAction("validate_qualification_form", EndpointConfig("http://127.0.0.1:1"))
    call = action._action_call_format(DialogueStateTracker("visitor", domain.slots), domain)
    assert "responses" not in call["domain"]
    assert "responses" in domain.as_dict()  # Rasa's own domain keeps them
    assert call["domain"]["forms"]["qualification_form"]["required_slots"]
    assert set(call["domain"]) == set(domain.as_dict()) - {"responses"}
    assert call["domain"]["session_config"] == domain.as_dict()["session_config"]
