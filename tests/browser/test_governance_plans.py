"""The work plan in a real browser: the coordinator sends the plan to the council, two
council members log in one after the other and approve it in place, and the plan shows
«утверждён»; a drafter changes an item's status in place."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from app.governance.academic_year import local_today
from app.i18n import date_filter
from tests.browser.conftest import assert_not_reloaded, login, mark_document
from tests.factories import PASSWORD
from tests.governance.pages_plans import fields, make_plan


def open_plan(page: Page, person, plan, community) -> None:
    login(page, person.email, PASSWORD)
    page.goto(f"/c/{community.slug}/plans/{plan.id}")
    mark_document(page)


def test_council_members_approve_a_plan(new_page, app, community, people):
    plan = make_plan(community, people["coordinator"], items=[
        fields(people["chair"], title="Заседание Совета", form="meeting", month=9),
        fields(people["member"], title="Семинар «Функциональная грамотность»", month=11)])

    coordinator = new_page()
    open_plan(coordinator, people["coordinator"], plan, community)
    coordinator.get_by_role("button", name="Отправить на утверждение Совета").click()
    expect(coordinator.locator("#flash")).to_contain_text("План отправлен на утверждение")
    expect(coordinator.locator(".plan-state")).to_contain_text("на утверждении")

    chair = new_page()
    open_plan(chair, people["chair"], plan, community)
    approval = chair.locator("#plan-approval")
    expect(approval).to_contain_text("нужно 2 из 2; утвердили 0")
    chair.get_by_label("Комментарий").fill("Согласен, план выстроен логично.")
    chair.get_by_role("button", name="Утверждаю").click()
    expect(approval).to_contain_text("Ваше решение: утверждаю")
    expect(approval).to_contain_text("Согласен, план выстроен логично.")
    expect(approval).to_contain_text("утвердили 1")
    assert_not_reloaded(chair)

    council = new_page()
    open_plan(council, people["council"], plan, community)
    approval = council.locator("#plan-approval")
    # An objection without a comment is refused in place, and nothing is recorded.
    council.get_by_role("button", name="Возражаю").click()
    # The refusal itself (the field's help says «…без комментария не принимается» too):
    # waiting for it lets the 422 swap finish before the next click.
    expect(approval).to_contain_text("Напишите, против чего вы возражаете")
    council.get_by_role("button", name="Утверждаю").click()
    with app.app_context():
        today = date_filter(local_today(community))
    expect(approval).to_contain_text(f"План утверждён {today}")
    assert_not_reloaded(council)

    council.reload()
    expect(council.locator(".plan-state")).to_contain_text(f"утверждён {today}")
    votes = council.locator(".plan-votes")
    expect(votes).to_contain_text("Председателев Андрей")
    expect(votes).to_contain_text("Советова Наталья")

    # After approval the drafters keep the fact: an item's status changes in place.
    coordinator.reload()
    mark_document(coordinator)
    coordinator.get_by_label("Статус пункта «Заседание Совета»").select_option("done")
    row = coordinator.locator(f"#plan-item-{plan.items[0].id}")
    row.get_by_role("button", name="сохранить").click()
    expect(row.locator(".badge").first).to_have_text("проведено")
    expect(coordinator.locator("#plan-totals")).to_contain_text("проведено пунктов — 1 из 2")
    assert_not_reloaded(coordinator)
