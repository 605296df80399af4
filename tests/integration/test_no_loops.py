"""No loop, by construction, on the running stack: random and adversarial visitors (sentences
from our corpora, fragments of them, emoji, other languages, empty messages, buttons out of
place) never get a question a third time, and every bot turn leads (a question, buttons, or
a close with its way back)."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any, Dict, List

import requests
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from benchmarks.nlu_heldout import load_heldout
from bot.processes.stack import Stack
from bot.settings import PROJECT_ROOT

#: Responses that end an exchange with their way back (a link, an address, a goodbye).
CLOSES = re.compile(
    r"^utter_(close_\w+|goodbye|no_problem|consent_declined|contact_\w+|stopped|booked\w*|manual_booking|"
    r"meeting_declined|booking_failed_again|already_done|not_what_you_meant)$"
)
#: Questions whose repeats are counted: the form's, and the director's prompts.
COUNTED = re.compile(r"^utter_(ask_(?!preferred_times|timezone_answer)\w+|offer_start|menu|offer_human)$")
BUTTONS = ["/give_consent", "/deny_consent", "/request_demo", "/deny", "/ask_pricing", "/ask_product",
           "/request_human", "/other_times", "/no_slot_works", "/affirm", "/stop"]  # fmt: skip
OTHER_LANGUAGES = ["hola, quiero una demo", "Bonjour, je voudrais une démo", "Hallo, ich hätte gerne eine Demo",
                   "こんにちは", "Привет, сколько стоит?", "你好，可以预约演示吗？", "مرحبا"]  # fmt: skip


def corpus() -> List[str]:
    sentences = [str(item["text"]) for item in load_heldout(prefix="heldout")]
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            sentences += [
                line.strip()[2:] for line in str(item.get("examples") or "").splitlines() if line.strip()[:2] == "- "
            ]
    return sentences


SENTENCES = corpus()
MESSAGE = st.one_of(
    st.sampled_from(SENTENCES),
    st.sampled_from(SENTENCES).flatmap(lambda s: st.integers(0, len(s)).map(lambda n: s[n // 2 : n + 3])),
    st.sampled_from(["", " ", "👍", "🙂🙂", "???", "ok", "...", "yes", "no", *OTHER_LANGUAGES]),
    st.sampled_from(BUTTONS),
    st.text(max_size=40),
)


def turns(engine: Any, sender: str) -> List[List[Dict[str, Any]]]:
    """The bot's messages after each visitor message, from Rasa's tracker store."""
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
        ).all()
    groups: List[List[Dict[str, Any]]] = []
    for type_name, data in rows:
        if type_name == "user":
            groups.append([])
        elif type_name == "bot" and groups:
            groups[-1].append(json.loads(data))
    return groups


def leads(message: Dict[str, Any]) -> bool:
    name = (message.get("metadata") or {}).get("utter_action") or ""
    buttons = (message.get("data") or {}).get("buttons")
    return bool(buttons) or "?" in (message.get("text") or "")[-3:] or bool(CLOSES.match(name))


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.lists(MESSAGE, min_size=3, max_size=14))
def test_random_visitors_get_no_loop_and_always_a_lead(stack: Stack, messages: List[str]) -> None:
    sender = f"prop-{uuid.uuid4().hex[:12]}"
    url = f"http://127.0.0.1:{stack.ports.rasa}/webhooks/rest/webhook"
    for message in ["hi", *messages]:
        answer = requests.post(url, json={"sender": sender, "message": message}, timeout=60)
        assert answer.status_code == 200
    engine = create_engine(stack.env["TRACKER_DATABASE_URL"])
    counts: Dict[str, int] = {}
    for number, said in enumerate(turns(engine, sender)):
        if not said:
            continue  # an empty message may get no reply on the REST channel
        assert leads(said[-1]), f"turn {number} ends without a lead: {[m.get('text') for m in said]}"
        for message in said:
            name = (message.get("metadata") or {}).get("utter_action") or ""
            if COUNTED.match(name):
                counts[name] = counts.get(name, 0) + 1
    assert all(n <= 2 for n in counts.values()), counts
