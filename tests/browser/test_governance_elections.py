"""A secret-ballot election in a real browser, run to its result: the coordinator creates
and publishes it, three council members vote (the ballot swaps to «Ваш голос учтён» in
place), the period ends, every member sees the results, the coordinator sums them up and
the winner is the chair on the community page."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.communities.models import Membership, Role
from app.events.services import to_local
from app.extensions import db
from app.governance.elections.models import Election
from app.mixins import utcnow
from tests.browser.conftest import assert_not_reloaded, login, mark_document
from tests.factories import PASSWORD, make_membership, make_user
from tests.governance.pages_elections import end_now


def local(community, delta: timedelta) -> str:
    """A datetime-local value in the community's zone."""
    return to_local(utcnow() + delta, community).strftime("%Y-%m-%dT%H:%M")


def vote(page: Page, community, election, person, choice: str) -> None:
    login(page, person.email, PASSWORD)
    page.goto(f"/c/{community.slug}/elections/{election.id}")
    mark_document(page)
    ballot = page.locator(f"#ballot-election-{election.id}")
    ballot.get_by_label(choice).check()
    ballot.get_by_role("button", name="Проголосовать").click()
    expect(ballot).to_contain_text("Ваш голос учтён")
    expect(ballot.get_by_role("radio")).to_have_count(0)
    expect(ballot).not_to_contain_text(choice)  # not even the voter sees their choice
    assert_not_reloaded(page)


def test_a_secret_ballot_election_run_to_its_result(new_page, community, people):
    third = make_user(full_name="Третьякова Вера")
    make_membership(third, community, is_council=True)

    coordinator = new_page()
    login(coordinator, people["coordinator"].email, PASSWORD)
    coordinator.goto(f"/c/{community.slug}/elections/")
    coordinator.get_by_role("link", name="Новые выборы").click()
    coordinator.get_by_label("Название").fill("Выборы председателя на 2026/2027 учебный год")
    coordinator.get_by_label("Начало голосования").fill(local(community, timedelta(minutes=-5)))
    coordinator.get_by_label("Окончание голосования").fill(local(community, timedelta(days=3)))
    coordinator.get_by_label("Председателев Андрей").check()
    coordinator.get_by_label("Советова Наталья").check()
    expect(coordinator.get_by_label("Координаторова Ирина")).to_have_count(0)
    coordinator.get_by_role("button", name="Сохранить черновик").click()
    expect(coordinator.get_by_text("Черновик выборов сохранён")).to_be_visible()
    coordinator.get_by_role("button", name="Опубликовать выборы").click()
    expect(coordinator.get_by_text("список голосующих составлен (3)")).to_be_visible()
    expect(coordinator.locator(".badge").first).to_have_text("Идёт голосование")
    election = db.session.scalar(select(Election))

    vote(new_page(), community, election, people["chair"], "Советова Наталья")
    vote(new_page(), community, election, people["council"], "Советова Наталья")
    vote(new_page(), community, election, third, "Председателев Андрей")

    member = new_page()
    login(member, people["member"].email, PASSWORD)
    member.goto(f"/c/{community.slug}/elections/{election.id}")
    expect(member.get_by_text("Проголосовали")).to_be_visible()
    expect(member.get_by_role("heading", name="Итоги голосования")).to_have_count(0)
    expect(member.get_by_role("button", name="Проголосовать")).to_have_count(0)

    db.session.refresh(election)
    end_now(election)  # the period is over

    member.reload()
    results = member.locator(".results")
    expect(results).to_contain_text("Больше всех голосов у Советова Наталья")
    expect(results.get_by_role("row", name="Советова Наталья победитель 2 67 %")).to_be_visible()
    expect(results.get_by_role("row", name="Председателев Андрей 1 33 %")).to_be_visible()
    expect(results).to_contain_text("Явка: проголосовали 3 из 3 членов совета (100 %)")

    coordinator.reload()
    coordinator.get_by_role("button", name="Подвести итоги").click()
    expect(coordinator.get_by_text(
        "Итоги подведены: председателем избран(а) Советова Наталья.")).to_be_visible()

    member.goto(f"/c/{community.slug}/")
    about = member.locator(".community-about")
    expect(about.locator("dt", has_text="Председатель")).to_be_visible()
    expect(about.locator("dd", has_text="Советова Наталья")).to_be_visible()
    expect(about.locator("dd", has_text="Председателев Андрей")).to_have_count(0)
    db.session.expire_all()
    roles = dict(db.session.execute(select(Membership.user_id, Membership.role).where(
        Membership.community_id == community.id, Membership.left_at.is_(None))).all())
    assert roles[people["council"].id] == Role.CHAIR
    assert roles[people["chair"].id] == Role.MEMBER
