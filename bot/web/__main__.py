"""``python -m bot.web``: serve the web app on WEB_HOST:WEB_PORT."""

from __future__ import annotations

from bot.logging_setup import configure_logging
from bot.private_files import restrict_umask
from bot.settings import load_settings
from bot.web.app import create_app


def main() -> None:
    restrict_umask()
    configure_logging()
    settings = load_settings()
    app = create_app(settings)
    # One process (no Sanic worker manager): the supervisor or the cluster runs as many as it wants.
    app.run(host=settings.web_host, port=settings.web_port, access_log=False, single_process=True)


if __name__ == "__main__":
    main()
