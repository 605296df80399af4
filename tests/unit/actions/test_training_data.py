"""The actions and the training data must agree on what happens mid-form."""

from __future__ import annotations

import yaml

from actions.qualification import SIDE_INTENTS
from bot.settings import PROJECT_ROOT


def test_every_side_intent_has_a_mid_form_rule_and_only_those() -> None:
    rules = yaml.safe_load((PROJECT_ROOT / "data" / "rules" / "form.yml").read_text())["rules"]
    mid_form_intents = {
        step["intent"]
        for rule in rules
        if {"active_loop": "qualification_form"} in (rule.get("condition") or [])
        for step in rule["steps"][:1]
        if "intent" in step
    }
    assert mid_form_intents == SIDE_INTENTS


def test_every_intent_the_actions_name_is_in_the_domain() -> None:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
    assert SIDE_INTENTS | {"non_english"} <= set(domain["intents"])
