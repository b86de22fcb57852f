"""Imports every model module, so the metadata is complete for Alembic and `flask shell`."""

from app.auth.models import User  # noqa: F401
from app.communities.models import (  # noqa: F401
    Community,
    Consent,
    ConsentDocument,
    JoinRequest,
    Membership,
)
from app.notifications.models import Notification  # noqa: F401
