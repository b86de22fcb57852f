"""The methodological bank as a member uses it in a real browser: a new material with two files
sent at once while the upload progress bar shows, search-as-you-type that finds the material
by another word form without a reload, and a download that keeps its Cyrillic file name."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import current_app
from playwright.sync_api import Page, expect
from werkzeug.datastructures import FileStorage

from app.extensions import db
from app.materials import services
from tests.browser.conftest import assert_not_reloaded, login, mark_document
from tests.factories import PASSWORD

TITLE = "Уроки литературы в 10 классе"
TXT_NAME = "Конспект урока.txt"
TXT = "Тема: «Отцы и дети». Цель — понять конфликт поколений.\nДомашнее задание: глава 10.\n"
PDF_NAME = "План работы.pdf"
_PDF_BODY = b"1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# A PDF padded with one comment line to ~2.5 MB, so that the upload lasts long enough (with
# the throttling below) for the browser to report its progress.
PDF = b"%PDF-1.4\n%" + b"padding " * 312_500 + b"\n" + _PDF_BODY
UPLOAD_BYTES_PER_SECOND = 1_000_000

PROGRESS_SHOWN = """() => {
  const bar = document.querySelector("#material-form progress.upload-progress");
  return bar !== null && !bar.hidden && bar.value > 0;
}"""


@pytest.fixture
def other_material(people, community):
    """A published material that the search must leave out."""
    with current_app.test_request_context("/"):
        material = services.create_material(
            community, people["chair"], title="Проектная деятельность в начальной школе",
            description="Сборник проектов для второго класса.", type="methodical",
            level="primary", topics="проекты",
            files=[FileStorage(io.BytesIO("Проекты и исследования.".encode()),
                               filename="Проекты.txt", content_type="text/plain")],
        )
        db.session.commit()
    return material


def throttle_upload(page: Page, bytes_per_second: int) -> None:
    client = page.context.new_cdp_session(page)
    client.send("Network.enable")
    client.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 0, "downloadThroughput": -1,
        "uploadThroughput": bytes_per_second,
    })


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_member_uploads_two_files_finds_the_material_and_downloads_a_file(
    new_page, people, community, other_material
):
    page = new_page()
    login(page, people["member"].email, PASSWORD)
    page.goto(f"/c/{community.slug}/")
    tabs = page.get_by_role("navigation", name="Разделы сообщества")
    tabs.get_by_role("link", name="Методический банк").click()
    expect(page.get_by_role("heading", name="Методический банк")).to_be_visible()
    page.get_by_role("link", name="Добавить материал").click()

    # 1. The form, two files at once, the progress bar while they go up.
    page.get_by_label("Название").fill(TITLE)
    page.get_by_label("Вид материала").select_option(label="Конспект урока")
    page.get_by_label("Уровень образования").select_option(label="Среднее общее")
    page.get_by_label("Темы").fill("литература, ФГОС")
    page.get_by_label("Описание").fill("Конспекты и **план** по роману «Отцы и дети».")
    page.get_by_label("Файлы", exact=True).set_input_files([
        {"name": TXT_NAME, "mimeType": "text/plain", "buffer": TXT.encode()},
        {"name": PDF_NAME, "mimeType": "application/pdf", "buffer": PDF},
    ])
    bar = page.locator("#material-form progress.upload-progress")
    expect(bar).to_be_hidden()
    throttle_upload(page, UPLOAD_BYTES_PER_SECOND)
    page.get_by_role("button", name="Сохранить").click()
    page.wait_for_function(PROGRESS_SHOWN, timeout=5000)  # the upload takes ~2.5 s

    page.wait_for_url(re.compile(rf"/c/{community.slug}/materials/\d+$"), timeout=15000)
    expect(page.get_by_text("Материал опубликован.")).to_be_visible()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    files = page.locator("ul.files > li")
    expect(files).to_have_count(2)
    expect(files.get_by_role("link", name=TXT_NAME)).to_be_visible()
    expect(files.get_by_role("link", name=PDF_NAME)).to_be_visible()
    material_url = page.url

    # 2. Search as you type, by another word form, without a reload.
    page.locator("p.crumbs").get_by_role("link", name="Методический банк").click()
    rows = page.locator("#material-rows > li.material-row")
    expect(rows).to_have_count(2)
    mark_document(page)
    page.get_by_label("Поиск по банку").press_sequentially("урок", delay=80)
    page.wait_for_url(lambda url: query_of(url).get("q") == ["урок"])
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("link", name=TITLE)).to_be_visible()
    expect(page.get_by_text("Проектная деятельность в начальной школе")).to_have_count(0)
    assert_not_reloaded(page)

    # 3. The material page, a download with its Cyrillic name and content.
    rows.first.get_by_role("link", name=TITLE).click()
    page.wait_for_url(material_url)
    with page.expect_download() as info:
        page.get_by_role("link", name=TXT_NAME).click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == TXT_NAME
    assert Path(download.path()).read_text(encoding="utf-8") == TXT
