"""The coordinators' queue and every moderation action, through one service; thresholds,
premoderation, watched words, mutes and exclusions enforced; the log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.chat import services as chat
from app.communities.models import Community, Membership
from app.extensions import db
from app.forum.models import Post, Topic
from app.mixins import utcnow
from app.moderation import services
from app.moderation.models import ModerationCase, ModerationLog, Report
from app.notifications.models import Notification
from tests.factories import make_join_request, make_membership, make_user
from tests.helpers import HX, text


def mod(community, path=""):
    return f"/c/{community.slug}/moderation{path}"


def report_as(client_as, role, community, item, kind="post", ground="insult"):
    return client_as(role).post(mod(community, f"/report/{kind}/{item.id}"),
                                data={"ground": ground})


def case_of(item, kind="post") -> ModerationCase:
    return db.session.scalar(select(ModerationCase).where(
        ModerationCase.kind == kind, ModerationCase.object_id == item.id))


def notes(user) -> list[str]:
    return list(db.session.scalars(
        select(Notification.text).where(Notification.user_id == user.id,
                                        Notification.kind == "moderation")
    ))


def logged(action) -> int:
    return db.session.scalar(
        select(func.count(ModerationLog.id)).where(ModerationLog.action == action))


# --- reports, threshold ----------------------------------------------------------------


def test_report_opens_a_case_in_the_queue(client_as, people, community, post):
    report_as(client_as, "chair", community, post)
    page = text(client_as("coordinator").get(mod(community, "/")))
    assert "Спорный текст участника" in page
    assert "1 жалоба" in page and people["chair"].full_name in page
    assert "оскорбление участников" in page


def test_three_distinct_reports_hide_until_decided(client_as, people, community, reply):
    for role in ("chair", "council"):
        report_as(client_as, role, community, reply)
    report_as(client_as, "chair", community, reply)  # the same member twice counts once
    assert db.session.get(Post, reply.id).held_at is None
    report_as(client_as, "expert", community, reply)
    assert db.session.get(Post, reply.id).held_at is not None
    assert logged("auto_hide") == 1
    topic_page = text(client_as("council").get(
        f"/c/{community.slug}/forum/topics/{reply.topic_id}"))
    assert "Ещё одна спорная реплика" not in topic_page
    own_view = text(client_as("member").get(f"/c/{community.slug}/forum/topics/{reply.topic_id}"))
    assert "Ещё одна спорная реплика" in own_view and "На проверке у координатора" in own_view
    assert any("скрыт до вашего решения" in n for n in notes(people["coordinator"]))


def test_threshold_is_configurable(client_as, community, reply):
    client_as("coordinator").post(mod(community, "/settings"), data={
        "settings-auto_hide_threshold": "1", "settings-premoderate_first_posts": "0"})
    assert db.session.get(Community, community.id).auto_hide_threshold == 1
    report_as(client_as, "chair", community, reply)
    assert db.session.get(Post, reply.id).held_at is not None


# --- actions ---------------------------------------------------------------------------


def act(client, community, case, action, **data):
    return client.post(mod(community, f"/cases/{case.id}/{action}"), data=data, headers=HX)


def test_remove_then_restore_inline(client_as, people, community, reply):
    report_as(client_as, "chair", community, reply)
    case = case_of(reply)
    coordinator = client_as("coordinator")
    response = act(coordinator, community, case, "remove", ground="insult", comment="Грубо")
    assert response.status_code == 200
    body = text(response)
    assert "<html" not in body and f'id="moderation-case-{case.id}"' in body
    assert "удалено: оскорбление участников" in body and "Восстановить" in body
    removed = db.session.get(Post, reply.id)
    assert removed.hidden_at is not None and removed.hidden_reason == "insult"
    assert db.session.scalar(select(Report.status)) == "actioned"
    # Members see the placeholder; the coordinator still sees the text.
    member_page = text(client_as("council").get(
        f"/c/{community.slug}/forum/topics/{reply.topic_id}"))
    assert "Удалено координатором: оскорбление участников" in member_page
    assert "Ещё одна спорная реплика" not in member_page
    assert "Ещё одна спорная реплика" in text(coordinator.get(
        f"/c/{community.slug}/forum/topics/{reply.topic_id}"))
    assert any("Ваше сообщение на форуме удалено координатором. Основание: оскорбление" in n
               for n in notes(people["member"]))
    # Restore.
    response = act(coordinator, community, case, "restore")
    assert response.status_code == 200
    restored = db.session.get(Post, reply.id)
    assert restored.hidden_at is None and restored.hidden_reason == ""
    assert "Ещё одна спорная реплика" in text(client_as("council").get(
        f"/c/{community.slug}/forum/topics/{reply.topic_id}"))
    assert any("восстановлено" in n for n in notes(people["member"]))
    assert logged("remove") == 1 and logged("restore") == 1
    assert db.session.scalar(select(func.count(Post.id))) == 2  # nothing deleted


def test_removing_an_opening_post_hides_its_topic_from_lists(client_as, community, post,
                                                             section):
    report_as(client_as, "chair", community, post)
    act(client_as("coordinator"), community, case_of(post), "remove", ground="political")
    assert db.session.get(Topic, post.topic_id).hidden_at is not None
    listing = text(client_as("council").get(f"/c/{community.slug}/forum/sections/{section.id}"))
    assert "В этом разделе пока нет тем" in listing


def test_approve_releases_a_held_item(client_as, people, community, reply):
    community.auto_hide_threshold = 1
    db.session.commit()
    report_as(client_as, "chair", community, reply)
    case = case_of(reply)
    act(client_as("coordinator"), community, case, "approve")
    assert db.session.get(Post, reply.id).held_at is None
    assert db.session.get(ModerationCase, case.id).status == "closed"
    assert db.session.scalar(select(Report.status)) == "dismissed"
    assert any("опубликовано" in n for n in notes(people["member"]))


def test_acting_twice_is_harmless(client_as, community, reply):
    report_as(client_as, "chair", community, reply)
    case = case_of(reply)
    coordinator = client_as("coordinator")
    act(coordinator, community, case, "remove", ground="spam")
    again = act(coordinator, community, case, "remove", ground="spam")
    assert again.status_code == 200
    assert logged("remove") == 1
    approve_after = act(coordinator, community, case, "approve")
    assert approve_after.status_code == 200
    assert db.session.get(Post, reply.id).hidden_at is not None


def test_warn_the_author(client_as, people, community, reply):
    report_as(client_as, "chair", community, reply)
    act(client_as("coordinator"), community, case_of(reply), "warn", ground="obstruction",
        comment="Пожалуйста, по теме")
    assert any("Предупреждение координатора" in n and "Пожалуйста, по теме" in n
               for n in notes(people["member"]))
    assert logged("warn") == 1


def test_mute_makes_the_author_read_only_everywhere(client_as, people, community, reply):
    report_as(client_as, "chair", community, reply)
    act(client_as("coordinator"), community, case_of(reply), "mute", ground="insult", days="3")
    membership = db.session.scalar(select(Membership).where(
        Membership.user_id == people["member"].id, Membership.left_at.is_(None)))
    assert membership.muted_until > utcnow() + timedelta(days=2)
    member = client_as("member")
    forum_try = member.post(f"/c/{community.slug}/forum/topics/{reply.topic_id}/reply",
                            data={"body": "Можно?"})
    assert forum_try.status_code == 422 and "ограничил" in text(forum_try)
    chat_try = member.post(f"/c/{community.slug}/chat/messages", data={"body": "А тут?"},
                           headers=HX)
    assert chat_try.status_code == 422
    # Reading still works.
    assert member.get(f"/c/{community.slug}/forum/topics/{reply.topic_id}").status_code == 200
    assert any("ограничил вам возможность писать" in n for n in notes(people["member"]))


def test_mute_needs_a_valid_number_of_days(client_as, community, reply):
    report_as(client_as, "chair", community, reply)
    case = case_of(reply)
    for days in ("0", "400", "abc"):
        response = act(client_as("coordinator"), community, case, "mute", ground="spam",
                       days=days)
        assert response.status_code == 422
    assert logged("mute") == 0


def test_exclude_ends_membership_and_blocks_rejoining(client_as, people, community, reply):
    report_as(client_as, "chair", community, reply)
    act(client_as("coordinator"), community, case_of(reply), "exclude", ground="hatred")
    membership = db.session.scalar(select(Membership).where(
        Membership.user_id == people["member"].id).order_by(Membership.id.desc()))
    assert membership.left_at is not None and membership.excluded
    member = client_as("member")
    assert member.get(f"/c/{community.slug}/forum/").status_code == 403
    assert member.get(f"/c/{community.slug}/chat/").status_code == 403
    # What they posted stays.
    assert db.session.get(Post, reply.id).hidden_at is None
    with pytest.raises(Exception, match="исключены"):
        make_join_request(people["member"], community)


def test_coordinators_cannot_be_muted_from_the_queue(client_as, people, community, section):
    with current_app.test_request_context("/"):
        from app.forum import services as forum

        topic = forum.create_topic(section, people["chair"], title="Председатель", body="Текст")
        db.session.commit()
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    report_as(client_as, "member", community, post)
    response = act(client_as("coordinator"), community, case_of(post), "mute", ground="spam",
                   days="3")
    assert response.status_code == 200
    assert "администратор" in text(response)
    assert logged("mute") == 0


ROLES = ["member", "chair", "council", "expert", "outsider", "other_coordinator"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["approve", "remove", "warn", "mute", "exclude", "restore"])
def test_only_coordinators_and_admins_act(client_as, community, reply, role, action):
    report_as(client_as, "council" if role != "council" else "chair", community, reply)
    case = case_of(reply)
    response = act(client_as(role), community, case, action, ground="spam", days="3")
    assert response.status_code == 403
    assert db.session.get(Post, reply.id).hidden_at is None
    assert logged(action) == 0


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_coordinator_and_admin_may_remove(client_as, community, reply, role):
    report_as(client_as, "chair", community, reply)
    response = act(client_as(role), community, case_of(reply), "remove", ground="spam")
    assert response.status_code == 200
    assert db.session.get(Post, reply.id).hidden_at is not None


def test_case_of_another_community_is_404(client_as, people, community, reply):
    report_as(client_as, "chair", community, reply)
    other = people["other_community"]
    response = client_as("other_coordinator").post(
        f"/c/{other.slug}/moderation/cases/{case_of(reply).id}/remove", data={"ground": "spam"})
    assert response.status_code == 404


def test_remove_directly_from_the_post(client_as, people, community, reply):
    coordinator = client_as("coordinator")
    page = text(coordinator.get(f"/c/{community.slug}/forum/topics/{reply.topic_id}"))
    assert f"/moderation/items/post/{reply.id}/remove" in page
    response = coordinator.post(mod(community, f"/items/post/{reply.id}/remove"),
                                data={"ground": "religious", "comment": ""})
    assert response.status_code == 303
    assert db.session.get(Post, reply.id).hidden_reason == "religious"
    coordinator.post(mod(community, f"/items/post/{reply.id}/restore"))
    assert db.session.get(Post, reply.id).hidden_at is None


def test_remove_without_a_valid_ground_changes_nothing(client_as, community, reply):
    response = client_as("coordinator").post(mod(community, f"/items/post/{reply.id}/remove"),
                                             data={"ground": "whatever"})
    assert response.status_code == 422
    assert db.session.get(Post, reply.id).hidden_at is None


def test_chat_message_through_the_same_queue(client_as, people, community):
    message = chat.send(community, people["member"], "Реплика в чате")
    db.session.commit()
    report_as(client_as, "chair", community, message, kind="chat_message")
    case = case_of(message, kind="chat_message")
    act(client_as("coordinator"), community, case, "remove", ground="spam")
    page = text(client_as("council").get(f"/c/{community.slug}/chat/"))
    assert "Реплика в чате" not in page and "Удалено координатором: спам" in page


# --- premoderation, community grounds ---------------------------------------------------


def test_newcomers_first_posts_wait_for_review(client_as, people, community, section):
    community.premoderate_first_posts = 1
    db.session.commit()
    newcomer = make_user(full_name="Новичкова Вера")
    make_membership(newcomer, community)
    from app.forum import services as forum

    with current_app.test_request_context("/"):
        topic = forum.create_topic(section, newcomer, title="Первая тема новичка", body="Привет")
        db.session.commit()
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    assert first.held_at is not None
    case = case_of(first)
    assert case.reason == "premoderation"
    listing = text(client_as("council").get(f"/c/{community.slug}/forum/sections/{section.id}"))
    assert "Первая тема новичка" not in listing
    act(client_as("coordinator"), community, case, "approve")
    assert db.session.get(Post, first.id).held_at is None
    listing = text(client_as("council").get(f"/c/{community.slug}/forum/sections/{section.id}"))
    assert "Первая тема новичка" in listing
    # The second post is published at once.
    with current_app.test_request_context("/"):
        second = forum.reply(db.session.get(Topic, topic.id), newcomer, "Второе сообщение")
        db.session.commit()
    assert db.session.get(Post, second.id).held_at is None


def test_community_adds_its_own_ground(client_as, community, reply):
    coordinator = client_as("coordinator")
    response = coordinator.post(mod(community, "/settings"),
                                data={"ground-label": "Реклама платных курсов"})
    assert response.status_code == 303
    rules = text(client_as("member").get(mod(community, "/rules")))
    assert "Реклама платных курсов" in rules
    form = text(client_as("chair").get(mod(community, f"/report/post/{reply.id}")))
    assert "Реклама платных курсов" in form
    duplicate = coordinator.post(mod(community, "/settings"),
                                 data={"ground-label": "реклама платных курсов"})
    assert duplicate.status_code == 422 and "уже есть" in text(duplicate)


# --- watched words ---------------------------------------------------------------------


@pytest.fixture
def words(client_as, community):
    coordinator = client_as("coordinator")
    for phrase, action in (("дурак", "block"), ("политика", "hold"), ("реклама", "flag")):
        response = coordinator.post(mod(community, "/words"),
                                    data={"phrase": phrase, "action": action})
        assert response.status_code == 303


def test_block_refuses_with_an_explanation(client_as, community, post, words):
    response = client_as("chair").post(
        f"/c/{community.slug}/forum/topics/{post.topic_id}/reply",
        data={"body": "Сам ДУРАКИ такие"})
    assert response.status_code == 422
    assert "недопустимые слова" in text(response)
    assert db.session.scalar(select(func.count(Post.id))) == 1


def test_block_catches_latin_look_alikes_and_yo(client_as, community, words):
    response = client_as("chair").post(f"/c/{community.slug}/chat/messages",
                                       data={"body": "ну ты дypак"}, headers=HX)
    assert response.status_code == 422


def test_hold_puts_the_post_on_review(client_as, community, post, words):
    client_as("chair").post(f"/c/{community.slug}/forum/topics/{post.topic_id}/reply",
                            data={"body": "Про политику в школе"})
    held = db.session.scalar(select(Post).where(Post.number == 2))
    assert held.held_at is not None
    case = case_of(held)
    assert case.reason == "watched_word" and "политику" in case.detail.lower()


def test_flag_publishes_and_queues(client_as, community, post, words):
    client_as("chair").post(f"/c/{community.slug}/forum/topics/{post.topic_id}/reply",
                            data={"body": "Вот реклама курсов"})
    flagged = db.session.scalar(select(Post).where(Post.number == 2))
    assert flagged.held_at is None
    assert case_of(flagged).is_open


def test_platform_words_by_admin_only(client_as, community):
    assert client_as("coordinator").get("/admin/words").status_code == 403
    response = client_as("admin").post("/admin/words", data={"phrase": "казино", "action": "block"})
    assert response.status_code == 303
    chat_try = client_as("member").post(f"/c/{community.slug}/chat/messages",
                                        data={"body": "лучшие казино"}, headers=HX)
    assert chat_try.status_code == 422


def test_bad_word_input(client_as, community):
    coordinator = client_as("coordinator")
    assert coordinator.post(mod(community, "/words"),
                            data={"phrase": " ", "action": "block"}).status_code == 422
    assert coordinator.post(mod(community, "/words"),
                            data={"phrase": "слово", "action": "explode"}).status_code == 422
    short = coordinator.post(mod(community, "/words"), data={"phrase": "х*", "action": "block"})
    assert short.status_code == 422 and "не меньше трёх букв" in text(short)
    coordinator.post(mod(community, "/words"), data={"phrase": "слово", "action": "block"})
    again = coordinator.post(mod(community, "/words"), data={"phrase": "СЛОВО", "action": "hold"})
    assert again.status_code == 422 and "уже в списке" in text(again)


# --- reminders -------------------------------------------------------------------------


def test_reminders_after_24_and_48_hours_once(app, client_as, people, community, reply):
    report_as(client_as, "chair", community, reply)
    case = case_of(reply)
    case.opened_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    with app.test_request_context("/"):
        assert services.send_reminders() == 1
        assert services.send_reminders() == 0
        db.session.commit()
    assert any("больше суток" in n for n in notes(people["coordinator"]))
    assert not any("двух суток" in n for n in notes(people["admin"]))
    case = db.session.get(ModerationCase, case.id)
    case.opened_at = utcnow() - timedelta(hours=49)
    db.session.commit()
    with app.test_request_context("/"):
        assert services.send_reminders() == 1
        db.session.commit()
    assert any("двух суток" in n for n in notes(people["admin"]))


# --- the log ---------------------------------------------------------------------------


def test_log_filter_and_csv(client_as, people, community, reply):
    report_as(client_as, "chair", community, reply)
    act(client_as("coordinator"), community, case_of(reply), "remove", ground="spam",
        comment="Реклама")
    chair = client_as("chair")  # the chair reads the log too
    page = text(chair.get(mod(community, "/log")))
    assert "удалено" in page and people["coordinator"].full_name in page
    only_reports = text(chair.get(mod(community, "/log?action=report")))
    assert "жалоба" in only_reports and "Реклама" not in only_reports
    csv = chair.get(mod(community, "/log?format=csv"))
    assert csv.headers["Content-Type"].startswith("text/csv")
    body = csv.get_data(as_text=True)
    assert body.startswith("\ufeffДата и время;Кто;Действие")
    assert "удалено" in body and "спам" in body and people["coordinator"].full_name in body


@pytest.mark.parametrize("role", ["member", "council", "expert", "outsider"])
def test_log_is_not_for_members(client_as, community, role):
    assert client_as(role).get(mod(community, "/log")).status_code == 403


def test_admin_sees_every_communitys_queue(client_as, people, community, reply):
    report_as(client_as, "chair", community, reply)
    page = text(client_as("admin").get("/admin/moderation"))
    assert community.name in page and "1 жалоба" in page
    assert client_as("coordinator").get("/admin/moderation").status_code == 403
