"""The Redis lock store on a real redis-server: one holder at a time, in ticket order, across stores."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from typing import Iterator, List

import pytest
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.processes.local_servers import RedisServer
from rasa_server.lock_store import AtomicRedisLockStore


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server.port
    server.stop()


def store(port: int) -> LockStore:
    """As the Rasa server builds it from endpoints.yml."""
    return LockStore.create(
        EndpointConfig(url="127.0.0.1", type="rasa_server.lock_store.AtomicRedisLockStore", port=port)
    )


def turns(stores: List[LockStore], conversation: str, each: int) -> tuple[int, int]:
    """Every store, in a thread and event loop of its own (as two servers are), handles ``each`` messages
    of one conversation at once: read the count, pause, write it back plus one."""
    state = {"count": 0, "inside": 0, "most_inside": 0}
    books = threading.Lock()

    async def message(lock_store: LockStore) -> None:
        async with lock_store.lock(conversation):
            with books:
                state["inside"] += 1
                state["most_inside"] = max(state["most_inside"], state["inside"])
            seen = state["count"]
            await asyncio.sleep(0.005)  # the turn's work: other messages and the other server run meanwhile
            state["count"] = seen + 1
            with books:
                state["inside"] -= 1

    async def server(lock_store: LockStore) -> None:
        await asyncio.gather(*(message(lock_store) for _ in range(each)))

    threads = [threading.Thread(target=asyncio.run, args=(server(s),)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return state["count"], state["most_inside"]


def test_two_servers_never_hold_one_conversation_at_once(redis_port: int) -> None:
    stores = [store(redis_port), store(redis_port)]
    assert all(isinstance(s, AtomicRedisLockStore) for s in stores)
    count, most_inside = turns(stores, f"c-{uuid.uuid4().hex}", each=15)
    assert (count, most_inside) == (30, 1)  # no turn lost, never two inside


def test_conversations_do_not_wait_for_each_other(redis_port: int) -> None:
    lock_store = store(redis_port)

    async def both() -> float:
        async with lock_store.lock("conversation-a"):
            started = time.monotonic()
            async with lock_store.lock("conversation-b"):
                return time.monotonic() - started

    assert asyncio.run(both()) < 1.0


def test_messages_are_served_in_the_order_they_came(redis_port: int) -> None:
    lock_store, conversation, order = store(redis_port), f"c-{uuid.uuid4().hex}", []

    async def message(number: int) -> None:
        await asyncio.sleep(number * 0.01)  # arrive one after another while the first holds the lock
        async with lock_store.lock(conversation):
            order.append(number)
            await asyncio.sleep(0.05 if number == 0 else 0)

    async def all_of_them() -> None:
        await asyncio.gather(*(message(n) for n in range(6)))

    asyncio.run(all_of_them())
    assert order == list(range(6))


def test_a_crashed_holders_ticket_expires_and_the_next_goes_on(redis_port: int) -> None:
    lock_store, conversation = store(redis_port), f"c-{uuid.uuid4().hex}"
    assert isinstance(lock_store, AtomicRedisLockStore)
    lock_store.take_ticket(conversation, lifetime=0.3)  # taken and never given back

    async def next_message() -> float:
        started = time.monotonic()
        async with lock_store.lock(conversation):
            return time.monotonic() - started

    waited = asyncio.run(next_message())
    assert 0.2 < waited < 5


def test_a_ticket_that_expires_while_waiting_is_an_error(redis_port: int) -> None:
    lock_store, conversation = store(redis_port), f"c-{uuid.uuid4().hex}"
    assert isinstance(lock_store, AtomicRedisLockStore)
    lock_store.take_ticket(conversation, lifetime=30)  # a slow holder

    async def impatient() -> None:
        async with lock_store.lock(conversation, lock_lifetime=0.2):
            pass

    with pytest.raises(LockError, match="expired"):
        asyncio.run(impatient())


def test_a_wrong_address_fails_loudly() -> None:
    lock_store = AtomicRedisLockStore(host="127.0.0.1", port=1, socket_timeout=1)

    async def use() -> None:
        async with lock_store.lock("c"):
            pass

    with pytest.raises(Exception, match=r"(?i)connect"):
        asyncio.run(use())
