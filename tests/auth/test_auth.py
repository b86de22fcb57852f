"""Registration, login, logout and the `next` guard."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.auth.login import is_safe_next
from app.auth.models import User
from app.extensions import db
from tests.factories import PASSWORD, make_user
from tests.helpers import HX, text

VALID = {
    "full_name": "Смирнова Елена Викторовна",
    "email": "Elena.Smirnova@School.ru",
    "position": "Заместитель директора",
    "organisation": "МБОУ СОШ № 5",
    "municipality": "Ярославль",
    "password": "длинный-пароль-1",
    "password2": "длинный-пароль-1",
}


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_production_hashes_passwords_with_scrypt():
    from app.config import Config

    assert Config.PASSWORD_HASH_METHOD == "scrypt"


def test_register_creates_user_and_logs_in(app, client):
    response = client.post("/auth/register", data=VALID)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    user = db.session.scalar(select(User))
    assert user.email == "elena.smirnova@school.ru"  # stored lower-cased
    assert user.full_name == VALID["full_name"]
    assert user.position == VALID["position"]
    assert user.organisation == VALID["organisation"]
    assert user.municipality == VALID["municipality"]
    assert VALID["password"] not in user.password_hash
    assert user.password_hash.startswith(app.config["PASSWORD_HASH_METHOD"].split(":")[0])
    assert user.check_password(VALID["password"])
    page = client.get("/")
    assert "Выйти" in text(page)


def test_register_form_is_in_russian(client):
    page = text(client.get("/auth/register"))
    for label in ("Фамилия, имя, отчество", "Электронная почта", "Должность",
                  "Образовательная организация", "Муниципалитет", "Пароль ещё раз"):
        assert label in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"full_name": ""}, "Укажите фамилию, имя и отчество."),
        ({"full_name": "   "}, "Укажите фамилию, имя и отчество."),
        ({"full_name": "Я" * 201}, "Не больше 200 символов."),
        ({"email": ""}, "Укажите адрес электронной почты."),
        ({"email": "не-почта"}, "Введите адрес электронной почты"),
        ({"email": "a@" + "b" * 250 + ".ru"}, "Не больше 254 символов."),
        ({"position": ""}, "Укажите должность."),
        ({"organisation": "O" * 301}, "Не больше 300 символов."),
        ({"municipality": " "}, "Укажите муниципалитет."),
        ({"password": "short", "password2": "short"}, "Должно быть от 8 до 128 символов."),
        ({"password2": "другой-пароль-2"}, "Пароли не совпадают."),
        ({"password": "", "password2": ""}, "Введите пароль."),
    ],
)
def test_register_bad_input(client, changes, message):
    response = client.post("/auth/register", data={**VALID, **changes})
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert user_count() == 0
    # The form comes back refilled (passwords excepted).
    if "full_name" not in changes:
        assert VALID["full_name"] in page


def test_register_duplicate_email_any_case(client):
    make_user(email="elena.smirnova@school.ru")
    response = client.post("/auth/register", data={**VALID, "email": "ELENA.SMIRNOVA@SCHOOL.RU"})
    assert response.status_code == 422
    assert "Пользователь с таким адресом уже зарегистрирован." in text(response)
    assert user_count() == 1


def test_login_and_logout(client):
    user = make_user(email="teacher@school.ru")
    response = client.post("/auth/login", data={"email": "Teacher@School.RU", "password": PASSWORD})
    assert response.status_code == 303
    with client.session_transaction() as session:
        assert session["_user_id"] == str(user.id)
    assert db.session.get(User, user.id).last_login_at is not None
    response = client.post("/auth/logout")
    assert response.status_code == 303
    with client.session_transaction() as session:
        assert "_user_id" not in session


@pytest.mark.parametrize(
    "data",
    [
        {"email": "teacher@school.ru", "password": "wrong-password"},
        {"email": "nobody@school.ru", "password": PASSWORD},
    ],
)
def test_login_bad_credentials(client, data):
    make_user(email="teacher@school.ru")
    response = client.post("/auth/login", data=data)
    assert response.status_code == 422
    page = text(response)
    assert "Неверный адрес электронной почты или пароль." in page
    assert "teacher@school.ru" in page or "nobody@school.ru" in page  # refilled
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_login_empty_fields(client):
    response = client.post("/auth/login", data={"email": "", "password": ""})
    assert response.status_code == 422
    assert "Укажите адрес электронной почты." in text(response)
    assert "Введите пароль." in text(response)


def test_login_redirects_to_safe_next(client):
    make_user(email="teacher@school.ru")
    response = client.post(
        "/auth/login?next=/notifications/",
        data={"email": "teacher@school.ru", "password": PASSWORD, "next": "/notifications/"},
    )
    assert response.headers["Location"] == "/notifications/"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "http:/evil", "javascript:x",
     "\\\\evil", "/ok\r\nLocation: x"],
)
def test_login_refuses_open_redirect(client, target):
    make_user(email="teacher@school.ru")
    response = client.post(
        "/auth/login", data={"email": "teacher@school.ru", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_is_safe_next():
    assert is_safe_next("/c/x/?page=2")
    assert not is_safe_next(None)
    assert not is_safe_next("//evil.example")
    assert not is_safe_next("https://evil.example")


def test_login_required_redirects_with_next(client):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=/notifications/")


def test_login_required_htmx_gets_401_and_hx_redirect(client):
    response = client.get("/notifications/", headers=HX)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/auth/login")


def test_logged_in_user_visiting_login_is_sent_on(app):
    user = make_user()
    response = app.test_client(user=user).get("/auth/login")
    assert response.status_code == 302
