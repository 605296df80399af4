"""``make repair`` (``python -m bot.cli.repair``): brings the lead store level with Rasa's
trackers (:class:`bot.leads.repair.LeadRepair`); exits 1 when a conversation could not be
repaired or an active booking has no lead."""

from __future__ import annotations

import argparse
import sys
from typing import List

from bot.errors import StoreError
from bot.logging_setup import configure_logging
from bot.services import get_services


def main(argv: List[str] | None = None) -> int:
    argparse.ArgumentParser(description="Bring the lead store level with Rasa's trackers.").parse_args(argv)
    configure_logging()
    try:
        report = get_services().repair.repair_all()
    except StoreError as exc:
        print(f"repair failed: {exc}", file=sys.stderr)
        return 2
    print(
        f"checked {report.checked} conversations: {report.restored} restored, {report.rescored} scored again, "
        f"{report.failed} failed; active bookings without a lead: {len(report.bookings_without_lead)}"
    )
    return 1 if report.bookings_without_lead or report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
