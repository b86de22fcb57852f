"""A member picker in a real browser, in a community too large to list (the threshold is
lowered): the member types a name, ticks a result, searches again (the ticked one stays),
presses Enter in the search box (nothing is sent), and saves the material with both
co-authors; axe finds nothing serious in the picker with its results."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.communities import services as communities
from app.extensions import db
from app.materials.models import Material
from tests.browser.conftest import assert_not_reloaded, login, mark_document
from tests.browser.test_accessibility import axe_violations
from tests.factories import PASSWORD

TITLE = "Читательская грамотность: задания"


def test_typing_a_name_ticking_it_and_saving(new_page, people, community, monkeypatch):
    monkeypatch.setattr(communities, "MEMBER_LIST_MAX", 3)
    page = new_page()
    login(page, people["member"].email, PASSWORD)
    page.goto(f"/c/{community.slug}/materials/new")
    page.get_by_label("Название").fill(TITLE)
    page.get_by_label("Или ссылка на материал").fill("https://example.org/tasks")

    picker = page.get_by_role("group", name="Соавторы из участников сообщества")
    expect(picker.get_by_role("checkbox")).to_have_count(0)  # nobody listed up front
    mark_document(page)
    search = picker.get_by_label("Найти участника")
    search.press_sequentially("сов", delay=60)
    council = picker.get_by_label("Советова Наталья")
    expect(council).not_to_be_checked()
    expect(picker.get_by_role("status")).to_have_text("Найдено: 1.")
    council.check()

    search.fill("ПРЕД")  # another query: the ticked one stays ticked, the new one is offered
    chair = picker.get_by_label("Председателев Андрей")
    expect(chair).not_to_be_checked()
    expect(council).to_be_checked()
    chair.check()
    search.press("Enter")  # searches; does not send the form
    expect(picker.get_by_role("checkbox")).to_have_count(2)
    assert_not_reloaded(page)
    assert page.url.endswith("/materials/new")

    # keyboard only: from the search box to the boxes
    search.fill("экс")
    expect(picker.get_by_label("Экспертова Оксана")).to_be_visible()
    search.focus()
    page.keyboard.press("Tab")  # «Найти»
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the third box: Экспертова, after the two ticked
    page.keyboard.press("Space")
    expect(picker.get_by_label("Экспертова Оксана")).to_be_checked()
    page.keyboard.press("Space")
    expect(picker.get_by_label("Экспертова Оксана")).not_to_be_checked()

    checker = new_page(bypass_csp=True)  # axe is injected as a script: CSP bypassed for it
    login(checker, people["member"].email, PASSWORD)
    checker.goto(f"/c/{community.slug}/materials/new")
    checker_picker = checker.get_by_role("group", name="Соавторы из участников сообщества")
    checker_picker.get_by_label("Найти участника").fill("сов")
    expect(checker_picker.get_by_label("Советова Наталья")).to_be_visible()
    assert axe_violations(checker) == []

    page.get_by_role("button", name="Сохранить").click()
    page.wait_for_url(re.compile(rf"/c/{community.slug}/materials/\d+$"))
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    material = db.session.scalar(select(Material).where(Material.title == TITLE))
    assert {c.user_id for c in material.coauthors} == {people["council"].id,
                                                       people["chair"].id}
