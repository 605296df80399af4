"""The Rasa server's logs name no visitor's words: not in events, tracebacks or warnings."""

from __future__ import annotations

import io
import logging
import warnings
from typing import Iterator

import pytest
import structlog
from rasa.utils.log_utils import configure_structlog

from rasa_server.patches import private_logs

LOGGER = "rasa.core.channels.rest"
SECRET = "I am Ana Ruiz, ana.ruiz@secret-corp.example"


@pytest.fixture
def rasa_logging() -> Iterator[io.StringIO]:
    """Rasa's structlog configuration with ours on top, its lines written to a buffer."""
    before = structlog.get_config()
    filters = warnings.filters[:]
    configure_structlog(logging.INFO)
    private_logs.install()
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    stdlib = logging.getLogger(LOGGER)
    stdlib.addHandler(handler)
    stdlib.disabled = False
    yield lines
    stdlib.removeHandler(handler)
    structlog.configure(**before)
    warnings.filters[:] = filters


def test_an_error_rasa_logs_with_the_message_and_a_traceback_keeps_neither_text_nor_locals(
    rasa_logging: io.StringIO,
) -> None:
    logger = structlog.get_logger(LOGGER)

    def handle(text: str) -> None:
        visitor_said = text  # a frame local, as in Rasa's own handlers
        raise ValueError(f"could not handle a message of {len(visitor_said)} characters")

    try:
        handle(SECRET)
    except ValueError:
        logger.exception("rest.message.received.failure", text=SECRET, metadata={"name": SECRET})
    logged = rasa_logging.getvalue()
    assert "rest.message.received.failure" in logged and "ValueError" in logged and "handle" in logged
    assert "secret-corp" not in logged and "Ana Ruiz" not in logged
    assert f"<withheld: {len(SECRET)} characters>" in logged


def test_warnings_that_quote_a_typed_command_are_not_shown(rasa_logging: io.StringIO) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.warn(f"Parsed an intent '{SECRET}' which is not defined in the domain.", UserWarning, stacklevel=1)
        warnings.warn("a warning of our own", UserWarning, stacklevel=1)
    assert [str(w.message) for w in caught] == ["a warning of our own"]
