"""The methodological bank's actions. Each takes the actor, checks the rules, raises
DomainError in Russian, flushes and returns; the view commits once. Files go through
app.uploads (all or nothing, no orphan files), text through app.sanitize, search through
app.search, complaints and removals through app.moderation."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from urllib.parse import urlsplit

from flask import url_for
from sqlalchemy import Select, select, update
from sqlalchemy.orm import lazyload
from werkzeug.datastructures import FileStorage

from app import search
from app.auth.models import User
from app.communities.models import Community, Membership, Role
from app.communities.services import ensure_can_write
from app.errors import DomainError
from app.extensions import db
from app.materials.models import (
    EducationLevel,
    Material,
    MaterialAuthor,
    MaterialFile,
    MaterialFileVersion,
    MaterialStatus,
    MaterialTopic,
    MaterialType,
)
from app.mixins import utcnow
from app.moderation import services as moderation
from app.notifications.services import notify, notify_many
from app.permissions import has_role, is_admin
from app.sanitize import markdown_to_text, render_markdown
from app.uploads import save_uploads, stored_path

log = logging.getLogger(__name__)

TITLE_MAX = 300
DESCRIPTION_MAX = 20_000
TOPICS_MAX = 10
TOPIC_MAX = 60
FILE_TEXT_MAX = 100_000


def is_bank_manager(user: User, community: Community) -> bool:
    return is_admin(user) or has_role(user, community, Role.COORDINATOR)


# --- checks ----------------------------------------------------------------------------


def parse_topics(text: str) -> list[tuple[str, str]]:
    """«ФГОС; функциональная грамотность, ФГОС» → unique (tag, label) pairs."""
    seen: dict[str, str] = {}
    for raw in (text or "").replace(";", ",").split(","):
        label = " ".join(raw.split())
        if not label:
            continue
        if len(label) > TOPIC_MAX:
            raise DomainError(f"Тема «{label[:30]}…» длиннее {TOPIC_MAX} символов.",
                              field="topics")
        seen.setdefault(label.casefold(), label)
    if len(seen) > TOPICS_MAX:
        raise DomainError(f"Не больше {TOPICS_MAX} тем.", field="topics")
    return list(seen.items())


def check_link(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
        raise DomainError("Ссылка должна быть полным адресом, например https://school.ru/урок.",
                          field="link_url")
    if len(url) > 1000:
        raise DomainError("Ссылка длиннее 1000 символов.", field="link_url")
    return url


def _check_fields(title: str, description: str, type_: str, level: str) -> tuple[str, str]:
    title = " ".join((title or "").split())
    if not title:
        raise DomainError("Укажите название материала.", field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(f"Название длиннее {TITLE_MAX} символов.", field="title")
    description = (description or "").replace("\r\n", "\n").strip()
    if len(description) > DESCRIPTION_MAX:
        raise DomainError(f"Описание длиннее {DESCRIPTION_MAX} символов.", field="description")
    if type_ not in set(MaterialType):
        raise DomainError("Выберите вид материала из списка.", field="type")
    if level not in set(EducationLevel):
        raise DomainError("Выберите уровень образования из списка.", field="level")
    return title, description


def _coauthors(community: Community, ids: Sequence[int], author: User,
               kept: Sequence[int] = ()) -> list[int]:
    """Co-authors are members; one who has left since stays a co-author (`kept`)."""
    ids = [i for i in dict.fromkeys(ids) if i != author.id]
    if not ids:
        return []
    members = set(db.session.scalars(
        select(Membership.user_id).where(
            Membership.community_id == community.id, Membership.left_at.is_(None),
            Membership.user_id.in_(ids),
        )
    ))
    if set(ids) - members - set(kept):
        raise DomainError("Соавторами могут быть только участники сообщества.",
                          field="coauthor_ids")
    return ids


# --- search ----------------------------------------------------------------------------


def _file_text(version: MaterialFileVersion) -> str:
    try:
        from app.textextract import extract_text

        return extract_text(stored_path(version.stored), version.stored.content_type,
                            limit=FILE_TEXT_MAX)
    except Exception:  # noqa: BLE001 - a file that cannot be read is still a file
        log.warning("could not extract text of stored file %s", version.stored_file_id)
        return ""


def reindex(material: Material, file_texts: dict[int, str] | None = None) -> None:
    """Title, description, topics, authors and the text inside the current files."""
    if material.hidden_at is not None:
        search.remove_document("material", material.id)
        return
    db.session.flush()
    db.session.refresh(material)
    names = [material.author.full_name] if material.author else []
    names += [c.user.full_name for c in material.coauthors]
    texts = []
    for f in material.files:
        version = f.current
        text = (file_texts or {}).get(version.id)
        texts.append(text if text is not None else _file_text(version))
    body = " \n".join([
        markdown_to_text(material.description), material.topics_text, " ".join(names), *texts,
    ])
    search.index_document("material", material.id, material.community_id, material.title, body)


# --- writing ---------------------------------------------------------------------------


def _add_files(material: Material, actor: User, files: Sequence[FileStorage]) -> None:
    for stored in save_uploads(list(files), actor):
        mfile = MaterialFile(material_id=material.id, current_version=1)
        db.session.add(mfile)
        db.session.flush()
        db.session.add(MaterialFileVersion(
            file_id=mfile.id, number=1, stored_file_id=stored.id, uploaded_by_id=actor.id,
        ))


def _set_topics(material: Material, topics: list[tuple[str, str]]) -> None:
    db.session.execute(MaterialTopic.__table__.delete().where(
        MaterialTopic.material_id == material.id))
    for tag, label in topics:
        db.session.add(MaterialTopic(material_id=material.id, tag=tag, label=label))
    material.topics_text = "; ".join(label for _, label in topics)


def _set_coauthors(material: Material, ids: list[int]) -> None:
    """Through the session, not a bulk DELETE: a co-author kept on saving keeps the row the
    session already holds (a new row with the same key would conflict with it)."""
    have = {c.user_id: c for c in material.coauthors}
    for uid, row in have.items():
        if uid not in ids:
            db.session.delete(row)
    for uid in ids:
        if uid not in have:
            db.session.add(MaterialAuthor(material_id=material.id, user_id=uid))


def create_material(
    community: Community, actor: User, *, title: str, description: str, type: str,
    level: str, link_url: str = "", topics: str = "", coauthor_ids: Sequence[int] = (),
    files: Sequence[FileStorage] = (), on_behalf_of: User | None = None,
) -> Material:
    """A member adds a material; the coordinator may place one on a member's behalf."""
    ensure_can_write(actor, community)
    author = actor
    if on_behalf_of is not None and on_behalf_of.id != actor.id:
        if not is_bank_manager(actor, community):
            raise DomainError("Размещать материалы от имени участника может координатор.")
        if db.session.scalar(Membership.active().where(
                Membership.user_id == on_behalf_of.id,
                Membership.community_id == community.id)) is None:
            raise DomainError("Автор должен быть участником сообщества.", field="on_behalf_of")
        author = on_behalf_of
    title, description = _check_fields(title, description, type, level)
    link_url = check_link(link_url)
    topic_pairs = parse_topics(topics)
    coauthors = _coauthors(community, coauthor_ids, author)
    real_files = [f for f in files if f and f.filename]
    if not real_files and not link_url:
        raise DomainError("Приложите хотя бы один файл или укажите ссылку.", field="files")
    screening = moderation.screen(community, actor, title, description)
    needs_approval = community.materials_need_approval and not is_bank_manager(actor, community)
    now = utcnow()
    material = Material(
        community_id=community.id, author_id=author.id,
        placed_by_id=actor.id if author.id != actor.id else None,
        title=title, description=description, description_html=render_markdown(description),
        type=type, level=level, link_url=link_url,
        status=MaterialStatus.PENDING if needs_approval else MaterialStatus.PUBLISHED,
        published_at=None if needs_approval else now, updated_at=now,
    )
    db.session.add(material)
    db.session.flush()
    _set_topics(material, topic_pairs)
    _set_coauthors(material, coauthors)
    _add_files(material, actor, real_files)
    moderation.apply_screening(material, screening)
    reindex(material)
    url = url_for("materials.material", material_id=material.id, community_slug=community.slug)
    if needs_approval:
        managers = db.session.scalars(select(Membership.user_id).where(
            Membership.community_id == community.id, Membership.left_at.is_(None),
            Membership.role == Role.COORDINATOR)).all()
        notify_many(list(managers), "moderation",
                    f"Новый материал ждёт публикации: «{title}».", url)
    if author.id != actor.id:
        notify(author, "moderation",
               f"Координатор разместил материал «{title}» от вашего имени.", url)
    return material


def can_edit(user: User, material: Material, community: Community) -> bool:
    return material.author_id == user.id or is_bank_manager(user, community)


def update_material(
    material: Material, actor: User, *, title: str, description: str, type: str, level: str,
    link_url: str = "", topics: str = "", coauthor_ids: Sequence[int] = (),
    files: Sequence[FileStorage] = (),
) -> Material:
    community = db.session.get(Community, material.community_id)
    if not can_edit(actor, material, community):
        raise DomainError("Изменять материал может его автор или координатор.")
    ensure_can_write(actor, community)
    if material.hidden_at is not None:
        raise DomainError("Материал удалён координатором; изменить его нельзя.")
    title, description = _check_fields(title, description, type, level)
    link_url = check_link(link_url)
    topic_pairs = parse_topics(topics)
    author = db.session.get(User, material.author_id) if material.author_id else actor
    coauthors = _coauthors(community, coauthor_ids, author,
                           kept=[c.user_id for c in material.coauthors])
    real_files = [f for f in files if f and f.filename]
    if not real_files and not link_url and not material.files:
        raise DomainError("Приложите хотя бы один файл или укажите ссылку.", field="files")
    screening = moderation.screen(community, actor, title, description)
    material.title, material.description = title, description
    material.description_html = render_markdown(description)
    material.type, material.level, material.link_url = type, level, link_url
    material.updated_at = utcnow()
    _set_topics(material, topic_pairs)
    _set_coauthors(material, coauthors)
    _add_files(material, actor, real_files)
    if material.held_at is None:
        moderation.apply_screening(material, screening)
    reindex(material)
    return material


def upload_version(mfile: MaterialFile, actor: User, file: FileStorage) -> MaterialFileVersion:
    """A new version of a file; earlier versions stay listed and downloadable."""
    material = mfile.material
    community = db.session.get(Community, material.community_id)
    if not can_edit(actor, material, community):
        raise DomainError("Новую версию загружает автор материала или координатор.")
    ensure_can_write(actor, community)
    if material.hidden_at is not None:
        raise DomainError("Материал удалён координатором; изменить его нельзя.")
    if not file or not file.filename:
        raise DomainError("Выберите файл новой версии.", field="file")
    stored = save_uploads([file], actor)[0]
    number = db.session.execute(
        update(MaterialFile).where(MaterialFile.id == mfile.id)
        .values(current_version=MaterialFile.current_version + 1)
        .returning(MaterialFile.current_version)
    ).scalar_one()
    version = MaterialFileVersion(file_id=mfile.id, number=number, stored_file_id=stored.id,
                                  uploaded_by_id=actor.id)
    db.session.add(version)
    material.updated_at = utcnow()
    db.session.flush()
    db.session.expire(mfile, ["versions"])
    reindex(material)
    return version


def publish(material: Material, actor: User) -> Material:
    community = db.session.get(Community, material.community_id)
    if not is_bank_manager(actor, community):
        raise DomainError("Публикует материалы координатор.")
    if material.is_published:
        return material
    material.status = MaterialStatus.PUBLISHED
    material.published_at = utcnow()
    if material.author_id:
        notify(db.session.get(User, material.author_id), "moderation",
               f"Ваш материал «{material.title}» опубликован в методическом банке.",
               url_for("materials.material", material_id=material.id,
                       community_slug=community.slug))
    db.session.flush()
    return material


def set_best_practice(material: Material, actor: User, best: bool) -> Material:
    community = db.session.get(Community, material.community_id)
    if not is_bank_manager(actor, community):
        raise DomainError("Отмечает лучшие практики координатор.")
    if not material.is_published or material.hidden_at is not None:
        raise DomainError("Лучшей практикой можно отметить только опубликованный материал.")
    if material.is_best_practice != best:
        material.is_best_practice = best
        if best and material.author_id:
            notify(db.session.get(User, material.author_id), "moderation",
                   f"Ваш материал «{material.title}» отмечен как лучшая практика.",
                   url_for("materials.material", material_id=material.id,
                           community_slug=community.slug))
    db.session.flush()
    return material


def count_download(material: Material) -> None:
    db.session.execute(update(Material).where(Material.id == material.id)
                       .values(download_count=Material.download_count + 1))


# --- reading ---------------------------------------------------------------------------


def visible(query: Select, viewer: User, managers_of: set[int]) -> Select:
    """Published, not removed, not held — or the viewer's own, or any for the coordinators."""
    own = (Material.author_id == viewer.id) | Material.id.in_(
        select(MaterialAuthor.material_id).where(MaterialAuthor.user_id == viewer.id)
    )
    public = (Material.status == MaterialStatus.PUBLISHED) & Material.hidden_at.is_(None) & \
        Material.held_at.is_(None)
    if managers_of:
        return query.where(public | own | Material.community_id.in_(managers_of))
    return query.where(public | own)


def best_practices(community: Community, limit: int = 5) -> list[Material]:
    """The newest best practices, for links (title and type): their files, authors and
    topics are not loaded unless asked for."""
    return list(db.session.scalars(
        select(Material).options(lazyload("*")).where(
            Material.community_id == community.id, Material.is_best_practice,
            Material.status == MaterialStatus.PUBLISHED, Material.hidden_at.is_(None),
            Material.held_at.is_(None),
        ).order_by(Material.created_at.desc()).limit(limit)
    ))
