"""Rasa NLU pipeline components of CQL Bot (loaded by the Rasa server only).

``MessageGuard`` goes first in the pipeline and cuts over-long messages before
any tokenizer sees them. ``LogisticRegressionIntents`` is Rasa's logistic
regression intent classifier that also copes with a message that has no
words. ``IntentGuard`` goes after the intent classifier and before the
FallbackClassifier: it labels emoji-only messages and messages in another
language, which a classifier trained on English guesses at badly.
"""

from __future__ import annotations

from typing import Any, Dict, List

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH
from scipy.sparse import vstack
from scipy.special import softmax

from answers.instructions import is_instruction
from rasa_server.nlu.text_guard import (
    asks_for_meeting,
    is_emoji_only,
    is_plain_answer,
    is_thumbs_up,
    is_wave,
    looks_non_english,
    reads_as_name,
    text_for_nlu,
)

#: Below this the classifier's best guess falls back (as the FallbackClassifier's threshold).
UNSURE = 0.45
#: The most an intent the guard overrode keeps in the ranking (below the fallback's margin).
OVERRIDDEN = 0.9
#: Two guesses this close are a toss-up.
TORN = 0.15
#: The classifier's guesses that a request for a demo in so many words overrides: facts, a
#: greeting or small talk around it, or "just looking" (never a knock-out, a question or a person).
MEETING_MISREAD_AS = frozenset({"inform", "greet", "request_demo", "chitchat", "just_browsing"})


class _StatelessComponent(GraphComponent):
    """A component with no configuration, nothing to train and nothing to persist."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls()


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class MessageGuard(_StatelessComponent):
    """Reads each message's words as the NLU pipeline should: markup dropped, cut to the
    length the pipeline handles. The tracker keeps the text as typed."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str):
                message.set(TEXT, text_for_nlu(text))
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LogisticRegressionIntents(LogisticRegressionClassifier):
    """Rasa 3.6's ``LogisticRegressionClassifier``, safe for a message without words.

    Rasa's fails the whole message (an error, and the visitor gets no answer)
    when a message's features are narrower than the model's, as for an empty
    or blank message. Such a message gets no intent here (confidence 0), so the
    FallbackClassifier after it turns it into ``nlu_fallback``. It also takes
    ``C``, the inverse regularisation strength, which Rasa's leaves at 1.
    """

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0}

    def __init__(self, config: Dict[str, Any], name: str, model_storage: ModelStorage, resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.C = float(self.config["C"])
        self._weights: np.ndarray | None = None
        self._weights_of: np.ndarray | None = None

    def probabilities(self, features: Any) -> np.ndarray:
        """``clf.predict_proba`` for a multinomial model, without its per-call copy of the weights.

        sklearn multiplies the sparse features by ``coef_.T``, a column-major view that scipy
        copies to row-major on every call: about 2 ms per message for the model's tens of
        thousands of n-gram features. The row-major copy is made once here."""
        if self.clf.coef_.shape[0] < 3 or getattr(self.clf, "multi_class", "auto") == "ovr":
            return self.clf.predict_proba(features)  # one-vs-rest or binary: sklearn's own
        if self._weights is None or self._weights_of is not self.clf.coef_:
            self._weights, self._weights_of = np.ascontiguousarray(self.clf.coef_.T), self.clf.coef_
        return softmax(np.asarray(features @ self._weights) + self.clf.intercept_, axis=1)

    def process(self, messages: List[Message]) -> List[Message]:
        rows = [self._create_X([message]) for message in messages]
        usable = [i for i, row in enumerate(rows) if row.shape[1] == self.clf.n_features_in_]
        probabilities: Any = self.probabilities(vstack([rows[i] for i in usable])) if usable else []
        for message in messages:
            message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        for index, row_probabilities in zip(usable, probabilities, strict=True):
            ranking = sorted(
                (
                    {"name": name, "confidence": float(p)}
                    for name, p in zip(self.clf.classes_, row_probabilities, strict=True)
                ),
                key=lambda entry: -entry["confidence"],
            )
            messages[index].set(INTENT, ranking[0], add_to_output=True)
            length = self.config[RANKING_LENGTH]
            messages[index].set(INTENT_RANKING_KEY, ranking[:length] if length > 0 else ranking, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class IntentGuard(_StatelessComponent):
    """Overrides the intent where the text itself decides: a thumbs-up is a yes, a wave a
    greeting, a message that is plainly an answer (an email, a head count, a job title, a
    country: by the answer parsers) is information, a greeting or introduction that asks for
    a demo in so many words is a demo request, an unsure guess at a name is an answer, an
    instruction aimed at the bot is out of scope, and emoji alone and other languages are
    labelled as such."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # a button payload, already exact
            predicted = message.get(INTENT) or {}
            name, confidence = predicted.get("name"), float(predicted.get("confidence") or 0.0)
            if is_instruction(text):
                self._set(message, "out_of_scope")  # aimed at the bot: ordinary text, never obeyed
            elif is_thumbs_up(text):
                self._set(message, "affirm")
            elif is_wave(text):
                self._set(message, "greet")
            elif name in MEETING_MISREAD_AS and asks_for_meeting(text):
                self._set(message, "request_demo")  # a request outweighs the greeting or facts around it
            elif is_plain_answer(text):
                self._set(message, "inform")
            elif confidence < UNSURE and reads_as_name(text):
                self._set(message, "inform")  # unsure, and it reads as a name: an answer
            elif self._torn_between(message, "stop", "deny"):
                self._set(message, "stop")  # "not now": a no for now, which stopping covers
            elif is_emoji_only(text):
                self._set(message, "emoji_only")
            elif looks_non_english(text):
                self._set(message, "non_english")
        return messages

    @staticmethod
    def _torn_between(message: Message, first: str, second: str) -> bool:
        """Whether the classifier's two best guesses are these two, close to each other."""
        ranking = message.get(INTENT_RANKING_KEY) or []
        if len(ranking) < 2 or {ranking[0].get("name"), ranking[1].get("name")} != {first, second}:
            return False
        return float(ranking[0].get("confidence") or 0) - float(ranking[1].get("confidence") or 0) < TORN

    @staticmethod
    def _set(message: Message, intent: str) -> None:
        message.set(INTENT, {"name": intent, "confidence": 1.0}, add_to_output=True)
        # The text decided: the classifier's other guesses stay, below the margin the fallback
        # reads as a toss-up (an introduction read as a sure demo request is not ambiguous).
        ranking = [
            {**r, "confidence": min(float(r.get("confidence") or 0.0), OVERRIDDEN)}
            for r in message.get(INTENT_RANKING_KEY) or []
            if r.get("name") != intent
        ]
        message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 1.0}, *ranking], add_to_output=True)
