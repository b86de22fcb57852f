from __future__ import annotations

from typing import Any

from app.communities.models import Community
from app.permissions import has_role, is_admin, predicate


@predicate
def can_view_moderation_log(user: Any, community: Community) -> bool:
    """Coordinators and the chair of the community, and administrators."""
    return is_admin(user) or has_role(user, community, "coordinator", "chair")
