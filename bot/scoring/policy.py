"""The scoring policy sales ops edit (``ops/scoring.yml``), validated when loaded.

The file is checked twice: by pydantic for shape, types, bands and
thresholds, then against the playbook, so every ``question:`` it names is a
question the bot asks, read with the right parser. Either way the first
problem raises :class:`~bot.errors.ConfigError` naming file, line and key.
"""

from __future__ import annotations

import hashlib
from enum import Enum, StrEnum
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Dict, Iterable, Iterator, List, Tuple, Type

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from answers.normalise import Budget, Seniority
from bot.config_files import line_of, load_model, read_yaml
from bot.errors import ConfigError
from bot.playbook import LanguageCode, Parser, Playbook

Words = List[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]]
QuestionName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=500)]
Points = Annotated[int, Field(ge=-1000, le=1000)]
Count = Annotated[int, Field(ge=1)]
Months = Annotated[int, Field(ge=0, le=120)]


class Tier(StrEnum):
    CQL = "cql"
    NURTURE = "nurture"
    DISQUALIFIED = "disqualified"
    SUPPORT = "support"


class _Strict(BaseModel):
    """Unknown keys are typos: refuse them. A number where text is expected is read as
    that text (``words: [365]``, ``title: 2024``), as YAML gives it."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class SizeBand(_Strict):
    min: Count
    max: Count | None = None
    points: Points

    @model_validator(mode="after")
    def _ordered(self) -> SizeBand:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"max {self.max} is below min {self.min}")
        return self


class CompanySizeRule(_Strict):
    question: QuestionName
    bands: List[SizeBand]

    @field_validator("bands")
    @classmethod
    def _contiguous(cls, bands: List[SizeBand]) -> List[SizeBand]:
        if not bands:
            raise ValueError("at least one band is needed")
        if bands[0].min != 1:
            raise ValueError(f"the first band must start at 1, not {bands[0].min}")
        for index, (band, following) in enumerate(pairwise(bands)):
            if band.max is None:
                raise ValueError(f"band {index} has no max but is not the last band")
            if following.min <= band.max:
                raise ValueError(f"bands {index} and {index + 1} overlap ({band.max} and {following.min})")
            if following.min != band.max + 1:
                raise ValueError(f"gap between bands {index} and {index + 1}: {band.max + 1}-{following.min - 1}")
        if bands[-1].max is not None:
            raise ValueError("the last band must have no max, so every size is covered")
        return bands


def _points_for_every(kind: Type[Enum], points: Dict[Any, int]) -> Dict[Any, int]:
    """Refuses a points table that leaves out a member of ``kind``."""
    missing = [member.value for member in kind if member not in points]
    if missing:
        raise ValueError(f"points missing for: {', '.join(missing)}")
    return points


class SeniorityRule(_Strict):
    question: QuestionName
    points: Dict[Seniority, Points]

    @field_validator("points")
    @classmethod
    def _every_level(cls, points: Dict[Seniority, int]) -> Dict[Seniority, int]:
        return _points_for_every(Seniority, points)


class TimelineBand(_Strict):
    within_months: Months
    points: Points


class TimelineRule(_Strict):
    question: QuestionName
    bands: List[TimelineBand]
    otherwise: Points = 0

    @field_validator("bands")
    @classmethod
    def _increasing(cls, bands: List[TimelineBand]) -> List[TimelineBand]:
        for index, (band, following) in enumerate(pairwise(bands)):
            if following.within_months <= band.within_months:
                raise ValueError(f"bands {index} and {index + 1} must have increasing within_months")
        return bands


class BudgetRule(_Strict):
    question: QuestionName
    points: Dict[Budget, Points]

    @field_validator("points")
    @classmethod
    def _every_status(cls, points: Dict[Budget, int]) -> Dict[Budget, int]:
        return _points_for_every(Budget, points)


class KeywordGroup(_Strict):
    label: Text
    words: Words
    points: Points


class UseCaseRule(_Strict):
    question: QuestionName
    keywords: List[KeywordGroup] = []


class AnswerKeywordsRule(_Strict):
    """Keyword points for any other free-text question (e.g. an industry)."""

    question: QuestionName
    keywords: List[KeywordGroup]


class FreeMailRule(_Strict):
    question: QuestionName
    points: Points


class CqlThreshold(_Strict):
    min_points: Points
    min_company_size: Count = 1


class NurtureThreshold(_Strict):
    min_points: Points


class Tiers(_Strict):
    cql: CqlThreshold
    nurture: NurtureThreshold

    @model_validator(mode="after")
    def _in_order(self) -> Tiers:
        if self.cql.min_points <= self.nurture.min_points:
            raise ValueError(
                f"cql.min_points ({self.cql.min_points}) must be above nurture.min_points ({self.nurture.min_points})"
            )
        return self


class WordsIn(_Strict):
    questions: List[QuestionName]
    words: Words


class DomainsIn(_Strict):
    question: QuestionName
    domains: Words


class CompaniesIn(_Strict):
    question: QuestionName
    names: Words


class Condition(_Strict):
    """One knock-out condition; exactly one of its keys is set."""

    seniority_in: List[Seniority] | None = None
    words_in: WordsIn | None = None
    email_domain_in: DomainsIn | None = None
    company_in: CompaniesIn | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        given = [key for key in type(self).model_fields if getattr(self, key) is not None]
        if len(given) != 1:
            raise ValueError(
                "each condition needs exactly one of seniority_in, words_in, email_domain_in, company_in"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self


class Knockout(_Strict):
    id: Identifier
    tier: Tier
    reason: Text
    when: List[Condition]
    #: The response (in domain.yml) the bot closes with; the tier's own close when absent.
    close: Identifier | None = None
    #: The NLU intent that names this knock-out in any message, at the opening or mid-way.
    intent: Identifier | None = None

    @field_validator("close")
    @classmethod
    def _a_response(cls, close: str | None) -> str | None:
        if close is not None and not close.startswith("utter_"):
            raise ValueError("a close is a response name from domain.yml, starting with utter_")
        return close

    @field_validator("tier")
    @classmethod
    def _not_a_points_tier(cls, tier: Tier) -> Tier:
        if tier in (Tier.CQL, Tier.NURTURE):
            raise ValueError("a knock-out decides disqualified or support; cql and nurture come from points")
        return tier

    @field_validator("when")
    @classmethod
    def _some_condition(cls, when: List[Condition]) -> List[Condition]:
        if not when:
            raise ValueError("at least one condition is needed")
        return when


class Resource(_Strict):
    id: Identifier
    title: Text
    url: Url
    words: Words = []
    #: The title in each other language the bot speaks (``make check`` names a missing one).
    titles: Dict[LanguageCode, Text] = {}

    def title_in(self, language: str) -> str:
        return self.titles.get(language, self.title)


class NurtureResources(_Strict):
    default: str
    items: List[Resource]

    @model_validator(mode="after")
    def _default_exists(self) -> NurtureResources:
        ids = [item.id for item in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError("resource ids must be unique")
        if self.default not in ids:
            raise ValueError(f"default '{self.default}' is not one of the items ({', '.join(ids) or 'none'})")
        return self


class Links(_Strict):
    careers: Url
    research_contact: Text
    support_portal: Url
    sales_contact: Text
    partners_contact: Text


class ScoringPolicy(_Strict):
    """The whole of ``ops/scoring.yml``."""

    version: int
    company_size: CompanySizeRule
    seniority: SeniorityRule
    timeline: TimelineRule
    budget: BudgetRule
    use_case: UseCaseRule
    answer_keywords: List[AnswerKeywordsRule] = []
    free_mail: FreeMailRule
    tiers: Tiers
    knockouts: List[Knockout] = []
    nurture_resources: NurtureResources
    links: Links
    #: A hash of the file's bytes: which policy produced a stored score.
    policy_version: str = ""

    @field_validator("version")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value != 1:
            raise ValueError("only version 1 is understood")
        return value

    @field_validator("knockouts")
    @classmethod
    def _unique_ids(cls, knockouts: List[Knockout]) -> List[Knockout]:
        ids = [knockout.id for knockout in knockouts]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ValueError(f"knock-out ids must be unique: {', '.join(duplicated)}")
        return knockouts


#: Which parser the question behind each section must have.
_SECTION_PARSERS = {
    "company_size": Parser.COMPANY_SIZE,
    "seniority": Parser.ROLE,
    "timeline": Parser.TIMELINE,
    "budget": Parser.BUDGET,
    "use_case": Parser.TEXT,
    "free_mail": Parser.EMAIL,
}


def _question_refs(policy: ScoringPolicy) -> Iterator[Tuple[Tuple[Any, ...], str, Parser | None]]:
    for section, parser in _SECTION_PARSERS.items():
        yield (section, "question"), getattr(policy, section).question, parser
    for index, rule in enumerate(policy.answer_keywords):
        yield ("answer_keywords", index, "question"), rule.question, Parser.TEXT
    for k_index, knockout in enumerate(policy.knockouts):
        for c_index, condition in enumerate(knockout.when):
            where = ("knockouts", k_index, "when", c_index)
            if condition.words_in is not None:
                for q_index, name in enumerate(condition.words_in.questions):
                    yield where + ("words_in", "questions", q_index), name, None
            if condition.email_domain_in is not None:
                yield where + ("email_domain_in", "question"), condition.email_domain_in.question, Parser.EMAIL
            if condition.company_in is not None:
                yield where + ("company_in", "question"), condition.company_in.question, Parser.COMPANY


def policy_version(path: Path) -> str:
    """A short hash of the policy file: stored with every score it produced."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


#: The close of each tier, when a knock-out names none (responses in domain.yml).
TIER_CLOSES = {
    Tier.CQL: "utter_close_cql",
    Tier.NURTURE: "utter_close_nurture",
    Tier.DISQUALIFIED: "utter_close_disqualified",
    Tier.SUPPORT: "utter_close_support",
}


def close_response(policy: ScoringPolicy, tier: Tier, knockout: str | None) -> str:
    """The response the bot closes with for this tier and knock-out."""
    for rule in policy.knockouts:
        if rule.id == knockout and rule.close:
            return rule.close
    return TIER_CLOSES[tier]


def cross_check_closes(policy: ScoringPolicy, path: Path, responses: Iterable[str]) -> List[ConfigError]:
    """Every close a knock-out names must be a response in domain.yml."""
    known = set(responses)
    _, lines = read_yaml(path)
    return [
        ConfigError(
            str(path),
            f"knockouts.{index}.close",
            f"no response '{rule.close}' in domain.yml",
            line=line_of(lines, ("knockouts", index, "close")),
        )
        for index, rule in enumerate(policy.knockouts)
        if rule.close and rule.close not in known
    ]


def load_policy(path: Path, playbook: Playbook) -> ScoringPolicy:
    """Loads ``ops/scoring.yml`` and checks every question it names against the playbook."""
    policy = load_model(path, ScoringPolicy)
    _, lines = read_yaml(path)
    for where, name, parser in _question_refs(policy):
        key = ".".join(str(part) for part in where)
        question = playbook.question(name)
        if question is None:
            raise ConfigError(
                str(path),
                key,
                f"unknown question '{name}' (ops/questions.yml asks: {', '.join(playbook.slots)})",
                line=line_of(lines, where),
            )
        if parser is not None and question.parser is not parser:
            raise ConfigError(
                str(path),
                key,
                f"question '{name}' is read as {question.parser.value}, this section needs {parser.value}",
                line=line_of(lines, where),
            )
    return policy.model_copy(update={"policy_version": policy_version(path)})
