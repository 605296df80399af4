"""The chat channels' limits and what a visitor is told at each: plain values, so that the
product's tests can read them without importing Rasa."""

#: Longer messages are cut to this before they are stored (the widget sends at most 2,000).
MAX_STORED_CHARS = 4000
#: Longer messages are refused.
MAX_MESSAGE_CHARS = 50_000
SENDER_BURST = 30
TOO_LONG = "That message is far longer than I can take. Could you send a shorter version, a few sentences?"
TOO_FAST = "You're sending messages faster than I can read them. Give me a moment, then send your last one again."
UNREADABLE = "Sorry, that message didn't come through in a form I can read. Could you send it again?"
