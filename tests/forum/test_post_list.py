"""The topic page's posts: plain rows, per-page permissions and cached fragments
(app/forum/post_list.py). A cached fragment must never show what has changed."""

from __future__ import annotations

from flask import current_app

from app.extensions import db
from app.forum import services
from app.forum.models import Post
from app.moderation import services as moderation
from tests.helpers import count_queries, text


def url(community, path=""):
    return f"/c/{community.slug}/forum{path}"


def test_an_edit_shows_at_once(client_as, people, community, section, make_topic):
    topic = make_topic(section, author=people["member"], body="Первая редакция.")
    page = url(community, f"/topics/{topic.id}")
    assert "Первая редакция." in text(client_as("chair").get(page))
    post = db.session.scalar(db.select(Post).where(Post.topic_id == topic.id))
    client_as("member").post(url(community, f"/posts/{post.id}/edit"),
                             data={"body": "Вторая редакция."})
    body = text(client_as("chair").get(page))
    assert "Вторая редакция." in body and "Первая редакция." not in body
    assert "изменено" in body


def test_a_renamed_author_shows_at_once(client_as, people, community, section, make_topic):
    topic = make_topic(section, author=people["member"])
    page = url(community, f"/topics/{topic.id}")
    assert people["member"].full_name in text(client_as("chair").get(page))
    member = people["member"]
    member.full_name = "Новикова Мария Петровна"
    db.session.commit()
    assert "Новикова Мария Петровна" in text(client_as("chair").get(page))


def test_hiding_and_restoring_show_at_once(client_as, people, community, section, make_topic):
    topic = make_topic(section, author=people["member"], body="Спорный текст.",
                       replies=1)
    page = url(community, f"/topics/{topic.id}")
    reply = db.session.scalar(db.select(Post).where(Post.topic_id == topic.id,
                                                    Post.number == 2))
    assert "Ответ номер 1" in text(client_as("council").get(page))
    with current_app.test_request_context("/"):
        moderation.remove(reply, people["coordinator"], "spam", "Реклама")
        db.session.commit()
    body = text(client_as("council").get(page))
    assert "Ответ номер 1" not in body and "Удалено координатором" in body
    # the coordinator sees the text and a restore button with their own session's token
    coordinator = client_as("coordinator")
    body = text(coordinator.get(page))
    assert "Ответ номер 1" in body and "Восстановить" in body
    with current_app.test_request_context("/"):
        moderation.restore(db.session.get(Post, reply.id), people["coordinator"])
        db.session.commit()
    assert "Ответ номер 1" in text(client_as("council").get(page))


def test_actions_follow_the_viewer(client_as, people, community, section, make_topic):
    topic = make_topic(section, author=people["member"], replies=1)
    page = url(community, f"/topics/{topic.id}")
    own = db.session.scalar(db.select(Post).where(Post.topic_id == topic.id,
                                                  Post.number == 1))
    as_author = text(client_as("member").get(page))
    as_other = text(client_as("council").get(page))
    with current_app.test_request_context("/"):
        from flask import url_for

        edit = url_for("forum.edit_post", community_slug=community.slug, post_id=own.id)
        report = url_for("moderation.report", community_slug=community.slug, kind="post",
                         item_id=own.id)
        remove = url_for("moderation.remove_item", community_slug=community.slug,
                         kind="post", item_id=own.id)
    assert f'href="{edit}"' in as_author and f'href="{edit}"' not in as_other
    assert f'href="{report}"' in as_other and f'href="{report}"' not in as_author
    assert f'href="{remove}"' in text(client_as("coordinator").get(page))
    assert f'href="{remove}"' not in as_other and f'href="{remove}"' not in as_author


def test_held_post_only_for_its_author_and_moderators(client_as, people, community, section,
                                                      make_topic):
    topic = make_topic(section, author=people["chair"])
    with current_app.test_request_context("/"):
        post = services.reply(topic, people["member"], "Ждёт проверки.")
        post.held_at = post.created_at
        db.session.commit()
    page = url(community, f"/topics/{topic.id}")
    assert "Ждёт проверки." in text(client_as("member").get(page))
    assert "Ждёт проверки." in text(client_as("coordinator").get(page))
    assert "Ждёт проверки." not in text(client_as("council").get(page))


def test_topic_page_queries_do_not_grow_with_posts(client_as, people, community, section,
                                                   make_topic):
    few = make_topic(section, replies=2)
    many = make_topic(section, replies=19)
    client = client_as("council")

    def queries(topic):
        client.get(url(community, f"/topics/{topic.id}"))  # the read position is written
        with count_queries() as counter:
            assert client.get(url(community, f"/topics/{topic.id}")).status_code == 200
        return counter.count

    assert queries(few) == queries(many)


def test_the_pager_shows_a_window_not_every_page():
    from app.ui import page_window

    assert page_window(1, 1) == [1]
    assert page_window(1, 3) == [1, 2, 3]
    assert page_window(6, 12) == [1, None, 4, 5, 6, 7, 8, None, 12]
    assert page_window(500, 500) == [1, None, 498, 499, 500]
    assert page_window(4, 9) == [1, 2, 3, 4, 5, 6, None, 9]  # 2 is shown, not «…»
    assert len(page_window(25_000, 50_000)) == 9


def test_a_long_topic_has_a_short_pager(client_as, people, community, section, make_topic):
    topic = make_topic(section, replies=0)
    topic.post_count = 20 * 300  # the pager reads the kept count
    db.session.commit()
    body = text(client_as("council").get(url(community, f"/topics/{topic.id}?page=150")))
    links = body.count(f"/forum/topics/{topic.id}?page=")
    assert 0 < links < 40
    assert f'/forum/topics/{topic.id}?page=150" aria-current="page"' in body
    assert f"/forum/topics/{topic.id}?page=300" in body


def test_the_cached_reply_form_carries_each_readers_own_token(app, client_as, people,
                                                              community, section, make_topic):
    import re

    topic = make_topic(section, replies=1)
    page = url(community, f"/topics/{topic.id}")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        tokens = {}
        for role in ("member", "council"):
            client = client_as(role)
            body = text(client.get(page))
            form = body.split('id="reply-form"')[1].split("</form>")[0]
            token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
            assert token == re.search(r'"X-CSRFToken": "([^"]+)"', body).group(1)
            tokens[role] = token
            response = client.post(url(community, f"/topics/{topic.id}/reply"),
                                   data={"body": f"Ответ от {role}", "csrf_token": token})
            assert response.status_code == 303, role
        assert tokens["member"] != tokens["council"]
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    body = text(client_as("chair").get(page))
    assert "Ответ от member" in body and "Ответ от council" in body
