"""Rasa custom actions of CQL Bot: read the tracker, call a service in
``bot``, return events and responses. No SQL or HTTP here.

The action server that runs them is :mod:`bot.action_server`."""
