from __future__ import annotations

from typing import Any

from app.communities.models import Community
from app.mixins import utcnow
from app.permissions import (
    has_role,
    is_admin,
    is_authenticated,
    is_member,
    membership_in,
    predicate,
)


@predicate
def can_join(user: Any, community: Community) -> bool:
    return is_authenticated(user) and not is_member(user, community)


@predicate
def can_leave(user: Any, community: Community) -> bool:
    return is_member(user, community)


@predicate
def can_admit(user: Any, community: Community) -> bool:
    """The coordinator admits newly registered members (000 §5.1)."""
    return is_admin(user) or has_role(user, community, "coordinator")


@predicate
def can_view_members(user: Any, community: Community) -> bool:
    return is_admin(user) or is_member(user, community)


@predicate
def can_view_inside(user: Any, community: Community) -> bool:
    """The forum, bank, events and chat: members only; guests see the public page."""
    return is_admin(user) or is_member(user, community)


@predicate
def can_moderate(user: Any, community: Community) -> bool:
    return is_admin(user) or has_role(user, community, "coordinator")


@predicate
def can_edit_community(user: Any, community: Community | None = None) -> bool:
    return is_admin(user)


@predicate
def can_write(user: Any, community: Community) -> bool:
    """Post, reply, chat, upload: a member who is not muted, or an administrator."""
    if is_admin(user):
        return True
    membership = membership_in(user, community)
    return membership is not None and not membership.is_muted(utcnow())


def write_refusal(user: Any, community: Community) -> str | None:
    """Why the user may not write here (a mute, with its end), or None if they may."""
    if not is_authenticated(user) or can_write(user, community):
        return None
    from app.communities.services import ensure_can_write
    from app.errors import DomainError

    try:
        ensure_can_write(user, community)
    except DomainError as error:
        return error.message
    return None
