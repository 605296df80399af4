"""Our extensions loaded by the Rasa server (named in ``endpoints.yml``).

Importing this package (Rasa does, to load our tracker store) installs three
speed-ups measured under load (docs/benchmarks.md): action answers checked
against a validator built once, event types found in a table, and kept-alive
connections to the action server.
"""

from bot.rasa_plugins import action_connections, action_validation, event_types

action_validation.install()
event_types.install()
action_connections.install()
