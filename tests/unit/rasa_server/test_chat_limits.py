"""The chat channel's limits: size, one sender's rate and messages in flight, an address's rate."""

from __future__ import annotations

import asyncio
from typing import Any, List

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from rasa_server.channels import (
    ADDRESS_BURST,
    MAX_IN_FLIGHT,
    MAX_MESSAGE_CHARS,
    SENDER_BURST,
    TOO_FAST,
    TOO_LONG,
    ChatLimits,
    TokenBuckets,
)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_its_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(burst=3, per_second=0.5, clock=clock)
    assert [buckets.take("a") for _ in range(4)] == [True, True, True, False]
    assert buckets.take("b"), "another key has its own bucket"
    clock.now += 1.9
    assert not buckets.take("a")
    clock.now += 0.2
    assert buckets.take("a")
    clock.now += 1000
    assert [buckets.take("a") for _ in range(4)] == [True, True, True, False], "never more than the burst"


def test_size_sender_rate_and_address_rate() -> None:
    clock = Clock()
    limits = ChatLimits(TokenBuckets(SENDER_BURST, 1.0, clock), TokenBuckets(ADDRESS_BURST, 10.0, clock))
    assert limits.refusal("s", "x" * (MAX_MESSAGE_CHARS + 1), None) == TOO_LONG
    assert [limits.refusal("s", "hi", None) for _ in range(SENDER_BURST)] == [None] * SENDER_BURST
    assert limits.refusal("s", "hi", None) == TOO_FAST
    for n in range(ADDRESS_BURST):
        assert limits.refusal(f"visitor-{n}", "hi", "203.0.113.9") is None
    assert limits.refusal("visitor-new", "hi", "203.0.113.9") == TOO_FAST
    assert limits.refusal("visitor-new", "hi", "127.0.0.1") is None, "loopback (a local proxy) is not limited"


def test_a_sender_with_messages_in_flight_is_turned_away_and_told_why() -> None:
    limits = ChatLimits()
    release = asyncio.Event()
    handled: List[str] = []

    async def slow_bot(message: UserMessage) -> Any:
        handled.append(message.text or "")
        await release.wait()

    guarded = limits.guard(slow_bot)

    async def scenario() -> List[Any]:
        channels = [CollectingOutputChannel() for _ in range(MAX_IN_FLIGHT + 1)]
        waiting = [asyncio.ensure_future(guarded(UserMessage(f"m{n}", channels[n], "visitor-1")))
                   for n in range(MAX_IN_FLIGHT)]  # fmt: skip
        await asyncio.sleep(0)
        await guarded(UserMessage("one more", channels[-1], "visitor-1"))
        refused = channels[-1].messages
        release.set()
        await asyncio.gather(*waiting)
        after = CollectingOutputChannel()
        await guarded(UserMessage("later", after, "visitor-1"))
        return [refused, limits.in_flight]

    refused, in_flight = asyncio.run(scenario())
    assert refused == [{"recipient_id": "visitor-1", "text": TOO_FAST}]
    assert handled == ["m0", "m1", "later"]
    assert in_flight == {}


def test_a_malformed_session_id_is_ignored() -> None:
    handled: List[str] = []

    async def bot(message: UserMessage) -> None:
        handled.append(message.sender_id)

    asyncio.run(ChatLimits().guard(bot)(UserMessage("hi", CollectingOutputChannel(), "x" * 500)))
    assert handled == []
