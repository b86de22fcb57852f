"""Plain factories with unique defaults. Each adds and commits."""

from __future__ import annotations

import itertools

from flask import current_app

from app.auth.models import User
from app.communities import services
from app.communities.models import Community, ConsentKind, JoinPolicy, Membership, Role
from app.extensions import db

PASSWORD = "correct-horse-42"
_seq = itertools.count(1)


def make_user(**kw) -> User:
    n = next(_seq)
    password = kw.pop("password", PASSWORD)
    user = User(
        email=kw.pop("email", f"user{n}@school.ru").lower(),
        full_name=kw.pop("full_name", f"Иванова Мария {n}"),
        position=kw.pop("position", "Учитель"),
        organisation=kw.pop("organisation", f"Школа № {n}"),
        municipality=kw.pop("municipality", "Тула"),
        **kw,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def make_admin(**kw) -> User:
    return make_user(is_admin=True, **kw)


def make_community(**kw) -> Community:
    n = next(_seq)
    admin = kw.pop("admin", None) or make_admin()
    fields = {
        "slug": f"community-{n}",
        "name": f"Сообщество руководителей № {n}",
        "description": "Профессиональное сообщество",
        "charter": f"Положение о сообществе № {n}.\n\n1. Общие положения.",
        "join_policy": JoinPolicy.MODERATED,
        **kw,
    }
    with current_app.test_request_context("/"):
        community = services.create_community(admin, **fields)
        db.session.commit()
    return community


def make_membership(user: User, community: Community, role: str = Role.MEMBER,
                    **flags) -> Membership:
    admin = db.session.scalar(db.select(User).where(User.is_admin)) or make_admin()
    with current_app.test_request_context("/"):
        membership = services.appoint(
            community, user, admin, role=role,
            is_council=flags.get("is_council", False), is_expert=flags.get("is_expert", False),
        )
        db.session.commit()
    return membership


def make_join_request(user: User, community: Community, message: str = "Прошу принять"):
    with current_app.test_request_context("/"):
        charter = services.current_document(ConsentKind.CHARTER, community)
        pd = services.current_document(ConsentKind.PERSONAL_DATA)
        join_request = services.request_to_join(
            community, user, message=message, charter_version=charter.version,
            pd_version=pd.version, charter_consent=True, pd_consent=True,
        )
        db.session.commit()
    return join_request


def make_people(community: Community) -> dict[str, User]:
    """member, coordinator, chair, council, expert of `community`; an outsider (registered,
    in no community); a coordinator of another community; an administrator."""
    people = {
        "member": make_user(full_name="Участникова Анна"),
        "coordinator": make_user(full_name="Координаторова Ирина"),
        "chair": make_user(full_name="Председателев Андрей"),
        "council": make_user(full_name="Советова Наталья"),
        "expert": make_user(full_name="Экспертова Оксана"),
        "outsider": make_user(full_name="Посторонний Пётр"),
        "other_coordinator": make_user(full_name="Чужой Координатор"),
        "admin": make_admin(full_name="Администратор Площадки"),
    }
    make_membership(people["member"], community)
    make_membership(people["coordinator"], community, Role.COORDINATOR)
    make_membership(people["chair"], community, Role.CHAIR)
    make_membership(people["council"], community, is_council=True)
    make_membership(people["expert"], community, is_expert=True)
    other = make_community(admin=people["admin"])
    make_membership(people["other_coordinator"], other, Role.COORDINATOR)
    people["other_community"] = other  # type: ignore[assignment]
    return people
