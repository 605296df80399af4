"""Scheduling: availability maths, calendar ports and adapters, the booking
service. Knows nothing about Rasa or leads; built by the booking issue."""
