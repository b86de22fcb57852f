"""Profiles: viewing one's own and others', editing it, changing the password."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest

from app.auth.models import User
from app.extensions import db
from tests import factories
from tests.factories import PASSWORD
from tests.helpers import HX, text


def field_error(response, field: str) -> str:
    """The error text shown next to a form field (`<small id="<field>-error">`)."""
    match = re.search(
        rf'<small id="{re.escape(field)}-error" class="field-error">(.*?)</small>',
        text(response),
        re.S,
    )
    assert match is not None, f"no error shown next to {field!r}"
    return html.unescape(match.group(1))


def stored(user: User) -> User:
    """The user as committed: whatever a refused request left in a session is dropped."""
    db.session.rollback()
    return db.session.get(User, user.id)


def profile_form(user: User, **overrides) -> dict:
    form = {
        "full_name": user.full_name,
        "email": user.email,
        "position": user.position,
        "organisation": user.organisation,
        "municipality": user.municipality,
    }
    if user.show_memberships:
        form["show_memberships"] = "y"
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


# --- viewing ---------------------------------------------------------------------------


def test_own_profile_shows_communities_and_roles(client_as, community, people):
    me = people["coordinator"]

    response = client_as("coordinator").get(f"/users/{me.id}")

    body = text(response)
    assert response.status_code == 200
    assert me.full_name in body
    assert me.email in body
    assert community.name in body
    assert f'href="/c/{community.slug}/"' in body
    assert '<span class="badge">Координатор</span>' in body
    assert "Редактировать профиль" in body
    assert "Сменить пароль" in body


def test_chair_profile_lists_chair_and_council(client_as, community, people):
    me = people["chair"]

    body = text(client_as("chair").get(f"/users/{me.id}"))

    assert '<span class="badge">Председатель</span>' in body
    assert '<span class="badge">Член Совета</span>' in body


def test_profile_lists_every_community(client_as, community, people):
    me = people["member"]
    other = people["other_community"]
    factories.make_membership(me, other, is_expert=True)

    body = text(client_as("member").get(f"/users/{me.id}"))

    assert community.name in body
    assert other.name in body
    assert '<span class="badge">Эксперт</span>' in body


def test_own_profile_without_communities(client_as, people):
    me = people["outsider"]

    response = client_as("outsider").get(f"/users/{me.id}")

    assert response.status_code == 200
    assert "Пока не состоит ни в одном сообществе." in text(response)


def test_member_sees_another_members_profile_without_email(client_as, community, people):
    coordinator = people["coordinator"]

    response = client_as("member").get(f"/users/{coordinator.id}")

    body = text(response)
    assert response.status_code == 200
    assert coordinator.full_name in body
    assert coordinator.organisation in body
    assert community.name in body
    assert '<span class="badge">Координатор</span>' in body
    assert coordinator.email not in body
    assert "Электронная почта" not in body
    assert "Редактировать профиль" not in body


def test_admin_sees_anyones_profile_with_email(client_as, people):
    outsider = people["outsider"]

    response = client_as("admin").get(f"/users/{outsider.id}")

    assert response.status_code == 200
    assert outsider.email in text(response)


@pytest.mark.parametrize("viewer", ["outsider", "other_coordinator"])
def test_who_shares_no_community_is_refused(client_as, people, viewer):
    response = client_as(viewer).get(f"/users/{people['member'].id}")

    assert response.status_code == 403
    assert "Доступ запрещён" in text(response)
    assert people["member"].full_name not in text(response)


def test_former_member_no_longer_shares_a_community(app, community, people):
    from app.communities import services

    member = people["member"]
    with app.test_request_context("/"):
        services.leave(community, member)
        db.session.commit()

    response = app.test_client(user=member).get(f"/users/{people['coordinator'].id}")

    assert response.status_code == 403


def test_unknown_profile_is_404(client_as):
    response = client_as("member").get("/users/99999")

    assert response.status_code == 404


def test_anonymous_is_sent_to_login(client, people):
    response = client.get(f"/users/{people['member'].id}")

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/login"


def test_hidden_memberships_are_hidden_from_others(client_as, community, people):
    coordinator = people["coordinator"]
    coordinator.show_memberships = False
    db.session.commit()

    response = client_as("member").get(f"/users/{coordinator.id}")

    body = text(response)
    assert response.status_code == 200
    assert "Участник скрыл список своих сообществ." in body
    assert community.name not in body
    assert '<span class="badge">' not in body


def test_hidden_memberships_are_shown_to_the_owner(client_as, community, people):
    coordinator = people["coordinator"]
    coordinator.show_memberships = False
    db.session.commit()

    response = client_as("coordinator").get(f"/users/{coordinator.id}")

    body = text(response)
    assert response.status_code == 200
    assert "скрыл" not in body
    assert community.name in body
    assert '<span class="badge">Координатор</span>' in body


def test_hidden_memberships_are_shown_to_the_admin(client_as, community, people):
    coordinator = people["coordinator"]
    coordinator.show_memberships = False
    db.session.commit()

    body = text(client_as("admin").get(f"/users/{coordinator.id}"))

    assert "скрыл" not in body
    assert community.name in body


# --- editing the profile ---------------------------------------------------------------


def test_edit_profile_form_is_filled_in(client_as, people):
    me = people["member"]

    response = client_as("member").get("/profile/edit")

    body = text(response)
    assert response.status_code == 200
    assert "Редактирование профиля" in body
    assert f'value="{me.email}"' in body
    assert f'value="{me.full_name}"' in body


def test_edit_profile_saves_stripped_fields(client_as, people):
    me = people["member"]

    response = client_as("member").post("/profile/edit", data={
        "full_name": "  Петрова Анна Сергеевна ",
        "email": "  Petrova.Anna@School.RU ",
        "position": " Заместитель директора ",
        "organisation": "\tЛицей № 2 ",
        "municipality": " Новомосковск ",
        # show_memberships unticked: the checkbox sends nothing
    })

    assert response.status_code == 303
    assert response.headers["Location"] == f"/users/{me.id}"
    saved = stored(me)
    assert saved.full_name == "Петрова Анна Сергеевна"
    assert saved.email == "petrova.anna@school.ru"
    assert saved.position == "Заместитель директора"
    assert saved.organisation == "Лицей № 2"
    assert saved.municipality == "Новомосковск"
    assert saved.show_memberships is False
    assert saved.check_password(PASSWORD)


def test_edit_profile_can_turn_memberships_back_on(client_as, people):
    me = people["member"]
    me.show_memberships = False
    db.session.commit()

    response = client_as("member").post(
        "/profile/edit", data=profile_form(me, show_memberships="y")
    )

    assert response.status_code == 303
    assert stored(me).show_memberships is True


def test_edit_profile_keeps_own_email_in_another_case(client_as, people):
    me = people["member"]

    response = client_as("member").post(
        "/profile/edit", data=profile_form(me, email=me.email.upper())
    )

    assert response.status_code == 303
    assert stored(me).email == me.email.lower()


def test_edit_profile_refuses_an_email_taken_in_another_case(client_as, people):
    me = people["member"]
    old_email, old_name = me.email, me.full_name
    taken = people["coordinator"].email

    response = client_as("member").post(
        "/profile/edit", data=profile_form(me, email=taken.upper(), full_name="Новое Имя")
    )

    assert response.status_code == 422
    assert "уже зарегистрирован" in field_error(response, "email")
    saved = stored(me)
    assert (saved.email, saved.full_name) == (old_email, old_name)


@pytest.mark.parametrize("full_name", ["", "   "], ids=["empty", "blank"])
def test_edit_profile_refuses_an_empty_name(client_as, people, full_name):
    me = people["member"]
    old_name, old_position = me.full_name, me.position

    response = client_as("member").post(
        "/profile/edit",
        data=profile_form(me, full_name=full_name, position="Директор"),
    )

    assert response.status_code == 422
    assert "Укажите фамилию, имя и отчество." in field_error(response, "full_name")
    saved = stored(me)
    assert (saved.full_name, saved.position) == (old_name, old_position)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("email", "not-an-address", "Введите адрес электронной почты"),
    ("email", "", "Укажите адрес электронной почты"),
    ("position", " ", "Укажите должность"),
    ("organisation", "", "Укажите организацию"),
    ("municipality", "", "Укажите муниципалитет"),
    ("full_name", "Я" * 201, "Не больше 200 символов"),
])
def test_edit_profile_refuses_bad_input(client_as, people, field, value, message):
    me = people["member"]
    before = getattr(me, field)

    response = client_as("member").post("/profile/edit", data=profile_form(me, **{field: value}))

    assert response.status_code == 422
    assert message in field_error(response, field)
    assert getattr(stored(me), field) == before


def test_edit_profile_htmx_refusal_returns_the_form_only(client_as, people):
    me = people["member"]

    response = client_as("member").post(
        "/profile/edit", data=profile_form(me, full_name=""), headers=HX
    )

    body = text(response)
    assert response.status_code == 422
    assert "<html" not in body
    assert 'id="profile-form"' in body
    assert "Укажите фамилию, имя и отчество." in body


# --- changing the password -------------------------------------------------------------

NEW_PASSWORD = "new-secret-password-7"


def test_password_page(client_as):
    response = client_as("member").get("/profile/password")

    assert response.status_code == 200
    assert "Смена пароля" in text(response)


def test_change_password(client_as, people):
    me = people["member"]

    response = client_as("member").post("/profile/password", data={
        "current": PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })

    assert response.status_code == 303
    assert response.headers["Location"] == f"/users/{me.id}"
    saved = stored(me)
    assert saved.check_password(NEW_PASSWORD)
    assert not saved.check_password(PASSWORD)


@pytest.mark.parametrize(("data", "field", "message"), [
    pytest.param({"current": "wrong-password-1", "password": NEW_PASSWORD,
                  "password2": NEW_PASSWORD}, "current", "неверно", id="wrong-current"),
    pytest.param({"current": PASSWORD, "password": NEW_PASSWORD,
                  "password2": NEW_PASSWORD + "x"}, "password2", "Пароли не совпадают",
                 id="mismatch"),
    pytest.param({"current": PASSWORD, "password": "short7", "password2": "short7"},
                 "password", "от 8 до 128 символов", id="too-short"),
    pytest.param({"current": PASSWORD, "password": "1234567", "password2": "1234567"},
                 "password", "от 8 до 128 символов", id="seven-characters"),
    pytest.param({"current": "", "password": NEW_PASSWORD, "password2": NEW_PASSWORD},
                 "current", "Введите текущий пароль", id="no-current"),
    pytest.param({"current": PASSWORD, "password": PASSWORD, "password2": PASSWORD},
                 "password", "совпадает с текущим", id="same-as-current"),
])
def test_change_password_refused(client_as, people, data, field, message):
    me = people["member"]

    response = client_as("member").post("/profile/password", data=data)

    assert response.status_code == 422
    assert message in field_error(response, field)
    saved = stored(me)
    assert saved.check_password(PASSWORD)
    assert not saved.check_password(data["password"]) or data["password"] == PASSWORD


def test_eight_character_password_is_accepted(client_as, people):
    response = client_as("member").post("/profile/password", data={
        "current": PASSWORD, "password": "12345678", "password2": "12345678",
    })

    assert response.status_code == 303
    assert stored(people["member"]).check_password("12345678")


@pytest.mark.parametrize("path", ["/profile/edit", "/profile/password"])
def test_profile_forms_need_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/login"


def test_coordinator_opens_the_profile_of_an_applicant(client_as, people, community):
    from tests.factories import make_join_request

    applicant = factories.make_user(full_name="Заявителева Полина")
    make_join_request(applicant, community)
    assert client_as("coordinator").get(f"/users/{applicant.id}").status_code == 200
    # A coordinator of another community may not.
    assert client_as("other_coordinator").get(f"/users/{applicant.id}").status_code == 403


def test_leader_names_link_to_profiles_only_when_they_open(client_as, people, community):
    profile_link = f'href="/users/{people["chair"].id}"'
    assert profile_link in client_as("member").get(f"/c/{community.slug}/").get_data(as_text=True)
    outsider_page = client_as("outsider").get(f"/c/{community.slug}/").get_data(as_text=True)
    assert profile_link not in outsider_page
    assert people["chair"].full_name in outsider_page
