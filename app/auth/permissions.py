from __future__ import annotations

from typing import Any

from app.auth.models import User
from app.permissions import is_admin, is_authenticated, memberships_of, predicate


@predicate
def can_view_profile(viewer: Any, user: User) -> bool:
    """Yourself, an administrator, or someone who shares a community with the person."""
    if not is_authenticated(viewer):
        return False
    if viewer.id == user.id or is_admin(viewer):
        return True
    from app.communities.services import shares_community

    return shares_community(viewer, user)


@predicate
def can_see_memberships(viewer: Any, user: User) -> bool:
    return user.show_memberships or is_admin(viewer) or (
        is_authenticated(viewer) and viewer.id == user.id
    )


__all__ = ["can_view_profile", "can_see_memberships", "memberships_of"]
