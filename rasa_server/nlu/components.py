"""Rasa NLU pipeline components of CQL Bot (loaded by the Rasa server only).

``MessageGuard`` goes first in the pipeline and cuts over-long messages before
any tokenizer sees them. ``LogisticRegressionIntents`` is Rasa's logistic
regression intent classifier that also copes with a message that has no
words. ``IntentGuard`` goes after the intent classifier and before the
FallbackClassifier: it labels emoji-only messages and messages in a language
the bot does not speak, and names the language of the others.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple, cast

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH
from scipy.sparse import vstack
from scipy.special import softmax
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from answers.instructions import is_instruction
from rasa_server.nlu.language import identify, requested_language
from rasa_server.nlu.text_guard import (
    asks_for_meeting,
    is_emoji_only,
    is_not_now,
    is_plain_answer,
    is_thumbs_up,
    is_wave,
    mostly_non_latin,
    reads_as_name,
    text_for_nlu,
)

#: What MessageLanguage says of a message: its language if the bot speaks it, whether it is
#: surely in one the bot does not, and the language it asks for ("auf Deutsch bitte").
LANGUAGE_KEY, UNSPOKEN_KEY, REQUESTED_KEY = "message_language", "unspoken_language", "requested_language"

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
    """A component with nothing to train and nothing to persist (its configuration aside)."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config)

    def __init__(self, config: Dict[str, Any] | None = None) -> None:
        self.config = {**self.get_default_config(), **(config or {})}


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


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class MessageLanguage(_StatelessComponent):
    """Names each message's language (:mod:`rasa_server.nlu.language`), in training and in
    use, for the components after it: :data:`LANGUAGE_KEY` is one of ``languages`` (the
    ``language`` slot's values in domain.yml) when the message is surely in it, and
    :data:`UNSPOKEN_KEY` is set when it is surely in a language the bot does not speak."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"languages": ["en"]}

    def __init__(self, config: Dict[str, Any] | None = None) -> None:
        super().__init__(config)
        self._spoken = frozenset(str(code) for code in self.config["languages"])

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # a button payload: no words of the visitor's
            requested = requested_language(text)
            language = requested or identify(text)
            message.set(LANGUAGE_KEY, language if language in self._spoken else None)
            message.set(UNSPOKEN_KEY, language is not None and language not in self._spoken)
            message.set(REQUESTED_KEY, requested)
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
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0, "own_model_for": []}

    def __init__(self, config: Dict[str, Any], name: str, model_storage: ModelStorage, resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.C = float(self.config["C"])
        #: A model of its own for each of these languages (MessageLanguage names a message's).
        self.own: Dict[str, LogisticRegression] = {}
        self._weights: Dict[int, Tuple[Any, np.ndarray]] = {}

    def train(self, training_data: TrainingData) -> Resource:
        """Each model learns from the examples it will be asked about: a language's model from
        the examples surely in it, the main model from all the others (English, and every
        example of no language of its own: "ok", "CTO", an email)."""
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        own = [str(code) for code in self.config["own_model_for"]]
        main = [e for e in examples if e.get(LANGUAGE_KEY) not in own]
        if main:
            self.clf.fit(self._create_X(main), [e.get(INTENT) for e in main])
        for language in own:
            chosen = [e for e in examples if e.get(LANGUAGE_KEY) == language]
            if len({e.get(INTENT) for e in chosen}) > 1:
                features = self._create_X(chosen)
                # Only the features its own examples have: lbfgs's cost grows with the weights, so a
                # model over every language's n-grams would cost as much as the main one.
                columns = np.unique(features.nonzero()[1])
                model = clone(self.clf)
                model.fit(features[:, columns], [e.get(INTENT) for e in chosen])
                model.feature_columns_ = columns
                self.own[language] = model
        self.persist()
        return self._resource

    def persist(self) -> None:
        import skops.io as sio

        super().persist()
        with self._model_storage.write_to(self._resource) as model_dir:
            for language, model in self.own.items():
                sio.dump(model, model_dir / f"{self._resource.name}.{language}.skops")

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LogisticRegressionIntents:
        import skops.io as sio

        component = super().load(config, model_storage, resource, execution_context, **kwargs)
        try:
            with model_storage.read_from(resource) as model_dir:
                for language in component.config["own_model_for"]:
                    path = model_dir / f"{resource.name}.{language}.skops"
                    if path.exists() and not sio.get_untrusted_types(file=path):
                        component.own[str(language)] = sio.load(path, trusted=[])
        except ValueError:
            pass  # nothing trained yet: the main model's own fallback applies
        return cast(LogisticRegressionIntents, component)

    def model_for(self, message: Message) -> LogisticRegression:
        return self.own.get(message.get(LANGUAGE_KEY) or "", self.clf)

    def probabilities(self, features: Any, model: LogisticRegression | None = None) -> np.ndarray:
        """``predict_proba`` for a multinomial model, without its per-call copy of the weights.

        sklearn multiplies the sparse features by ``coef_.T``, a column-major view that scipy
        copies to row-major on every call: about 2 ms per message for the model's tens of
        thousands of n-gram features. The row-major copy is made once per model here."""
        model = self.clf if model is None else model
        if model.coef_.shape[0] < 3 or getattr(model, "multi_class", "auto") == "ovr":
            return model.predict_proba(features)  # one-vs-rest or binary: sklearn's own
        cached = self._weights.get(id(model))
        if cached is None or cached[0] is not model.coef_:
            cached = self._weights[id(model)] = (model.coef_, np.ascontiguousarray(model.coef_.T))
        return softmax(np.asarray(features @ cached[1]) + model.intercept_, axis=1)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        if not hasattr(self.clf, "coef_"):
            return messages  # never trained: every message falls back
        by_model: Dict[int, Tuple[LogisticRegression, List[int]]] = {}
        for index, message in enumerate(messages):
            model = self.model_for(message)
            by_model.setdefault(id(model), (model, []))[1].append(index)
        for model, indices in by_model.values():
            self._classify(messages, model, indices)
        return messages

    def _classify(self, messages: List[Message], model: LogisticRegression, indices: List[int]) -> None:
        rows = {i: self._create_X([messages[i]]) for i in indices}
        usable = [i for i in indices if rows[i].shape[1] == self.clf.n_features_in_]
        probabilities: Any = []
        if usable:
            features = vstack([rows[i] for i in usable]).tocsr()
            columns = getattr(model, "feature_columns_", None)
            probabilities = self.probabilities(features if columns is None else features[:, columns], model)
        for index, row_probabilities in zip(usable, probabilities, strict=True):
            ranking = sorted(
                (
                    {"name": name, "confidence": float(p)}
                    for name, p in zip(model.classes_, row_probabilities, strict=True)
                ),
                key=lambda entry: -entry["confidence"],
            )
            messages[index].set(INTENT, ranking[0], add_to_output=True)
            length = self.config[RANKING_LENGTH]
            messages[index].set(INTENT_RANKING_KEY, ranking[:length] if length > 0 else ranking, add_to_output=True)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class IntentGuard(_StatelessComponent):
    """Overrides the intent where the text itself decides: a thumbs-up is a yes, a wave a
    greeting, a message that is plainly an answer (an email, a head count, a job title, a
    country: by the answer parsers) is information, a greeting or introduction that asks for
    a demo in so many words is a demo request, an unsure guess at a name is an answer, an
    instruction aimed at the bot is out of scope, and emoji alone and other languages are
    labelled as such.

    It also names the message's language (as MessageLanguage found it), as the entity
    ``language`` that fills the slot of that name; a request for a language ("auf Deutsch
    bitte") is ``switch_language``, and a message in a language the bot does not speak (or
    a request for one) is ``non_english``."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # a button payload, already exact
            predicted = message.get(INTENT) or {}
            name, confidence = predicted.get("name"), float(predicted.get("confidence") or 0.0)
            language, unspoken = message.get(LANGUAGE_KEY), bool(message.get(UNSPOKEN_KEY))
            if language is not None:
                self._add_language(message, language)
            if message.get(REQUESTED_KEY) is not None:
                # "auf Deutsch bitte": a switch, or "can we speak Italian?": a language we don't speak
                self._set(message, "non_english" if unspoken else "switch_language")
            elif unspoken or mostly_non_latin(text):
                self._set(message, "non_english")  # a language the bot does not speak
            elif is_instruction(text):
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
            elif self._torn_between(message, "stop", "deny") or (name in ("deny", "stop") and is_not_now(text)):
                self._set(message, "stop")  # "not now": a no for now, which stopping covers
            elif is_emoji_only(text):
                self._set(message, "emoji_only")
        return messages

    @staticmethod
    def _add_language(message: Message, language: str) -> None:
        text = message.get(TEXT) or ""
        entity = {"entity": "language", "value": language, "start": 0, "end": len(text), "extractor": "IntentGuard"}
        message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)

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
