"""Who may do what with working groups. Pure functions over loaded data (and the per-request
list of the viewer's groups); views call them through `require`, templates call the same.

- Every member of the community sees the list of groups and each group's page: names, goals
  and members are not secret (002 §4.3 speaks of the groups' composition openly).
- The coordinator, the chair and the administrator create, edit and close groups.
- A group's leaders add and remove its ordinary members.
- The group's forum section: its members, and the forum moderators (the coordinator and the
  administrator: nothing escapes moderation). The chair is not a forum moderator and sees the
  section only as a member of the group.
- An archived group (closed, or past its end date) changes no more."""

from __future__ import annotations

from typing import Any

from flask import g, has_app_context
from sqlalchemy import select

from app.communities.models import Community
from app.communities.permissions import can_view_inside
from app.extensions import db
from app.governance.groups.models import WorkingGroup, WorkingGroupMember
from app.permissions import has_role, is_admin, is_authenticated, is_member, predicate


def group_ids_of(user: Any, community: Community) -> frozenset[int]:
    """Ids of the community's working groups that `user` belongs to (archived ones too),
    loaded once per request."""
    if not is_authenticated(user):
        return frozenset()
    key = (user.id, community.id)
    cache = g.setdefault("_working_groups", {}) if has_app_context() else {}
    if key not in cache:
        cache[key] = frozenset(db.session.scalars(
            select(WorkingGroupMember.group_id)
            .join(WorkingGroup, WorkingGroup.id == WorkingGroupMember.group_id)
            .where(WorkingGroupMember.user_id == user.id,
                   WorkingGroup.community_id == community.id)
        ))
    return cache[key]


def forget_group_ids() -> None:
    """Drop the per-request cache after a service changed a group's members."""
    if has_app_context():
        g.pop("_working_groups", None)


def in_group(user: Any, group_id: int, community: Community) -> bool:
    """A member of the group who is still a member of the community."""
    return is_member(user, community) and group_id in group_ids_of(user, community)


def is_forum_moderator(user: Any, community: Community) -> bool:
    """As app.forum.permissions.can_moderate_forum: the coordinator and the administrator."""
    return is_admin(user) or has_role(user, community, "coordinator")


@predicate
def can_view_groups(user: Any, community: Community) -> bool:
    return can_view_inside(user, community)


@predicate
def can_manage_groups(user: Any, community: Community) -> bool:
    """Create, edit and close groups: the coordinator, the chair, the administrator."""
    return is_admin(user) or has_role(user, community, "coordinator", "chair")


@predicate
def can_edit_group(user: Any, group: WorkingGroup) -> bool:
    return can_manage_groups(user, group.community) and not group.is_archived


@predicate
def can_manage_group_members(user: Any, group: WorkingGroup) -> bool:
    """Add and remove members: the group managers, and the group's leaders."""
    return not group.is_archived and can_open_members(user, group)


@predicate
def can_open_members(user: Any, group: WorkingGroup) -> bool:
    """The page that manages the members (read-only once the group is archived)."""
    if can_manage_groups(user, group.community):
        return True
    return (is_authenticated(user) and user.id in group.leader_ids
            and in_group(user, group.id, group.community))


@predicate
def can_remove_group_member(user: Any, group: WorkingGroup, member: WorkingGroupMember) -> bool:
    """Leaders remove ordinary members; leaders themselves are removed by the managers."""
    if not can_manage_group_members(user, group):
        return False
    return can_manage_groups(user, group.community) or not member.is_leader


@predicate
def can_see_group_forum(user: Any, group: WorkingGroup) -> bool:
    community = group.community
    return is_forum_moderator(user, community) or in_group(user, group.id, community)
