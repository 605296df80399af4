"""Our extensions loaded by the Rasa server (named in ``endpoints.yml``)."""

from bot.rasa_plugins.action_validation import install

install()
