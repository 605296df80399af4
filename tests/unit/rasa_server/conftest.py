"""Fixtures of the Rasa server's tests, which run in its own environment (``make unit``
passes ``--confcutdir`` so that the product's tests/conftest.py is not loaded here)."""

from tests.support.postgres import postgres  # noqa: F401
