"""Each patch of Rasa's internals lands only on the Rasa release and the function it was written for."""

from __future__ import annotations

from typing import Any

import pytest
import rasa
from rasa.core.processor import MessageProcessor

from rasa_server.patches import install_all
from rasa_server.patches.guard import RASA_VERSION, PatchRefusedError, check_rasa_version, replace


class Host:
    def greet(self) -> str:
        return "hello"


EXPECTED = f"{__name__}.Host.greet"


def test_the_locked_rasa_is_the_one_the_patches_were_written_for() -> None:
    assert rasa.__version__ == RASA_VERSION
    check_rasa_version()


def test_another_rasa_release_is_refused_with_both_versions_named() -> None:
    with pytest.raises(PatchRefusedError, match=r"Rasa 3\.7\.0 is installed.*written for Rasa 3\.6\.21"):
        check_rasa_version("3.7.0")


def test_a_patch_wraps_the_expected_function_once() -> None:
    class Fresh(Host):
        greet = Host.greet

    made = []

    def make(original: Any) -> Any:
        made.append(original)
        return lambda self: original(self).upper()

    replace(Fresh, "greet", EXPECTED, make)
    replace(Fresh, "greet", EXPECTED, make)  # already ours: nothing happens
    assert Fresh().greet() == "HELLO" and len(made) == 1


def test_a_patch_refuses_a_function_it_was_not_written_for() -> None:
    class Changed:
        def greet(self) -> str:
            return "hi"

    with pytest.raises(PatchRefusedError, match=r"is .*Changed\.greet, not Rasa's .*Host\.greet"):
        replace(Changed, "greet", EXPECTED, lambda original: original)
    with pytest.raises(PatchRefusedError, match="missing"):
        replace(Host, "wave", EXPECTED, lambda original: original)


def test_installing_every_patch_twice_changes_nothing_the_second_time() -> None:
    install_all()
    patched = MessageProcessor.__dict__["_run_action"], MessageProcessor.__dict__["_has_session_expired"]
    install_all()
    assert (MessageProcessor.__dict__["_run_action"], MessageProcessor.__dict__["_has_session_expired"]) == patched
    assert MessageProcessor._run_action.__wrapped__.__qualname__ == "MessageProcessor._run_action"
