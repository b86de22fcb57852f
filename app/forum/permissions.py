from __future__ import annotations

from typing import Any

from app.communities.models import Community
from app.communities.permissions import can_view_inside, can_write
from app.forum.models import Post, Section, Topic
from app.permissions import has_role, is_admin, is_authenticated, predicate


@predicate
def can_moderate_forum(user: Any, community: Community) -> bool:
    """Sections, pinning, closing, moving, renaming, earlier versions: the coordinator."""
    return is_admin(user) or has_role(user, community, "coordinator")


@predicate
def can_create_topic(user: Any, section: Section) -> bool:
    community = section.community
    if not can_write(user, community):
        return False
    if section.is_announcements:
        return is_admin(user) or has_role(user, community, "coordinator", "chair")
    return True


@predicate
def can_reply(user: Any, topic: Topic) -> bool:
    section = topic.section
    community = section.community
    if not can_write(user, community):
        return False
    if section.is_announcements and not (
        is_admin(user) or has_role(user, community, "coordinator", "chair")
    ):
        return False
    return not topic.is_closed or can_moderate_forum(user, community)


@predicate
def can_edit_post(user: Any, post: Post, community: Community) -> bool:
    return (
        is_authenticated(user)
        and post.author_id == user.id
        and not post.is_hidden
        and can_write(user, community)
    )


@predicate
def can_see_post(user: Any, post: Post, community: Community) -> bool:
    """Held posts: only the author and the moderators. Hidden ones show a placeholder."""
    if post.held_at is None or post.hidden_at is not None:
        return True
    return (is_authenticated(user) and post.author_id == user.id) or can_moderate_forum(
        user, community
    )


__all__ = ["can_view_inside"]
