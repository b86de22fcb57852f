"""Moderation on any registered content (app.content), through one service.

Every action checks the moderator's right, changes the state, writes the moderation log and
tells the author, in the caller's transaction (the view commits once). Nothing is deleted:
a removal hides the item (HideableMixin) and a restore shows it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import g, url_for
from sqlalchemy import func, select, update

from app import content
from app.auth.models import User
from app.communities.models import Community, Membership, Role
from app.errors import DomainError
from app.extensions import db
from app.mixins import utcnow
from app.moderation.grounds import GROUNDS
from app.moderation.models import (
    CaseReason,
    CommunityGround,
    ModerationCase,
    ModerationLog,
    Report,
    WatchedWordEntry,
)
from app.notifications.services import notify, notify_many
from app.permissions import has_role, is_admin

COMMENT_MAX = 1000
MUTE_DAYS_MAX = 365
REMIND_COORDINATORS_AFTER = timedelta(hours=24)
REMIND_ADMINS_AFTER = timedelta(hours=48)

ACTION_LABELS = {
    "report": "жалоба",
    "auto_hide": "скрыто до решения (жалобы участников)",
    "hold": "на проверке",
    "flag": "отмечено стоп-словом",
    "approve": "оставлено",
    "dismiss": "жалобы отклонены",
    "remove": "удалено",
    "restore": "восстановлено",
    "warn": "предупреждение",
    "mute": "запрет писать",
    "unmute": "запрет снят",
    "exclude": "исключение из сообщества",
    "word_added": "стоп-слово добавлено",
    "word_removed": "стоп-слово удалено",
}


# --- grounds ---------------------------------------------------------------------------


def grounds_for(community: Community | None) -> dict[str, str]:
    """The platform's grounds (seed 000 §5.2) and the community's own, «другое» last."""
    grounds = {k: v for k, v in GROUNDS.items() if k != "other"}
    if community is not None:
        cache = g.setdefault("_grounds", {})
        if community.id not in cache:
            cache[community.id] = {
                c.key: c.label for c in db.session.scalars(
                    select(CommunityGround).where(
                        CommunityGround.community_id == community.id, CommunityGround.is_active
                    ).order_by(CommunityGround.id)
                )
            }
        grounds.update(cache[community.id])
    grounds["other"] = GROUNDS["other"]
    return grounds


def label_of_ground(key: str, community: Community | None = None) -> str:
    if key in GROUNDS:
        return GROUNDS[key]
    if key == CaseReason.WATCHED_WORD:
        return "стоп-слово"
    if community is not None:
        return grounds_for(community).get(key, key)
    if key.startswith("c") and key[1:].isdigit():
        ground = db.session.get(CommunityGround, int(key[1:]))
        if ground is not None:
            return ground.label
    return key or GROUNDS["other"]


def add_ground(community: Community, actor: User, label: str) -> CommunityGround:
    _require_moderator(actor, community)
    label = " ".join((label or "").split())
    if not label:
        raise DomainError("Сформулируйте правило.", field="label")
    if len(label) > 200:
        raise DomainError("Не больше 200 символов.", field="label")
    if label.casefold() in {v.casefold() for v in grounds_for(community).values()}:
        raise DomainError("Такое основание уже есть.", field="label")
    ground = CommunityGround(community_id=community.id, label=label)
    db.session.add(ground)
    db.session.flush()
    g.pop("_grounds", None)
    return ground


def retire_ground(ground: CommunityGround, actor: User) -> CommunityGround:
    _require_moderator(actor, db.session.get(Community, ground.community_id))
    ground.is_active = False
    db.session.flush()
    g.pop("_grounds", None)
    return ground


# --- who may ---------------------------------------------------------------------------


def is_moderator(user: Any, community: Community) -> bool:
    return is_admin(user) or has_role(user, community, Role.COORDINATOR)


def _require_moderator(user: User, community: Community) -> None:
    if not is_moderator(user, community):
        raise DomainError("Это действие доступно координатору сообщества.")


# --- log -------------------------------------------------------------------------------


def _log(community_id: int, moderator: User | None, action: str, *, item: Any = None,
         target: User | int | None = None, ground: str = "", comment: str = "") -> ModerationLog:
    kind = content.kind_of(item) if item is not None else ""
    excerpt = content.content_type(kind).excerpt(item)[:300] if item is not None else ""
    target_id = target.id if isinstance(target, User) else target
    if target_id is None and item is not None:
        target_id = item.author_id
    entry = ModerationLog(
        community_id=community_id, moderator_id=moderator.id if moderator else None,
        action=action, kind=kind, object_id=item.id if item is not None else None,
        target_user_id=target_id, ground=ground, comment=comment, excerpt=excerpt,
    )
    db.session.add(entry)
    return entry


# Newest first; served by ix_moderation_log_community.
LOG_ORDER = (ModerationLog.id.desc(),)


def log_query(community: Community | None, *, action: str = "", moderator_id: int | None = None,
              since: datetime | None = None, until: datetime | None = None):
    query = select(ModerationLog).order_by(*LOG_ORDER)
    if community is not None:
        query = query.where(ModerationLog.community_id == community.id)
    if action:
        query = query.where(ModerationLog.action == action)
    if moderator_id:
        query = query.where(ModerationLog.moderator_id == moderator_id)
    if since:
        query = query.where(ModerationLog.created_at >= since)
    if until:
        query = query.where(ModerationLog.created_at < until)
    return query


# --- cases -----------------------------------------------------------------------------


def _case_for(item: Any, reason: str, detail: str = "") -> ModerationCase:
    kind = content.kind_of(item)
    case = db.session.scalar(
        select(ModerationCase).where(ModerationCase.kind == kind,
                                     ModerationCase.object_id == item.id)
    )
    if case is None:
        case = ModerationCase(
            community_id=item.community_id, kind=kind, object_id=item.id,
            author_id=item.author_id, reason=reason, detail=detail[:300], opened_at=utcnow(),
        )
        db.session.add(case)
    elif not case.is_open:
        case.status, case.reason, case.detail = "open", reason, detail[:300]
        case.opened_at, case.closed_at = utcnow(), None
        case.reminded_coordinators_at = case.reminded_admins_at = None
    db.session.flush()
    return case


def _close(case: ModerationCase) -> None:
    case.status = "closed"
    case.closed_at = utcnow()


def queue(community: Community | None):
    """Open cases, newest first: one community's, or all (administrators)."""
    query = (
        select(ModerationCase)
        .where(ModerationCase.status == "open")
        .order_by(ModerationCase.opened_at.desc(), ModerationCase.id.desc())
    )
    if community is not None:
        query = query.where(ModerationCase.community_id == community.id)
    return query


@dataclass
class QueueRow:
    case: ModerationCase
    item: Any
    reports: list[Report] = field(default_factory=list)


def queue_rows(cases: list[ModerationCase]) -> list[QueueRow]:
    """The queue with each case's item and open reports, in a fixed number of queries."""
    items: dict[tuple[str, int], Any] = {}
    for kind in {c.kind for c in cases}:
        loaded = content.load_many(kind, [c.object_id for c in cases if c.kind == kind])
        items.update({(kind, i): o for i, o in loaded.items()})
    reports: dict[tuple[str, int], list[Report]] = {}
    if cases:
        rows = db.session.scalars(
            select(Report)
            .where(Report.status == "open",
                   Report.object_id.in_({c.object_id for c in cases}),
                   Report.kind.in_({c.kind for c in cases}))
            .order_by(Report.created_at)
        )
        for r in rows:
            reports.setdefault((r.kind, r.object_id), []).append(r)
    return [
        QueueRow(case=c, item=items.get((c.kind, c.object_id)),
                 reports=reports.get((c.kind, c.object_id), []))
        for c in cases
    ]


def waiting_count(community: Community) -> int:
    return db.session.scalar(
        select(func.count(ModerationCase.id)).where(
            ModerationCase.community_id == community.id, ModerationCase.status == "open"
        )
    ) or 0


# --- screening new content -------------------------------------------------------------


@dataclass
class Screening:
    hold: bool = False
    reason: str = ""
    detail: str = ""
    flag: bool = False


def _matcher_for(community: Community):
    from app.moderation.words import WatchedWord, compile_words

    rows = db.session.scalars(
        select(WatchedWordEntry).where(
            (WatchedWordEntry.community_id == community.id)
            | WatchedWordEntry.community_id.is_(None)
        )
    )
    return compile_words(
        WatchedWord(id=w.id, phrase=w.phrase, action=w.action,
                    scope="platform" if w.community_id is None else "community")
        for w in rows
    )


def screen(community: Community, author: User, *texts: str) -> Screening:
    """Check new or edited text before it is saved: a watched word may refuse it (DomainError),
    hold it for review or flag it; a newcomer's first posts wait for review."""
    matcher = _matcher_for(community)
    action, matches = matcher.decide("\n".join(t for t in texts if t))
    found = ", ".join(sorted({m.found for m in matches}))
    if action == "block":
        raise DomainError(
            f"Сообщение не отправлено: в нём есть недопустимые слова ({found}). "
            "Пожалуйста, ознакомьтесь с правилами общения и измените текст.",
            field="body",
        )
    if action == "hold":
        return Screening(hold=True, reason=CaseReason.WATCHED_WORD, detail=found)
    if community.premoderate_first_posts and not is_moderator(author, community):
        if _published_count(community, author) < community.premoderate_first_posts:
            return Screening(hold=True, reason=CaseReason.PREMODERATION)
    if action == "flag":
        return Screening(flag=True, reason=CaseReason.WATCHED_WORD, detail=found)
    return Screening()


def _published_count(community: Community, author: User) -> int:
    """How many of the author's items here a coordinator has not held back (or let through)."""
    total = 0
    for kind in content.kinds():
        model = content.content_type(kind).model
        total += db.session.scalar(
            select(func.count(model.id)).where(
                model.community_id == community.id, model.author_id == author.id,
                model.held_at.is_(None),
            )
        ) or 0
    return total


def apply_screening(item: Any, screening: Screening) -> None:
    """After the item was added (and flushed): hold it or flag it, and log that."""
    if screening.hold:
        item.held_at = utcnow()
        content.changed(item)
        _case_for(item, screening.reason, screening.detail)
        _log(item.community_id, None, "hold", item=item,
             comment=screening.detail or "премодерация новых участников")
    elif screening.flag:
        _case_for(item, screening.reason, screening.detail)
        _log(item.community_id, None, "flag", item=item, comment=screening.detail)
    db.session.flush()


# --- reports ---------------------------------------------------------------------------


def report(item: Any, community: Community, reporter: User, ground: str, comment: str) -> Report:
    """File a complaint. Reporting the same item twice changes nothing and is not an error.
    When enough distinct members report an item, it is held until a coordinator decides."""
    if ground not in grounds_for(community):
        raise DomainError("Выберите основание жалобы из списка.", field="ground")
    comment = (comment or "").strip()
    if ground == "other" and not comment:
        raise DomainError("Опишите, что не так: для основания «другое» нужен комментарий.",
                          field="comment")
    if len(comment) > COMMENT_MAX:
        raise DomainError(f"Комментарий длиннее {COMMENT_MAX} символов.", field="comment")
    kind = content.kind_of(item)
    if item.author_id == reporter.id:
        raise DomainError("Нельзя пожаловаться на собственное сообщение.")
    existing = db.session.scalar(
        select(Report).where(
            Report.kind == kind, Report.object_id == item.id, Report.reporter_id == reporter.id
        )
    )
    if existing is not None and existing.status == "open":
        return existing
    if existing is not None:  # reported again after a decision: a new complaint
        existing.status, existing.ground, existing.comment = "open", ground, comment
        existing.resolved_at = None
        new = existing
    else:
        new = Report(community_id=community.id, kind=kind, object_id=item.id,
                     reporter_id=reporter.id, ground=ground, comment=comment)
        db.session.add(new)
    db.session.flush()
    case = _case_for(item, CaseReason.REPORTS)
    _log(community.id, reporter, "report", item=item, ground=ground, comment=comment)
    distinct = db.session.scalar(
        select(func.count(func.distinct(Report.reporter_id))).where(
            Report.kind == kind, Report.object_id == item.id, Report.status == "open",
            Report.reporter_id.is_not(None),
        )
    ) or 0
    if item.is_public and distinct >= max(community.auto_hide_threshold, 1):
        item.held_at = utcnow()
        content.changed(item)
        _log(community.id, None, "auto_hide", item=item,
             comment=f"жалоб от разных участников: {distinct}")
        _notify_coordinators(
            community,
            f"Материал скрыт до вашего решения: {distinct} жалобы участников.",
        )
    del case
    return new


def _notify_coordinators(community: Community, text: str, *, urgent: bool = False) -> None:
    ids = db.session.scalars(
        select(Membership.user_id).where(
            Membership.community_id == community.id, Membership.left_at.is_(None),
            Membership.role == Role.COORDINATOR,
        )
    ).all()
    notify_many(list(ids), "moderation", text,
                url_for("moderation.index", community_slug=community.slug), urgent=urgent)


def _resolve_reports(kind: str, object_id: int, status: str) -> None:
    db.session.execute(
        update(Report)
        .where(Report.kind == kind, Report.object_id == object_id, Report.status == "open")
        .values(status=status, resolved_at=utcnow())
    )


# --- actions ---------------------------------------------------------------------------


def _author(item: Any) -> User | None:
    return db.session.get(User, item.author_id) if item.author_id else None


def _tell_author(item: Any, community: Community, text: str) -> None:
    author = _author(item)
    if author is not None:
        notify(author, "moderation", text, content.content_type(content.kind_of(item)).url(item))


def approve(case: ModerationCase, item: Any, moderator: User, comment: str = "") -> None:
    """Leave the item as it is: release it if held, dismiss the open reports."""
    community = db.session.get(Community, case.community_id)
    _require_moderator(moderator, community)
    if not case.is_open:
        return  # already handled: nothing to do, not an error
    was_held = item.held_at is not None and item.hidden_at is None
    item.held_at = None
    content.changed(item)
    _resolve_reports(case.kind, case.object_id, "dismissed")
    _close(case)
    _log(community.id, moderator, "approve" if was_held else "dismiss", item=item,
         comment=comment)
    if was_held:
        ct = content.content_type(case.kind)
        _tell_author(item, community, f"{ct.your()} {ct.past('проверено')} координатором "
                                      f"и {ct.past('опубликовано')}.")
    db.session.flush()


def remove(item: Any, moderator: User, ground: str, comment: str = "") -> None:
    community = db.session.get(Community, item.community_id)
    _require_moderator(moderator, community)
    if ground not in grounds_for(community):
        raise DomainError("Выберите основание удаления из списка.", field="ground")
    comment = (comment or "").strip()[:COMMENT_MAX]
    if item.hidden_at is not None:
        return  # already removed
    item.hidden_at = utcnow()
    item.hidden_by_id = moderator.id
    item.hidden_reason = ground
    content.changed(item)
    kind = content.kind_of(item)
    _resolve_reports(kind, item.id, "actioned")
    case = db.session.scalar(
        select(ModerationCase).where(ModerationCase.kind == kind,
                                     ModerationCase.object_id == item.id)
    )
    if case is not None and case.is_open:
        _close(case)
    _log(community.id, moderator, "remove", item=item, ground=ground, comment=comment)
    label = label_of_ground(ground, community)
    ct = content.content_type(kind)
    _tell_author(
        item, community,
        f"{ct.your()} {ct.past('удалено')} координатором. Основание: {label}."
        + (f" Комментарий: {comment}" if comment else ""),
    )
    db.session.flush()


def restore(item: Any, moderator: User, comment: str = "") -> None:
    community = db.session.get(Community, item.community_id)
    _require_moderator(moderator, community)
    if item.hidden_at is None and item.held_at is None:
        return
    item.hidden_at = None
    item.hidden_by_id = None
    item.hidden_reason = ""
    item.held_at = None
    content.changed(item)
    kind = content.kind_of(item)
    _log(community.id, moderator, "restore", item=item, comment=(comment or "").strip())
    ct = content.content_type(kind)
    _tell_author(item, community, f"{ct.your()} {ct.past('восстановлено')} координатором.")
    db.session.flush()


def warn(item: Any, moderator: User, ground: str, comment: str = "") -> None:
    community = db.session.get(Community, item.community_id)
    _require_moderator(moderator, community)
    if ground not in grounds_for(community):
        raise DomainError("Выберите основание предупреждения из списка.", field="ground")
    comment = (comment or "").strip()[:COMMENT_MAX]
    _log(community.id, moderator, "warn", item=item, ground=ground, comment=comment)
    _tell_author(
        item, community,
        f"Предупреждение координатора сообщества «{community.name}». "
        f"Основание: {label_of_ground(ground, community)}." + (f" {comment}" if comment else ""),
    )
    db.session.flush()


def _membership_of_author(item: Any, community: Community) -> Membership:
    membership = db.session.scalar(
        Membership.active().where(Membership.user_id == item.author_id,
                                  Membership.community_id == community.id)
    )
    if membership is None:
        raise DomainError("Автор уже не состоит в сообществе.")
    if membership.role == Role.COORDINATOR or membership.role == Role.CHAIR:
        raise DomainError("Ограничить координатора или председателя может только "
                          "администратор площадки, назначив другие роли.")
    return membership


def mute(item: Any, moderator: User, days: int, ground: str, comment: str = "") -> Membership:
    community = db.session.get(Community, item.community_id)
    _require_moderator(moderator, community)
    if not 1 <= days <= MUTE_DAYS_MAX:
        raise DomainError(f"Срок — от 1 до {MUTE_DAYS_MAX} дней.", field="days")
    if ground not in grounds_for(community):
        raise DomainError("Выберите основание из списка.", field="ground")
    membership = _membership_of_author(item, community)
    membership.muted_until = utcnow() + timedelta(days=days)
    _log(community.id, moderator, "mute", item=item, ground=ground,
         comment=f"на {days} дн. {comment or ''}".strip())
    from app.i18n import datetime_filter

    _tell_author(
        item, community,
        f"Координатор сообщества «{community.name}» ограничил вам возможность писать до "
        f"{datetime_filter(membership.muted_until)}. Основание: "
        f"{label_of_ground(ground, community)}.",
    )
    db.session.flush()
    return membership


def unmute(membership: Membership, moderator: User) -> Membership:
    community = db.session.get(Community, membership.community_id)
    _require_moderator(moderator, community)
    if membership.muted_until is None:
        return membership
    membership.muted_until = None
    _log(community.id, moderator, "unmute", target=membership.user_id)
    notify(db.session.get(User, membership.user_id), "moderation",
           f"Ограничение в сообществе «{community.name}» снято: вы снова можете писать.",
           url_for("communities.show", community_slug=community.slug))
    db.session.flush()
    return membership


def exclude(item: Any, moderator: User, ground: str, comment: str = "") -> Membership:
    community = db.session.get(Community, item.community_id)
    _require_moderator(moderator, community)
    if ground not in grounds_for(community):
        raise DomainError("Выберите основание из списка.", field="ground")
    membership = _membership_of_author(item, community)
    membership.left_at = utcnow()
    membership.excluded = True
    db.session.execute(
        update(Community).where(Community.id == community.id)
        .values(member_count=Community.member_count - 1)
    )
    _log(community.id, moderator, "exclude", item=item, ground=ground,
         comment=(comment or "").strip())
    _tell_author(
        item, community,
        f"Вы исключены из сообщества «{community.name}» координатором. Основание: "
        f"{label_of_ground(ground, community)}. Ваши материалы остаются в сообществе.",
    )
    db.session.flush()
    return membership


# --- watched words ---------------------------------------------------------------------

WORD_ACTIONS = {
    "block": "запрещать: сообщение не отправляется",
    "hold": "на проверку: сообщение ждёт координатора",
    "flag": "отмечать: сообщение публикуется, координатор получает жалобу",
}


def add_word(community: Community | None, actor: User, phrase: str, action: str):
    if community is None:
        if not is_admin(actor):
            raise DomainError("Общие стоп-слова площадки задаёт администратор.")
    else:
        _require_moderator(actor, community)
    phrase = " ".join((phrase or "").split())
    if not phrase:
        raise DomainError("Введите слово или фразу.", field="phrase")
    if len(phrase) > 200:
        raise DomainError("Не больше 200 символов.", field="phrase")
    if action not in WORD_ACTIONS:
        raise DomainError("Выберите действие из списка.", field="action")
    for part in phrase.split():
        if part.endswith("*") and len(part.rstrip("*")) < 3:
            raise DomainError("Перед звёздочкой нужно не меньше трёх букв: иначе под запрет "
                              "попадёт слишком много слов.", field="phrase")
    community_id = community.id if community else None
    exists = db.session.scalar(
        select(WatchedWordEntry).where(
            WatchedWordEntry.community_id.is_(None) if community_id is None
            else WatchedWordEntry.community_id == community_id,
            func.lower(WatchedWordEntry.phrase) == phrase.lower(),
        )
    )
    if exists is not None or any(
        w.phrase.casefold() == phrase.casefold() for w in words_of(community)
    ):
        raise DomainError("Такое слово уже в списке.", field="phrase")
    entry = WatchedWordEntry(community_id=community_id, phrase=phrase, action=action,
                             created_by_id=actor.id)
    db.session.add(entry)
    db.session.flush()
    if community is not None:
        _log(community.id, actor, "word_added", comment=f"{phrase} — {WORD_ACTIONS[action]}")
    return entry


def remove_word(entry: WatchedWordEntry, actor: User) -> None:
    community = db.session.get(Community, entry.community_id) if entry.community_id else None
    if community is None:
        if not is_admin(actor):
            raise DomainError("Общие стоп-слова площадки задаёт администратор.")
    else:
        _require_moderator(actor, community)
    if community is not None:
        _log(community.id, actor, "word_removed", comment=entry.phrase)
    db.session.delete(entry)  # a setting, not user content
    db.session.flush()


def words_of(community: Community | None) -> list[WatchedWordEntry]:
    return list(db.session.scalars(
        select(WatchedWordEntry).where(
            WatchedWordEntry.community_id.is_(None) if community is None
            else WatchedWordEntry.community_id == community.id
        ).order_by(WatchedWordEntry.phrase)
    ))


# --- reminders -------------------------------------------------------------------------


def send_reminders(now: datetime | None = None) -> int:
    """Items waiting over 24 hours: tell the coordinators; over 48 hours: the administrators.
    Each case is reminded once per stage, so running this twice sends nothing twice. Urgent:
    whoever takes moderation notices by e-mail at all gets these at once, not in a digest."""
    now = now or utcnow()
    # Each case is claimed by a conditional UPDATE: a run overlapping this one finds it
    # reminded already (on PostgreSQL it waits for this one's commit, then skips it).
    stale = db.session.scalars(
        update(ModerationCase).where(
            ModerationCase.status == "open",
            ModerationCase.opened_at <= now - REMIND_COORDINATORS_AFTER,
            ModerationCase.reminded_coordinators_at.is_(None),
        ).values(reminded_coordinators_at=now).returning(ModerationCase.community_id)
        .execution_options(synchronize_session=False)
    ).all()
    for community_id in stale:
        community = db.session.get(Community, community_id)
        _notify_coordinators(community, "Материал ждёт решения модерации больше суток.",
                             urgent=True)
    older = db.session.scalars(
        update(ModerationCase).where(
            ModerationCase.status == "open",
            ModerationCase.opened_at <= now - REMIND_ADMINS_AFTER,
            ModerationCase.reminded_admins_at.is_(None),
        ).values(reminded_admins_at=now).returning(ModerationCase.community_id)
        .execution_options(synchronize_session=False)
    ).all()
    admins = db.session.scalars(select(User.id).where(User.is_admin)).all()
    for community_id in older:
        community = db.session.get(Community, community_id)
        notify_many(list(admins), "moderation",
                    f"В сообществе «{community.name}» материал ждёт модерации больше двух суток.",
                    url_for("moderation.index", community_slug=community.slug), urgent=True)
    sent = len(stale) + len(older)
    db.session.flush()
    return sent
