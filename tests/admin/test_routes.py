"""The platform administrator: communities, their charters and the people who lead them."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from app.communities.models import (
    Community,
    CommunityKind,
    CommunityLevel,
    ConsentDocument,
    ConsentKind,
    JoinPolicy,
    Membership,
    Role,
)
from app.extensions import db
from app.notifications.models import Notification
from tests import factories
from tests.helpers import text

# --- helpers ---------------------------------------------------------------------------


def field_error(response, field: str) -> str:
    """The error text shown next to a form field (`<small id="<field>-error">`)."""
    match = re.search(
        rf'<small id="{re.escape(field)}-error" class="field-error">(.*?)</small>',
        text(response),
        re.S,
    )
    assert match is not None, f"no error shown next to {field!r}"
    return html.unescape(match.group(1))


def committed(statement):
    """Read the database as a new request would: drop what the request left uncommitted."""
    db.session.rollback()
    return db.session.scalar(statement)


def community_count() -> int:
    return committed(select(func.count(Community.id)))


def charter_versions(community_id: int) -> list[int]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(ConsentDocument.version)
            .where(
                ConsentDocument.kind == ConsentKind.CHARTER,
                ConsentDocument.community_id == community_id,
            )
            .order_by(ConsentDocument.version)
        )
    )


def new_community_form(**overrides) -> dict:
    form = {
        "name": "Сообщество учителей математики Приморья",
        "slug": "math-primorye",
        "description": "Учителя математики Приморского края",
        "charter": "Положение о сообществе учителей математики.\n\n1. Общие положения.",
        "kind": CommunityKind.TOCHKA_ROSTA.value,
        "level": CommunityLevel.MUNICIPAL.value,
        "parent_id": "0",
        "join_policy": JoinPolicy.OPEN.value,
        "timezone": "Asia/Vladivostok",
        "municipality": "Владивосток",
        "min_meetings_per_year": "4",
        "plan_due_day": "1",
        "plan_due_month": "10",
        "report_due_day": "20",
        "report_due_month": "6",
    }
    form.update(overrides)
    return form


def edit_form(community: Community, **overrides) -> dict:
    """What the edit page would submit unchanged, with `overrides` applied."""
    form = {
        name: "" if getattr(community, name) is None else str(getattr(community, name))
        for name in (
            "name", "slug", "description", "charter", "kind", "level", "join_policy",
            "timezone", "municipality", "min_meetings_per_year", "plan_due_day",
            "plan_due_month", "report_due_day", "report_due_month",
        )
    }
    form["parent_id"] = str(community.parent_id or 0)
    form.update(overrides)
    return form


def insert_bare_community(**kw) -> Community:
    """A community row written directly, so no consent document exists yet."""
    community = Community(
        slug=kw.pop("slug", "primorye"),
        name=kw.pop("name", "Сообщество руководителей Приморья"),
        charter="Положение.",
        **kw,
    )
    db.session.add(community)
    db.session.commit()
    return community


# --- access ----------------------------------------------------------------------------

ADMIN_PAGES = [
    "/admin/",
    "/admin/communities/new",
    "/admin/communities/{id}/edit",
    "/admin/communities/{id}/roles",
]


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_anonymous_is_sent_to_login(client_as, community, page):
    path = page.format(id=community.id)

    response = client_as("anonymous").get(path)

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/login"
    assert parse_qs(location.query)["next"] == [path]


@pytest.mark.parametrize("role", ["member", "coordinator", "chair", "council", "expert",
                                  "outsider", "other_coordinator"])
@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_non_admins_are_refused(client_as, community, role, page):
    response = client_as(role).get(page.format(id=community.id))

    assert response.status_code == 403
    assert "Доступ запрещён" in text(response)


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_opens_every_page(client_as, community, page):
    response = client_as("admin").get(page.format(id=community.id))

    assert response.status_code == 200
    assert "<html" in text(response)


def test_admin_index_lists_communities_with_parent(client_as, community, people):
    child = factories.make_community(name="Школьное объединение «Ромашка»",
                                     parent_id=community.id, admin=people["admin"])

    response = client_as("admin").get("/admin/")

    body = text(response)
    assert response.status_code == 200
    assert community.name in body
    assert child.name in body
    assert f"входит в «{community.name}»" in html.unescape(body)


@pytest.mark.parametrize("path", ["/admin/communities/99999/edit",
                                  "/admin/communities/99999/roles"])
def test_unknown_community_is_404_for_admin(client_as, people, path):
    response = client_as("admin").get(path)

    assert response.status_code == 404
    assert "Страница не найдена" in text(response)


# --- creating --------------------------------------------------------------------------


def test_admin_creates_community_with_every_field(app):
    admin = factories.make_admin()
    parent = insert_bare_community()
    assert committed(select(func.count(ConsentDocument.id))) == 0

    response = app.test_client(user=admin).post(
        "/admin/communities/new", data=new_community_form(parent_id=str(parent.id))
    )

    assert response.status_code == 303
    created = committed(select(Community).where(Community.slug == "math-primorye"))
    assert created is not None
    assert response.headers["Location"] == f"/admin/communities/{created.id}/roles"
    assert created.name == "Сообщество учителей математики Приморья"
    assert created.description == "Учителя математики Приморского края"
    assert created.charter == (
        "Положение о сообществе учителей математики.\n\n1. Общие положения."
    )
    assert created.kind == CommunityKind.TOCHKA_ROSTA
    assert created.level == CommunityLevel.MUNICIPAL
    assert created.parent_id == parent.id
    assert created.join_policy == JoinPolicy.OPEN
    assert created.timezone == "Asia/Vladivostok"
    assert created.municipality == "Владивосток"
    assert created.min_meetings_per_year == 4
    assert (created.plan_due_day, created.plan_due_month) == (1, 10)
    assert (created.report_due_day, created.report_due_month) == (20, 6)
    assert created.member_count == 0

    charter = db.session.scalar(
        ConsentDocument.latest(ConsentKind.CHARTER, created.id)
    )
    assert charter.version == 1
    assert charter.text == created.charter
    assert db.session.scalar(ConsentDocument.latest(ConsentKind.PERSONAL_DATA)) is not None


def test_created_community_strips_and_lowercases_input(client_as, people):
    response = client_as("admin").post(
        "/admin/communities/new",
        data=new_community_form(name="  Сообщество с пробелами  ", slug="  Math-Primorye "),
    )

    assert response.status_code == 303
    created = committed(select(Community).where(Community.slug == "math-primorye"))
    assert created.name == "Сообщество с пробелами"


def test_new_community_form_is_in_russian(client_as, people):
    response = client_as("admin").get("/admin/communities/new")

    body = text(response)
    assert response.status_code == 200
    assert "Новое сообщество" in body
    assert "Положение (устав) сообщества" in body
    assert "Владивосток (МСК+7)" in body


INVALID_NEW_COMMUNITY = [
    pytest.param({"name": ""}, "name", "Укажите название", id="empty-name"),
    pytest.param({"name": "   \t "}, "name", "Укажите название", id="blank-name"),
    pytest.param({"name": "Я" * 301}, "name", "Не больше 300 символов", id="long-name"),
    pytest.param({"slug": "школа-1"}, "slug", "Только строчные латинские", id="cyrillic-slug"),
    pytest.param({"slug": "My Slug"}, "slug", "Только строчные латинские", id="spaced-slug"),
    pytest.param({"slug": ""}, "slug", "Укажите адрес", id="empty-slug"),
    pytest.param({"charter": "  "}, "charter", "Вставьте текст Положения", id="blank-charter"),
    pytest.param({"plan_due_day": "31", "plan_due_month": "2"}, "plan_due_day",
                 "В этом месяце нет такого числа", id="31-february"),
    pytest.param({"report_due_day": "30", "report_due_month": "2"}, "report_due_day",
                 "В этом месяце нет такого числа", id="30-february"),
    pytest.param({"report_due_day": "31", "report_due_month": "4"}, "report_due_day",
                 "В этом месяце нет такого числа", id="31-april"),
    pytest.param({"plan_due_day": "32"}, "plan_due_day", "от 1 до 31", id="day-32"),
    pytest.param({"min_meetings_per_year": "0"}, "min_meetings_per_year",
                 "От 1 до 52 заседаний", id="zero-meetings"),
    pytest.param({"min_meetings_per_year": "53"}, "min_meetings_per_year",
                 "От 1 до 52 заседаний", id="53-meetings"),
    pytest.param({"min_meetings_per_year": "abc"}, "min_meetings_per_year",
                 "Введите целое число", id="meetings-not-a-number"),
    pytest.param({"min_meetings_per_year": ""}, "min_meetings_per_year",
                 "Укажите число заседаний", id="meetings-empty"),
    pytest.param({"plan_due_day": "0"}, "plan_due_day", "от 1 до 31", id="day-0"),
    pytest.param({"kind": "cooperative"}, "kind", "Выберите значение из списка",
                 id="unknown-kind"),
    pytest.param({"level": "federal"}, "level", "Выберите значение из списка",
                 id="unknown-level"),
    pytest.param({"join_policy": "anyone"}, "join_policy", "Выберите значение из списка",
                 id="unknown-join-policy"),
    pytest.param({"timezone": "America/New_York"}, "timezone", "Выберите значение из списка",
                 id="unknown-timezone"),
    pytest.param({"parent_id": "99999"}, "parent_id", "Выберите значение из списка",
                 id="tampered-parent"),
    pytest.param({"parent_id": "abc"}, "parent_id", "Выберите значение из списка",
                 id="parent-not-a-number"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), INVALID_NEW_COMMUNITY)
def test_invalid_new_community_is_refused(client_as, people, overrides, field, message):
    before = community_count()

    response = client_as("admin").post(
        "/admin/communities/new", data=new_community_form(**overrides)
    )

    assert response.status_code == 422
    assert "<html" in text(response)
    assert message in field_error(response, field)
    assert 'aria-invalid="true"' in text(response)
    assert community_count() == before
    assert committed(select(Community).where(Community.slug == "math-primorye")) is None


def test_duplicate_slug_is_refused(client_as, community):
    before = community_count()

    response = client_as("admin").post(
        "/admin/communities/new",
        data=new_community_form(slug=community.slug.upper(), name="Другое сообщество"),
    )

    assert response.status_code == 422
    assert "Такой адрес уже занят другим сообществом" in field_error(response, "slug")
    assert community_count() == before
    assert committed(select(Community).where(Community.name == "Другое сообщество")) is None


def test_refused_form_keeps_what_was_typed(client_as, people):
    response = client_as("admin").post(
        "/admin/communities/new",
        data=new_community_form(name="", municipality="Уссурийск"),
    )

    assert response.status_code == 422
    assert 'value="Уссурийск"' in text(response)
    assert 'value="math-primorye"' in text(response)


# --- editing ---------------------------------------------------------------------------


def test_editing_the_charter_adds_a_version(client_as, community):
    assert charter_versions(community.id) == [1]

    response = client_as("admin").post(
        f"/admin/communities/{community.id}/edit",
        data=edit_form(community, charter="Новая редакция Положения.\n\n1. Цели."),
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/"
    assert charter_versions(community.id) == [1, 2]
    latest = db.session.scalar(ConsentDocument.latest(ConsentKind.CHARTER, community.id))
    assert latest.text == "Новая редакция Положения.\n\n1. Цели."
    assert db.session.get(Community, community.id).charter == latest.text


def test_editing_other_fields_keeps_the_charter_version(client_as, community):
    response = client_as("admin").post(
        f"/admin/communities/{community.id}/edit",
        data=edit_form(community, name="Переименованное сообщество",
                       timezone="Asia/Irkutsk", min_meetings_per_year="6"),
    )

    assert response.status_code == 303
    assert charter_versions(community.id) == [1]
    edited = db.session.get(Community, community.id)
    assert edited.name == "Переименованное сообщество"
    assert edited.timezone == "Asia/Irkutsk"
    assert edited.min_meetings_per_year == 6


def test_browser_line_endings_do_not_make_a_new_charter_version(client_as, community):
    """Browsers submit a textarea with CRLF line breaks (HTML spec, form submission).
    Saving the edit page unchanged must not turn the same charter into a new version."""
    assert "\n" in community.charter
    unchanged_in_browser = community.charter.replace("\n", "\r\n")

    response = client_as("admin").post(
        f"/admin/communities/{community.id}/edit",
        data=edit_form(community, charter=unchanged_in_browser, timezone="Asia/Omsk"),
    )

    assert response.status_code == 303
    assert charter_versions(community.id) == [1]


def test_edit_page_shows_current_values(client_as, people):
    parent = people["other_community"]
    child = factories.make_community(parent_id=parent.id, municipality="Алексин",
                                     admin=people["admin"])

    response = client_as("admin").get(f"/admin/communities/{child.id}/edit")

    body = text(response)
    assert response.status_code == 200
    assert f'value="{child.slug}"' in body
    assert 'value="Алексин"' in body
    assert f'<option selected value="{parent.id}">' in body


def test_parent_can_be_set_and_removed(client_as, community, people):
    parent = people["other_community"]
    client = client_as("admin")

    response = client.post(f"/admin/communities/{community.id}/edit",
                           data=edit_form(community, parent_id=str(parent.id)))
    assert response.status_code == 303
    assert committed(select(Community.parent_id).where(Community.id == community.id)) \
        == parent.id

    response = client.post(f"/admin/communities/{community.id}/edit",
                           data=edit_form(community, parent_id="0"))
    assert response.status_code == 303
    assert committed(select(Community.parent_id).where(Community.id == community.id)) is None


@pytest.mark.parametrize("depth", [1, 2], ids=["child", "grandchild"])
def test_a_community_cannot_become_its_own_descendant(client_as, community, people, depth):
    descendant = community
    for n in range(depth):
        descendant = factories.make_community(
            slug=f"descendant-{n}", parent_id=descendant.id, admin=people["admin"]
        )

    response = client_as("admin").post(
        f"/admin/communities/{community.id}/edit",
        data=edit_form(community, parent_id=str(descendant.id), name="Новое имя"),
    )

    assert response.status_code == 422
    assert "не может входить само в себя" in field_error(response, "parent_id")
    root = committed(select(Community).where(Community.id == community.id))
    assert root.parent_id is None
    assert root.name != "Новое имя"


def test_a_community_cannot_be_its_own_parent(client_as, community):
    response = client_as("admin").post(
        f"/admin/communities/{community.id}/edit",
        data=edit_form(community, parent_id=str(community.id)),
    )

    assert response.status_code == 422
    assert "Выберите значение из списка" in field_error(response, "parent_id")
    assert committed(select(Community.parent_id).where(Community.id == community.id)) is None


def test_edit_refuses_a_slug_of_another_community(client_as, community, people):
    other = people["other_community"]

    response = client_as("admin").post(
        f"/admin/communities/{community.id}/edit", data=edit_form(community, slug=other.slug)
    )

    assert response.status_code == 422
    assert "уже занят" in field_error(response, "slug")
    assert committed(select(Community.slug).where(Community.id == community.id)) \
        == community.slug


def test_edit_keeps_own_slug(client_as, community):
    response = client_as("admin").post(
        f"/admin/communities/{community.id}/edit",
        data=edit_form(community, description="Новое описание"),
    )

    assert response.status_code == 303
    assert committed(select(Community.description).where(Community.id == community.id)) \
        == "Новое описание"


def test_edit_refuses_february_30(client_as, community):
    response = client_as("admin").post(
        f"/admin/communities/{community.id}/edit",
        data=edit_form(community, plan_due_day="30", plan_due_month="2"),
    )

    assert response.status_code == 422
    assert "В этом месяце нет такого числа" in field_error(response, "plan_due_day")
    stored = committed(select(Community).where(Community.id == community.id))
    assert (stored.plan_due_day, stored.plan_due_month) == (15, 9)


# --- appointing ------------------------------------------------------------------------


def active_membership(user, community) -> Membership | None:
    return committed(
        Membership.active().where(
            Membership.user_id == user.id, Membership.community_id == community.id
        )
    )


def test_appointing_by_email_in_any_case_makes_a_coordinator(client_as, community, people):
    outsider = people["outsider"]
    members_before = community.member_count

    response = client_as("admin").post(
        f"/admin/communities/{community.id}/roles",
        data={"email": f"  {outsider.email.upper()} ", "role": Role.COORDINATOR.value},
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/communities/{community.id}/roles"
    membership = active_membership(outsider, community)
    assert membership is not None
    assert membership.role == Role.COORDINATOR
    assert membership.roles == {"member", "coordinator"}
    assert db.session.get(Community, community.id).member_count == members_before + 1


def test_appointed_person_is_notified(client_as, community, people):
    outsider = people["outsider"]

    client_as("admin").post(
        f"/admin/communities/{community.id}/roles",
        data={"email": outsider.email, "role": Role.COORDINATOR.value, "is_expert": "y"},
    )

    db.session.rollback()
    notifications = list(
        db.session.scalars(select(Notification).where(Notification.user_id == outsider.id))
    )
    assert len(notifications) == 1
    assert notifications[0].kind == "admission"
    assert community.name in notifications[0].text
    assert "координатор" in notifications[0].text
    assert "эксперт" in notifications[0].text
    assert notifications[0].url == f"/c/{community.slug}/"
    assert notifications[0].is_unread


def test_appointing_a_second_chair_demotes_the_first(client_as, community, people):
    first, second = people["chair"], people["member"]

    response = client_as("admin").post(
        f"/admin/communities/{community.id}/roles",
        data={"email": second.email, "role": Role.CHAIR.value},
    )

    assert response.status_code == 303
    old = active_membership(first, community)
    new = active_membership(second, community)
    assert (old.role, old.is_council) == (Role.MEMBER, True)
    assert (new.role, new.is_council) == (Role.CHAIR, True)
    chairs = committed(
        select(func.count(Membership.id)).where(
            Membership.community_id == community.id,
            Membership.left_at.is_(None),
            Membership.role == Role.CHAIR,
        )
    )
    assert chairs == 1


def test_appointing_a_chair_leaves_other_communities_alone(client_as, community, people):
    other = people["other_community"]
    other_chair = factories.make_user()
    factories.make_membership(other_chair, other, Role.CHAIR)

    client_as("admin").post(
        f"/admin/communities/{community.id}/roles",
        data={"email": people["member"].email, "role": Role.CHAIR.value},
    )

    assert active_membership(other_chair, other).role == Role.CHAIR


def test_appointing_an_unknown_email_is_refused(client_as, community):
    before = committed(select(func.count(Membership.id)))

    response = client_as("admin").post(
        f"/admin/communities/{community.id}/roles",
        data={"email": "nobody@school.ru", "role": Role.COORDINATOR.value},
    )

    assert response.status_code == 422
    assert "не зарегистрирован" in field_error(response, "email")
    assert committed(select(func.count(Membership.id))) == before


def test_appointing_with_an_invalid_email_is_refused(client_as, community):
    response = client_as("admin").post(
        f"/admin/communities/{community.id}/roles",
        data={"email": "не-адрес", "role": Role.COORDINATOR.value},
    )

    assert response.status_code == 422
    assert "Введите адрес электронной почты" in field_error(response, "email")


def test_appointing_an_unknown_role_is_refused(client_as, community, people):
    outsider = people["outsider"]

    response = client_as("admin").post(
        f"/admin/communities/{community.id}/roles",
        data={"email": outsider.email, "role": "president"},
    )

    assert response.status_code == 422
    assert "Выберите значение из списка" in field_error(response, "role")
    assert active_membership(outsider, community) is None


def test_roles_page_lists_office_holders(client_as, community, people):
    response = client_as("admin").get(f"/admin/communities/{community.id}/roles")

    body = text(response)
    assert response.status_code == 200
    for role in ("coordinator", "chair", "council", "expert"):
        assert people[role].full_name in body
    assert people["member"].full_name not in body
    assert "Председатель" in body
