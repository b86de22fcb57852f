"""Imports every governance model module (complete metadata for Alembic)."""

from app.governance.consultations import models as consultations  # noqa: F401
from app.governance.elections import models as elections  # noqa: F401
from app.governance.groups import models as groups  # noqa: F401
from app.governance.meetings import models as meetings  # noqa: F401
from app.governance.mentoring import models as mentoring  # noqa: F401
from app.governance.plans import models as plans  # noqa: F401
from app.governance.reports import models as reports  # noqa: F401
