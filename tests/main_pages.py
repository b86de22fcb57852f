"""The main pages of the app, per role: checked by axe-core in the browser tests and by the
Nu HTML Checker. Each feature issue adds its pages here."""

from __future__ import annotations

from app.extensions import db
from tests.factories import make_join_request, make_user


def main_pages(community, people) -> list[tuple[str, str]]:
    """(role, path) pairs; `role` is a key of the `people` fixture or "anonymous"."""
    applicant = make_user(full_name="Заявителева Полина")
    make_join_request(applicant, community, message="Прошу принять")
    slug = community.slug
    member = people["member"]
    db.session.commit()
    return [
        ("anonymous", "/"),
        ("anonymous", f"/c/{slug}/"),
        ("anonymous", f"/c/{slug}/charter"),
        ("anonymous", "/auth/login"),
        ("anonymous", "/auth/register"),
        ("anonymous", "/no-such-page"),
        ("outsider", "/"),
        ("outsider", f"/c/{slug}/"),
        ("outsider", f"/c/{slug}/join"),
        ("member", f"/c/{slug}/"),
        ("member", f"/c/{slug}/members"),
        ("member", f"/c/{slug}/forum/"),
        ("member", f"/c/{slug}/materials/"),
        ("member", f"/c/{slug}/events/"),
        ("member", f"/c/{slug}/leave"),
        ("member", f"/users/{member.id}"),
        ("member", "/profile/edit"),
        ("member", "/profile/password"),
        ("member", "/notifications/"),
        ("coordinator", f"/c/{slug}/admissions"),
        ("coordinator", f"/c/{slug}/moderation/"),
        ("admin", "/admin/"),
        ("admin", "/admin/communities/new"),
        ("admin", f"/admin/communities/{community.id}/edit"),
        ("admin", f"/admin/communities/{community.id}/roles"),
    ]
