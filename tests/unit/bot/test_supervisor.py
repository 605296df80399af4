"""The supervisor starts again a process that died, with backoff, and leaves the others alone."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from bot.processes.stack import ProcessGroup
from bot.processes.supervisor import FIRST_DELAY, MAX_DELAY, STABLE_AFTER, Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def group(tmp_path):
    processes = ProcessGroup(tmp_path)
    processes.start("actions", SLEEPER, dict(os.environ))
    processes.start("web", SLEEPER, dict(os.environ))
    yield processes
    processes.stop(grace=2)


def kill(group: ProcessGroup, name: str) -> int:
    pid = group.processes[name].pid
    os.killpg(pid, signal.SIGKILL)
    group.processes[name].wait()
    return pid


def test_a_killed_process_is_started_again_after_the_delay_and_the_others_are_left_running(group):
    clock = Clock()
    supervisor = Supervisor(group, clock=clock)
    web_pid = group.processes["web"].pid
    killed = kill(group, "actions")

    supervisor.tick()
    assert group.exited() == {"actions": -signal.SIGKILL}, "not restarted before its delay"
    clock.now += FIRST_DELAY
    supervisor.tick()

    assert group.exited() == {}
    assert group.processes["actions"].pid != killed
    assert group.processes["web"].pid == web_pid
    assert supervisor.restarts() == {"actions": 1}


def test_restarts_back_off_up_to_the_ceiling_and_reset_once_the_process_stays_up(group):
    clock = Clock()
    supervisor = Supervisor(group, clock=clock)
    delays = []
    for _ in range(7):
        kill(group, "actions")
        supervisor.tick()
        due = supervisor.backoff["actions"].due_at
        assert due is not None
        delays.append(due - clock.now)
        clock.now = due
        supervisor.tick()
        assert group.exited() == {}
    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0, MAX_DELAY, MAX_DELAY]

    clock.now += STABLE_AFTER
    kill(group, "actions")
    supervisor.tick()
    assert supervisor.backoff["actions"].due_at == clock.now + FIRST_DELAY
