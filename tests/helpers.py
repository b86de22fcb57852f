"""Test helpers: htmx headers, a query counter."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import event
from werkzeug.routing import Rule

from app.auth.models import User
from app.communities.models import Community, JoinRequest
from app.extensions import db
from app.notifications.models import Notification

HX = {"HX-Request": "true"}


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries():
    """Count the SQL statements run inside the block (Indico's engine-event counter)."""
    counter = QueryCounter()

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "PRAGMA")):
            counter.statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def text(response) -> str:
    return response.get_data(as_text=True)


# --- every route of the app, with real values for its URL arguments --------------------


@cache
def app_rules() -> tuple[Rule, ...]:
    """The URL rules of a throwaway app (all but `static`), for parametrizing at collection
    time; the database is never touched. Tests look the same rule up in the session `app`."""
    from app import create_app
    from app.config import TestConfig

    tmp = Path(tempfile.mkdtemp(prefix="soobshchestvo-rules-"))

    class CollectConfig(TestConfig):
        INSTANCE_DIR = tmp
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        UPLOAD_FOLDER = str(tmp / "uploads")
        MAIL_OUTBOX = str(tmp / "outbox")

    rules = create_app(CollectConfig).url_map.iter_rules()
    return tuple(sorted((r for r in rules if r.endpoint != "static"),
                        key=lambda r: (r.endpoint, r.rule)))


def rule_of(app, endpoint: str, path: str) -> Rule:
    """The session app's rule for `endpoint` with the given path pattern."""
    for rule in app.url_map.iter_rules(endpoint):
        if rule.rule == path:
            return rule
    pytest.fail(f"{endpoint} ({path}) is no longer in app.url_map")


@dataclass
class UrlContext:
    """The objects whose ids fill URL arguments. Add a field (and a line in URL_ARGS) when a
    route takes a new argument."""

    community: Community
    join_request: JoinRequest  # pending, by an applicant, in `community`
    notification: Notification  # addressed to the requesting user
    user: User  # whose profile /users/<user_id> shows: the council member of `community`


URL_ARGS: dict[str, Callable[[UrlContext], object]] = {
    "community_slug": lambda ctx: ctx.community.slug,
    "community_id": lambda ctx: ctx.community.id,
    "request_id": lambda ctx: ctx.join_request.id,
    "notification_id": lambda ctx: ctx.notification.id,
    "user_id": lambda ctx: ctx.user.id,
}


def make_url_context(community: Community, people: dict, viewer: User | None) -> UrlContext:
    """Real objects for every URL argument, as seen by `viewer` (None: anonymous).
    `people` is the `people` fixture of `community`."""
    from app.notifications.services import notify
    from tests.factories import make_join_request, make_user

    applicant = make_user(full_name="Заявителева Ольга")
    join_request = make_join_request(applicant, community)
    notification = notify(viewer or people["member"], "admission", "Проверка доступа")
    db.session.commit()
    return UrlContext(community=community, join_request=join_request,
                      notification=notification, user=people["council"])


def url_args_for(rule: Rule, ctx: UrlContext) -> dict[str, object]:
    """Values for every argument of `rule`; a test fails if one is not in URL_ARGS."""
    unknown = sorted(set(rule.arguments) - URL_ARGS.keys())
    if unknown:
        pytest.fail(
            f"{rule.endpoint} ({rule.rule}) takes URL argument(s) {', '.join(unknown)} that "
            "tests/helpers.py does not know: add them to URL_ARGS (and UrlContext)",
            pytrace=False,
        )
    return {name: URL_ARGS[name](ctx) for name in rule.arguments}


def url_for_rule(rule: Rule, ctx: UrlContext) -> str:
    """The path of `rule` filled from `ctx` (no request context or url_defaults needed)."""
    built = rule.build(url_args_for(rule, ctx), append_unknown=False)
    assert built is not None, f"cannot build {rule.rule}"
    return built[1]
