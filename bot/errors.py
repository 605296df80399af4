"""The exceptions of the ``bot`` package.

::

    CqlBotError
    ├── ConfigError        a config file or environment variable is wrong; says where
    └── StoreError         the lead store could not be read or written
"""


class CqlBotError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigError(CqlBotError):
    """A configuration problem, with the file, line and key it concerns."""

    def __init__(self, source: str, key: str, problem: str, line: int | None = None) -> None:
        self.source = source
        self.key = key
        self.problem = problem
        self.line = line
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {key}: {problem}")


class StoreError(CqlBotError):
    """The lead store failed; the caller decides whether the visitor is told."""
