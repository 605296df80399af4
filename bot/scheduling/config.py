"""The booking rules sales ops edit (``ops/booking.yml``), validated when loaded."""

from __future__ import annotations

import string
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Extra, conint, constr, root_validator, validator

from bot.config_files import load_model
from calendar_booking.availability import BookingRules

if TYPE_CHECKING:
    Minutes = int
    Template = str
else:
    Minutes = conint(ge=0, le=24 * 60)
    Template = constr(min_length=1, max_length=4000)

#: Placeholders the event title and description may use.
TEMPLATE_FIELDS = frozenset(
    {"visitor_name", "visitor_email", "company", "ae_name", "score", "tier", "reasons", "summary", "lead_url"}
)


class _Strict(BaseModel, extra=Extra.forbid, allow_mutation=False):
    """Unknown keys are typos: refuse them."""


def _check_template(text: str) -> str:
    for _literal, name, _spec, _conversion in string.Formatter().parse(text):
        if name is not None and name not in TEMPLATE_FIELDS:
            raise ValueError(f"unknown placeholder {{{name}}} (use: {', '.join(sorted(TEMPLATE_FIELDS))})")
    return text


class Meeting(_Strict):
    minutes: conint(ge=10, le=240)  # type: ignore[valid-type]
    buffer_before_minutes: Minutes = 0
    buffer_after_minutes: Minutes = 0
    minimum_notice_minutes: Minutes = 240
    horizon_days: conint(ge=1, le=90)  # type: ignore[valid-type]
    granularity_minutes: conint(ge=5, le=240)  # type: ignore[valid-type]

    @root_validator(skip_on_failure=True)
    def _grid(cls, values: dict) -> dict:  # noqa: N805
        if 60 % values["granularity_minutes"] and values["granularity_minutes"] % 60:
            raise ValueError("granularity_minutes must divide an hour (5, 10, 15, 20, 30) or be whole hours")
        return values


class Offer(_Strict):
    count: conint(ge=3, le=5)  # type: ignore[valid-type]
    per_day: conint(ge=1, le=5) = 2  # type: ignore[valid-type]
    prefer_routed_ae_days: conint(ge=1, le=30) = 3  # type: ignore[valid-type]
    #: A CQL shown times who goes quiet this long without booking: the AE is alerted.
    alert_if_no_pick_after_minutes: conint(ge=5, le=24 * 60) = 30  # type: ignore[valid-type]


class EventTemplates(_Strict):
    title: Template
    description: Template

    _title = validator("title", allow_reuse=True)(_check_template)
    _description = validator("description", allow_reuse=True)(_check_template)


class BookingConfig(_Strict):
    version: conint(ge=1, le=1)  # type: ignore[valid-type]
    meeting: Meeting
    offer: Offer
    event: EventTemplates

    @property
    def rules(self) -> BookingRules:
        m = self.meeting
        return BookingRules(
            meeting_minutes=m.minutes,
            buffer_before_minutes=m.buffer_before_minutes,
            buffer_after_minutes=m.buffer_after_minutes,
            minimum_notice_minutes=m.minimum_notice_minutes,
            horizon_days=m.horizon_days,
            granularity_minutes=m.granularity_minutes,
        )


def load_booking(path: Path) -> BookingConfig:
    """Loads and checks ``ops/booking.yml``."""
    return load_model(path, BookingConfig)
