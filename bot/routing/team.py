"""The sales team sales ops edit (``ops/team.yml``): AEs and teams, validated when loaded.

Problems raise :class:`~bot.errors.ConfigError` naming file, line and key:
an unknown time zone, overlapping working hours, an AE in no team, a team
naming an AE that does not exist.
"""

from __future__ import annotations

import re
from datetime import date, time
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Dict, List, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pycountry
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from bot.config_files import line_of, load_model, read_yaml
from bot.errors import ConfigError
from calendar_booking.availability import HostSchedule, Period

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=40)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)]
Weight = Annotated[float, Field(gt=0, le=100)]
Cap = Annotated[int, Field(ge=1, le=50)]
SlackUser = Annotated[str, StringConstraints(pattern=r"^[UW][A-Z0-9]{2,20}$")]
SlackChannel = Annotated[str, StringConstraints(pattern=r"^[#A-Za-z0-9_-]{2,80}$")]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PERIOD = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


class _Strict(BaseModel):
    """Unknown keys are typos: refuse them. A number where text is expected is read as
    that text (``words: [365]``, ``title: 2024``), as YAML gives it."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


def parse_period(text: str) -> Period:
    """``"09:00-17:00"`` as a pair of times; the end must be after the start."""
    match = _PERIOD.match(text.strip())
    if match is None:
        raise ValueError(f"'{text}' is not a period like 09:00-17:00")
    start = time(int(match.group(1)), int(match.group(2)))
    end = time(int(match.group(3)), int(match.group(4)))
    if end <= start:
        raise ValueError(f"'{text}' ends before it starts (a period cannot cross midnight)")
    return start, end


class Absence(_Strict):
    """Out of office from ``start`` to ``end``, both days included."""

    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Absence:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class AccountExecutive(_Strict):
    key: Key
    name: Name
    email: Email
    calendar_id: Email | None = None
    timezone: str
    holiday_country: str | None = None
    hours: Dict[str, List[str]]
    weight: Weight = 1.0
    max_meetings_per_day: Cap = 6
    out_of_office: List[Absence] = []
    active: bool = True
    joined: date | None = None
    slack_user_id: SlackUser | None = None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone '{value}' (use an IANA name like Europe/Berlin)") from exc
        return value

    @field_validator("holiday_country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is not None and pycountry.countries.get(alpha_2=value.upper()) is None:
            raise ValueError(f"unknown country code '{value}' (use ISO 3166 alpha-2 like DE)")
        return value.upper() if value else None

    @field_validator("hours")
    @classmethod
    def _hours(cls, hours: Dict[str, List[str]]) -> Dict[str, List[str]]:
        for day, periods in hours.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown weekday '{day}' (use {', '.join(WEEKDAYS)})")
            parsed = sorted(parse_period(p) for p in periods)
            for (_, end), (start, _) in pairwise(parsed):
                if start < end:
                    raise ValueError(f"{day}: periods overlap")
        if not any(hours.values()):
            raise ValueError("no working hours at all")
        return hours

    @property
    def calendar(self) -> str:
        return self.calendar_id or self.email

    def schedule(self) -> HostSchedule:
        """This AE as a host for availability maths."""
        return HostSchedule(
            key=self.key,
            timezone=self.timezone,
            hours={
                WEEKDAYS.index(day): tuple(sorted(parse_period(p) for p in periods))
                for day, periods in self.hours.items()
            },
            holiday_country=self.holiday_country,
            away=tuple((a.start, a.end) for a in self.out_of_office),
            daily_cap=self.max_meetings_per_day,
        )


class Team(_Strict):
    key: Key
    name: Name
    members: List[Key]
    slack_channel: SlackChannel | None = None

    @field_validator("members")
    @classmethod
    def _members(cls, members: List[str]) -> List[str]:
        if not members:
            raise ValueError("a team needs at least one member")
        if len(set(members)) != len(members):
            raise ValueError("a member is listed twice")
        return members


class TeamConfig(_Strict):
    version: Annotated[int, Field(ge=1, le=1)]
    aes: List[AccountExecutive]
    teams: List[Team]

    @property
    def by_key(self) -> Dict[str, AccountExecutive]:
        return {ae.key: ae for ae in self.aes}

    def team(self, key: str) -> Team | None:
        return next((team for team in self.teams if team.key == key), None)

    def members(self, team_key: str) -> List[AccountExecutive]:
        team = self.team(team_key)
        by_key = self.by_key
        return [by_key[key] for key in team.members] if team else []

    def teams_of(self, ae_key: str) -> List[str]:
        return [team.key for team in self.teams if ae_key in team.members]


def _cross_check(path: Path, config: TeamConfig) -> None:
    """Every team member exists, every AE is in a team, keys are unique."""
    _, lines = read_yaml(path)
    seen: Dict[str, int] = {}
    for index, ae in enumerate(config.aes):
        if ae.key in seen:
            where: Tuple[Any, ...] = ("aes", index, "key")
            raise ConfigError(str(path), f"aes.{index}.key", f"AE '{ae.key}' is defined twice", line_of(lines, where))
        seen[ae.key] = index
    team_keys: Dict[str, int] = {}
    for index, team in enumerate(config.teams):
        if team.key in team_keys:
            raise ConfigError(
                str(path),
                f"teams.{index}.key",
                f"team '{team.key}' is defined twice",
                line_of(lines, ("teams", index, "key")),
            )
        team_keys[team.key] = index
        for member_index, member in enumerate(team.members):
            if member not in seen:
                where = ("teams", index, "members", member_index)
                raise ConfigError(
                    str(path), f"teams.{index}.members.{member_index}", f"unknown AE '{member}'", line_of(lines, where)
                )
    for ae in config.aes:
        if not config.teams_of(ae.key):
            where = ("aes", seen[ae.key], "key")
            raise ConfigError(
                str(path), f"aes.{seen[ae.key]}.key", f"AE '{ae.key}' is in no team", line_of(lines, where)
            )


def load_team(path: Path) -> TeamConfig:
    """Loads and checks ``ops/team.yml``."""
    config = load_model(path, TeamConfig)
    _cross_check(path, config)
    return config
