"""``python -m rasa_server``: see :mod:`rasa_server.server`."""

import sys

from rasa_server.server import main

sys.exit(main())
