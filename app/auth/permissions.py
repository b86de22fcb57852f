from __future__ import annotations

from typing import Any

from app.auth.models import User
from app.permissions import is_admin, is_authenticated, memberships_of, predicate


@predicate
def can_view_profile(viewer: Any, user: User) -> bool:
    """Yourself, an administrator, someone who shares a community with the person, or a
    coordinator deciding the person's request to join their community."""
    if not is_authenticated(viewer):
        return False
    if viewer.id == user.id or is_admin(viewer):
        return True
    from app.communities.services import has_pending_request_in, shares_community

    if shares_community(viewer, user):
        return True
    coordinated = [
        cid for cid, m in memberships_of(viewer).items() if "coordinator" in m.roles
    ]
    return bool(coordinated) and has_pending_request_in(user, coordinated)


@predicate
def can_see_memberships(viewer: Any, user: User) -> bool:
    return user.show_memberships or is_admin(viewer) or (
        is_authenticated(viewer) and viewer.id == user.id
    )
