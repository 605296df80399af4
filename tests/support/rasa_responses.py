"""The text Rasa itself picks for every response of a domain, in each of some languages:
``python -m tests.support.rasa_responses DOMAIN LANGUAGE...`` (in the Rasa server's
environment) prints ``{language: {response: text}}`` as JSON. Rasa 3.6's own generator
chooses among the variants (their ``condition`` on slots) for a tracker whose ``language``
slot is set, as it does for a visitor; placeholders are left unfilled.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Dict, List

#: The widget's channel (credentials.yml): a variant for another channel is not chosen.
CHANNEL = "rest"


def chosen_texts(domain_path: str, languages: List[str]) -> Dict[str, Dict[str, str]]:
    from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(domain_path)
    generator = TemplatedNaturalLanguageGenerator(domain.responses)

    async def each(language: str) -> Dict[str, str]:
        tracker = DialogueStateTracker.from_events("ops-guide", [SlotSet("language", language)], slots=domain.slots)
        texts = {}
        for name in domain.responses:
            message = await generator.generate(name, tracker, CHANNEL)
            texts[name] = str((message or {}).get("text"))
        return texts

    return {language: asyncio.run(each(language)) for language in languages}


if __name__ == "__main__":
    domain_path, *languages = sys.argv[1:]
    print(json.dumps(chosen_texts(domain_path, languages), ensure_ascii=False))
