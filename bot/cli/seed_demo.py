"""``python -m bot.cli.seed_demo``: the demo AEs' recurring busy blocks on the local calendar
(:mod:`bot.scheduling.demo`); nothing when bookings go to Google Calendar."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.logging_setup import configure_logging
from bot.scheduling.demo import seed_demo_calendars
from bot.services import get_services
from calendar_booking.local import LocalCalendar

logger = logging.getLogger(__name__)


def main() -> int:
    configure_logging()
    services = get_services()
    calendar = services.bookings.calendar
    if not isinstance(calendar, LocalCalendar):
        logger.info("bookings go to Google Calendar: no demo calendars to seed")
        return 0
    today = services.clock.now().date()
    added = seed_demo_calendars(
        calendar, services.team.aes, today - timedelta(days=1), services.booking.rules.horizon_days + 3
    )
    logger.info("demo calendars: %d busy blocks added for %d AEs", added, len(services.team.aes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
