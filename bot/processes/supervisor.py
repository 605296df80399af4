"""Keeps the stack's processes running: one that exits is started again, with backoff.

``make run`` and ``make run-cluster`` watch their children through
:class:`Supervisor`. When the action server, the Rasa server or the web app
exits (a crash, ``kill -9``, the OOM killer), only that process is started
again; the others go on serving. Restarts back off (1 s, 2 s, 4 s ... up to
30 s) so a process that cannot start does not spin, and the backoff is
forgotten once a process has stayed up for a minute.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, Protocol

logger = logging.getLogger(__name__)

FIRST_DELAY = 1.0
MAX_DELAY = 30.0
#: A process up this long is healthy again: its next exit restarts it after FIRST_DELAY.
STABLE_AFTER = 60.0


class Restartable(Protocol):
    """What the supervisor needs of a group of processes (bot.processes.stack.ProcessGroup)."""

    def exited(self) -> Dict[str, int]: ...

    def restart(self, name: str) -> None: ...


@dataclass
class Backoff:
    """One process's restart schedule."""

    delay: float = FIRST_DELAY
    restarts: int = 0
    started_at: float = 0.0
    due_at: float | None = None  # when an exited process is started again


@dataclass
class Supervisor:
    group: Restartable
    clock: Callable[[], float] = time.monotonic
    backoff: Dict[str, Backoff] = field(default_factory=dict)

    def tick(self) -> None:
        """Schedules a restart for each process that exited, and starts those whose time has come."""
        now = self.clock()
        for name, code in self.group.exited().items():
            state = self.backoff.setdefault(name, Backoff(started_at=now))
            if state.due_at is None:
                if now - state.started_at >= STABLE_AFTER:
                    state.delay = FIRST_DELAY
                state.due_at = now + state.delay
                logger.error("%s exited with code %s; starting it again in %.0f s (the others keep serving)",
                             name, code, state.delay)  # fmt: skip
            if now >= state.due_at:
                self.group.restart(name)
                state.restarts += 1
                state.started_at = now
                state.due_at = None
                state.delay = min(MAX_DELAY, state.delay * 2)
                logger.warning("%s started again (restart %d)", name, state.restarts)

    def restarts(self) -> Dict[str, int]:
        return {name: state.restarts for name, state in self.backoff.items()}
