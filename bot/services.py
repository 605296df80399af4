"""Wiring: builds the long-lived services once, on first use.

Nothing here runs at import time (rasa-sdk imports every action module at
startup). Tests install their own services with :func:`install`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from bot.clock import Clock, SystemClock
from bot.db import make_engine, make_session_factory
from bot.leads.repair import LeadRepair
from bot.leads.store import LeadStore
from bot.leads.transcripts import TranscriptStore
from bot.notifications.events import booking_events, request_events
from bot.playbook import Playbook, load_playbook
from bot.routing.log import RoutingLog
from bot.routing.router import Router
from bot.routing.rules import RoutingConfig, load_routing
from bot.routing.team import TeamConfig, load_team
from bot.scheduling.calendars import make_calendar
from bot.scheduling.chat_booking import ChatBooking
from bot.scheduling.config import BookingConfig, load_booking
from bot.scheduling.links import MeetingLinks, meeting_links
from bot.scheduling.offers import OfferLog
from bot.scheduling.scheduler import Scheduler
from bot.scoring.policy import ScoringPolicy, load_policy
from bot.settings import Settings, load_settings
from calendar_booking.booking import BookingService


@dataclass(frozen=True)
class Services:
    settings: Settings
    clock: Clock
    playbook: Playbook
    leads: LeadStore
    scoring: ScoringPolicy
    team: TeamConfig
    routing: RoutingConfig
    booking: BookingConfig
    bookings: BookingService
    scheduler: Scheduler
    routing_log: RoutingLog
    chat_booking: ChatBooking
    links: MeetingLinks | None
    #: Replays Rasa's trackers into the lead store (:mod:`bot.leads.repair`).
    repair: LeadRepair


_lock = threading.Lock()
_services: Services | None = None


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    """Builds every service from ``settings``; config errors raise here, at startup."""
    clock = clock or SystemClock()
    playbook = load_playbook(settings.ops_dir / "questions.yml")
    scoring = load_policy(settings.ops_dir / "scoring.yml", playbook)
    team = load_team(settings.ops_dir / "team.yml")
    routing = load_routing(settings.ops_dir / "routing.yml", team)
    booking = load_booking(settings.ops_dir / "booking.yml")
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    calendar = make_calendar(settings, team, engine, clock)
    bookings = BookingService(engine, calendar, clock, booking.rules, events=booking_events(team, clock))
    routing_log = RoutingLog(sessions, clock, on_request=request_events(team, clock))
    router = Router(team, routing, booking.rules, calendar, bookings, routing_log.open_offers)
    leads = LeadStore(sessions, clock)
    scheduler = Scheduler(router, bookings, booking, clock)
    return Services(
        settings=settings,
        clock=clock,
        playbook=playbook,
        leads=leads,
        scoring=scoring,
        team=team,
        routing=routing,
        booking=booking,
        bookings=bookings,
        scheduler=scheduler,
        routing_log=routing_log,
        chat_booking=ChatBooking(
            scheduler, OfferLog(sessions, clock), leads, routing_log, playbook, scoring, routing, settings.public_url
        ),
        links=meeting_links(settings),
        repair=LeadRepair(leads, TranscriptStore(make_engine(settings.tracker_database_url)), playbook, scoring),
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
