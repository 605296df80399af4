"""Our extensions loaded by the Rasa server (named in ``endpoints.yml``).

Importing this package (Rasa does, to load our tracker store) installs the
speed-ups measured under load (docs/benchmarks.md): action answers checked
against validators built once, event types found in a table, kept-alive
connections to the action server, and the model's graph run in an order
worked out once.
"""

from bot.rasa_plugins import action_connections, action_validation, event_types, graph_runner

action_validation.install()
event_types.install()
action_connections.install()
graph_runner.install()
