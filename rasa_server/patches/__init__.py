"""Our extensions loaded by the Rasa server (named in ``endpoints.yml`` and ``config.yml``).

:func:`install_all` (called by :mod:`rasa_server` before the server
starts, never on import) installs the speed-ups measured under load
(docs/benchmarks.md): action answers checked against validators built
once, event types found in a table, kept-alive connections to the action
server, action calls without the domain's responses, and the model's graph
run in an order worked out once; and a failed action call that ends the
turn and asks the visitor again instead of losing their message; a ceiling
on a session's length; and logs without visitor text.

Every replacement goes through :func:`rasa_server.patches.guard.replace`,
which checks the Rasa release and that the attribute is the function the
patch was written for; :class:`~rasa_server.patches.guard.PatchRefusedError`
stops the server with a message naming both.
"""


def install_all() -> None:
    """Installs every extension into this process's Rasa."""
    from rasa_server.patches import (
        action_connections,
        action_domain,
        action_failures,
        action_validation,
        event_types,
        graph_runner,
        private_logs,
        session_cap,
    )
    from rasa_server.patches.guard import check_rasa_version

    check_rasa_version()
    action_validation.install()
    event_types.install()
    action_connections.install()
    action_domain.install()
    graph_runner.install()
    action_failures.install()
    session_cap.install()
    private_logs.install()
