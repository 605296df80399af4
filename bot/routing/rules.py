"""The routing rules sales ops edit (``ops/routing.yml``), and the pure
function that applies them.

Three steps, in order (after Cal.com routing forms and Chili Piper's router):

1. **Account ownership**: a lead whose email domain belongs to a known
   account goes to that account's owner, if the owner can take it.
2. **Ordered rules**: the first rule whose conditions hold selects a team.
   Conditions compare a lead field with ``eq``, ``in``, ``not_in``, ``gte``,
   ``lte``, ``between`` or ``contains`` (strings ignore case), and combine with
   ``all`` / ``any``. An empty group is refused: it would match silently. The
   ``language`` field (the conversation's) takes ``eq``, ``in`` or ``not_in`` and
   only languages the bot speaks (domain.yml's ``language`` slot).
3. **The catch-all**: mandatory, always last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Dict, Iterator, List, Mapping, Sequence, Tuple, Union

import pycountry
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.config_files import error_message, line_of, load_model, read_yaml
from bot.errors import ConfigError
from bot.languages import supported_languages
from bot.routing.team import TeamConfig


def _trimmed_lower(value: Any) -> Any:
    """A domain as it is compared: trimmed, lower case. Done before the pattern is checked
    (``StringConstraints(to_lower=True)`` lowers only after it), so ``Acme.com`` is accepted."""
    return value.strip().lower() if isinstance(value, str) else value


Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=40)]
Domain = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9-]+(\.[a-z0-9-]+)+$", max_length=253),
    BeforeValidator(_trimmed_lower),
]
RegionName = Annotated[str, StringConstraints(min_length=1, max_length=40)]

#: The lead fields a rule may test, and whether each is a number or text.
NUMERIC_FIELDS = frozenset({"company_size", "timeline_months", "score"})
TEXT_FIELDS = frozenset(
    {"country", "country_code", "region", "seniority", "use_case", "email_domain", "company", "budget", "language"}
)
#: The ops a field of a closed set of codes takes (a language is one of the bot's, not a phrase).
CODE_OPS = {"language": ("eq", "in", "not_in")}
FIELDS = NUMERIC_FIELDS | TEXT_FIELDS
OPERATORS = ("eq", "in", "not_in", "gte", "lte", "between", "contains")
#: A number where it reads as one ("200" too, as sales ops may quote it), else text; or a list of those.
#: Left to right, so a quoted number for ``gte``/``between`` is a number, not the text "200".
Value = Annotated[
    Union[float, str, List[Annotated[Union[float, str], Field(union_mode="left_to_right")]]],
    Field(union_mode="left_to_right"),
]


class _Strict(BaseModel):
    """Unknown keys are typos: refuse them. A number where text is expected is read as
    that text (``words: [365]``, ``title: 2024``), as YAML gives it."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class Condition(_Strict):
    field: str
    op: str
    value: Value

    @model_validator(mode="after")
    def _typed(self) -> Condition:
        name, op, value = self.field, self.op, self.value
        if name not in FIELDS:
            raise ValueError(f"unknown field '{name}' (fields: {', '.join(sorted(FIELDS))})")
        if op not in OPERATORS:
            raise ValueError(f"unknown op '{op}' (ops: {', '.join(OPERATORS)})")
        numeric = name in NUMERIC_FIELDS
        if name in CODE_OPS and op not in CODE_OPS[name]:
            raise ValueError(f"'{name}' takes {', '.join(CODE_OPS[name])}, not '{op}'")
        if op in ("gte", "lte") and not (numeric and isinstance(value, (int, float))):
            raise ValueError(f"'{op}' needs a numeric field and a number")
        if op == "between":
            if not (
                numeric
                and isinstance(value, list)
                and len(value) == 2
                and all(isinstance(v, (int, float)) for v in value)
            ):
                raise ValueError("'between' needs a numeric field and [low, high]")
            low, high = float(value[0]), float(value[1])
            if low > high:
                raise ValueError(f"'between' low {value[0]} is above high {value[1]}")
        if op in ("in", "not_in") and (not isinstance(value, list) or not value):
            raise ValueError(f"'{op}' needs a non-empty list")
        if op == "contains" and (numeric or not isinstance(value, str) or not value.strip()):
            raise ValueError("'contains' needs a text field and a word or phrase")
        if op == "eq" and isinstance(value, list):
            raise ValueError("'eq' needs one value; use 'in' for a list")
        return self


class Group(_Strict):
    all: List[Union[Group, Condition]] | None = None
    any: List[Union[Group, Condition]] | None = None

    @field_validator("all", "any", mode="before")
    @classmethod
    def _items(cls, items: Any) -> Any:
        """Each item is a condition (it has ``field``) or a nested group; parse
        it as that one, so a mistake is reported as itself, not as the other."""
        if not isinstance(items, list):
            return items
        parsed: List[Union[Group, Condition]] = []
        for index, item in enumerate(items):
            kind: Any = Condition if isinstance(item, dict) and "field" in item else Group
            try:
                parsed.append(kind.model_validate(item))
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                raise ValueError(f"item {index}{': ' + where if where else ''}: {error_message(first)}") from exc
        return parsed

    @model_validator(mode="after")
    def _one(self) -> Group:
        given = [key for key in ("all", "any") if getattr(self, key) is not None]
        if len(given) != 1:
            raise ValueError("a group has exactly one of 'all' or 'any'")
        if not getattr(self, given[0]):
            raise ValueError(f"'{given[0]}' is empty: an empty rule would match every lead")
        return self


Group.model_rebuild()


class Rule(_Strict):
    id: Key
    when: Group
    team: Key


class Account(_Strict):
    domain: Domain
    owner: Key
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None


class CatchAll(_Strict):
    team: Key


class RoutingConfig(_Strict):
    version: Annotated[int, Field(ge=1, le=1)]
    regions: Dict[RegionName, List[str]] = {}
    accounts: List[Account] = []
    rules: List[Rule] = []
    catch_all: CatchAll

    @field_validator("regions", mode="before")
    @classmethod
    def _no_yaml_booleans(cls, regions: Any) -> Any:
        for region, codes in (regions or {}).items() if isinstance(regions, dict) else ():
            if isinstance(codes, list) and any(isinstance(code, bool) for code in codes):
                raise ValueError(
                    f'{region}: YAML reads NO, YES, ON and OFF as true/false; quote country codes like "NO"'
                )
        return regions

    @field_validator("regions")
    @classmethod
    def _codes(cls, regions: Dict[str, List[str]]) -> Dict[str, List[str]]:
        seen: Dict[str, str] = {}
        for region, codes in regions.items():
            for code in codes:
                if pycountry.countries.get(alpha_2=code.upper()) is None:
                    raise ValueError(f"{region}: unknown country code '{code}'")
                if code.upper() in seen:
                    raise ValueError(f"{code} is in both {seen[code.upper()]} and {region}")
                seen[code.upper()] = region
        return regions

    def region_of(self, country_code: str | None) -> str | None:
        if not country_code:
            return None
        return next(
            (r for r, codes in self.regions.items() if country_code.upper() in (c.upper() for c in codes)), None
        )

    def owner_of(self, email_domain: str | None) -> Account | None:
        if not email_domain:
            return None
        domain = email_domain.lower()
        return next((a for a in self.accounts if domain == a.domain or domain.endswith("." + a.domain)), None)


@dataclass(frozen=True)
class RoutingLead:
    """The lead fields rules test; None means the visitor did not say."""

    fields: Mapping[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return self.fields.get(name)


def _text(value: Any) -> str:
    return str(value).casefold().strip()


def holds(condition: Condition, lead: RoutingLead) -> bool:
    """Whether one condition holds; a missing field makes every condition false
    (``not_in`` too: an unknown country is not "outside EMEA")."""
    actual = lead.get(condition.field)
    if actual is None or actual == "":
        return False
    op, expected = condition.op, condition.value
    if condition.field in NUMERIC_FIELDS:
        try:
            number = float(actual)
        except (TypeError, ValueError):
            return False
        if op == "gte":
            return number >= float(expected)  # type: ignore[arg-type]
        if op == "lte":
            return number <= float(expected)  # type: ignore[arg-type]
        if op == "between":
            low, high = expected  # type: ignore[misc, str-unpack]
            return float(low) <= number <= float(high)
        if op == "eq":
            return number == float(expected)  # type: ignore[arg-type]
        if op == "in":
            return number in [float(v) for v in expected]  # type: ignore[union-attr]
        return number not in [float(v) for v in expected]  # type: ignore[union-attr]
    text = _text(actual)
    if op == "eq":
        return text == _text(expected)
    if op == "in":
        return text in {_text(v) for v in expected}  # type: ignore[union-attr]
    if op == "not_in":
        return text not in {_text(v) for v in expected}  # type: ignore[union-attr]
    if op == "contains":
        # Whole words only, so "ai" does not match "maintain"; a pattern, never a regex of the visitor's.
        return re.search(rf"(?<!\w){re.escape(_text(expected))}(?!\w)", text) is not None
    return False


def group_holds(group: Group, lead: RoutingLead) -> bool:
    if group.all is not None:
        return all(group_holds(c, lead) if isinstance(c, Group) else holds(c, lead) for c in group.all)
    assert group.any is not None
    return any(group_holds(c, lead) if isinstance(c, Group) else holds(c, lead) for c in group.any)


def select_team(config: RoutingConfig, lead: RoutingLead) -> Tuple[str, str]:
    """The team the first matching rule selects, or the catch-all's, with the reason code."""
    for rule in config.rules:
        if group_holds(rule.when, lead):
            return rule.team, f"rule:{rule.id}"
    return config.catch_all.team, "catch_all"


def conditions_of(group: Group, path: Tuple[Any, ...]) -> Iterator[Tuple[Tuple[Any, ...], Condition]]:
    """Every condition of ``group`` (at key path ``path``), nested groups' too, with its key path."""
    for key in ("all", "any"):
        for index, item in enumerate(getattr(group, key) or ()):
            where = (*path, key, index)
            if isinstance(item, Group):
                yield from conditions_of(item, where)
            else:
                yield where, item


def _language_problem(condition: Condition, languages: Sequence[str]) -> str | None:
    """Why a ``language`` condition can never hold, or None: each value must be a language the bot speaks."""
    values = condition.value if isinstance(condition.value, list) else [condition.value]
    spoken = {code.casefold() for code in languages}
    unknown = [str(v) for v in values if _text(v) not in spoken]
    if not unknown:
        return None
    return (
        f"the bot does not speak {', '.join(repr(v) for v in unknown)} "
        f"(languages: {', '.join(languages)}; domain.yml's language slot)"
    )


def load_routing(path: Path, team: TeamConfig, languages: Sequence[str] | None = None) -> RoutingConfig:
    """Loads ``ops/routing.yml`` and checks it against the team and the languages the bot
    speaks (``languages``; by default the language slot's values in domain.yml)."""
    _, lines = read_yaml(path)
    spoken = tuple(languages) if languages is not None else supported_languages()
    try:
        config = load_model(path, RoutingConfig)
    except ConfigError as exc:
        if exc.key == "catch_all" and "field required" in exc.problem:
            raise ConfigError(
                str(path), "catch_all", "a catch-all route is required (catch_all: {team: ...})", 1
            ) from exc
        raise
    ids: Dict[str, int] = {}
    for index, rule in enumerate(config.rules):
        if rule.id in ids:
            raise ConfigError(
                str(path),
                f"rules.{index}.id",
                f"rule id '{rule.id}' is used twice",
                line_of(lines, ("rules", index, "id")),
            )
        ids[rule.id] = index
        for where, condition in conditions_of(rule.when, ("rules", index, "when")):
            problem = _language_problem(condition, spoken) if condition.field == "language" else None
            if problem:
                raise ConfigError(
                    str(path), ".".join(map(str, (*where, "value"))), problem, line_of(lines, (*where, "value"))
                )
        if team.team(rule.team) is None:
            raise ConfigError(
                str(path),
                f"rules.{index}.team",
                f"unknown team '{rule.team}' (ops/team.yml)",
                line_of(lines, ("rules", index, "team")),
            )
    if team.team(config.catch_all.team) is None:
        raise ConfigError(
            str(path),
            "catch_all.team",
            f"unknown team '{config.catch_all.team}' (ops/team.yml)",
            line_of(lines, ("catch_all", "team")),
        )
    for index, account in enumerate(config.accounts):
        if account.owner not in team.by_key:
            raise ConfigError(
                str(path),
                f"accounts.{index}.owner",
                f"unknown AE '{account.owner}' (ops/team.yml)",
                line_of(lines, ("accounts", index, "owner")),
            )
    return config
