"""Temporary working groups (002 §4.3): creating and editing (the coordinator, the chair, the
administrator), the end date, members from the community, leaders managing members, closing,
the archive, and the pages. The group's forum section: tests/forum/test_group_sections.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.errors import DomainError
from app.extensions import db
from app.forum import services as forum
from app.forum.models import Post, Section, Topic
from app.governance.groups import services
from app.governance.groups.models import WorkingGroup, WorkingGroupMember
from app.notifications.models import Notification
from tests.helpers import HX, count_queries, text

NAME = "Рабочая группа по функциональной грамотности"


def url(community, path=""):
    return f"/c/{community.slug}/groups{path}"


def today(community):
    return services.local_today(community)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def form_data(people, community, **kw):
    data = {
        "name": NAME,
        "goal": "Подготовить **банк заданий** по читательской грамотности.",
        "end_date": (today(community) + timedelta(days=60)).isoformat(),
        "member_ids": [str(people["member"].id), str(people["council"].id)],
        "leader_ids": [str(people["member"].id)],
    }
    data.update(kw)
    return data


@pytest.fixture
def group(people, community) -> WorkingGroup:
    with current_app.test_request_context("/"):
        group = services.create_group(community, people["coordinator"], services.GroupFields(
            name=NAME, goal="Подготовить банк заданий.",
            end_date=today(community) + timedelta(days=30),
            member_ids=(people["member"].id, people["council"].id),
            leader_ids=(people["member"].id,)))
        db.session.commit()
    return group


def section_of(group) -> Section:
    return db.session.scalar(select(Section).where(Section.group_id == group.id))


def members_of(group) -> dict[int, bool]:
    return dict(db.session.execute(
        select(WorkingGroupMember.user_id, WorkingGroupMember.is_leader)
        .where(WorkingGroupMember.group_id == group.id)).all())


# --- creating ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "chair", "admin"])
def test_managers_create_a_group_with_its_section(client_as, people, community, role):
    response = client_as(role).post(url(community, "/new"), data=form_data(people, community))
    assert response.status_code == 303
    group = db.session.scalar(select(WorkingGroup))
    assert response.headers["Location"].endswith(f"/groups/{group.id}")
    assert group.name == NAME
    assert "<strong>банк заданий</strong>" in group.goal_html
    assert group.end_date == today(community) + timedelta(days=60)
    assert group.created_by_id == people[role].id
    assert members_of(group) == {people["member"].id: True, people["council"].id: False}
    section = section_of(group)
    assert section.community_id == community.id and section.title == NAME
    assert not section.is_announcements
    # Those included are told, with a link to the group.
    note = db.session.scalar(select(Notification).where(
        Notification.user_id == people["council"].id, Notification.text.contains(NAME)))
    assert "Вас включили в рабочую группу" in note.text
    assert note.url.endswith(f"/groups/{group.id}")


@pytest.mark.parametrize("role", ["member", "council", "expert"])
def test_members_do_not_create_groups(client_as, people, community, role):
    response = client_as(role).post(url(community, "/new"), data=form_data(people, community))
    assert response.status_code == 403
    assert count(WorkingGroup) == 0


def test_the_goal_is_sanitized(client_as, people, community):
    data = form_data(people, community, goal="Цель <script>alert(1)</script> [x](javascript:1)")
    assert client_as("chair").post(url(community, "/new"), data=data).status_code == 303
    group = db.session.scalar(select(WorkingGroup))
    assert "<script" not in group.goal_html and 'href="javascript' not in group.goal_html


def test_the_end_date_may_not_be_in_the_past(client_as, people, community):
    yesterday = (today(community) - timedelta(days=1)).isoformat()
    response = client_as("coordinator").post(
        url(community, "/new"), data=form_data(people, community, end_date=yesterday))
    assert response.status_code == 422
    assert "Дата окончания не может быть в прошлом." in text(response)
    assert count(WorkingGroup) == count(WorkingGroupMember) == count(Section) == 0


def test_the_end_date_may_be_today_in_the_communitys_zone(client_as, people, community):
    data = form_data(people, community, end_date=today(community).isoformat())
    assert client_as("coordinator").post(url(community, "/new"), data=data).status_code == 303
    assert not db.session.scalar(select(WorkingGroup)).is_archived


@pytest.mark.parametrize(("value", "message"), [
    ("", "Укажите дату окончания работы группы."),
    ("31.02.2030", "Введите дату."),
])
def test_the_end_date_is_required(client_as, people, community, value, message):
    response = client_as("coordinator").post(
        url(community, "/new"), data=form_data(people, community, end_date=value))
    assert response.status_code == 422
    assert message in text(response)
    assert count(WorkingGroup) == 0


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "   ", "Укажите название рабочей группы."),
    ("goal", "", "Опишите цель рабочей группы"),
    ("name", "Я" * 201, "Не больше 200 символов."),
])
def test_name_and_goal_are_checked(client_as, people, community, field, value, message):
    response = client_as("coordinator").post(
        url(community, "/new"), data=form_data(people, community, **{field: value}))
    assert response.status_code == 422
    assert message in text(response)
    assert count(WorkingGroup) == 0


def test_members_come_from_the_community(client_as, people, community):
    data = form_data(people, community, member_ids=[str(people["member"].id),
                                                    str(people["outsider"].id)])
    response = client_as("coordinator").post(url(community, "/new"), data=data)
    assert response.status_code == 422
    body = text(response)
    assert "В рабочую группу входят только участники сообщества" in body
    # Someone who was never in the community is not named: an id typed into the form
    # would reveal the name of anyone on the platform.
    assert "Посторонний Пётр" not in body
    assert count(WorkingGroup) == count(Section) == 0
    assert not db.session.scalar(select(func.count(Notification.id)).where(
        Notification.text.contains("рабочую группу")))


def test_leaders_are_members_of_the_group(client_as, people, community):
    data = form_data(people, community, member_ids=[str(people["member"].id)],
                     leader_ids=[str(people["council"].id)])
    response = client_as("coordinator").post(url(community, "/new"), data=data)
    assert response.status_code == 422
    assert "Руководителем может быть только участник группы" in text(response)
    assert count(WorkingGroup) == 0


def test_the_form_offers_the_communitys_members(client_as, people, community):
    page = text(client_as("chair").get(url(community, "/new")))
    assert "Участникова Анна" in page and "Советова Наталья" in page
    assert "Посторонний Пётр" not in page
    assert 'type="date"' in page


# --- editing -------------------------------------------------------------------------------


def test_editing_renames_the_section_and_changes_members(client_as, people, community, group):
    data = form_data(people, community, name="Группа по читательской грамотности",
                     member_ids=[str(people["member"].id), str(people["expert"].id)],
                     leader_ids=[str(people["expert"].id)])
    response = client_as("chair").post(url(community, f"/{group.id}/edit"), data=data)
    assert response.status_code == 303
    assert section_of(group).title == "Группа по читательской грамотности"
    assert members_of(group) == {people["member"].id: False, people["expert"].id: True}


def test_the_edit_form_is_filled_in(client_as, people, community, group):
    page = text(client_as("coordinator").get(url(community, f"/{group.id}/edit")))
    assert f'value="{NAME}"' in page
    assert (f'<input type="checkbox" name="member_ids" value="{people["council"].id}" checked>'
            in page)


def test_editing_to_a_past_end_date_is_refused(client_as, people, community, group):
    data = form_data(people, community,
                     end_date=(today(community) - timedelta(days=3)).isoformat())
    response = client_as("coordinator").post(url(community, f"/{group.id}/edit"), data=data)
    assert response.status_code == 422
    assert "закройте её" in text(response)
    assert db.session.get(WorkingGroup, group.id).end_date == today(community) + timedelta(30)


@pytest.mark.parametrize("role", ["member", "council", "expert"])
def test_only_managers_edit_and_close(client_as, people, community, group, role):
    client = client_as(role)
    assert client.get(url(community, f"/{group.id}/edit")).status_code == 403
    assert client.post(url(community, f"/{group.id}/edit"),
                       data=form_data(people, community, name="Иначе")).status_code == 403
    assert client.post(url(community, f"/{group.id}/close")).status_code == 403
    group = db.session.get(WorkingGroup, group.id)
    assert group.name == NAME and group.closed_at is None


def test_a_group_of_another_community_is_a_404(client_as, people, community, group):
    other = people["other_community"]
    response = client_as("admin").get(f"/c/{other.slug}/groups/{group.id}")
    assert response.status_code == 404


# --- members -------------------------------------------------------------------------------


def test_the_leader_adds_and_removes_members(client_as, people, community, group):
    client = client_as("member")  # the leader
    response = client.post(url(community, f"/{group.id}/members/add"),
                           data={"user_id": people["expert"].id})
    assert response.status_code == 303
    assert people["expert"].id in members_of(group)
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == people["expert"].id,
        Notification.text.contains("Вас включили в рабочую группу"))) == 1
    response = client.post(url(community, f"/{group.id}/members/{people['expert'].id}/remove"))
    assert response.status_code == 303
    assert people["expert"].id not in members_of(group)


def test_adding_and_removing_with_htmx_returns_the_list(client_as, people, community, group):
    client = client_as("member")
    response = client.post(url(community, f"/{group.id}/members/add"),
                           data={"user_id": people["expert"].id}, headers=HX)
    assert response.status_code == 200
    body = text(response)
    assert "<html" not in body and 'id="group-members"' in body and "Экспертова Оксана" in body
    response = client.post(url(community, f"/{group.id}/members/{people['expert'].id}/remove"),
                           headers=HX)
    assert response.status_code == 200 and "Экспертова Оксана</td>" not in text(response)


def test_the_leader_does_not_appoint_or_remove_leaders(client_as, people, community, group):
    client = client_as("member")
    response = client.post(url(community, f"/{group.id}/members/add"),
                           data={"user_id": people["expert"].id, "is_leader": "y"})
    assert response.status_code == 422
    assert "Руководителей группы назначают координатор и председатель." in text(response)
    assert people["expert"].id not in members_of(group)
    page = text(client.get(url(community, f"/{group.id}/members")))
    assert "Руководитель группы</label>" not in page
    response = client.post(url(community, f"/{group.id}/members/{people['member'].id}/remove"))
    assert response.status_code == 403
    assert people["member"].id in members_of(group)


def test_the_chair_removes_a_leader(client_as, people, community, group):
    response = client_as("chair").post(
        url(community, f"/{group.id}/members/{people['member'].id}/remove"))
    assert response.status_code == 303
    assert people["member"].id not in members_of(group)


@pytest.mark.parametrize("role", ["council", "expert"])
def test_ordinary_members_do_not_manage_members(client_as, people, community, group, role):
    client = client_as(role)
    assert client.get(url(community, f"/{group.id}/members")).status_code == 403
    assert client.post(url(community, f"/{group.id}/members/add"),
                       data={"user_id": people["expert"].id}).status_code == 403
    assert client.post(
        url(community, f"/{group.id}/members/{people['council'].id}/remove")).status_code == 403
    assert set(members_of(group)) == {people["member"].id, people["council"].id}


@pytest.mark.parametrize(("user", "message"), [
    ("outsider", "В рабочую группу входят только участники сообщества"),
    ("council", "Этот участник уже в группе."),
    (None, "Выберите участника сообщества."),
])
def test_adding_bad_members_is_refused(client_as, people, community, group, user, message):
    data = {"user_id": people[user].id if user else 0}
    response = client_as("coordinator").post(url(community, f"/{group.id}/members/add"),
                                             data=data)
    assert response.status_code == 422
    assert message in text(response)
    assert set(members_of(group)) == {people["member"].id, people["council"].id}


def test_removing_someone_not_in_the_group_is_a_404(client_as, people, community, group):
    response = client_as("coordinator").post(
        url(community, f"/{group.id}/members/{people['expert'].id}/remove"))
    assert response.status_code == 404


def test_a_removed_member_keeps_their_posts_but_loses_the_section(client_as, people,
                                                                  community, group):
    section = section_of(group)
    with current_app.test_request_context("/"):
        topic = forum.create_topic(section, people["council"], title="Мои задания",
                                   body="Пять заданий на смысловое чтение.")
        db.session.commit()
    client_as("member").post(url(community, f"/{group.id}/members/{people['council'].id}/remove"))
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    assert post.author_id == people["council"].id and post.is_public
    forum_url = f"/c/{community.slug}/forum"
    assert client_as("council").get(f"{forum_url}/topics/{topic.id}").status_code == 404
    assert client_as("council").get(f"{forum_url}/sections/{section.id}").status_code == 404
    page = text(client_as("member").get(f"{forum_url}/topics/{topic.id}"))
    assert "Пять заданий на смысловое чтение." in page and "Советова Наталья" in page


def test_someone_added_sees_the_section(client_as, people, community, group):
    section = section_of(group)
    forum_url = f"/c/{community.slug}/forum/sections/{section.id}"
    assert client_as("expert").get(forum_url).status_code == 404
    client_as("coordinator").post(url(community, f"/{group.id}/members/add"),
                                  data={"user_id": people["expert"].id})
    assert client_as("expert").get(forum_url).status_code == 200


# --- closing and the archive ---------------------------------------------------------------


def test_closing_sends_the_group_to_the_archive(client_as, people, community, group):
    response = client_as("chair").post(url(community, f"/{group.id}/close"))
    assert response.status_code == 303
    group = db.session.get(WorkingGroup, group.id)
    assert group.closed_at is not None and group.closed_by_id == people["chair"].id
    assert group.is_archived
    assert any("завершила работу" in n for n in db.session.scalars(
        select(Notification.text).where(Notification.user_id == people["member"].id)))
    page = text(client_as("member").get(url(community, f"/{group.id}")))
    assert "в архиве" in page and "только для чтения" in page
    response = client_as("chair").post(url(community, f"/{group.id}/close"),
                                       follow_redirects=True)
    assert "Рабочая группа уже в архиве." in text(response)


def test_past_its_end_date_a_group_is_archived(people, community, group):
    group.end_date = today(community) - timedelta(days=1)
    db.session.commit()
    assert group.is_archived
    assert not group.is_archived_on(today(community) - timedelta(days=1))


def test_an_archived_group_does_not_change(client_as, people, community, group):
    group.end_date = today(community) - timedelta(days=1)
    db.session.commit()
    client = client_as("coordinator")
    response = client.get(url(community, f"/{group.id}/edit"))
    assert response.status_code == 303
    response = client.post(url(community, f"/{group.id}/edit"),
                           data=form_data(people, community, name="Иначе"),
                           follow_redirects=True)
    assert "Рабочая группа в архиве: изменить её нельзя." in text(response)
    response = client.post(url(community, f"/{group.id}/members/add"),
                           data={"user_id": people["expert"].id})
    assert response.status_code == 422
    assert "Рабочая группа в архиве" in text(response)
    response = client.post(url(community, f"/{group.id}/members/{people['council'].id}/remove"),
                           follow_redirects=True)
    assert "Рабочая группа в архиве" in text(response)
    assert db.session.get(WorkingGroup, group.id).name == NAME
    assert set(members_of(group)) == {people["member"].id, people["council"].id}
    with current_app.test_request_context("/"), pytest.raises(DomainError, match="в архиве"):
        services.close_group(group, people["coordinator"])
    # The leader loses the management forms too.
    assert client_as("member").get(url(community, f"/{group.id}/members")).status_code == 200
    assert "Добавить в группу" not in text(client_as("member").get(
        url(community, f"/{group.id}/members")))


# --- pages ---------------------------------------------------------------------------------


def test_the_list_shows_active_and_archived_groups(client_as, people, community, group):
    with current_app.test_request_context("/"):
        old = services.create_group(community, people["chair"], services.GroupFields(
            name="Группа по подготовке к ГИА", goal="Разобрать демоверсии.",
            end_date=today(community), member_ids=(people["expert"].id,)))
        db.session.commit()
    old.end_date = today(community) - timedelta(days=10)
    db.session.commit()
    page = text(client_as("expert").get(url(community, "/")))
    active, archived = page.split('id="archived-title"')
    assert NAME in active and "Подготовить банк заданий." in active and "2 участника" in active
    assert "Группа по подготовке к ГИА" in archived and "1 участник" in archived
    # Links to the sections each viewer may open: the expert is in the archived one only.
    assert f"/forum/sections/{section_of(old).id}" in archived
    assert f"/forum/sections/{section_of(group).id}" not in page
    page = text(client_as("member").get(url(community, "/")))
    assert f"/forum/sections/{section_of(group).id}" in page
    assert f"/forum/sections/{section_of(old).id}" not in page


def test_the_list_costs_the_same_however_many_groups(client_as, people, community, group):
    client = client_as("member")
    client.get(url(community, "/"))
    with count_queries() as few:
        client.get(url(community, "/"))
    with current_app.test_request_context("/"):
        for n in range(4):
            services.create_group(community, people["coordinator"], services.GroupFields(
                name=f"Группа {n}", goal="Цель.", end_date=today(community) + timedelta(n),
                member_ids=(people["member"].id, people["expert"].id)))
        db.session.commit()
    with count_queries() as many:
        page = text(client.get(url(community, "/")))
    assert "Группа 3" in page
    assert many.count == few.count


def test_the_group_page(client_as, people, community, group):
    section = section_of(group)
    page = text(client_as("member").get(url(community, f"/{group.id}")))
    assert NAME in page and "Подготовить банк заданий." in page
    assert "Участникова Анна" in page and "Советова Наталья" in page
    assert "руководитель" in page
    assert f"/forum/sections/{section.id}" in page
    assert f"/groups/{group.id}/members" in page  # the leader manages members
    assert f"/groups/{group.id}/edit" not in page
    page = text(client_as("chair").get(url(community, f"/{group.id}")))
    assert f"/forum/sections/{section.id}" not in page  # the chair is not in the group
    assert "виден только участникам группы" in page
    assert f"/groups/{group.id}/edit" in page and f"/groups/{group.id}/close" in page
    page = text(client_as("coordinator").get(url(community, f"/{group.id}")))
    assert f"/forum/sections/{section.id}" in page  # a forum moderator


def test_the_group_page_costs_the_same_however_many_members(client_as, people, community,
                                                          group):
    client = client_as("member")
    with count_queries() as few:
        client.get(url(community, f"/{group.id}"))
    from tests.factories import make_membership, make_user

    with current_app.test_request_context("/"):
        for n in range(4):
            user = make_user(full_name=f"Новикова Вера {n}")
            make_membership(user, community)
            services.add_member(group, people["coordinator"], user.id)
        db.session.commit()
    with count_queries() as many:
        page = text(client.get(url(community, f"/{group.id}")))
    assert "Новикова Вера 3" in page
    assert many.count == few.count


def test_the_forum_marks_the_group_section(client_as, community, group):
    page = text(client_as("member").get(f"/c/{community.slug}/forum/"))
    assert NAME in page and "Рабочая группа" in page and f"/groups/{group.id}" in page
    section = section_of(group)
    page = text(client_as("member").get(f"/c/{community.slug}/forum/sections/{section.id}"))
    assert "его видят только участники группы и координаторы" in page
    assert "Новая тема" in page


def test_a_topic_in_the_section_counts_on_the_group_page(client_as, people, community, group):
    with current_app.test_request_context("/"):
        forum.create_topic(section_of(group), people["member"], title="План",
                           body="Встречи по средам.")
        db.session.commit()
    assert db.session.scalar(select(func.count(Topic.id))) == 1
    page = text(client_as("council").get(url(community, f"/{group.id}")))
    assert "1 тема" in page


# --- demo data -----------------------------------------------------------------------------


def test_the_demo_seed_is_idempotent(people, community):
    from app.demo.governance_groups import seed
    from tests.factories import make_membership, make_user

    member2, council2 = make_user(), make_user()
    make_membership(member2, community)
    make_membership(council2, community, is_council=True)
    demo = {"coordinator": people["coordinator"], "chair": people["chair"],
            "council1": people["council"], "council2": council2, "expert": people["expert"],
            "member": people["member"], "member2": member2, "applicant": make_user()}
    with current_app.test_request_context("/"):
        seed(community, demo)
        seed(community, demo)
        db.session.commit()
    active, archived = services.groups_of(community)
    assert [r.group.name for r in active] == [NAME]
    assert len(archived) == 1 and archived[0].group.is_archived
    assert active[0].member_count == 4
    topic = db.session.scalar(select(Topic).where(Topic.section_id == active[0].section_id))
    assert topic.post_count == 4
