"""The words the actions put into responses (button titles, "our team", "or"), and the
meeting page's and its invite's text, in every language the bot speaks, from
``ops/phrases.yml``. Whole chat messages live in domain.yml; these are only its fillers.
``make check`` names a phrase missing a language the domain speaks."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Dict

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

from bot.config_files import load_model
from bot.languages import DEFAULT_LANGUAGE
from bot.playbook import LanguageCode
from bot.settings import PROJECT_ROOT

PHRASES_FILE = PROJECT_ROOT / "ops" / "phrases.yml"
#: The phrases the actions and the meeting page use: the file must have each (in English at least).
NEEDED = (
    "other_times", "none_work", "or", "our_team", "someone_from_our_team", "your_email", "you", "manage_links",
    "meeting_title", "meeting_link_invalid_title", "meeting_link_invalid", "meeting_with", "meeting_is_cancelled",
    "meeting_video_call", "meeting_add_to_calendar", "meeting_pick_another", "meeting_cant_make_it", "meeting_cancel",
    "meeting_moved_to", "meeting_cancelled_now", "meeting_already_cancelled", "meeting_calendar_down_stands",
    "meeting_too_large", "meeting_pick_below", "meeting_cancelled_book_anew", "meeting_time_gone", "meeting_book_anew",
    "meeting_time_taken", "meeting_calendar_down_unchanged", "meeting_moved", "ics_summary", "ics_manage",
)  # fmt: skip

Phrase = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class Phrases(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    phrases: Dict[str, Dict[LanguageCode, Phrase]]

    @field_validator("phrases")
    @classmethod
    def _every_needed_phrase_in_english(cls, phrases: Dict[str, Dict[str, str]]) -> Dict[str, Dict[str, str]]:
        missing = [key for key in NEEDED if DEFAULT_LANGUAGE not in phrases.get(key, {})]
        if missing:
            raise ValueError(f"no English text for {', '.join(missing)}")
        return phrases


@lru_cache(maxsize=2)
def load_phrases(path: Path = PHRASES_FILE) -> Phrases:
    """Loads and validates ``ops/phrases.yml``; errors name file, line and key."""
    return load_model(path, Phrases)


def phrase(key: str, language: str) -> str:
    """``key`` in ``language``, or in English where it has none."""
    texts = load_phrases().phrases[key]
    return texts.get(language) or texts[DEFAULT_LANGUAGE]
