"""Rasa custom actions of CQL Bot: read the tracker, call a service in
``bot``, return events and responses. No SQL or HTTP here.

In the action server, importing the package also gives rasa-sdk's app its
``/metrics`` (:mod:`actions.server_metrics`)."""

from actions.server_metrics import attach_to_action_server

attach_to_action_server()
