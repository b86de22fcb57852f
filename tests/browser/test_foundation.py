"""What a person does first: register, log in and out, join, get admitted, see the
notification, leave. All through the UI of a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from app.communities.models import JoinRequest, Membership, RequestStatus
from app.extensions import db
from tests.browser.conftest import assert_not_reloaded, login, mark_document
from tests.factories import PASSWORD, make_join_request, make_user


def test_register_log_out_and_in(new_page, community):
    page = new_page()
    page.goto("/")
    page.get_by_role("link", name="Регистрация").click()
    page.get_by_label("Фамилия, имя, отчество").fill("Смирнова Елена Викторовна")
    page.get_by_label("Электронная почта").fill("smirnova@school.ru")
    page.get_by_label("Должность").fill("Учитель математики")
    page.get_by_label("Образовательная организация").fill("МБОУ СОШ № 5")
    page.get_by_label("Муниципалитет").fill("Ярославль")
    page.get_by_label("Пароль", exact=True).fill("надёжный-пароль")
    page.get_by_label("Пароль ещё раз").fill("другой-пароль")
    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page.get_by_text("Пароли не совпадают.")).to_be_visible()
    expect(page.get_by_label("Фамилия, имя, отчество")).to_have_value("Смирнова Елена Викторовна")

    page.get_by_label("Пароль", exact=True).fill("надёжный-пароль")
    page.get_by_label("Пароль ещё раз").fill("надёжный-пароль")
    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page.get_by_text("Добро пожаловать!")).to_be_visible()

    page.get_by_role("button", name="Выйти").click()
    expect(page.get_by_text("Вы вышли из системы.")).to_be_visible()
    expect(page.get_by_role("link", name="Войти")).to_be_visible()

    page.goto("/auth/login")
    page.get_by_label("Электронная почта").fill("smirnova@school.ru")
    page.get_by_label("Пароль").fill("неверный-пароль")
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_text("Неверный адрес электронной почты или пароль.")).to_be_visible()
    login(page, "SMIRNOVA@school.ru", "надёжный-пароль")
    expect(page.get_by_text("Вы вошли как Смирнова Елена Викторовна.")).to_be_visible()


def test_join_admit_notify_leave(new_page, people, community):
    applicant = make_user(full_name="Заявителева Полина", email="polina@school.ru")

    # The applicant asks to join, first forgetting the consents.
    page = new_page()
    login(page, "polina@school.ru", PASSWORD)
    page.goto(f"/c/{community.slug}/")
    page.get_by_role("link", name="Вступить в сообщество").click()
    expect(page.get_by_role("region", name=re.compile("Положение"))).to_be_visible()
    page.get_by_label("Сообщение координатору").fill("Руковожу школой, хочу учиться у коллег")
    page.get_by_role("button", name="Отправить заявку").click()
    expect(page.get_by_text("Без согласия с Положением вступить нельзя.")).to_be_visible()
    page.get_by_label("Я ознакомлен(а) с Положением и принимаю его").check()
    page.get_by_label("Я даю согласие на обработку персональных данных").check()
    page.get_by_role("button", name="Отправить заявку").click()
    expect(page.get_by_text("Заявка отправлена.")).to_be_visible()
    expect(page.get_by_text("ждёт решения координатора")).to_be_visible()

    # The coordinator admits in place: the row changes, the page is not reloaded.
    coordinator = new_page()
    login(coordinator, people["coordinator"].email, PASSWORD)
    coordinator.goto(f"/c/{community.slug}/admissions")
    request_id = db.session.scalar(
        db.select(JoinRequest.id).where(JoinRequest.user_id == applicant.id)
    )
    row = coordinator.locator(f"#join-request-{request_id}")
    expect(row).to_contain_text("Руковожу школой, хочу учиться у коллег")
    mark_document(coordinator)
    url_before = coordinator.url
    row.get_by_role("button", name="Принять").click()
    expect(row).to_contain_text("Принята")
    expect(row.get_by_role("button", name="Принять")).to_have_count(0)
    expect(coordinator.locator("#flash")).to_contain_text("Заявителева Полина принят(а)")
    assert_not_reloaded(coordinator)
    assert coordinator.url == url_before
    assert db.session.get(JoinRequest, request_id).status == RequestStatus.ADMITTED

    # The applicant sees the notification in the bell and reads it.
    page.goto("/")
    bell = page.locator("#bell")
    expect(bell).to_contain_text("1")
    bell.click()
    expect(page.get_by_text(f"Вы приняты в сообщество «{community.name}».")).to_be_visible()
    mark_document(page)
    page.get_by_role("button", name="Отметить прочитанным").click()
    expect(page.get_by_role("button", name="Отметить прочитанным")).to_have_count(0)
    expect(page.locator("#bell .count")).to_have_count(0)  # the bell refreshed itself
    assert_not_reloaded(page)

    # And leaves, after confirming.
    page.goto(f"/c/{community.slug}/")
    page.get_by_role("link", name="Выйти из сообщества").click()
    page.get_by_role("button", name="Да, выйти из сообщества").click()
    expect(page.get_by_text("Вы вышли из сообщества")).to_be_visible()
    expect(page.get_by_role("link", name="Вступить в сообщество")).to_be_visible()
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == applicant.id))
    assert membership.left_at is not None


def test_decline_inline_with_reason(new_page, people, community):
    applicant = make_user(full_name="Отказов Олег")
    join_request = make_join_request(applicant, community)
    page = new_page()
    login(page, people["coordinator"].email, PASSWORD)
    page.goto(f"/c/{community.slug}/admissions")
    mark_document(page)
    row = page.locator(f"#join-request-{join_request.id}")
    row.get_by_text("Отклонить…").click()
    row.get_by_role("button", name="Отклонить заявку").click()
    expect(row.get_by_text("Укажите причину отказа.")).to_be_visible()  # 422 swapped in place
    row.get_by_label("Причина отказа").fill("Сообщество для руководителей школ")
    row.get_by_role("button", name="Отклонить заявку").click()
    expect(row).to_contain_text("Отклонена")
    expect(row).to_contain_text("Сообщество для руководителей школ")
    assert_not_reloaded(page)


def test_admit_with_the_keyboard_keeps_focus_in_the_row(new_page, people, community):
    applicant = make_user(full_name="Клавиатурова Вера")
    join_request = make_join_request(applicant, community)
    page = new_page()
    login(page, people["coordinator"].email, PASSWORD)
    page.goto(f"/c/{community.slug}/admissions")
    row_id = f"join-request-{join_request.id}"
    # Tab from the top of the page until the row's «Принять» button has the focus.
    page.locator("body").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "[document.activeElement.textContent.trim(),"
            " document.activeElement.closest('tr') && document.activeElement.closest('tr').id]"
        )
        if focused == ["Принять", row_id]:
            break
    else:
        raise AssertionError("«Принять» cannot be reached with Tab")
    page.keyboard.press("Enter")
    expect(page.locator(f"#{row_id}")).to_contain_text("Принята")
    # Focus comes back into the updated row once htmx has settled it.
    page.wait_for_function(
        "id => document.activeElement && document.activeElement.closest('tr') &&"
        " document.activeElement.closest('tr').id === id", arg=row_id, timeout=2000,
    )


def test_skip_link_moves_focus_to_main(new_page, community):
    page = new_page()
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Перейти к содержанию")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # it shows itself when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
