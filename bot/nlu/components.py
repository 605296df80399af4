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

from bot.nlu.text_guard import is_emoji_only, is_thumbs_up, looks_non_english, truncate_for_nlu


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
    """Cuts each message's text to the length the NLU pipeline handles."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str):
                message.set(TEXT, truncate_for_nlu(text))
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LogisticRegressionIntents(LogisticRegressionClassifier):
    """Rasa 3.6's ``LogisticRegressionClassifier``, safe for a message without words.

    Rasa's fails the whole message (an error, and the visitor gets no answer)
    when a message's features are narrower than the model's, as for an empty
    or blank message. Such a message gets no intent here (confidence 0), so the
    FallbackClassifier after it turns it into ``nlu_fallback``.
    """

    def process(self, messages: List[Message]) -> List[Message]:
        rows = [self._create_X([message]) for message in messages]
        usable = [i for i, row in enumerate(rows) if row.shape[1] == self.clf.n_features_in_]
        probabilities = self.clf.predict_proba(vstack([rows[i] for i in usable])) if usable else []
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
    """Overrides the intent for emoji-only and non-English messages."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # a button payload, already exact
            if is_thumbs_up(text):
                self._set(message, "affirm")
            elif is_emoji_only(text):
                self._set(message, "emoji_only")
            elif looks_non_english(text):
                self._set(message, "non_english")
        return messages

    @staticmethod
    def _set(message: Message, intent: str) -> None:
        message.set(INTENT, {"name": intent, "confidence": 1.0}, add_to_output=True)
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != intent]
        message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 1.0}, *ranking], add_to_output=True)
