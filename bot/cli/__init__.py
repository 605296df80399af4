"""Command-line tools over the services (``make repair``, ``make route``, the demo calendars' seed);
each is a thin ``main`` over code that lives with its domain."""
