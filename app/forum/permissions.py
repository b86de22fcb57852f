from __future__ import annotations

from typing import Any

from sqlalchemy import true

from app.communities.models import Community
from app.communities.permissions import can_view_inside, can_write
from app.forum.models import Post, Section, Topic
from app.permissions import has_role, is_admin, is_authenticated, is_member, predicate

# A working group's section (Section.group_id, app.governance.groups): its members and the
# forum moderators see it; everyone else gets a 404, so its existence does not leak. Only the
# group's members write there, and nobody once the group is archived.
ARCHIVED_GROUP = "Рабочая группа завершила работу: её раздел доступен только для чтения."
NOT_IN_GROUP = "В разделе рабочей группы пишут только её участники."


def _group_ids(user: Any, community: Community) -> frozenset[int]:
    from app.governance.groups.permissions import group_ids_of

    return group_ids_of(user, community)


@predicate
def can_moderate_forum(user: Any, community: Community) -> bool:
    """Sections, pinning, closing, moving, renaming, earlier versions: the coordinator."""
    return is_admin(user) or has_role(user, community, "coordinator")


@predicate
def can_see_section(user: Any, section: Section) -> bool:
    if section.group_id is None:
        return True
    community = section.community
    return can_moderate_forum(user, community) or (
        is_member(user, community) and section.group_id in _group_ids(user, community)
    )


def visible_sections(user: Any, community: Community):
    """The SQL condition on Section that `can_see_section` is, for lists and search."""
    if can_moderate_forum(user, community):
        return true()
    return Section.group_id.is_(None) | Section.group_id.in_(sorted(_group_ids(user, community)))


@predicate
def group_refusal(user: Any, section: Section) -> str | None:
    """Why `user` may not write in a working group's section; None if they may, or if the
    section is not a group's."""
    if section.group_id is None:
        return None
    if section.group is not None and section.group.is_archived:
        return ARCHIVED_GROUP
    community = section.community
    if not (is_member(user, community) and section.group_id in _group_ids(user, community)):
        return NOT_IN_GROUP
    return None


@predicate
def can_create_topic(user: Any, section: Section) -> bool:
    community = section.community
    if not can_write(user, community) or group_refusal(user, section):
        return False
    if section.is_announcements:
        return is_admin(user) or has_role(user, community, "coordinator", "chair")
    return True


@predicate
def can_reply(user: Any, topic: Topic) -> bool:
    section = topic.section
    community = section.community
    if not can_write(user, community) or group_refusal(user, section):
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
        and group_refusal(user, post.topic.section) is None
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
