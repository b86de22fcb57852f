"""Reports on any registered content (app.content)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app import content
from app.auth.models import User
from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.moderation.grounds import GROUNDS
from app.moderation.models import Report

COMMENT_MAX = 1000


def report(item: Any, community: Community, reporter: User, ground: str, comment: str) -> Report:
    """File a complaint. Reporting the same item twice changes nothing and is not an error."""
    if ground not in GROUNDS:
        raise DomainError("Выберите основание жалобы из списка.", field="ground")
    comment = (comment or "").strip()
    if ground == "other" and not comment:
        raise DomainError("Опишите, что не так: для основания «другое» нужен комментарий.",
                          field="comment")
    if len(comment) > COMMENT_MAX:
        raise DomainError(f"Комментарий длиннее {COMMENT_MAX} символов.", field="comment")
    kind = content.kind_of(item)
    if getattr(item, "author_id", None) == reporter.id:
        raise DomainError("Нельзя пожаловаться на собственное сообщение.")
    existing = db.session.scalar(
        select(Report).where(
            Report.kind == kind, Report.object_id == item.id, Report.reporter_id == reporter.id
        )
    )
    if existing is not None:
        return existing
    new = Report(
        community_id=community.id, kind=kind, object_id=item.id, reporter_id=reporter.id,
        ground=ground, comment=comment,
    )
    db.session.add(new)
    db.session.flush()
    return new


def open_reports(community: Community):
    return (
        select(Report)
        .where(Report.community_id == community.id, Report.status == "open")
        .order_by(Report.created_at.desc())
    )
