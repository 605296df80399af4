"""The actions and the training data must agree on what happens mid-form."""

from __future__ import annotations

import yaml

from actions.qualification import LEAVING_INTENTS, SIDE_INTENTS
from bot.settings import PROJECT_ROOT


def test_every_side_intent_the_form_steps_aside_for_has_a_rule() -> None:
    """Mid-form, a side intent goes to its own rule (leaving the questions) or to the director."""
    form_rules = yaml.safe_load((PROJECT_ROOT / "data" / "rules" / "form.yml").read_text())["rules"]
    lead_rules = yaml.safe_load((PROJECT_ROOT / "data" / "rules" / "lead.yml").read_text())["rules"]
    mid_form = {
        step["intent"]
        for rule in form_rules
        if {"active_loop": "qualification_form"} in (rule.get("condition") or [])
        for step in rule["steps"][:1]
        if "intent" in step
    }
    to_director = {
        rule["steps"][0]["intent"]
        for rule in lead_rules
        if "intent" in rule["steps"][0] and rule["steps"][1] == {"action": "action_lead"}
    }
    assert mid_form == LEAVING_INTENTS
    assert to_director >= SIDE_INTENTS - LEAVING_INTENTS


def test_every_intent_the_actions_name_is_in_the_domain() -> None:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
    assert SIDE_INTENTS | {"non_english"} <= set(domain["intents"])
