"""The forum section of a working group (002 §4.3): seen only by the group's members and the
forum moderators, a 404 for everyone else on every path; left out of the lists, the search
and the notifications of others; read-only once the group is archived."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from app import search
from app.errors import DomainError
from app.extensions import db
from app.forum import services
from app.forum.models import Post, PostAttachment, Section, Topic
from app.governance.groups import services as groups
from app.governance.groups.models import WorkingGroup
from app.notifications.models import Notification
from tests.helpers import HX, TINY_PDF, count_queries, text

# Community members outside the group: the chair is no forum moderator.
OUTSIDE = ("chair", "expert")
MODERATORS = ("coordinator", "admin")


def url(community, path=""):
    return f"/c/{community.slug}/forum{path}"


def notes_for(user) -> list[str]:
    return list(db.session.scalars(
        select(Notification.text).where(Notification.user_id == user.id)
        .order_by(Notification.id)))


@pytest.fixture
def group(people, community) -> WorkingGroup:
    """The member (leader) and the council member, for a month."""
    with current_app.test_request_context("/"):
        group = groups.create_group(community, people["coordinator"], groups.GroupFields(
            name="Рабочая группа по функциональной грамотности",
            goal="Подготовить банк заданий.",
            end_date=groups.local_today(community) + timedelta(days=30),
            member_ids=(people["member"].id, people["council"].id),
            leader_ids=(people["member"].id,)))
        db.session.commit()
    return group


@pytest.fixture
def group_section(group) -> Section:
    return db.session.scalar(select(Section).where(Section.group_id == group.id))


@pytest.fixture
def thread(people, group_section):
    """A topic of the member's with a PDF, answered by the council member."""
    with current_app.test_request_context("/"):
        pdf = FileStorage(io.BytesIO(TINY_PDF), filename="задания.pdf",
                          content_type="application/pdf")
        topic = services.create_topic(
            group_section, people["member"], title="Банк заданий по читательской грамотности",
            body="Собираем задания по смысловому чтению.", files=[pdf])
        services.reply(topic, people["council"], "Добавлю задания для пятых классов.")
        db.session.commit()
    first = db.session.scalar(Post.in_topic(topic).limit(1))
    attachment = db.session.scalar(select(PostAttachment).where(
        PostAttachment.post_id == first.id))
    return topic, first, attachment


def archive(group: WorkingGroup) -> None:
    group.end_date = groups.local_today(group.community) - timedelta(days=1)
    db.session.commit()


# --- every path: 404 outside the group ---------------------------------------------------

# (path, the group member's status, a forum moderator's status outside the group). The
# moderators read and moderate but do not write: writing forms send them back with a message.
PATHS = [
    ("/sections/{section}", 200, 200),
    ("/sections/{section}/new-topic", 200, 303),
    ("/topics/{topic}", 200, 200),
    ("/topics/{topic}/unread", 302, 302),
    ("/topics/{topic}/reply", 200, 303),
    ("/topics/{topic}/reply?quote={post}", 200, 303),
    ("/posts/{post}", 302, 302),
    ("/posts/{post}/view", 200, 200),
    ("/posts/{post}/edit", 200, 403),
    ("/posts/{post}/revisions", 200, 200),
    ("/attachments/{attachment}", 200, 200),
]


def fill(path, section, thread):
    topic, post, attachment = thread
    return path.format(section=section.id, topic=topic.id, post=post.id,
                       attachment=attachment.id)


@pytest.mark.parametrize(("path", "member_status", "moderator_status"), PATHS,
                         ids=[p for p, _, _ in PATHS])
def test_every_path_is_a_404_outside_the_group(client_as, community, group_section, thread,
                                               path, member_status, moderator_status):
    target = url(community, fill(path, group_section, thread))
    headers = HX if path.endswith("/view") else {}  # without htmx, /view redirects
    for role in OUTSIDE:
        response = client_as(role).get(target, headers=headers)
        assert response.status_code == 404, (role, target)
        assert "Банк заданий" not in text(response)
    for role in ("member", "council"):
        # The council member is not the post's author: no editing, no earlier versions.
        authors_only = "edit" in path or "revisions" in path
        expected = member_status if role == "member" or not authors_only else 403
        with client_as(role).get(target, headers=headers) as response:
            assert response.status_code == expected, (role, target)
    for role in MODERATORS:
        with client_as(role).get(target, headers=headers) as response:
            assert response.status_code == moderator_status, (role, target)


@pytest.mark.parametrize("role", OUTSIDE)
def test_writing_into_the_section_from_outside_is_a_404(client_as, community, group_section,
                                                       thread, role):
    topic, post, _ = thread
    client = client_as(role)
    posts = db.session.scalar(select(func.count(Post.id)))
    assert client.post(url(community, f"/sections/{group_section.id}/new-topic"),
                       data={"title": "Чужая тема", "body": "Текст"}).status_code == 404
    assert client.post(url(community, f"/topics/{topic.id}/reply"),
                       data={"body": "Чужой ответ"}).status_code == 404
    assert client.post(url(community, f"/topics/{topic.id}/watch")).status_code == 404
    assert client.post(url(community, f"/posts/{post.id}/edit"),
                       data={"body": "Правка"}).status_code == 404
    assert db.session.scalar(select(func.count(Post.id))) == posts


def test_the_quoted_post_must_be_visible_too(client_as, community, section, group_section,
                                             thread, make_topic):
    """Quoting a group's post into a topic the chair can open is still a 404."""
    open_topic = make_topic(section)
    _, post, _ = thread
    response = client_as("chair").get(
        url(community, f"/topics/{open_topic.id}/reply?quote={post.id}"))
    assert response.status_code == 404


def test_the_group_members_write_there(client_as, people, community, group_section, thread):
    topic, _, _ = thread
    response = client_as("council").post(url(community, f"/topics/{topic.id}/reply"),
                                         data={"body": "Ещё три задания."})
    assert response.status_code == 303
    response = client_as("member").post(
        url(community, f"/sections/{group_section.id}/new-topic"),
        data={"title": "План работы группы", "body": "Встречаемся по средам."})
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(Topic.id)).where(
        Topic.section_id == group_section.id)) == 2


@pytest.mark.parametrize("role", MODERATORS)
def test_moderators_read_but_do_not_write(client_as, community, group_section, thread, role):
    topic, _, _ = thread
    client = client_as(role)
    page = text(client.get(url(community, f"/topics/{topic.id}")))
    assert "Добавлю задания для пятых классов." in page
    assert "В разделе рабочей группы пишут только её участники." in page
    assert 'id="reply-form"' not in page
    response = client.post(url(community, f"/topics/{topic.id}/reply"),
                           data={"body": "Вмешаюсь."})
    assert response.status_code == 422
    assert "В разделе рабочей группы пишут только её участники." in text(response)


def test_moderators_remove_a_post_of_the_group(client_as, community, thread):
    _, post, _ = thread
    client = client_as("coordinator")
    page = client.get(f"/c/{community.slug}/moderation/items/post/{post.id}/remove")
    assert page.status_code == 200
    response = client.post(f"/c/{community.slug}/moderation/items/post/{post.id}/remove",
                           data={"ground": "spam", "comment": ""})
    assert response.status_code == 303
    assert db.session.get(Post, post.id).is_hidden


def test_reporting_a_group_post_from_outside_is_a_404(client_as, community, thread):
    _, post, _ = thread
    response = client_as("chair").get(f"/c/{community.slug}/moderation/report/post/{post.id}")
    assert response.status_code == 404


# --- lists -------------------------------------------------------------------------------


def test_the_section_list_shows_the_group_section_to_the_group_only(
        client_as, community, section, group_section, thread):
    for role in ("member", "council", *MODERATORS):
        page = text(client_as(role).get(url(community, "/")))
        assert "Рабочая группа по функциональной грамотности" in page, role
        assert "Банк заданий по читательской грамотности" in page, role
    for role in OUTSIDE:
        page = text(client_as(role).get(url(community, "/")))
        assert "Управление школой" in page
        assert "функциональной грамотности" not in page, role
        assert "Банк заданий" not in page, role


def test_the_section_list_costs_the_same_with_groups(client_as, people, community, section,
                                                     make_topic):
    client = client_as("member")
    make_topic(section)
    client.get(url(community, "/"))
    with count_queries() as few:
        client.get(url(community, "/"))
    with current_app.test_request_context("/"):
        for n in range(3):
            groups.create_group(community, people["coordinator"], groups.GroupFields(
                name=f"Группа {n}", goal="Цель.",
                end_date=groups.local_today(community) + timedelta(days=n),
                member_ids=(people["member"].id,)))
        db.session.commit()
    with count_queries() as many:
        page = text(client.get(url(community, "/")))
    assert "Группа 2" in page
    assert many.count == few.count


def test_the_home_page_shows_no_group_topics(client_as, community, announcements,
                                            group_section, thread, make_topic, people):
    make_topic(announcements, author=people["coordinator"], title="Общее объявление")
    for role in ("chair", "member"):
        page = text(client_as(role).get(f"/c/{community.slug}/"))
        assert "Общее объявление" in page
        assert "Банк заданий" not in page


def test_a_group_section_is_never_an_announcements_section(client_as, people, community,
                                                          group, group_section):
    client = client_as("coordinator")
    response = client.get(url(community, f"/sections/{group_section.id}/edit"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/groups/{group.id}")
    response = client.post(url(community, f"/sections/{group_section.id}/edit"),
                           data={"title": "Объявления", "is_announcements": "y"})
    assert response.status_code == 303
    assert not db.session.get(Section, group_section.id).is_announcements
    with pytest.raises(DomainError, match="меняется вместе с группой"):
        services.update_section(group_section, people["coordinator"], title="X",
                                description="", is_announcements=True)


def test_topics_do_not_move_in_or_out_of_a_group_section(client_as, people, community,
                                                        section, group_section, thread,
                                                        make_topic):
    topic, _, _ = thread
    open_topic = make_topic(section, title="Открытая тема")
    client = client_as("coordinator")
    form = text(client.get(url(community, f"/topics/{open_topic.id}/move")))
    assert "функциональной грамотности" not in form
    response = client.post(url(community, f"/topics/{open_topic.id}/move"),
                           data={"section_id": group_section.id})
    assert response.status_code == 422
    response = client.post(url(community, f"/topics/{topic.id}/move"),
                           data={"section_id": section.id})
    assert response.status_code == 422  # the group's own section is the only choice
    with current_app.test_request_context("/"), pytest.raises(
            DomainError, match="их увидели бы не те люди"):
        services.move_topic(db.session.get(Topic, topic.id), people["coordinator"],
                            db.session.get(Section, section.id))
    assert db.session.get(Topic, topic.id).section_id == group_section.id
    assert db.session.get(Topic, open_topic.id).section_id == section.id


# --- search ------------------------------------------------------------------------------


def test_search_does_not_leak_group_posts(client_as, community, section, group_section,
                                          thread, make_topic):
    make_topic(section, title="Смысловое чтение в начальной школе",
               body="Открытое обсуждение смыслового чтения.")
    for role in OUTSIDE:
        page = text(client_as(role).get(url(community, "/search?q=смысловому чтению")))
        assert "Открытое обсуждение" in page
        assert "Собираем задания" not in page and "Банк заданий" not in page, role
    for role in ("member", "council", *MODERATORS):
        page = text(client_as(role).get(url(community, "/search?q=смысловому чтению")))
        assert "Собираем задания" in page, role


def test_hidden_posts_take_no_places_in_the_results(people, community, group_section):
    """The search leaves them out itself, so the thirty results are all visible ones."""
    with current_app.test_request_context("/"):
        topic = services.create_topic(group_section, people["member"], title="Тайная тема",
                                      body="Слово грамотность.")
        for n in range(3):
            services.reply(topic, people["member"], f"Грамотность номер {n}.")
        db.session.commit()
    ids = set(db.session.scalars(select(Post.id).where(Post.topic_id == topic.id)))
    everything = search.search("грамотность", kinds=["post"], limit=2)
    assert {h.object_id for h in everything} <= ids
    hidden = select(Post.id).where(Post.topic_id == topic.id)
    assert search.search("грамотность", kinds=["post"], exclude=hidden) == []


# --- notifications -----------------------------------------------------------------------


def test_watchers_taken_out_of_the_group_are_no_longer_told(people, community, group,
                                                            thread):
    topic, _, _ = thread
    with current_app.test_request_context("/"):
        groups.remove_member(group, people["coordinator"], people["council"].id)
        services.reply(topic, people["member"], "Продолжаем без Натальи.")
        db.session.commit()
    assert not any("Продолжаем" in n or "Новый ответ" in n for n in notes_for(people["council"]))
    # The council member's post stays where it was.
    assert db.session.scalar(select(func.count(Post.id)).where(
        Post.topic_id == topic.id, Post.author_id == people["council"].id)) == 1


def test_mentions_tell_only_those_who_may_read(people, community, group, thread):
    topic, _, _ = thread
    with current_app.test_request_context("/"):
        services.reply(topic, people["member"],
                       "@[Советова Наталья] и @[Экспертова Оксана], посмотрите.")
        db.session.commit()
    assert any("упомянул" in n for n in notes_for(people["council"]))
    assert not any("упомянул" in n for n in notes_for(people["expert"]))


def test_watching_group_members_are_told_of_replies(people, community, thread):
    topic, _, _ = thread
    with current_app.test_request_context("/"):
        services.reply(topic, people["council"], "Задания готовы.")
        db.session.commit()
    assert any("Новый ответ" in n for n in notes_for(people["member"]))


# --- the archive -------------------------------------------------------------------------


def test_an_archived_group_section_is_read_only(client_as, people, community, group,
                                                group_section, thread):
    topic, post, _ = thread
    archive(group)
    client = client_as("member")
    page = text(client.get(url(community, f"/topics/{topic.id}")))
    assert "Добавлю задания для пятых классов." in page
    assert "Рабочая группа завершила работу: её раздел доступен только для чтения." in page
    assert 'id="reply-form"' not in page
    section_page = text(client.get(url(community, f"/sections/{group_section.id}")))
    assert "Новая тема" not in section_page and "только для чтения" in section_page
    before = db.session.scalar(select(func.count(Post.id)))
    response = client.post(url(community, f"/topics/{topic.id}/reply"), data={"body": "Ещё"})
    assert response.status_code == 422
    assert "только для чтения" in text(response)
    response = client.post(url(community, f"/sections/{group_section.id}/new-topic"),
                           data={"title": "Новая", "body": "Текст"})
    assert response.status_code == 422
    assert "только для чтения" in text(response)
    response = client.get(url(community, f"/sections/{group_section.id}/new-topic"))
    assert response.status_code == 303
    response = client.post(url(community, f"/posts/{post.id}/edit"), data={"body": "Правка"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(Post.id))) == before
    # Still a 404 outside the group.
    assert client_as("chair").get(url(community, f"/topics/{topic.id}")).status_code == 404


def test_a_closed_group_section_is_read_only(client_as, people, community, group, thread):
    topic, _, _ = thread
    with current_app.test_request_context("/"):
        groups.close_group(group, people["chair"])
        db.session.commit()
    with current_app.test_request_context("/"), pytest.raises(DomainError,
                                                               match="только для чтения"):
        services.reply(topic, people["member"], "Поздно.")
