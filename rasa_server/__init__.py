"""The Rasa server and what it loads: our tracker store, lock store, chat channels,
NLU components and the patches of Rasa's internals (``python -m rasa_server``).

This package runs in Rasa 3.6's own Python 3.10 environment and imports
nothing from the rest of the product (``bot``, ``actions``,
``calendar_booking``): only Rasa, the standard library, the packages Rasa
itself depends on, and :mod:`answers` (the answer parsers, which import
nothing of ours either). ``tests/unit/rasa_server/test_fence.py`` fails the
build if an import crosses that line.
"""
