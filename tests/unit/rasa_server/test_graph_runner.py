"""The Rasa server's graph runner gives what dask's gives, on the trained model."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, List

import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.engine.exceptions import GraphRunError
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_server.patches import graph_runner, install_all

DEFAULT_MODEL = Path(__file__).resolve().parents[3] / "models" / "cqlbot.tar.gz"

TEXTS = ["hi", "how much does it cost?", "~600 ppl", "vp sales", "asap", "<script>alert(1)</script>", "🙂", ""]


@pytest.fixture(scope="module")
def agent() -> Agent:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make model` first")
    install_all()  # as the Rasa server does before it loads the model
    return Agent.load(str(DEFAULT_MODEL))


def both(agent: Agent, inputs: dict, target: str) -> List[Any]:
    runner = agent.processor.graph_runner  # type: ignore[union-attr]
    return [run(runner, inputs=inputs, targets=[target])[target] for run in (graph_runner.DASK_RUN, graph_runner.run)]


def test_messages_parse_the_same(agent: Agent) -> None:
    target = agent.processor.model_metadata.nlu_target  # type: ignore[union-attr]
    for text in TEXTS:
        theirs, ours = both(agent, {"__message__": [UserMessage(text)]}, target)
        assert [m.as_dict() for m in ours] == [m.as_dict() for m in theirs], text


def trackers(agent: Agent) -> List[DialogueStateTracker]:
    slots = agent.domain.slots  # type: ignore[union-attr]
    greeted = [ActionExecuted(ACTION_LISTEN_NAME), UserUttered("hi", {"name": "greet", "confidence": 1.0})]
    mid_form = greeted + [
        ActionExecuted("utter_greet"), ActionExecuted("utter_ask_consent"), ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("/give_consent", {"name": "give_consent", "confidence": 1.0}),
        ActionExecuted("action_record_consent"), SlotSet("consent", True), ActionExecuted("qualification_form"),
        ActiveLoop("qualification_form"), SlotSet("requested_slot", "company"), ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("how much is it?", {"name": "ask_pricing", "confidence": 0.9}),
    ]  # fmt: skip
    return [DialogueStateTracker.from_events("t", events, slots) for events in (greeted, mid_form)]


def test_next_actions_are_predicted_the_same(agent: Agent) -> None:
    target = agent.processor.model_metadata.core_target  # type: ignore[union-attr]
    for tracker in trackers(agent):
        theirs, ours = both(agent, {"__tracker__": tracker}, target)
        assert (ours.probabilities, ours.policy_name) == (theirs.probabilities, theirs.policy_name)
        assert max(ours.probabilities) > 0


def test_a_whole_turn_through_the_processor(agent: Agent) -> None:
    """The processor's own call path, with our runner installed."""
    assert agent.processor.graph_runner.run.__func__ is graph_runner.run  # type: ignore[union-attr]
    parsed = asyncio.run(agent.parse_message("I'd like a demo"))
    assert parsed["intent"]["name"] == "request_demo"


def test_an_input_named_like_a_node_is_refused(agent: Agent) -> None:
    runner = agent.processor.graph_runner  # type: ignore[union-attr]
    target = agent.processor.model_metadata.nlu_target  # type: ignore[union-attr]
    with pytest.raises(GraphRunError, match="clashes"):
        graph_runner.run(runner, inputs={"__message__": target}, targets=[target])


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_a_message_without_words_is_a_fallback_not_an_error(agent: Agent, text: str) -> None:
    """Rasa's own logistic regression classifier fails on these; LogisticRegressionIntents does not."""
    parsed = asyncio.run(agent.parse_message(text))
    assert parsed["intent"]["name"] == "nlu_fallback"


def test_worded_messages_keep_rasas_probabilities(agent: Agent) -> None:
    parsed = asyncio.run(agent.parse_message("how much does it cost?"))
    ranking = parsed["intent_ranking"]
    assert parsed["intent"]["name"] == "ask_pricing" and ranking[0]["name"] == "ask_pricing"
    assert ranking == sorted(ranking, key=lambda entry: -entry["confidence"]) and len(ranking) == 10
