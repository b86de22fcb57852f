"""Events, sign-ups, contests, calendars and certificates. The routes of each part live in
their own module and join the `events` blueprint (or `calendar_bp`, across communities)."""

from . import certificates, contest_routes, contests, ical  # noqa: F401,E402  (routes and content types)
from .calendar_routes import calendar_bp  # noqa: F401
from .certificates import verify_bp  # noqa: F401
from .routes import bp  # noqa: F401
