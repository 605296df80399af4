"""The booking rules sales ops edit (``ops/booking.yml``), validated when loaded."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from bot.config_files import load_model
from calendar_booking.availability import BookingRules

Minutes = Annotated[int, Field(ge=0, le=24 * 60)]

#: Placeholders the event title and description may use.
TEMPLATE_FIELDS = frozenset(
    {"visitor_name", "visitor_email", "company", "ae_name", "score", "tier", "reasons", "summary", "lead_url"}
)


class _Strict(BaseModel):
    """Unknown keys are typos: refuse them. A number where text is expected is read as
    that text (``words: [365]``, ``title: 2024``), as YAML gives it."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


def _check_template(text: str) -> str:
    for _literal, name, _spec, _conversion in string.Formatter().parse(text):
        if name is not None and name not in TEMPLATE_FIELDS:
            raise ValueError(f"unknown placeholder {{{name}}} (use: {', '.join(sorted(TEMPLATE_FIELDS))})")
    return text


Template = Annotated[str, StringConstraints(min_length=1, max_length=4000), AfterValidator(_check_template)]


class Meeting(_Strict):
    minutes: Annotated[int, Field(ge=10, le=240)]
    buffer_before_minutes: Minutes = 0
    buffer_after_minutes: Minutes = 0
    minimum_notice_minutes: Minutes = 240
    horizon_days: Annotated[int, Field(ge=1, le=90)]
    granularity_minutes: Annotated[int, Field(ge=5, le=240)]

    @model_validator(mode="after")
    def _grid(self) -> Meeting:
        if 60 % self.granularity_minutes and self.granularity_minutes % 60:
            raise ValueError("granularity_minutes must divide an hour (5, 10, 15, 20, 30) or be whole hours")
        return self


class Offer(_Strict):
    count: Annotated[int, Field(ge=3, le=5)]
    per_day: Annotated[int, Field(ge=1, le=5)] = 2
    prefer_routed_ae_days: Annotated[int, Field(ge=1, le=30)] = 3
    #: A CQL shown times who goes quiet this long without booking: the AE is alerted.
    alert_if_no_pick_after_minutes: Annotated[int, Field(ge=5, le=24 * 60)] = 30


class EventTemplates(_Strict):
    title: Template
    description: Template


class BookingConfig(_Strict):
    version: Annotated[int, Field(ge=1, le=1)]
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
