"""The forum as a member uses it in a real browser: a new topic with a preview, replies sent
without a reload, editing in place, quoting, an empty reply, the keyboard."""

from __future__ import annotations

import re

import pytest
from flask import current_app
from playwright.sync_api import Page, expect

from app.extensions import db
from app.forum import services
from app.forum.models import Post
from app.ui import dom_id
from tests.browser.conftest import assert_not_reloaded, login, mark_document
from tests.factories import PASSWORD

FIRST_BODY = "Как вы составляете расписание на новый учебный год?"


@pytest.fixture
def section(people, community):
    with current_app.test_request_context("/"):
        section = services.create_section(
            community, people["coordinator"], title="Управление школой",
            description="Вопросы руководителей", is_announcements=False,
        )
        db.session.commit()
    return section


@pytest.fixture
def topic(section, people):
    """A topic of the member's with one post."""
    with current_app.test_request_context("/"):
        topic = services.create_topic(
            section, people["member"], title="Расписание", body=FIRST_BODY
        )
        db.session.commit()
    return topic


def open_topic(page: Page, community, topic, role_email: str) -> None:
    login(page, role_email, PASSWORD)
    page.goto(f"/c/{community.slug}/forum/topics/{topic.id}")
    expect(page.get_by_role("heading", name="Расписание")).to_be_visible()


def first_post_id(topic) -> str:
    post = db.session.scalar(
        db.select(Post).where(Post.topic_id == topic.id).order_by(Post.number).limit(1)
    )
    return dom_id(post)


def test_member_creates_a_topic_with_preview_and_replies_without_reload(
    new_page, people, community, section
):
    page = new_page()
    login(page, people["member"].email, PASSWORD)
    page.goto(f"/c/{community.slug}/")
    tabs = page.get_by_role("navigation", name="Разделы сообщества")
    tabs.get_by_role("link", name="Форум").click()
    page.get_by_role("link", name="Управление школой").click()
    page.get_by_role("link", name="Новая тема").click()

    page.get_by_label("Заголовок темы").fill("Электронный журнал")
    page.get_by_label("Сообщение", exact=True).fill(
        "С сентября переходим на **новый** журнал.\n\nКто уже перешёл?"
    )
    page.get_by_role("button", name="Предпросмотр").click()
    preview = page.locator("#topic-preview")
    expect(preview.locator("strong")).to_have_text("новый")
    expect(preview).to_contain_text("Кто уже перешёл?")

    page.get_by_role("button", name="Создать тему").click()
    expect(page.get_by_text("Тема создана.")).to_be_visible()
    expect(page.get_by_role("heading", name="Электронный журнал")).to_be_visible()
    posts = page.locator("#posts > article")
    expect(posts).to_have_count(1)
    expect(posts.first.locator("strong", has_text="новый")).to_be_visible()

    # A reply goes to the end of the thread without a reload; the form is fresh again.
    mark_document(page)
    url_before = page.url
    page.get_by_label("Ваш ответ").fill("Мы перешли весной, расскажу на семинаре.")
    page.get_by_role("button", name="Отправить").click()
    expect(posts).to_have_count(2)
    expect(posts.last).to_contain_text("Мы перешли весной, расскажу на семинаре.")
    expect(posts.last).to_contain_text("Участникова Анна")
    expect(page.get_by_label("Ваш ответ")).to_have_value("")
    assert_not_reloaded(page)
    assert page.url == url_before


def test_member_edits_a_post_in_place_and_cancels(new_page, people, community, topic):
    page = new_page()
    open_topic(page, community, topic, people["member"].email)
    post = page.locator(f"#{first_post_id(topic)}")
    mark_document(page)

    post.get_by_role("link", name="Изменить").click()
    box = post.get_by_label("Текст сообщения")
    expect(box).to_have_value(FIRST_BODY)
    box.fill("Как вы составляете расписание? Поделитесь шаблонами.")
    post.get_by_role("button", name="Сохранить").click()
    expect(post.get_by_role("button", name="Сохранить")).to_have_count(0)
    expect(post).to_contain_text("Как вы составляете расписание? Поделитесь шаблонами.")
    expect(post.get_by_text("изменено")).to_be_visible()

    # «Отмена» brings the post back as it was: the unsaved change is dropped.
    post.get_by_role("link", name="Изменить").click()
    post.get_by_label("Текст сообщения").fill("Этот текст не будет сохранён.")
    post.get_by_role("link", name="Отмена").click()
    expect(post.get_by_label("Текст сообщения")).to_have_count(0)
    expect(post).to_contain_text("Как вы составляете расписание? Поделитесь шаблонами.")
    expect(post).not_to_contain_text("Этот текст не будет сохранён.")
    expect(page.locator("#posts > article")).to_have_count(1)
    assert_not_reloaded(page)


def test_second_member_quotes_a_post(new_page, people, community, topic):
    page = new_page()
    open_topic(page, community, topic, people["chair"].email)
    mark_document(page)
    page.locator(f"#{first_post_id(topic)}").get_by_role("link", name="Цитировать").click()
    box = page.get_by_label("Ваш ответ")
    expect(box).to_have_value(re.compile(r"^> \*\*Участникова Анна\*\* писал\(а\):"))
    expect(box).to_have_value(re.compile(re.escape(f"> {FIRST_BODY}")))
    assert_not_reloaded(page)

    box.fill(box.input_value() + "Составляем вручную, по шаблону прошлого года.")
    page.get_by_role("button", name="Отправить").click()
    posts = page.locator("#posts > article")
    expect(posts).to_have_count(2)
    new_post = posts.last
    expect(new_post.locator("blockquote")).to_contain_text(FIRST_BODY)
    expect(new_post.locator("blockquote")).to_contain_text("Участникова Анна")
    expect(new_post).to_contain_text("Составляем вручную, по шаблону прошлого года.")
    expect(box).to_have_value("")
    assert_not_reloaded(page)


def test_empty_reply_shows_the_error_in_the_form(new_page, people, community, topic):
    page = new_page()
    open_topic(page, community, topic, people["member"].email)
    mark_document(page)
    page.get_by_label("Ваш ответ").fill("   ")
    page.get_by_role("button", name="Отправить").click()
    form = page.locator("#reply-form")
    expect(form.get_by_text("Сообщение не может быть пустым.")).to_be_visible()
    expect(page.get_by_label("Ваш ответ")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#posts > article")).to_have_count(1)
    assert_not_reloaded(page)


def test_empty_reply_puts_the_focus_on_the_invalid_field(new_page, people, community, topic):
    page = new_page()
    open_topic(page, community, topic, people["member"].email)
    page.get_by_label("Ваш ответ").fill("   ")
    page.get_by_role("button", name="Отправить").click()
    expect(page.get_by_text("Сообщение не может быть пустым.")).to_be_visible()
    expect(page.get_by_label("Ваш ответ")).to_be_focused(timeout=1000)


def test_reply_with_the_keyboard_only(new_page, people, community, topic):
    page = new_page()
    open_topic(page, community, topic, people["chair"].email)
    mark_document(page)

    def tab_until(description: str, script: str) -> None:
        for _ in range(120):
            page.keyboard.press("Tab")
            if page.evaluate(script):
                return
        raise AssertionError(f"{description} cannot be reached with Tab")

    page.locator("body").focus()
    tab_until("«Ваш ответ»", "document.activeElement.closest('#reply-form') !== null"
                             " && document.activeElement.tagName === 'TEXTAREA'")
    page.keyboard.type("Отвечаю с клавиатуры.")
    tab_until("«Отправить»", "document.activeElement.closest('#reply-form') !== null"
                             " && document.activeElement.textContent.trim() === 'Отправить'")
    page.keyboard.press("Enter")
    posts = page.locator("#posts > article")
    expect(posts).to_have_count(2)
    expect(posts.last).to_contain_text("Отвечаю с клавиатуры.")
    expect(page.get_by_label("Ваш ответ")).to_have_value("")
    assert_not_reloaded(page)
