"""The forum through its routes: sections, topics, replies (plain and htmx), editing with
history, quoting, moderation of topics, unread, mentions and watching, attachments, search,
permissions and bad input."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.forum.models import Post, PostRevision, Section, Topic, TopicRead, TopicWatch
from app.notifications.models import Notification
from tests.factories import make_membership, make_user
from tests.helpers import HX, count_queries, text

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url(community, path=""):
    return f"/c/{community.slug}/forum{path}"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def notes_for(user) -> list[str]:
    return list(db.session.scalars(
        select(Notification.text).where(Notification.user_id == user.id).order_by(Notification.id)
    ))


# --- sections --------------------------------------------------------------------------


def test_coordinator_creates_and_orders_sections(client_as, community):
    client = client_as("coordinator")
    for title in ("Первый", "Второй"):
        response = client.post(url(community, "/sections/new"), data={"title": title})
        assert response.status_code == 303
    first, second = db.session.scalars(select(Section).order_by(Section.position)).all()
    assert [first.title, second.title] == ["Первый", "Второй"]
    client.post(url(community, f"/sections/{second.id}/move/up"))
    titles = db.session.scalars(select(Section.title).order_by(Section.position)).all()
    assert titles == ["Второй", "Первый"]
    table = text(client.get(url(community, "/"))).split('class="forum-sections"')[1]
    assert table.index("Второй") < table.index("Первый")


@pytest.mark.parametrize("role", ["member", "chair", "council", "expert"])
def test_only_coordinators_manage_sections(client_as, community, section, role):
    client = client_as(role)
    assert client.post(url(community, "/sections/new"), data={"title": "X"}).status_code == 403
    assert client.get(url(community, f"/sections/{section.id}/edit")).status_code == 403
    assert count(Section) == 1


def test_section_list_shows_counts_and_latest(client_as, community, section, make_topic):
    make_topic(section, title="Про оценивание", replies=2)
    page = text(client_as("member").get(url(community, "/")))
    assert "Управление школой" in page and "Про оценивание" in page
    row = db.session.get(Section, section.id)
    assert (row.topic_count, row.post_count) == (1, 3)


# --- topics and replies ----------------------------------------------------------------


def test_member_creates_topic(client_as, people, community, section):
    response = client_as("member").post(
        url(community, f"/sections/{section.id}/new-topic"),
        data={"title": "  Как готовиться к аттестации  ", "body": "Поделитесь *опытом*."},
    )
    assert response.status_code == 303
    topic = db.session.scalar(select(Topic))
    assert topic.title == "Как готовиться к аттестации"
    assert response.headers["Location"].endswith(f"/forum/topics/{topic.id}")
    post = db.session.scalar(select(Post))
    assert post.number == 1 and "<em>опытом</em>" in post.body_html
    # The author watches the topic.
    assert db.session.get(TopicWatch, (people["member"].id, topic.id)) is not None


def test_topic_list_puts_pinned_first(client_as, community, section, make_topic):
    old = make_topic(section, title="Старая закреплённая")
    make_topic(section, title="Новая обычная")
    client_as("coordinator").post(url(community, f"/topics/{old.id}/pin"))
    page = text(client_as("member").get(url(community, f"/sections/{section.id}")))
    assert page.index("Старая закреплённая") < page.index("Новая обычная")
    assert "Закреплена" in page


def test_reply_plain_redirects_to_the_post(client_as, community, section, make_topic):
    topic = make_topic(section)
    response = client_as("chair").post(url(community, f"/topics/{topic.id}/reply"),
                                       data={"body": "Согласен"})
    assert response.status_code == 303
    post = db.session.scalar(select(Post).where(Post.number == 2))
    assert response.headers["Location"].endswith(f"/forum/posts/{post.id}")
    assert db.session.get(Topic, topic.id).post_count == 2


def test_reply_with_htmx_returns_the_post_and_a_fresh_form(client_as, community, section,
                                                           make_topic):
    topic = make_topic(section)
    response = client_as("chair").post(url(community, f"/topics/{topic.id}/reply"),
                                       data={"body": "Новый **ответ**", "after": "1"}, headers=HX)
    assert response.status_code == 200
    body = text(response)
    post = db.session.scalar(select(Post).where(Post.number == 2))
    assert "<html" not in body
    assert f'id="post-{post.id}"' in body and "<strong>ответ</strong>" in body
    assert 'id="reply-form"' in body and 'data-hx-swap-oob="true"' in body
    assert "Новый **ответ**" not in body  # the form comes back empty
    assert "post-created" in response.headers["HX-Trigger"]
    assert 'name="after" type="hidden" value="2"' in body


def test_reply_not_following_the_page_opens_the_post(client_as, community, section,
                                                     make_topic):
    """Someone else wrote meanwhile (or the page is not the last): go to the post."""
    topic = make_topic(section, replies=1)
    response = client_as("chair").post(url(community, f"/topics/{topic.id}/reply"),
                                       data={"body": "Ответ", "after": "1"}, headers=HX)
    assert response.status_code == 200
    post = db.session.scalar(select(Post).where(Post.number == 3))
    assert response.headers["HX-Redirect"].endswith(f"/forum/posts/{post.id}")
    assert text(response) == ""


def test_reply_errors_go_back_into_the_form(client_as, community, section, make_topic):
    topic = make_topic(section)
    response = client_as("chair").post(url(community, f"/topics/{topic.id}/reply"),
                                       data={"body": "   "}, headers=HX)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#reply-form"
    assert "Сообщение не может быть пустым." in text(response)
    assert count(Post) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Сообщение не может быть пустым."), ("  \n\t ", "Сообщение не может быть пустым."),
     ("я" * 20_001, "Не больше 20000 символов.")],
)
def test_bad_reply_bodies(client_as, community, section, make_topic, body, message):
    topic = make_topic(section)
    response = client_as("member").post(url(community, f"/topics/{topic.id}/reply"),
                                        data={"body": body})
    assert response.status_code == 422
    assert message in text(response)
    assert count(Post) == 1
    assert db.session.get(Topic, topic.id).post_count == 1


def test_topic_without_title_saves_nothing(client_as, community, section):
    response = client_as("member").post(url(community, f"/sections/{section.id}/new-topic"),
                                        data={"title": " ", "body": "Текст"})
    assert response.status_code == 422
    assert "Укажите заголовок." in text(response)
    assert count(Topic) == 0 and count(Post) == 0


def test_closed_topic_refuses_replies_with_a_reason(client_as, community, section, make_topic):
    topic = make_topic(section)
    client_as("coordinator").post(url(community, f"/topics/{topic.id}/close"))
    assert db.session.get(Topic, topic.id).is_closed
    response = client_as("member").post(url(community, f"/topics/{topic.id}/reply"),
                                        data={"body": "Ещё вопрос"})
    assert response.status_code == 422
    assert "Тема закрыта" in text(response)
    assert count(Post) == 1
    page = text(client_as("member").get(url(community, f"/topics/{topic.id}")))
    assert 'id="reply-form"' not in page


def test_reply_to_missing_topic_is_404(client_as, community):
    response = client_as("member").post(url(community, "/topics/99999/reply"), data={"body": "x"})
    assert response.status_code == 404


def test_topic_of_another_community_is_404(client_as, people, community, make_topic):
    from flask import current_app

    from app.forum import services

    other = people["other_community"]
    with current_app.test_request_context("/"):
        foreign_section = services.create_section(
            other, people["admin"], title="Чужой раздел", description="", is_announcements=False
        )
        db.session.commit()
    foreign = make_topic(foreign_section, author=people["admin"])
    # Asked for under our community's address: not found, not shown.
    response = client_as("coordinator").get(url(community, f"/topics/{foreign.id}"))
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["outsider", "other_coordinator"])
def test_non_members_see_no_forum(client_as, community, section, make_topic, role):
    topic = make_topic(section)
    client = client_as(role)
    assert client.get(url(community, "/")).status_code == 403
    assert client.get(url(community, f"/topics/{topic.id}")).status_code == 403
    response = client.post(url(community, f"/topics/{topic.id}/reply"), data={"body": "x"})
    assert response.status_code == 403
    assert count(Post) == 1


def test_anonymous_is_sent_to_log_in(client, community, section):
    response = client.get(url(community, "/"))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_muted_member_gets_a_clear_message(client_as, people, community, section, make_topic):
    from datetime import timedelta

    from app.communities.models import Membership
    from app.mixins import utcnow

    topic = make_topic(section)
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == people["member"].id)
    )
    membership.muted_until = utcnow() + timedelta(days=3)
    db.session.commit()
    client = client_as("member")
    response = client.post(url(community, f"/topics/{topic.id}/reply"), data={"body": "Я тут"})
    assert response.status_code == 422
    assert "Координатор ограничил вам возможность писать" in text(response)
    response = client.post(url(community, f"/sections/{section.id}/new-topic"),
                           data={"title": "Тема", "body": "Текст"})
    assert response.status_code == 422
    assert count(Post) == 1 and count(Topic) == 1
    page = text(client.get(url(community, f"/topics/{topic.id}")))
    assert 'id="reply-form"' not in page
    assert "Координатор ограничил вам возможность писать в этом сообществе до" in page


def test_script_in_title_and_body_is_harmless(client_as, community, section):
    client = client_as("member")
    client.post(url(community, f"/sections/{section.id}/new-topic"), data={
        "title": "<script>alert(1)</script>Тема",
        "body": '<img src=x onerror=alert(1)> [x](javascript:alert(1)) <b onclick="y">z</b>',
    })
    topic = db.session.scalar(select(Topic))
    page = text(client.get(url(community, f"/topics/{topic.id}")))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Тема" in page
    assert "<img" not in page and "<b onclick" not in page and 'onclick="' not in page
    assert 'href="javascript' not in page


# --- announcements ---------------------------------------------------------------------


def test_announcements_only_by_coordinator_and_chair_and_everyone_is_told(
    client_as, people, community, announcements
):
    response = client_as("member").get(url(community, f"/sections/{announcements.id}/new-topic"))
    assert response.status_code == 403
    response = client_as("member").post(
        url(community, f"/sections/{announcements.id}/new-topic"),
        data={"title": "Моё объявление", "body": "Текст"},
    )
    assert response.status_code == 403
    response = client_as("chair").post(
        url(community, f"/sections/{announcements.id}/new-topic"),
        data={"title": "Заседание 15 декабря", "body": "Приглашаем всех."},
    )
    assert response.status_code == 303
    for role in ("member", "coordinator", "council", "expert"):
        assert any("Заседание 15 декабря" in n for n in notes_for(people[role])), role
    assert not any("Заседание" in n for n in notes_for(people["chair"]))
    home = text(client_as("member").get(f"/c/{community.slug}/"))
    assert "Объявления" in home and "Заседание 15 декабря" in home


# --- editing, history, quoting ---------------------------------------------------------


def test_edit_in_place_keeps_history(client_as, people, community, section, make_topic):
    topic = make_topic(section, body="Первая редакция")
    post = db.session.scalar(select(Post))
    client = client_as("member")
    form = client.get(url(community, f"/posts/{post.id}/edit"), headers=HX)
    assert form.status_code == 200 and "<html" not in text(form)
    assert f'id="post-{post.id}"' in text(form) and "Первая редакция" in text(form)
    response = client.post(url(community, f"/posts/{post.id}/edit"),
                           data={"body": "Вторая редакция"}, headers=HX)
    assert response.status_code == 200
    assert "Вторая редакция" in text(response) and "изменено" in text(response)
    revision = db.session.scalar(select(PostRevision))
    assert revision.body == "Первая редакция"
    # The coordinator sees the earlier version; another member may not.
    page = text(client_as("coordinator").get(url(community, f"/posts/{post.id}/revisions")))
    assert "Первая редакция" in page and "Вторая редакция" in page
    assert client_as("chair").get(url(community, f"/posts/{post.id}/revisions")).status_code == 403
    del topic


def test_editing_someone_elses_post_is_403(client_as, community, section, make_topic):
    make_topic(section, body="Чужой текст")
    post = db.session.scalar(select(Post))
    client = client_as("chair")
    assert client.get(url(community, f"/posts/{post.id}/edit")).status_code == 403
    response = client.post(url(community, f"/posts/{post.id}/edit"), data={"body": "Взлом"})
    assert response.status_code == 403
    assert db.session.get(Post, post.id).body == "Чужой текст"
    assert count(PostRevision) == 0


def test_edit_to_empty_is_refused(client_as, community, section, make_topic):
    make_topic(section, body="Текст")
    post = db.session.scalar(select(Post))
    response = client_as("member").post(url(community, f"/posts/{post.id}/edit"),
                                        data={"body": ""}, headers=HX)
    assert response.status_code == 422
    assert db.session.get(Post, post.id).body == "Текст"


def test_quote_fills_the_reply_box(client_as, people, community, section, make_topic):
    topic = make_topic(section, body="Мысль для цитаты\nвторая строка")
    post = db.session.scalar(select(Post))
    response = client_as("chair").get(
        url(community, f"/topics/{topic.id}/reply?quote={post.id}"), headers=HX
    )
    body = text(response)
    assert 'id="reply-form"' in body and "<html" not in body
    assert "&gt; Мысль для цитаты" in body and "&gt; вторая строка" in body
    assert people["member"].full_name in body
    # Without JavaScript the same link opens a page with the form.
    page = client_as("chair").get(url(community, f"/topics/{topic.id}/reply?quote={post.id}"))
    assert "<html" in text(page) and "Мысль для цитаты" in text(page)


# --- topic moderation ------------------------------------------------------------------


def test_coordinator_renames_and_moves_topics(client_as, community, section, make_topic):
    topic = make_topic(section, replies=1)
    client = client_as("coordinator")
    client.post(url(community, "/sections/new"), data={"title": "Архив"})
    archive = db.session.scalar(select(Section).where(Section.title == "Архив"))
    assert client.post(url(community, f"/topics/{topic.id}/rename"),
                       data={"title": "Новое имя"}).status_code == 303
    assert client.post(url(community, f"/topics/{topic.id}/move"),
                       data={"section_id": str(archive.id)}).status_code == 303
    moved = db.session.get(Topic, topic.id)
    assert (moved.title, moved.section_id) == ("Новое имя", archive.id)
    assert db.session.get(Section, section.id).topic_count == 0
    assert db.session.get(Section, archive.id).post_count == 2


@pytest.mark.parametrize("action", ["pin", "close", "rename", "move"])
def test_members_cannot_moderate_topics(client_as, community, section, make_topic, action):
    topic = make_topic(section)
    response = client_as("member").post(url(community, f"/topics/{topic.id}/{action}"),
                                        data={"title": "x", "section_id": str(section.id)})
    assert response.status_code == 403
    unchanged = db.session.get(Topic, topic.id)
    assert not unchanged.is_pinned and not unchanged.is_closed
    assert unchanged.title == "Тема для обсуждения"


# --- unread, mentions, watching --------------------------------------------------------


def test_unread_marks_and_jump_to_first_unread(client_as, people, community, section,
                                               make_topic):
    topic = make_topic(section, author=people["chair"], replies=2)
    client = client_as("member")
    page = text(client.get(url(community, f"/sections/{section.id}")))
    assert "не прочитана" in page
    client.get(url(community, f"/topics/{topic.id}"))
    assert db.session.get(TopicRead, (people["member"].id, topic.id)).last_read_number == 3
    assert "не прочитана" not in text(client.get(url(community, f"/sections/{section.id}")))
    # New posts arrive: the topic shows «новое» and the jump lands on the first new one.
    client_as("chair").post(url(community, f"/topics/{topic.id}/reply"), data={"body": "4-й"})
    client_as("chair").post(url(community, f"/topics/{topic.id}/reply"), data={"body": "5-й"})
    assert "новое" in text(client.get(url(community, f"/sections/{section.id}")))
    fourth = db.session.scalar(select(Post).where(Post.number == 4))
    response = client.get(url(community, f"/topics/{topic.id}/unread"))
    assert response.headers["Location"].endswith(f"?page=1#post-{fourth.id}")


def test_viewing_again_writes_nothing(app, client_as, people, community, section, make_topic):
    topic = make_topic(section)
    client = client_as("member")
    client.get(url(community, f"/topics/{topic.id}"))
    with count_queries() as counter:
        client.get(url(community, f"/topics/{topic.id}"))
    writes = [s for s in counter.statements
              if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


def test_mentions_and_watchers_are_notified(client_as, people, community, section, make_topic):
    topic = make_topic(section, author=people["member"])
    client_as("chair").post(url(community, f"/topics/{topic.id}/reply"),
                            data={"body": f"@[{people['expert'].full_name}], посмотрите."})
    assert any("упомянул(а) вас" in n for n in notes_for(people["expert"]))
    assert any("Новый ответ в теме" in n for n in notes_for(people["member"]))  # the author
    post = db.session.scalar(select(Post).where(Post.number == 2))
    assert f'href="/users/{people["expert"].id}"' in post.body_html
    # Unwatching stops it.
    client_as("member").post(url(community, f"/topics/{topic.id}/unwatch"))
    before = len(notes_for(people["member"]))
    client_as("chair").post(url(community, f"/topics/{topic.id}/reply"), data={"body": "Ещё"})
    assert len(notes_for(people["member"])) == before


def test_mention_of_an_outsider_is_plain_text(client_as, people, community, section,
                                              make_topic):
    topic = make_topic(section)
    client_as("chair").post(url(community, f"/topics/{topic.id}/reply"),
                            data={"body": f"@[{people['outsider'].full_name}] привет"})
    assert notes_for(people["outsider"]) == []


# --- attachments -----------------------------------------------------------------------


def test_reply_with_attachment_and_download(client_as, community, section, make_topic):
    topic = make_topic(section)
    response = client_as("chair").post(
        url(community, f"/topics/{topic.id}/reply"),
        data={"body": "Приложил план", "files": [(io.BytesIO(PDF), "План работы.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    post = db.session.scalar(select(Post).where(Post.number == 2))
    attachment = post.attachments[0]
    page = text(client_as("member").get(url(community, f"/topics/{topic.id}")))
    assert "План работы.pdf" in page
    with client_as("member").get(url(community, f"/attachments/{attachment.id}")) as download:
        assert download.status_code == 200 and download.data == PDF
        disposition = download.headers["Content-Disposition"]
    assert "filename*=UTF-8''%D0%9F%D0%BB%D0%B0%D0%BD" in disposition
    assert client_as("outsider").get(
        url(community, f"/attachments/{attachment.id}")
    ).status_code == 403


def test_bad_attachment_saves_nothing(client_as, community, section, make_topic):
    topic = make_topic(section)
    response = client_as("chair").post(
        url(community, f"/topics/{topic.id}/reply"),
        data={"body": "Смотрите", "files": [(io.BytesIO(b"MZ\x90\x00evil"), "отчёт.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "отчёт.pdf" in text(response)
    assert count(Post) == 1


# --- search ----------------------------------------------------------------------------


def test_search_finds_word_forms(client_as, community, section, make_topic):
    make_topic(section, title="Методические рекомендации", body="Разработка уроков литературы")
    make_topic(section, title="Другое", body="Совсем о другом")
    client = client_as("member")
    page = text(client.get(url(community, "/search?q=урок")))
    assert "Методические рекомендации" in page and "Совсем о другом" not in page
    fragment = client.get(url(community, "/search?q=методическое"), headers=HX)
    assert "<html" not in text(fragment) and "Методические рекомендации" in text(fragment)
    assert "ничего не найдено" in text(client.get(url(community, "/search?q=физкультура")))


def test_search_stays_inside_the_community(client_as, people, community, section, make_topic):
    make_topic(section, title="Наша тема", body="педсовет")
    page = text(client_as("member").get(url(community, "/search?q=педсовет")))
    assert "Наша тема" in page


# --- performance -----------------------------------------------------------------------


def test_topic_page_query_count_is_fixed(client_as, people, community, section, make_topic):
    few = make_topic(section, replies=2)
    authors = [make_user() for _ in range(10)]
    for author in authors:
        make_membership(author, community)
    many = make_topic(section, replies=0)
    from flask import current_app

    from app.forum import services

    with current_app.test_request_context("/"):
        for n in range(49):
            services.reply(many, authors[n % 10], f"Ответ {n}")
        db.session.commit()
    client = client_as("member")
    small_url = url(community, f"/topics/{few.id}")
    large_url = url(community, f"/topics/{many.id}?page=2")
    client.get(small_url)
    client.get(large_url)  # read positions written; the measured views write nothing
    with count_queries() as small:
        client.get(small_url)
    with count_queries() as large:
        response = client.get(large_url)
    assert response.status_code == 200
    assert text(response).count('<article id="post-') == 20
    assert large.count == small.count, "\n".join(large.statements)
    assert large.count <= 10, "\n".join(large.statements)
