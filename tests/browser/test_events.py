"""Events in a real browser: members sign up until the event is full, the next one lands on
the waiting list, a seat freed from another account promotes them; the .ics file and a
certificate download."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from app.mixins import utcnow
from tests.browser.conftest import assert_not_reloaded, login, mark_document
from tests.events.conftest import make_event, sign_up
from tests.factories import PASSWORD


def open_event(page: Page, person, event, community) -> None:
    login(page, person.email, PASSWORD)
    page.goto(f"/c/{community.slug}/events/{event.id}")
    mark_document(page)


def widget(page: Page, event):
    return page.locator(f"#signup-event-{event.id}")


def test_sign_up_until_full_wait_and_get_promoted(new_page, community, people):
    event = make_event(community, people["coordinator"], capacity=2,
                       title="Семинар «Финансовая грамотность»")
    first, second, third = new_page(), new_page(), new_page()
    for page, role in ((first, "member"), (second, "council"), (third, "expert")):
        open_event(page, people[role], event, community)

    first.get_by_role("button", name="Записаться").click()
    expect(widget(first, event)).to_contain_text("Вы записаны")
    second.get_by_role("button", name="Записаться").click()
    expect(widget(second, event)).to_contain_text("Вы записаны")
    third.get_by_role("button", name="Записаться").click()
    expect(widget(third, event)).to_contain_text("Вы в листе ожидания, 1-й")
    for page in (first, second, third):
        assert_not_reloaded(page)

    first.get_by_role("button", name="Отменить запись").click()
    expect(widget(first, event)).to_contain_text("Записаться")
    assert_not_reloaded(first)

    third.reload()
    expect(widget(third, event)).to_contain_text("Вы записаны")
    third.goto("/notifications/")
    expect(third.get_by_text("Освободилось место", exact=False)).to_be_visible()


def test_download_the_ics_file(new_page, community, people, tmp_path):
    event = make_event(community, people["coordinator"], title="Вебинар «Наставничество»")
    page = new_page()
    open_event(page, people["member"], event, community)
    with page.expect_download() as info:
        page.get_by_role("link", name="Добавить в календарь (.ics)").click()
    download = info.value
    assert download.suggested_filename.endswith(".ics")
    body = (tmp_path / "event.ics")
    download.save_as(body)
    content = body.read_text(encoding="utf-8")
    assert "BEGIN:VCALENDAR" in content and "BEGIN:VEVENT" in content
    assert "TZID=Europe/Moscow" in content
    assert "Наставничество" in content


def test_download_a_certificate(new_page, community, people, tmp_path):
    from flask import current_app

    from app.events import services
    from app.extensions import db

    event = make_event(community, people["coordinator"], title="Мастер-класс «Проекты»",
                       starts_at=utcnow() - timedelta(days=2), hours=4)
    with current_app.test_request_context("/"):
        registration = services.sign_up(event, community, people["member"],
                                        added_by=people["coordinator"])
        services.mark_attendance(registration, event, people["coordinator"], True)
        db.session.commit()
    page = new_page()
    open_event(page, people["member"], event, community)
    with page.expect_download() as info:
        page.get_by_role("link", name="Скачать (PDF)").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    saved = tmp_path / "certificate.pdf"
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(saved).pages)
    assert "Участникова Анна" in text
    assert sign_up  # the helper is shared with the events tests
