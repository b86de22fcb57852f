"""E-mail settings and the unsubscribe link, in a real browser: a member chooses a daily
digest for replies; a letter's link, opened without logging in, stops another kind."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import expect

from app.extensions import db
from app.notifications.models import OutgoingMail
from app.notifications.services import notify, preferences_of
from tests.browser.conftest import login
from tests.factories import PASSWORD, make_user


def test_settings_and_unsubscribe_link(new_page, app):
    member = make_user(full_name="Почтова Анна", email="pochtova@school.ru")

    page = new_page()
    login(page, "pochtova@school.ru", PASSWORD)
    page.goto("/notifications/")
    page.get_by_role("link", name="Настройки уведомлений: что присылать на почту").click()
    expect(page.get_by_role("heading", name="Настройки уведомлений")).to_be_visible()
    page.get_by_label("Ответы и упоминания: Ежедневная сводка").check()
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Настройки уведомлений сохранены.")).to_be_visible()
    expect(page.get_by_label("Ответы и упоминания: Ежедневная сводка")).to_be_checked()
    db.session.expire_all()
    assert preferences_of(member)["reply"] == "daily"

    notify(member, "event", "Семинар перенесён на 14:00", "/")
    db.session.commit()
    letter = db.session.scalar(db.select(OutgoingMail).where(
        OutgoingMail.user_id == member.id))
    stranger = new_page()  # another browser: not logged in
    stranger.goto(urlsplit(letter.unsubscribe_url).path)
    expect(stranger.get_by_text("Мероприятия и лист ожидания")).to_be_visible()
    stranger.get_by_role("button", name="Отписаться").click()
    expect(stranger.get_by_text("Готово. Письма больше не будут приходить")).to_be_visible()
    db.session.expire_all()
    assert preferences_of(member)["event"] == "site"
    assert preferences_of(member)["reply"] == "daily"
