"""Kept-alive connections from the Rasa server to the action server.

Rasa 3.6's ``EndpointConfig.request`` opens a new ``aiohttp.ClientSession``
for every request, so every action call (two to four per turn here) pays for
a new connection pool, a TCP connect and its teardown. Under load a profile
of the Rasa server put 5% of its CPU in opening sessions alone.

:func:`install` makes ``EndpointConfig.session`` lend one long-lived session
per endpoint and event loop instead, with the same headers, auth and total
timeout; requests through it reuse its connections. Idle connections are let
go after :data:`KEEPALIVE_SECONDS`, below the action server's own keep-alive
timeout (Sanic's default is 5 s), so the client never sends on a connection
the server is closing.
"""

from __future__ import annotations

import asyncio
import weakref
from types import TracebackType
from typing import Type

import aiohttp
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

from rasa_server.patches.guard import replace

KEEPALIVE_SECONDS = 3.0
MAX_CONNECTIONS = 100

# Kept on each endpoint, by event loop: a finished loop (a test's) takes its session with it.
SESSIONS_ATTRIBUTE = "_shared_sessions"


class _Lent:
    """``async with`` on a shared session: hands it out and leaves it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(
        self, kind: Type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        return None


def _new_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    auth = None
    if endpoint.basic_auth:
        auth = aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
    return aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS, limit=MAX_CONNECTIONS),
    )


def shared_session(self: EndpointConfig) -> _Lent:
    """The endpoint's session on the running loop, opened on first use (``EndpointConfig.session``)."""
    by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aiohttp.ClientSession] = self.__dict__.setdefault(
        SESSIONS_ATTRIBUTE, weakref.WeakKeyDictionary()
    )
    loop = asyncio.get_running_loop()
    session = by_loop.get(loop)
    if session is None or session.closed:
        session = by_loop[loop] = _new_session(self)
    return _Lent(session)


def install() -> None:
    replace(EndpointConfig, "session", "rasa.utils.endpoints.EndpointConfig.session", lambda _rasas: shared_session)
