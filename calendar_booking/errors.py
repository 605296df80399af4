"""The exceptions of the ``calendar_booking`` package.

Adapters translate their library's errors (``HttpError``, database errors,
timeouts) into this tree, so callers catch only these::

    BookingError
    ├── SlotTaken              the slot is no longer free: someone else has it
    │   └── SlotNotOffered     the host's availability does not offer that time (now)
    ├── CalendarUnavailable    the calendar (or our database) did not answer in time; try later
    │   └── CalendarAuthError  the calendar refused our credentials; an operator must act
    └── BookingNotFound        no booking has that id, or it is no longer active
"""


class BookingError(Exception):
    """Base of every error this package raises on purpose."""


class SlotTaken(BookingError):  # noqa: N818 - the names the design uses
    """The slot was free when offered but is not any more."""


class SlotNotOffered(SlotTaken):
    """The time is not one the host's availability offers now: outside working hours, off
    the grid, too soon, too far, on a holiday or an absence. Whoever asked for it gets fresh times."""


class CalendarUnavailable(BookingError):  # noqa: N818 - the names the design uses
    """The calendar could not be read or written just now; nothing was booked."""


class CalendarAuthError(CalendarUnavailable):
    """The calendar refused the credentials (revoked, missing delegation, wrong scope)."""


class BookingNotFound(BookingError):  # noqa: N818 - the names the design uses
    """The booking does not exist or is no longer active."""
