"""Logging, configured in one place for every process of ours."""

from __future__ import annotations

import logging
import os


def configure_logging(level: str | None = None) -> None:
    """Plain, timestamped lines on stderr; the level from LOG_LEVEL (INFO)."""
    logging.basicConfig(
        level=(level or os.environ.get("LOG_LEVEL") or "INFO").upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )
