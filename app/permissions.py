"""Who may do what. Roles are per community (Membership), except the site administrator.

Views call `require(can_x(...))`; templates call the same predicates, registered as Jinja
globals with `@predicate`. Each feature's `can_*` predicates live in its own package and build
on the helpers here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Flask, abort, g
from sqlalchemy import and_, select

from app.extensions import db

if TYPE_CHECKING:
    from app.communities.models import Community, Membership

_predicates: dict[str, Callable[..., bool]] = {}


def predicate(fn: Callable[..., bool]) -> Callable[..., bool]:
    """Register a can_* function as a Jinja global too."""
    _predicates[fn.__name__] = fn
    return fn


def require(ok: bool) -> None:
    if not ok:
        abort(403)


def is_authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_admin(user: Any) -> bool:
    return is_authenticated(user) and bool(user.is_admin)


def memberships_of(user: Any) -> dict[int, Membership]:
    """The user's active memberships by community id, loaded once per request (for the
    logged-in user, together with the user: `load_user_with_memberships`)."""
    from app.communities.models import Community, Membership

    if not is_authenticated(user):
        return {}
    cache = g.setdefault("_memberships", {})
    if user.id not in cache:
        rows = db.session.scalars(
            select(Membership)
            .join(Community)
            .where(Membership.user_id == user.id, Membership.left_at.is_(None))
            .order_by(Community.name)
        ).all()
        cache[user.id] = {m.community_id: m for m in rows}
    return cache[user.id]


def load_user_with_memberships(user_id: int) -> Any:
    """The user and their active memberships in one query, the memberships kept for the
    request as `memberships_of` keeps them: every page asks for both (issue 10)."""
    from app.auth.models import User
    from app.communities.models import Community, Membership

    rows = db.session.execute(
        select(User, Membership)
        .outerjoin(Membership, and_(Membership.user_id == User.id, Membership.left_at.is_(None)))
        .outerjoin(Community, Community.id == Membership.community_id)
        .where(User.id == user_id)
        .order_by(Community.name)
    ).all()
    if not rows:
        return None
    user = rows[0][0]
    g.setdefault("_memberships", {})[user.id] = {
        m.community_id: m for _, m in rows if m is not None
    }
    return user


def forget_memberships() -> None:
    """Drop the per-request cache after a service changed memberships."""
    g.pop("_memberships", None)


def membership_in(user: Any, community: Community) -> Membership | None:
    return memberships_of(user).get(community.id)


def roles_in(user: Any, community: Community) -> frozenset[str]:
    membership = membership_in(user, community)
    return membership.roles if membership else frozenset()


def has_role(user: Any, community: Community, *roles: str) -> bool:
    return bool(roles_in(user, community).intersection(roles))


@predicate
def is_member(user: Any, community: Community) -> bool:
    return membership_in(user, community) is not None


@predicate
def is_coordinator(user: Any, community: Community) -> bool:
    return has_role(user, community, "coordinator")


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(_predicates)
    app.jinja_env.globals["is_admin"] = is_admin
    app.jinja_env.globals["membership_in"] = membership_in
    from app.communities.permissions import write_refusal

    app.jinja_env.globals["write_refusal"] = write_refusal
