"""Background tasks of the web app: started after the server starts, cancelled before it stops."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Callable, Coroutine

from sanic import Sanic


def run_in_background(app: Sanic, name: str, work: Callable[[Sanic], Coroutine[Any, Any, None]]) -> None:
    """Runs ``work(app)`` as a task for the life of the server; ``name`` keeps it on ``app.ctx``."""

    @app.after_server_start
    async def start(app: Sanic) -> None:
        setattr(app.ctx, name, asyncio.get_running_loop().create_task(work(app)))

    @app.before_server_stop
    async def stop(app: Sanic) -> None:
        task = getattr(app.ctx, name)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
