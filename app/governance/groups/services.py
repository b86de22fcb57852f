"""Working groups: one function per action. They check the rules, raise DomainError in
Russian, flush and never commit (the view commits once)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import url_for
from sqlalchemy import func, select

from app.auth.models import User
from app.communities.models import Community, Membership
from app.errors import DomainError
from app.extensions import db
from app.forum import services as forum
from app.forum.models import Section
from app.governance.groups.models import WorkingGroup, WorkingGroupMember
from app.governance.groups.permissions import (
    can_manage_group_members,
    can_manage_groups,
    forget_group_ids,
)
from app.mixins import utcnow
from app.notifications.services import notify_many
from app.sanitize import markdown_to_text, render_markdown

NAME_MAX = 200
GOAL_MAX = 5000

ARCHIVED = "Рабочая группа в архиве: изменить её нельзя."


def local_today(community: Community) -> date:
    """Today in the community's time zone: a group's end date is such a date."""
    from app.events.services import zone

    return datetime.now(zone(community)).date()


@dataclass
class GroupFields:
    name: str
    goal: str
    end_date: date | None
    member_ids: Iterable[int] = field(default_factory=tuple)
    leader_ids: Iterable[int] = field(default_factory=tuple)


def _community_member_ids(community: Community, user_ids: Iterable[int]) -> set[int]:
    wanted = list(dict.fromkeys(user_ids))
    if not wanted:
        return set()
    return set(db.session.scalars(
        select(Membership.user_id).where(
            Membership.community_id == community.id, Membership.left_at.is_(None),
            Membership.user_id.in_(wanted))
    ))


def _check(community: Community, fields: GroupFields,
           kept: Iterable[int] = ()) -> tuple[list[int], set[int]]:
    """Every rule of a group's fields; returns the members (in order) and the leaders.
    `kept`: the group's members, who may stay even if they have left the community since."""
    fields.name = " ".join((fields.name or "").split())
    fields.goal = (fields.goal or "").replace("\r\n", "\n").strip()
    if not fields.name:
        raise DomainError("Укажите название рабочей группы.", "name")
    if len(fields.name) > NAME_MAX:
        raise DomainError(f"Название не длиннее {NAME_MAX} символов.", "name")
    if not fields.goal:
        raise DomainError("Опишите цель рабочей группы: какую задачу она решает.", "goal")
    if len(fields.goal) > GOAL_MAX:
        raise DomainError(f"Цель не длиннее {GOAL_MAX} символов.", "goal")
    if fields.end_date is None:
        raise DomainError("Укажите дату окончания работы группы.", "end_date")
    if fields.end_date < local_today(community):
        raise DomainError("Дата окончания не может быть в прошлом. Чтобы завершить работу "
                          "группы раньше срока, закройте её.", "end_date")
    members = list(dict.fromkeys(int(i) for i in fields.member_ids))
    leaders = {int(i) for i in fields.leader_ids}
    strangers = set(members) - _community_member_ids(community, members) - set(kept)
    if strangers:
        raise DomainError(_not_members_message(community, strangers), "member_ids")
    if leaders - set(members):
        raise DomainError("Руководителем может быть только участник группы: отметьте его и "
                          "в списке участников.", "leader_ids")
    return members, leaders


def _not_members_message(community: Community, user_ids: set[int]) -> str:
    """Names only those who once were members of this community: an id typed into the form
    must not reveal the name of anyone else on the platform."""
    names = sorted(set(db.session.scalars(
        select(User.full_name).join(Membership, Membership.user_id == User.id)
        .where(User.id.in_(user_ids), Membership.community_id == community.id))))
    if not names:
        return ("В рабочую группу входят только участники сообщества: выберите их из списка "
                "участников.")
    return ("В рабочую группу входят только участники сообщества; не состоит в сообществе: "
            + ", ".join(names) + ".")


def group_url(group: WorkingGroup) -> str:
    return url_for("groups.group", group_id=group.id, community_slug=group.community.slug)


def _tell_added(group: WorkingGroup, user_ids: Iterable[int], actor: User) -> None:
    ids = [uid for uid in user_ids if uid != actor.id]
    notify_many(ids, "admission",
                f"Вас включили в рабочую группу «{group.name}» сообщества "
                f"«{group.community.name}».", group_url(group))


def section_of(group: WorkingGroup) -> Section | None:
    return db.session.scalar(select(Section).where(Section.group_id == group.id))


def _section_description(goal: str) -> str:
    return markdown_to_text(goal, 300)


def create_group(community: Community, actor: User, fields: GroupFields) -> WorkingGroup:
    """The group, its members and its forum section."""
    if not can_manage_groups(actor, community):
        raise DomainError("Рабочие группы создают координатор и председатель.")
    members, leaders = _check(community, fields)
    group = WorkingGroup(
        community_id=community.id, name=fields.name, goal=fields.goal,
        goal_html=render_markdown(fields.goal), end_date=fields.end_date,
        created_by_id=actor.id,
    )
    group.community = community
    db.session.add(group)
    group.members = [WorkingGroupMember(user_id=uid, is_leader=uid in leaders,
                                        added_by_id=actor.id) for uid in members]
    db.session.flush()
    forum.open_group_section(community, group.id, title=group.name,
                             description=_section_description(group.goal))
    _tell_added(group, members, actor)
    forget_group_ids()
    return group


def update_group(group: WorkingGroup, actor: User, fields: GroupFields) -> WorkingGroup:
    """Name, goal, end date, members and leaders. Those taken out keep what they wrote."""
    community = group.community
    if not can_manage_groups(actor, community):
        raise DomainError("Рабочие группы изменяют координатор и председатель.")
    if group.is_archived:
        raise DomainError(ARCHIVED)
    members, leaders = _check(community, fields, kept=group.member_ids)
    group.name = fields.name
    if fields.goal != group.goal:
        group.goal = fields.goal
        group.goal_html = render_markdown(fields.goal)
    group.end_date = fields.end_date
    had = group.member_ids
    group.members[:] = [m for m in group.members if m.user_id in members]
    for m in group.members:
        m.is_leader = m.user_id in leaders
    group.members.extend(
        WorkingGroupMember(user_id=uid, is_leader=uid in leaders, added_by_id=actor.id)
        for uid in members if uid not in had
    )
    db.session.flush()
    section = section_of(group)
    if section is not None:
        forum.retitle_group_section(section, title=group.name,
                                    description=_section_description(group.goal))
    _tell_added(group, [uid for uid in members if uid not in had], actor)
    forget_group_ids()
    return group


def add_member(group: WorkingGroup, actor: User, user_id: int | None,
               is_leader: bool = False) -> WorkingGroupMember:
    community = group.community
    if group.is_archived:
        raise DomainError(ARCHIVED)
    if not can_manage_group_members(actor, group):
        raise DomainError("Участников группы добавляют её руководители, координатор и "
                          "председатель.")
    if not user_id:
        raise DomainError("Выберите участника сообщества.", "user_id")
    if not _community_member_ids(community, [user_id]):
        raise DomainError(_not_members_message(community, {user_id}), "user_id")
    if user_id in group.member_ids:
        raise DomainError("Этот участник уже в группе.", "user_id")
    if is_leader and not can_manage_groups(actor, community):
        raise DomainError("Руководителей группы назначают координатор и председатель.")
    member = WorkingGroupMember(user_id=user_id, is_leader=is_leader, added_by_id=actor.id)
    group.members.append(member)
    db.session.flush()
    _tell_added(group, [user_id], actor)
    forget_group_ids()
    return member


def remove_member(group: WorkingGroup, actor: User, user_id: int) -> None:
    """Take someone out of the group: they no longer see its section; their posts stay."""
    community = group.community
    if group.is_archived:
        raise DomainError(ARCHIVED)
    if not can_manage_group_members(actor, group):
        raise DomainError("Участников группы убирают её руководители, координатор и "
                          "председатель.")
    member = next((m for m in group.members if m.user_id == user_id), None)
    if member is None:
        raise DomainError("Этого человека нет в группе.")
    if member.is_leader and not can_manage_groups(actor, community):
        raise DomainError("Руководителя группы может убрать только координатор или "
                          "председатель.")
    group.members.remove(member)
    db.session.flush()
    forget_group_ids()


def close_group(group: WorkingGroup, actor: User) -> WorkingGroup:
    """Finish the group's work before its end date: it goes to the archive, its section
    becomes read-only."""
    if not can_manage_groups(actor, group.community):
        raise DomainError("Закрыть рабочую группу могут координатор и председатель.")
    if group.is_archived:
        raise DomainError("Рабочая группа уже в архиве.")
    group.closed_at = utcnow()
    group.closed_by_id = actor.id
    db.session.flush()
    notify_many([uid for uid in group.member_ids if uid != actor.id], "admission",
                f"Рабочая группа «{group.name}» завершила работу; её раздел форума остаётся "
                "доступным для чтения.", group_url(group))
    return group


# --- reading ---------------------------------------------------------------------------


@dataclass
class GroupRow:
    group: WorkingGroup
    member_count: int
    section_id: int | None


def groups_of(community: Community) -> tuple[list[GroupRow], list[GroupRow]]:
    """The community's groups: (active by end date, archived latest first). Three queries
    however many groups."""
    groups = list(db.session.scalars(
        select(WorkingGroup).where(WorkingGroup.community_id == community.id)
        .order_by(WorkingGroup.end_date, WorkingGroup.id)
    ))
    ids = [gr.id for gr in groups]
    counts = dict(db.session.execute(
        select(WorkingGroupMember.group_id, func.count(WorkingGroupMember.id))
        .where(WorkingGroupMember.group_id.in_(ids)).group_by(WorkingGroupMember.group_id)
    ).all()) if ids else {}
    sections = dict(db.session.execute(
        select(Section.group_id, Section.id).where(Section.group_id.in_(ids))
    ).all()) if ids else {}
    today = local_today(community)
    rows = [GroupRow(gr, counts.get(gr.id, 0), sections.get(gr.id)) for gr in groups]
    active = [r for r in rows if not r.group.is_archived_on(today)]
    archived = [r for r in rows if r.group.is_archived_on(today)]
    archived.sort(key=lambda r: (r.group.closed_at.date() if r.group.closed_at
                                 else r.group.end_date), reverse=True)
    return active, archived
