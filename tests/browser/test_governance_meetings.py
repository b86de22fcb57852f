"""Meetings in a real browser: the coordinator writes the minutes of a meeting that took
place (requisites, a question with its vote), signs them, and downloads the DOCX, which
python-docx opens."""

from __future__ import annotations

from datetime import timedelta

from docx import Document
from flask import current_app
from playwright.sync_api import expect

from app.extensions import db
from app.mixins import utcnow
from tests.browser.conftest import login
from tests.factories import PASSWORD
from tests.governance.pages_meetings import make_meeting


def test_minutes_are_written_signed_and_exported(new_page, community, people, tmp_path):
    with current_app.test_request_context("/"):
        event = make_meeting(
            community, people["coordinator"], starts_at=utcnow() - timedelta(days=1),
            title="Заседание о плане работы",
            present=[people["member"], people["chair"], people["council"]],
            agenda=[("О плане работы на учебный год", people["chair"])])
        db.session.commit()
    page = new_page()
    login(page, people["coordinator"].email, PASSWORD)
    page.goto(f"/c/{community.slug}/meetings/{event.id}/minutes")
    page.get_by_role("link", name="Составить протокол").click()
    expect(page.get_by_label("Номер протокола")).to_have_value("1")
    page.get_by_role("group", name="Секретарь").get_by_label("Советова Наталья").check()
    page.get_by_role("button", name="Создать черновик протокола").click()
    expect(page.get_by_role("heading", name="ПРОТОКОЛ № 1")).to_be_visible()
    expect(page.locator("#quorum")).to_have_text("Кворум имеется.")

    page.get_by_label("Вопрос", exact=True).fill("Об итогах муниципальной олимпиады")
    page.get_by_label("Слушали").fill("Итоги муниципального этапа олимпиады.")
    page.get_by_label("Решили").fill("Провести разбор заданий с учащимися.")
    page.get_by_label("«За»").fill("3")
    page.get_by_label("«Против»").fill("0")
    page.get_by_label("«Воздержались»").fill("0")
    page.get_by_role("group", name="Ответственный за исполнение").get_by_label(
        "Участникова Анна").check()
    page.get_by_role("button", name="Добавить вопрос в протокол").click()
    expect(page.get_by_text("Голосовали: «за» — 3, «против» — 0, «воздержались» — 0.")
           ).to_be_visible()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Подписать протокол").click()
    expect(page.get_by_text("Протокол подписан.", exact=False).first).to_be_visible()
    expect(page.get_by_role("button", name="Подписать протокол")).to_have_count(0)

    with page.expect_download() as info:
        page.get_by_role("link", name="Скачать DOCX").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    saved = tmp_path / "minutes.docx"
    download.save_as(saved)
    lines = [p.text for p in Document(str(saved)).paragraphs if p.text.strip()]
    assert lines[0] == "ПРОТОКОЛ № 1"
    assert "1. О плане работы на учебный год (докладчик — Председателев А.)." in lines
    assert "2. СЛУШАЛИ: Итоги муниципального этапа олимпиады." in lines
    assert "Голосовали: «за» — 3, «против» — 0, «воздержались» — 0." in lines
    assert any(line.startswith("РЕШИЛИ: Провести разбор заданий с учащимися.")
               for line in lines)

    page.goto(f"/c/{community.slug}/meetings/decisions")
    expect(page.get_by_text("Провести разбор заданий с учащимися.")).to_be_visible()
