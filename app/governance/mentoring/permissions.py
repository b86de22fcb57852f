"""Who may do what with mentoring pairs. Pure functions; templates call them too."""

from __future__ import annotations

from typing import Any

from app.communities.models import Community
from app.permissions import has_role, is_admin, predicate


@predicate
def can_manage_mentoring(user: Any, community: Community) -> bool:
    """Create, edit and end pairs: the coordinator, the chair and the administrator."""
    return is_admin(user) or has_role(user, community, "coordinator", "chair")
