"""Every state-changing route refuses a request without the CSRF token, page or htmx.

The routes come from the URL map, so a route added later is checked too; a new URL argument
makes the test fail until tests/helpers.py (URL_ARGS) knows how to fill it.
"""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.helpers import HX, app_rules, make_url_context, rule_of, text, url_for_rule

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")

CASES = [
    (rule.endpoint, rule.rule, method)
    for rule in app_rules()
    for method in UNSAFE
    if method in rule.methods
]


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def snapshot() -> dict[str, list]:
    """Every row of every table, as committed."""
    with db.engine.connect() as conn:
        return {
            table.name: sorted(conn.execute(table.select()).all(), key=repr)
            for table in db.metadata.sorted_tables
        }


def test_the_routes_were_collected():
    assert ("auth.logout", "/auth/logout", "POST") in CASES


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize(
    ("endpoint", "path", "method"), CASES, ids=[f"{e}-{m}" for e, _, m in CASES]
)
def test_request_without_token_is_refused(csrf_app, community, people, endpoint, path,
                                          method, htmx):
    admin = people["admin"]  # may do everything: a refusal can only come from CSRF
    url = url_for_rule(rule_of(csrf_app, endpoint, path), make_url_context(community, people,
                                                                           admin))
    before = snapshot()
    client = csrf_app.test_client(user=admin)

    response = client.open(url, method=method, data={}, headers=HX if htmx else {})

    assert response.status_code == 400, f"{method} {url}: {response.status_code}"
    body = text(response)
    assert "Срок действия формы истёк" in body
    assert ("<html" in body) is not htmx  # htmx gets the message partial, a page gets a page
    assert snapshot() == before, f"{method} {url} changed the database without a token"
    with client.session_transaction() as session:
        assert session.get("_user_id") == str(admin.id), "the session was changed"
