"""Our extensions loaded by the Rasa server (named in ``endpoints.yml`` and ``config.yml``).

:func:`install_all` (called by :mod:`bot.rasa_server` before the server
starts, never on import) installs the speed-ups measured under load
(docs/benchmarks.md): action answers checked against validators built
once, event types found in a table, kept-alive connections to the action
server, and the model's graph run in an order worked out once; and a failed action call
that ends the turn and asks the visitor again instead of losing their message;
a ceiling on a session's length; and logs without visitor text.
"""


def install_all() -> None:
    """Installs every extension into this process's Rasa."""
    from bot.rasa_plugins import (
        action_connections,
        action_failures,
        action_validation,
        event_types,
        graph_runner,
        private_logs,
        session_cap,
    )

    action_validation.install()
    event_types.install()
    action_connections.install()
    graph_runner.install()
    action_failures.install()
    session_cap.install()
    private_logs.install()
