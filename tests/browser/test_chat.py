"""The community chat in a real browser: two members talking live (polling shows a message to
the other within 3 seconds, without a reload) and the older history loaded on demand."""

from __future__ import annotations

import re

from flask import current_app
from playwright.sync_api import Page, expect

from app.chat import services
from app.extensions import db
from tests.browser.conftest import assert_not_reloaded, login, mark_document
from tests.factories import PASSWORD


def open_chat(page: Page, community, email: str) -> None:
    login(page, email, PASSWORD)
    page.goto(f"/c/{community.slug}/")
    tabs = page.get_by_role("navigation", name="Разделы сообщества")
    tabs.get_by_role("link", name="Чат").click()
    expect(page.get_by_role("heading", name="Чат сообщества")).to_be_visible()


def send(page: Page, text: str) -> None:
    page.get_by_label("Сообщение", exact=True).fill(text)
    page.get_by_role("button", name="Отправить").click()


def test_two_members_see_each_other_within_three_seconds(new_page, people, community):
    anna = new_page()  # the member
    andrey = new_page()  # the chair, in his own browser context
    open_chat(anna, community, people["member"].email)
    open_chat(andrey, community, people["chair"].email)
    mark_document(anna)
    mark_document(andrey)
    anna_messages = anna.get_by_role("region", name="Сообщения чата")
    andrey_messages = andrey.get_by_role("region", name="Сообщения чата")

    send(anna, "Коллеги, кто будет на семинаре в четверг?")
    expect(andrey_messages.get_by_text("Коллеги, кто будет на семинаре в четверг?")).to_be_visible(
        timeout=3000
    )
    expect(andrey_messages).to_contain_text("Участникова Анна")
    # The sender sees her own message once, and gets an empty form back.
    expect(anna_messages.get_by_text("Коллеги, кто будет на семинаре в четверг?")).to_have_count(1)
    expect(anna.get_by_label("Сообщение", exact=True)).to_have_value("")

    send(andrey, "Буду, с докладом о расписании.")
    expect(anna_messages.get_by_text("Буду, с докладом о расписании.")).to_be_visible(timeout=3000)
    expect(anna_messages).to_contain_text("Председателев Андрей")
    expect(andrey.get_by_label("Сообщение", exact=True)).to_have_value("")

    # Both lists are in the same order, each message once.
    for page in (anna, andrey):
        items = page.locator("#chat-messages > li")
        expect(items).to_have_count(2)
        expect(items.first).to_contain_text("Коллеги, кто будет на семинаре в четверг?")
        expect(items.last).to_contain_text("Буду, с докладом о расписании.")
    assert_not_reloaded(anna)
    assert_not_reloaded(andrey)


def test_the_empty_chat_notice_goes_away_with_the_first_message(new_page, people, community):
    page = new_page()
    open_chat(page, community, people["member"].email)
    expect(page.get_by_text("Сообщений пока нет. Напишите первым!")).to_be_visible()
    send(page, "Первое сообщение")
    expect(page.locator("#chat-messages").get_by_text("Первое сообщение")).to_be_visible()
    expect(page.get_by_text("Сообщений пока нет. Напишите первым!")).to_be_hidden(timeout=3000)


def test_a_message_time_is_machine_readable(new_page, people, community):
    page = new_page()
    open_chat(page, community, people["member"].email)
    send(page, "Который час?")
    message = page.locator("#chat-messages > li").last
    expect(message).to_contain_text("Который час?")
    expect(message.locator("time")).to_have_attribute(
        "datetime", re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?Z$"),
        timeout=1000,
    )


def test_older_messages_are_loaded_on_demand(new_page, people, community):
    with current_app.test_request_context("/"):
        for n in range(1, 61):
            author = people["member"] if n % 2 else people["chair"]
            services.send(community, author, f"Сообщение номер {n}")
        db.session.commit()

    page = new_page()
    open_chat(page, community, people["member"].email)
    items = page.locator("#chat-messages > li")
    expect(items).to_have_count(services.HISTORY)
    expect(items.last).to_contain_text("Сообщение номер 60")
    expect(items.first).to_contain_text("Сообщение номер 11")
    expect(page.get_by_text("Сообщение номер 10", exact=True)).to_have_count(0)

    mark_document(page)
    page.get_by_role("link", name="Показать более ранние сообщения").click()
    expect(items).to_have_count(60)
    expect(page.get_by_text("Сообщение номер 1", exact=True)).to_be_visible()
    expect(items.first).to_contain_text("Сообщение номер 1")
    expect(items.nth(9)).to_contain_text("Сообщение номер 10")
    expect(items.nth(10)).to_contain_text("Сообщение номер 11")
    expect(items.last).to_contain_text("Сообщение номер 60")
    # Nothing older is left: the link is gone.
    expect(page.get_by_role("link", name="Показать более ранние сообщения")).to_have_count(0)
    assert_not_reloaded(page)
