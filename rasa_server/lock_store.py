"""A Redis lock store whose tickets are taken atomically: one conversation, one server at a time.

With more than one Rasa server, a lock store must keep two servers from
handling one conversation's messages at once: each reads the tracker, adds its
turn and writes it back, and without the lock one turn overwrites the other.
Rasa 3.6's ``RedisLockStore`` issues its tickets with a read, a change in
Python and a write of the whole lock. Two servers taking a ticket at the same
moment both read "no one waiting", both write ticket 0 and both go ahead.
``make bench-cluster`` caught it: a visitor's two messages sent at once to the
two servers, and one of them gone from the tracker in 2 conversations of 10.

This store keeps Rasa's ticket discipline (first come, first served, a
ticket expires after ``TICKET_LOCK_LIFETIME``, 60 s by default) with every step
one Redis script, so it is atomic:

- **take a ticket**: ``INCR`` the conversation's counter, put the number in
  its queue (a sorted set), set the ticket's own key to expire with the
  lifetime, and answer whose turn it is;
- **whose turn**: the lowest number in the queue whose key still exists; a
  holder whose ticket expired (a crashed server) is dropped from the queue;
- **done**: delete the ticket and take it out of the queue.

A waiting message checks every :data:`POLL_SECONDS` (Rasa's own store waits a
whole second between checks). Named in the cluster's ``endpoints.yml``::

    lock_store:
      type: rasa_server.lock_store.AtomicRedisLockStore
      url: 127.0.0.1
      port: 6379
"""

from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

POLL_SECONDS = 0.02
DEFAULT_KEY_PREFIX = "cqlbot:lock:"

# The number now served in queue KEYS[q] (tickets keyed ARGV[1] .. number): the lowest whose
# ticket still exists, expired holders dropped; -1 when the queue is empty.
SERVING = """
local function serving(queue, prefix)
  while true do
    local head = redis.call('ZRANGE', queue, 0, 0)[1]
    if not head then return -1 end
    if redis.call('EXISTS', prefix .. head) == 1 then return tonumber(head) end
    redis.call('ZREM', queue, head)
  end
end
"""

# KEYS: counter, queue; ARGV: ticket key prefix, lifetime in ms. Returns {ticket number, number now served}.
TAKE_TICKET = (
    SERVING
    + """
local number = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], number, number)
redis.call('SET', ARGV[1] .. number, 1, 'PX', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[2] * 2)
redis.call('PEXPIRE', KEYS[2], ARGV[2] * 2)
return {number, serving(KEYS[2], ARGV[1])}
"""
)

# KEYS: queue; ARGV: ticket key prefix. Returns the number now served, or -1.
NOW_SERVING = SERVING + "return serving(KEYS[1], ARGV[1])"

# KEYS: queue; ARGV: ticket key prefix, number.
DONE = """
redis.call('DEL', ARGV[1] .. ARGV[2])
redis.call('ZREM', KEYS[1], ARGV[2])
return 1
"""


class AtomicRedisLockStore(LockStore):
    """Rasa's ticket lock on Redis, each step one atomic script."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **settings: Any) -> None:
        options = {**(endpoint_config.kwargs if endpoint_config else {}), **settings}
        host = (endpoint_config.url if endpoint_config else None) or options.pop("host", "localhost")
        options.pop("host", None)
        self.prefix = str(options.pop("key_prefix", None) or DEFAULT_KEY_PREFIX)
        self.red = redis.StrictRedis(
            host=host,
            port=int(options.pop("port", 6379)),
            db=int(options.pop("db", 1)),
            password=options.pop("password", None),
            socket_timeout=float(options.pop("socket_timeout", 10)),
        )
        self._take = self.red.register_script(TAKE_TICKET)
        self._now_serving = self.red.register_script(NOW_SERVING)
        self._done = self.red.register_script(DONE)
        super().__init__()

    def _keys(self, conversation_id: str) -> tuple[str, str, str]:
        base = f"{self.prefix}{conversation_id}"
        return f"{base}:counter", f"{base}:queue", f"{base}:ticket:"

    def take_ticket(self, conversation_id: str, lifetime: float) -> tuple[int, int]:
        """A new ticket's number, and the number now served (the same when nobody was waiting)."""
        counter, queue, tickets = self._keys(conversation_id)
        number, serving = self._take(keys=[counter, queue], args=[tickets, max(1, int(lifetime * 1000))])
        return int(number), int(serving)

    def now_serving(self, conversation_id: str) -> int:
        _, queue, tickets = self._keys(conversation_id)
        return int(self._now_serving(keys=[queue], args=[tickets]))

    def done(self, conversation_id: str, ticket: int) -> None:
        _, queue, tickets = self._keys(conversation_id)
        self._done(keys=[queue], args=[tickets, ticket])

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = POLL_SECONDS
    ) -> AsyncGenerator[TicketLock, None]:
        """Waits for this conversation's turn (``LockError`` if the ticket expires first)."""
        ticket, serving = self.take_ticket(conversation_id, lock_lifetime)
        try:
            deadline = time.monotonic() + lock_lifetime
            while serving != ticket:  # no one waiting, the usual case: two Redis calls a message in all
                if serving == -1 or serving > ticket or time.monotonic() > deadline:
                    raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}': it expired.")
                await asyncio.sleep(min(wait_time_in_seconds, POLL_SECONDS))
                serving = self.now_serving(conversation_id)
            yield TicketLock(conversation_id)
        finally:
            self.done(conversation_id, ticket)
