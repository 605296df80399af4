"""Wiring: builds the long-lived services once, on first use.

Nothing here runs at import time (rasa-sdk imports every action module at
startup). Tests install their own services with :func:`install`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from bot.clock import Clock, SystemClock
from bot.db import make_engine, make_session_factory
from bot.leads.store import LeadStore
from bot.playbook import Playbook, load_playbook
from bot.scoring.policy import ScoringPolicy, load_policy
from bot.settings import Settings, load_settings


@dataclass(frozen=True)
class Services:
    settings: Settings
    clock: Clock
    playbook: Playbook
    leads: LeadStore
    scoring: ScoringPolicy


_lock = threading.Lock()
_services: Services | None = None


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    """Builds every service from ``settings``; config errors raise here, at startup."""
    clock = clock or SystemClock()
    playbook = load_playbook(settings.ops_dir / "questions.yml")
    scoring = load_policy(settings.ops_dir / "scoring.yml", playbook)
    sessions = make_session_factory(make_engine(settings.database_url))
    return Services(
        settings=settings, clock=clock, playbook=playbook, leads=LeadStore(sessions, clock), scoring=scoring
    )


def get_services() -> Services:
    """The process's services, built from the environment on first call."""
    global _services
    if _services is None:
        with _lock:
            if _services is None:
                _services = build_services(load_settings())
    return _services


def install(services: Services | None) -> None:
    """Replaces the process's services (tests); ``None`` forgets them."""
    global _services
    _services = services
