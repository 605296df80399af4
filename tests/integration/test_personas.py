"""Our visitors (tests/personas/*.json), played by the visitor simulator over the REST
channel against the running stack: each reaches its expected outcome (booked, a follow-up,
the end) and, where it leaves an email, the expected stored tier."""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List

import pytest

from bot.processes.stack import Stack
from bot.settings import PROJECT_ROOT
from tests.support import visitor_sim
from tests.support.stack import API_TOKEN

PERSONA_FILES = sorted((PROJECT_ROOT / "tests" / "personas").glob("*.json"))


def personas() -> List[Dict[str, Any]]:
    found = [persona for path in PERSONA_FILES for persona in json.loads(path.read_text(encoding="utf-8"))]
    ids = [p["id"] for p in found]
    assert len(ids) == len(set(ids)), "persona ids must be unique"
    return found


def test_there_are_enough_visitors_of_our_own() -> None:
    assert len(personas()) >= 60


@pytest.fixture(scope="module")
def played(stack: Stack) -> Dict[str, Dict[str, Any]]:
    args = argparse.Namespace(
        webhook=f"http://127.0.0.1:{stack.ports.rasa}/webhooks/rest/webhook",
        api=f"http://127.0.0.1:{stack.ports.web}", token=API_TOKEN, max_turns=40,
    )  # fmt: skip
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda p: visitor_sim.run_persona(p, args), personas()))
    return {result["id"]: result for result in results}


@pytest.mark.parametrize("persona", personas(), ids=lambda p: p["id"])
def test_each_visitor_reaches_the_expected_outcome(played: Dict[str, Dict[str, Any]], persona: Dict[str, Any]) -> None:
    result = played[persona["id"]]
    transcript = "\n".join(f"> {turn['visitor'][:120]}\n  {' / '.join(turn['bot'])[:300]}" for turn in result["log"])
    assert result["ok"], (
        f"{persona['id']}: {result['outcome']} (expected {persona['expect']}), stored tier {result['lead_status']} "
        f"(expected {persona.get('status')}), resumed {result['resumed']}\n{transcript}"
    )
