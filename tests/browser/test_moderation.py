"""Moderation in a real browser: a member reports a reply; the coordinator removes it from the
queue without a reload; the member then sees the placeholder; the coordinator restores it.
And a mute from the queue, which the author meets when trying to reply."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import current_app
from playwright.sync_api import Page, expect

from app.communities.models import Membership
from app.extensions import db
from app.forum import services as forum
from app.forum.models import Post
from app.mixins import utcnow
from app.moderation import services as moderation
from app.moderation.models import ModerationCase
from app.ui import dom_id
from tests.browser.conftest import assert_not_reloaded, login, mark_document
from tests.factories import PASSWORD, make_membership, make_user

TOPIC_BODY = "Как вы готовите школу к проверке надзорного органа?"
REPLY_BODY = "Спорная реплика второго участника про коллег из соседней школы."
INSULT = "оскорбление участников по признаку расы или вероисповедания"
REMOVE_CONFIRM = "Удалить материал? Он будет скрыт и останется в журнале."
MUTE_CONFIRM = "Запретить автору писать в сообществе?"


@pytest.fixture
def author_b(community):
    """Member B: an ordinary member who writes the disputed reply."""
    user = make_user(full_name="Отвечаева Ольга")
    make_membership(user, community)
    return user


@pytest.fixture
def topic(people, community, author_b):
    """A topic by member A (people["member"]) with a reply by member B."""
    with current_app.test_request_context("/"):
        section = forum.create_section(
            community, people["coordinator"], title="Управление школой",
            description="Вопросы руководителей", is_announcements=False,
        )
        topic = forum.create_topic(section, people["member"], title="Проверки", body=TOPIC_BODY)
        forum.reply(topic, author_b, REPLY_BODY)
        db.session.commit()
    return topic


@pytest.fixture
def reply(topic, author_b):
    return db.session.scalar(
        db.select(Post).where(Post.topic_id == topic.id, Post.author_id == author_b.id)
    )


def topic_url(community, topic) -> str:
    return f"/c/{community.slug}/forum/topics/{topic.id}"


def accept_dialogs(page: Page) -> list[str]:
    """Accept every confirmation; the returned list collects their texts."""
    seen: list[str] = []

    def accept(dialog) -> None:
        seen.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return seen


def case_row_id(reply) -> str:
    db.session.expire_all()
    case = db.session.scalar(
        db.select(ModerationCase).where(ModerationCase.kind == "post",
                                        ModerationCase.object_id == reply.id)
    )
    assert case is not None, "the report opened no moderation case"
    return dom_id(case)


def test_report_remove_in_place_placeholder_and_restore(
    new_page, people, community, topic, reply
):
    # Member A reports B's reply, choosing a ground.
    member = new_page()
    login(member, people["member"].email, PASSWORD)
    member.goto(topic_url(community, topic))
    post = member.locator(f"#{dom_id(reply)}")
    expect(post).to_contain_text(REPLY_BODY)
    post.get_by_role("link", name="Пожаловаться").click()
    expect(member.get_by_role("heading", name="Пожаловаться")).to_be_visible()
    member.get_by_label(INSULT).check()
    member.get_by_role("button", name="Отправить жалобу").click()
    expect(member.get_by_text("Жалоба отправлена")).to_be_visible()
    expect(member.locator(f"#{dom_id(reply)}")).to_contain_text(REPLY_BODY)

    # The coordinator finds the reply and the ground in the queue.
    coordinator = new_page()
    dialogs = accept_dialogs(coordinator)
    login(coordinator, people["coordinator"].email, PASSWORD)
    coordinator.goto(f"/c/{community.slug}/")
    tabs = coordinator.get_by_role("navigation", name="Разделы сообщества")
    tabs.get_by_role("link", name="Модерация").click()
    expect(coordinator.get_by_role("heading", name="Модерация")).to_be_visible()
    row = coordinator.locator(f"#{case_row_id(reply)}")
    expect(row).to_contain_text(REPLY_BODY)
    expect(row).to_contain_text(f"Участникова Анна: {INSULT}")

    # Removes it: the row updates in place, the page is not reloaded.
    mark_document(coordinator)
    url_before = coordinator.url
    row.get_by_text("Удалить, предупредить, ограничить…").click()
    row.get_by_label("Основание").select_option(label=INSULT)
    row.get_by_role("button", name="Удалить", exact=True).click()
    expect(row).to_contain_text(f"удалено: {INSULT}")
    expect(row.get_by_role("button", name="Восстановить")).to_be_visible()
    expect(row.get_by_role("button", name="Удалить", exact=True)).to_have_count(0)
    expect(coordinator.locator("#flash")).to_contain_text("Материал удалён и скрыт")
    assert dialogs == [REMOVE_CONFIRM], dialogs  # asked once, not twice
    assert_not_reloaded(coordinator)
    assert coordinator.url == url_before

    # Member A sees the placeholder instead of the text.
    member.reload()
    post = member.locator(f"#{dom_id(reply)}")
    expect(post).to_contain_text(f"Удалено координатором: {INSULT}")
    expect(post).not_to_contain_text(REPLY_BODY)
    expect(post.get_by_role("link", name="Пожаловаться")).to_have_count(0)

    # The coordinator restores it from the same row, in place.
    row.get_by_role("button", name="Восстановить").click()
    expect(row.get_by_role("button", name="Восстановить")).to_have_count(0)
    expect(row).not_to_contain_text("удалено:")
    expect(coordinator.locator("#flash")).to_contain_text("Материал восстановлен")
    assert dialogs == [REMOVE_CONFIRM], dialogs  # restoring asks nothing
    assert_not_reloaded(coordinator)
    assert coordinator.url == url_before

    # Member A sees the text again.
    member.reload()
    post = member.locator(f"#{dom_id(reply)}")
    expect(post).to_contain_text(REPLY_BODY)
    expect(post).not_to_contain_text("Удалено координатором")


def test_coordinator_mutes_the_author_from_the_queue_in_place(
    new_page, people, community, reply, author_b
):
    with current_app.test_request_context("/"):
        moderation.report(reply, community, people["member"], "insult", "")
        db.session.commit()

    coordinator = new_page()
    dialogs = accept_dialogs(coordinator)
    login(coordinator, people["coordinator"].email, PASSWORD)
    coordinator.goto(f"/c/{community.slug}/moderation/")
    row = coordinator.locator(f"#{case_row_id(reply)}")
    expect(row).to_contain_text(REPLY_BODY)
    mark_document(coordinator)
    url_before = coordinator.url
    row.get_by_text("Удалить, предупредить, ограничить…").click()
    row.get_by_label("Основание").select_option(label=INSULT)
    row.get_by_label("Срок, дней").fill("3")
    started = utcnow()
    row.get_by_role("button", name="Запретить писать").click()
    expect(coordinator.locator("#flash")).to_contain_text("Автору запрещено писать")
    expect(row).to_contain_text(REPLY_BODY)  # the case stays open, its row updated in place
    assert dialogs == [MUTE_CONFIRM], dialogs
    assert_not_reloaded(coordinator)
    assert coordinator.url == url_before

    db.session.expire_all()
    membership = db.session.scalar(
        Membership.active().where(Membership.user_id == author_b.id,
                                  Membership.community_id == community.id)
    )
    assert membership.muted_until is not None
    assert abs(membership.muted_until - (started + timedelta(days=3))) < timedelta(minutes=5)


def test_muted_member_trying_to_reply_is_told_why(
    new_page, people, community, topic, reply, author_b
):
    with current_app.test_request_context("/"):
        moderation.mute(reply, people["coordinator"], 3, "insult")
        db.session.commit()

    page = new_page()
    login(page, author_b.email, PASSWORD)
    page.goto(topic_url(community, topic))
    posts = page.locator("#posts > article")
    expect(posts).to_have_count(2)
    # Either the form is there and the refusal comes on sending, or the page says so at once.
    box = page.get_by_label("Ваш ответ")
    if box.count():
        mark_document(page)
        box.fill("Попробую всё-таки ответить.")
        page.get_by_role("button", name="Отправить").click()
    expect(page.get_by_text(
        re.compile(r"Координатор ограничил вам возможность писать в этом сообществе до \S")
    )).to_be_visible()
    expect(posts).to_have_count(2)
    if box.count():
        expect(box).to_have_value("Попробую всё-таки ответить.")
        assert_not_reloaded(page)
