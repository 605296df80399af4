"""The qualification playbook: which questions the bot asks, in which order,
and how it explains and re-asks them (``ops/questions.yml``)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Dict, List

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

from bot.config_files import load_model


class Parser(StrEnum):
    """How an answer is understood; each maps to a ``parse_*`` function."""

    TEXT = "text"
    NAME = "name"
    EMAIL = "email"
    COMPANY = "company"
    ROLE = "role"
    COMPANY_SIZE = "company_size"
    TIMELINE = "timeline"
    BUDGET = "budget"
    COUNTRY = "country"


SlotName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Sentence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]

#: Unknown keys are typos: refuse them. A number where text is expected is read as that text.
_CONFIG = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]


class QuestionTexts(BaseModel):
    """A question's help texts in one more language."""

    model_config = _CONFIG

    why: Sentence
    hint: Sentence
    label: Label


class Question(BaseModel):
    """One qualifying question. ``why``, ``hint`` and ``label`` are English; ``translations``
    has them in each other language the bot speaks (``make check`` names a missing one)."""

    model_config = _CONFIG

    slot: SlotName
    parser: Parser
    why: Sentence
    hint: Sentence
    #: What the bot calls the answer when it speaks of it ("company size"); the slot's words by default.
    label: Label | None = None
    translations: Dict[LanguageCode, QuestionTexts] = {}

    @property
    def spoken(self) -> str:
        return self.label or self.slot.replace("_", " ")

    def why_in(self, language: str) -> str:
        texts = self.translations.get(language)
        return texts.why if texts else self.why

    def hint_in(self, language: str) -> str:
        texts = self.translations.get(language)
        return texts.hint if texts else self.hint

    def spoken_in(self, language: str) -> str:
        texts = self.translations.get(language)
        return texts.label if texts else self.spoken


class Playbook(BaseModel):
    """The ordered questions; validated when loaded."""

    model_config = _CONFIG

    version: int
    questions: List[Question]

    @field_validator("version")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value != 1:
            raise ValueError("only version 1 is understood")
        return value

    @field_validator("questions")
    @classmethod
    def _unique_slots(cls, questions: List[Question]) -> List[Question]:
        if not questions:
            raise ValueError("at least one question is needed")
        seen: Dict[str, int] = {}
        for index, question in enumerate(questions):
            if question.slot in seen:
                raise ValueError(f"slot '{question.slot}' is asked twice (items {seen[question.slot]} and {index})")
            seen[question.slot] = index
        return questions

    @property
    def slots(self) -> List[str]:
        """The question slots in the order they are asked."""
        return [question.slot for question in self.questions]

    def question(self, slot: str | None) -> Question | None:
        """The question asked through ``slot``, if the playbook has one."""
        return next((q for q in self.questions if q.slot == slot), None)


def load_playbook(path: Path) -> Playbook:
    """Loads and validates ``ops/questions.yml``; errors name file, line and key."""
    return load_model(path, Playbook)
