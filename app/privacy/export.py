"""The archive of everything the platform holds about one person: JSON files, the files they
uploaded, and a README in Russian (app/privacy/texts.py). Only reads; written into a file
object the caller owns (a temporary file), so a large bank does not sit in memory."""

from __future__ import annotations

import enum
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from flask import current_app, url_for
from sqlalchemy import or_, select

from app.auth.models import User
from app.extensions import db
from app.mixins import utcnow
from app.uploads import StoredFile, stored_path


@dataclass
class ExportSummary:
    files: int = 0
    records: int = 0
    missing: list[str] = field(default_factory=list)


def _value(value: Any) -> Any:
    if isinstance(value, datetime):  # naive UTC everywhere in the database
        return value.replace(microsecond=0).isoformat() + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _columns(obj: Any, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every column of a row, but the rendered HTML copies and whatever `exclude` names."""
    return {
        column.key: _value(getattr(obj, column.key))
        for column in obj.__table__.columns
        if column.key not in exclude and not column.key.endswith("_html")
    }


class _Archive:
    def __init__(self, out: IO[bytes]) -> None:
        self.zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED)
        self.summary = ExportSummary()
        self._names: set[str] = set()
        self._communities: dict[int, str] = {}

    def community(self, community_id: int | None) -> str | None:
        from app.communities.models import Community

        if community_id is None:
            return None
        if community_id not in self._communities:
            found = db.session.get(Community, community_id)
            self._communities[community_id] = found.name if found else ""
        return self._communities[community_id]

    def json(self, name: str, data: Any) -> None:
        self.summary.records += len(data) if isinstance(data, list) else 1
        text = json.dumps(data, ensure_ascii=False, indent=2, default=_value)
        self.zip.writestr(name, text + "\n")

    def file(self, stored: StoredFile, folder: str) -> str | None:
        """Copy a stored file in; its path in the archive, or None if it is gone from disk."""
        name = f"{folder}/{stored.original_name or stored.storage_name}"
        stem, dot, ext = name.rpartition(".")
        n = 2
        while name.casefold() in self._names:
            name = f"{stem} ({n}).{ext}" if dot else f"{name} ({n})"
            n += 1
        path = stored_path(stored)
        if not path.is_file():
            self.summary.missing.append(name)
            return None
        self._names.add(name.casefold())
        self.zip.write(path, name)
        self.summary.files += 1
        return name

    def close(self) -> None:
        self.zip.close()


def build_archive(user: User, out: IO[bytes]) -> ExportSummary:
    """Write the person's archive to `out`. Needs a request context (the README's link)."""
    archive = _Archive(out)
    try:
        _profile(archive, user)
        _communities(archive, user)
        _forum(archive, user)
        _chat(archive, user)
        _materials(archive, user)
        _events(archive, user)
        _notifications(archive, user)
        _moderation(archive, user)
        _governance(archive, user)
        _readme(archive, user)
    finally:
        archive.close()
    return archive.summary


def _profile(archive: _Archive, user: User) -> None:
    archive.json("profile.json", _columns(user, exclude=("password_hash",)))


def _communities(archive: _Archive, user: User) -> None:
    from app.communities.models import Consent, ConsentDocument, JoinRequest, Membership

    archive.json("memberships.json", [
        {"community": archive.community(m.community_id),
         **_columns(m, exclude=("user_id",))}
        for m in db.session.scalars(select(Membership).where(Membership.user_id == user.id)
                                    .order_by(Membership.joined_at, Membership.id))
    ])
    consents = db.session.execute(
        select(Consent, ConsentDocument)
        .join(ConsentDocument, ConsentDocument.id == Consent.document_id)
        .where(Consent.user_id == user.id).order_by(Consent.given_at, Consent.id)
    ).all()
    archive.json("consents.json", [
        {"id": consent.id, "kind": document.kind, "version": document.version,
         "community": archive.community(document.community_id), "text": document.text,
         "given_at": _value(consent.given_at), "withdrawn_at": _value(consent.withdrawn_at)}
        for consent, document in consents
    ])
    archive.json("join_requests.json", [
        {"community": archive.community(r.community_id),
         **_columns(r, exclude=("user_id", "decided_by_id"))}
        for r in db.session.scalars(select(JoinRequest).where(JoinRequest.user_id == user.id)
                                    .order_by(JoinRequest.created_at, JoinRequest.id))
    ])


def _forum(archive: _Archive, user: User) -> None:
    from app.forum.models import Post, Topic

    archive.json("forum_topics.json", [
        {"community": archive.community(t.community_id),
         **_columns(t, exclude=("author_id", "last_author_id", "last_post_id"))}
        for t in db.session.scalars(select(Topic).where(Topic.author_id == user.id)
                                    .order_by(Topic.created_at, Topic.id))
    ])
    posts = db.session.execute(
        select(Post, Topic.title).join(Topic, Topic.id == Post.topic_id)
        .where(Post.author_id == user.id).order_by(Post.created_at, Post.id)
    ).all()
    rows = []
    for post, topic_title in posts:
        attachments = [
            {"name": a.file.original_name, "size": a.file.size,
             "file": archive.file(a.file, f"files/forum/{post.id}")}
            for a in post.attachments
        ]
        rows.append({"community": archive.community(post.community_id),
                     "topic": topic_title, **_columns(post, exclude=("author_id",)),
                     "attachments": attachments})
    archive.json("forum_posts.json", rows)


def _chat(archive: _Archive, user: User) -> None:
    from app.chat.models import ChatMessage

    archive.json("chat_messages.json", [
        {"community": archive.community(m.community_id), **_columns(m, exclude=("author_id",))}
        for m in db.session.scalars(select(ChatMessage).where(ChatMessage.author_id == user.id)
                                    .order_by(ChatMessage.id))
    ])


def _materials(archive: _Archive, user: User) -> None:
    from app.materials.models import Material, MaterialAuthor

    coauthored = select(MaterialAuthor.material_id).where(MaterialAuthor.user_id == user.id)
    materials = db.session.scalars(
        select(Material).where(or_(Material.author_id == user.id,
                                   Material.id.in_(coauthored)))
        .order_by(Material.created_at, Material.id)
    )
    rows = []
    for material in materials:
        files = []
        for mfile in material.files:
            for version in sorted(mfile.versions, key=lambda v: v.number):
                stored = version.stored
                files.append({
                    "name": stored.original_name, "version": version.number,
                    "current": version.number == mfile.current_version,
                    "size": stored.size, "uploaded_at": _value(version.created_at),
                    "file": archive.file(
                        stored, f"files/materials/{material.id}/{mfile.id}-v{version.number}"),
                })
        rows.append({
            "community": archive.community(material.community_id),
            "role": "author" if material.author_id == user.id else "coauthor",
            **_columns(material, exclude=("author_id", "placed_by_id")),
            "topics": [t.label for t in material.topics],
            "files": files,
        })
    archive.json("materials.json", rows)


def _events(archive: _Archive, user: User) -> None:
    from app.events.models import Certificate, ContestEntry, Event, Registration

    registrations = db.session.execute(
        select(Registration, Event).join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == user.id).order_by(Event.starts_at, Registration.id)
    ).all()
    archive.json("event_registrations.json", [
        {"community": archive.community(event.community_id), "event": event.title,
         "event_starts_at": _value(event.starts_at), "event_ends_at": _value(event.ends_at),
         **_columns(r, exclude=("user_id", "added_by_id")),
         "added_by_organiser": r.added_by_id is not None and r.added_by_id != user.id}
        for r, event in registrations
    ])
    entries = db.session.execute(
        select(ContestEntry, Event).join(Event, Event.id == ContestEntry.event_id)
        .where(ContestEntry.author_id == user.id).order_by(ContestEntry.created_at)
    ).all()
    rows = []
    for entry, contest in entries:
        files = [
            {"name": f.stored.original_name, "size": f.stored.size,
             "file": archive.file(f.stored, f"files/contests/{entry.id}")}
            for f in entry.files
        ]
        rows.append({"community": archive.community(contest.community_id),
                     "contest": contest.title,
                     **_columns(entry, exclude=("author_id",)), "files": files})
    archive.json("contest_entries.json", rows)
    archive.json("certificates.json", [
        _columns(c, exclude=("user_id",))
        for c in db.session.scalars(select(Certificate).where(Certificate.user_id == user.id)
                                    .order_by(Certificate.issued_at))
    ])


def _notifications(archive: _Archive, user: User) -> None:
    from app.notifications.models import Notification, NotificationPreference

    archive.json("notifications.json", [
        _columns(n, exclude=("user_id", "digest_id"))
        for n in db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                    .order_by(Notification.id))
    ])
    archive.json("notification_preferences.json", [
        _columns(p, exclude=("user_id",))
        for p in db.session.scalars(select(NotificationPreference).where(
            NotificationPreference.user_id == user.id).order_by(NotificationPreference.kind))
    ])


def _moderation(archive: _Archive, user: User) -> None:
    from app.moderation.models import Report

    archive.json("complaints.json", [
        {"community": archive.community(r.community_id), **_columns(r, exclude=("reporter_id",))}
        for r in db.session.scalars(select(Report).where(Report.reporter_id == user.id)
                                    .order_by(Report.created_at, Report.id))
    ])


def _governance(archive: _Archive, user: User) -> None:
    from app.events.models import Event
    from app.governance.consultations.models import Consultation, ConsultationMessage
    from app.governance.groups.models import WorkingGroup, WorkingGroupMember
    from app.governance.meetings.models import Minutes, MinutesAttendee
    from app.governance.mentoring.models import MentoringPair

    asked = list(db.session.scalars(select(Consultation).where(Consultation.asker_id == user.id)
                                    .order_by(Consultation.created_at)))
    mine = db.session.scalars(
        select(ConsultationMessage).where(ConsultationMessage.author_id == user.id)
        .order_by(ConsultationMessage.id)
    ).all()
    archive.json("consultations.json", [
        {"community": archive.community(c.community_id),
         **_columns(c, exclude=("asker_id", "consultant_id", "assigned_by_id", "closed_by_id")),
         "my_messages": [_columns(m, exclude=("author_id",))
                         for m in mine if m.consultation_id == c.id]}
        for c in asked
    ] + [
        # Messages written as a consultant, in consultations asked by someone else.
        {"consultation_id": m.consultation_id, "as_consultant": True,
         **_columns(m, exclude=("author_id",))}
        for m in mine if m.consultation_id not in {c.id for c in asked}
    ])
    archive.json("mentoring.json", [
        {"community": archive.community(p.community_id),
         "role": "mentor" if p.mentor_id == user.id else "mentee",
         **_columns(p, exclude=("mentor_id", "mentee_id", "created_by_id", "ended_by_id"))}
        for p in db.session.scalars(select(MentoringPair).where(
            or_(MentoringPair.mentor_id == user.id, MentoringPair.mentee_id == user.id))
            .order_by(MentoringPair.starts_on))
    ])
    groups = db.session.execute(
        select(WorkingGroupMember, WorkingGroup)
        .join(WorkingGroup, WorkingGroup.id == WorkingGroupMember.group_id)
        .where(WorkingGroupMember.user_id == user.id).order_by(WorkingGroup.created_at)
    ).all()
    archive.json("working_groups.json", [
        {"community": archive.community(group.community_id), "group": group.name,
         "goal": group.goal, "end_date": _value(group.end_date),
         "closed_at": _value(group.closed_at), "is_leader": member.is_leader,
         "added_at": _value(member.created_at)}
        for member, group in groups
    ])
    meetings = db.session.execute(
        select(Minutes, Event.title).join(MinutesAttendee, MinutesAttendee.minutes_id == Minutes.id)
        .join(Event, Event.id == Minutes.event_id)
        .where(MinutesAttendee.user_id == user.id).order_by(Minutes.held_on)
    ).all()
    archive.json("meetings.json", [
        {"community": archive.community(minutes.community_id), "meeting": title,
         "held_on": _value(minutes.held_on), "minutes_number": minutes.number,
         "minutes_status": minutes.status}
        for minutes, title in meetings
    ])


def _readme(archive: _Archive, user: User) -> None:
    from app.privacy.texts import EXPORT_README

    missing = ""
    if archive.summary.missing:
        missing = ("\nНе найдены в хранилище (сообщите администратору площадки):\n"
                   + "\n".join(f"  {name}" for name in archive.summary.missing) + "\n")
    archive.zip.writestr("README.txt", EXPORT_README.format(
        site=current_app.config.get("SITE_NAME", "Сообщество"), user_id=user.id,
        created=_value(utcnow()).replace("T", " ").removesuffix("Z"), missing=missing,
        policy_url=url_for("privacy.policy", _external=True),
    ))
