"""/healthz proves the lead store takes a write, and a flood of calls costs one write a second."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace
from typing import Any, List

from sqlalchemy import event

from bot.db import make_engine
from bot.web.app import DATABASE_PROBE_REUSE_SECONDS, _database_health_within


def test_many_health_calls_at_once_write_the_probe_once(database_url: str) -> None:
    engine = make_engine(database_url)
    writes: List[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("UPDATE HEALTH_PROBES", "INSERT INTO HEALTH_PROBES")):
            writes.append(statement)

    async def calls() -> List[dict]:
        app = SimpleNamespace(ctx=SimpleNamespace(engine=engine, probe_lock=asyncio.Lock()))
        first = await asyncio.gather(*(_database_health_within(app, 3.0) for _ in range(50)))
        time.sleep(DATABASE_PROBE_REUSE_SECONDS)
        return [*first, await _database_health_within(app, 3.0)]

    results = asyncio.run(calls())

    assert all(result["ok"] for result in results)
    assert len([w for w in writes if w.lstrip().upper().startswith("UPDATE")]) == 2, "one probe, then one more"
