"""Knock-outs in any message: a job seeker, a student, a vendor's pitch, a customer with a
support problem, a competitor. What counts is ops data (``ops/scoring.yml``): each
knock-out's NLU intent, and its words."""

from __future__ import annotations

from bot.conversation.messages import mentions_phrase
from bot.qualification.extract import find_answers
from bot.scoring.policy import Knockout, ScoringPolicy

#: An intent classifier this sure of a knock-out intent decides, outside the questions...
KNOCKOUT_CONFIDENCE = 0.7
#: ...and while a question is on the table, where the answer wins unless it is plain.
IN_FORM_CONFIDENCE = 0.85
#: A message that gives this many facts of a lead (email, role, size, name, company) is a
#: buyer introducing themselves, whatever the classifier thinks of its tone.
LEAD_FACTS = 2


def knockout_in_message(
    policy: ScoringPolicy, text: str, intent: str | None, confidence: float, in_form: bool = False
) -> Knockout | None:
    """The knock-out a message is, by its intent or its words; None for any other message."""
    facts = set(find_answers(text)) & {"email", "role", "company_size", "name", "company"}
    threshold = IN_FORM_CONFIDENCE if in_form else KNOCKOUT_CONFIDENCE
    for knockout in policy.knockouts:
        if knockout.intent and knockout.intent == intent and confidence >= threshold and len(facts) < LEAD_FACTS:
            return knockout
    for knockout in policy.knockouts:
        for condition in knockout.when:
            # Phrases only ("are you hiring", "support ticket"): a single word ("bug", "student")
            # says too little in a message of its own; scoring reads it in the answers it names.
            phrases = [w for w in condition.words_in.words if " " in w.strip()] if condition.words_in else []
            if phrases and mentions_phrase(text, phrases):
                return knockout
    return None
