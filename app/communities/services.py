"""Community actions: create and edit, join, admit, decline, leave, appoint.

Each function takes the actor explicitly, checks the domain rules, raises DomainError with a
Russian message, flushes and returns. The view commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for
from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from app.auth.models import User, UserNameWord, fold_words, word_prefix
from app.communities.consent_texts import PERSONAL_DATA_CONSENT
from app.communities.models import (
    Community,
    Consent,
    ConsentDocument,
    ConsentKind,
    JoinRequest,
    Membership,
    RequestStatus,
    Role,
)
from app.errors import DomainError
from app.extensions import db
from app.mixins import utcnow
from app.notifications.services import notify
from app.permissions import forget_memberships

# --- reading ---------------------------------------------------------------------------


def active_memberships_of(user: User) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(Community)
            .options(joinedload(Membership.community))
            .where(Membership.user_id == user.id, Membership.left_at.is_(None))
            .order_by(Community.name)
        )
    )


def active_membership(user: User, community: Community) -> Membership | None:
    return db.session.scalar(
        Membership.active().where(
            Membership.user_id == user.id, Membership.community_id == community.id
        )
    )


def shares_community(a: User, b: User) -> bool:
    mine = select(Membership.community_id).where(
        Membership.user_id == a.id, Membership.left_at.is_(None)
    )
    return (
        db.session.scalar(
            select(Membership.id)
            .where(
                Membership.user_id == b.id,
                Membership.left_at.is_(None),
                Membership.community_id.in_(mine),
            )
            .limit(1)
        )
        is not None
    )


def has_pending_request_in(user: User, community_ids: list[int]) -> bool:
    return (
        db.session.scalar(
            select(JoinRequest.id)
            .where(
                JoinRequest.user_id == user.id,
                JoinRequest.community_id.in_(community_ids),
                JoinRequest.status == RequestStatus.PENDING,
            )
            .limit(1)
        )
        is not None
    )


def pending_request(user: User, community: Community) -> JoinRequest | None:
    return db.session.scalar(
        select(JoinRequest).where(
            JoinRequest.user_id == user.id,
            JoinRequest.community_id == community.id,
            JoinRequest.status == RequestStatus.PENDING,
        )
    )


def leaders_of(community: Community) -> list[Membership]:
    """The chair and the coordinators, for the community page."""
    return list(
        db.session.scalars(
            Membership.active()
            .options(joinedload(Membership.user))
            .where(
                Membership.community_id == community.id,
                Membership.role.in_([Role.CHAIR, Role.COORDINATOR]),
            )
            .order_by(Membership.role.desc(), Membership.joined_at)
        )
    )


def member_choices(community: Community) -> list[tuple[int, str]]:
    """(id, full name) of the community's active members, by name: the pickers of forms
    (co-authors, organisers, adding a participant)."""
    return [tuple(r) for r in db.session.execute(
        select(User.id, User.full_name).join(Membership, Membership.user_id == User.id)
        .where(Membership.community_id == community.id, Membership.left_at.is_(None))
        .order_by(User.full_name)
    )]


# --- the member pickers of forms (app.forms.MemberPickerField) -------------------------

# Up to this many members a picker lists them all (and the bank's filter lists every
# author); a larger community (a regional one has tens of thousands) is searched by name.
MEMBER_LIST_MAX = 300
# A picker's search shows at most this many people, then asks to narrow the query.
PICK_LIMIT = 20
# Words of a query that count: a person's full name has three.
PICK_QUERY_WORDS = 4


def lists_all_members(community: Community) -> bool:
    return community.member_count <= MEMBER_LIST_MAX


@dataclass(frozen=True, slots=True)
class MemberChoice:
    id: int
    name: str
    active: bool = True  # False: has left the community (kept where already chosen)


def chosen_members(community: Community, user_ids) -> list[MemberChoice]:
    """The people behind ids a form holds, by name, each marked whether still an active
    member; only people who are or were members of `community`, so that an id typed into a
    request reveals nobody else's name. One query."""
    ids = list(dict.fromkeys(int(i) for i in user_ids))
    if not ids:
        return []
    active = exists().where(Membership.user_id == User.id,
                            Membership.community_id == community.id,
                            Membership.left_at.is_(None))
    ever = exists().where(Membership.user_id == User.id, Membership.community_id == community.id)
    rows = db.session.execute(
        select(User.id, User.full_name, active).where(User.id.in_(ids), ever)
        .order_by(User.full_name, User.id))
    return [MemberChoice(uid, name, bool(is_active)) for uid, name, is_active in rows]


def find_members(community: Community, query: str, exclude=(),
                 limit: int = PICK_LIMIT) -> tuple[list[MemberChoice], bool]:
    """Active members of `community` each of whose query words begins a word of their name
    (any letter case, ё as е: «иван пет» finds «Иванов Пётр»), at most `limit` shown by
    name, and whether there are more. When there are more, those shown are the closest:
    the ones whose matching word comes first («иван» before «иванов»).

    One query, whose work does not grow with the community or the platform: it walks the
    words' index (ix_user_name_words_word) from the longest query word's beginning, in
    order, probing each person's membership (uq_memberships_active) and other query words
    (the words' primary key), and stops after enough people."""
    words = fold_words(query)[:PICK_QUERY_WORDS]
    if not words:
        return [], False
    lead, *others = sorted(words, key=len, reverse=True)
    word = aliased(UserNameWord)
    walk = select(word.user_id, word.word).where(
        word_prefix(word.word, lead),
        exists().where(Membership.user_id == word.user_id,
                       Membership.community_id == community.id,
                       Membership.left_at.is_(None)))
    for other in others:
        also = aliased(UserNameWord)
        walk = walk.where(exists().where(also.user_id == word.user_id,
                                         word_prefix(also.word, other)))
    exclude = [int(i) for i in exclude]
    if exclude:
        walk = walk.where(word.user_id.not_in(exclude))
    # A person may match by several words (Иванов Иван): enough rows for `limit` + 1 people.
    walk = walk.order_by(word.word, word.user_id).limit(PICK_QUERY_WORDS * (limit + 1)) \
        .subquery()
    rows = db.session.execute(
        select(User.id, User.full_name).join(walk, walk.c.user_id == User.id)
        .order_by(walk.c.word, walk.c.user_id)).all()
    people = list(dict.fromkeys(rows))
    shown = sorted(people[:limit], key=lambda r: (r.full_name, r.id))
    return [MemberChoice(uid, name) for uid, name in shown], len(people) > limit


# By name; served by ix_users_full_name (walked in order, each probing the membership).
MEMBER_ORDER = (User.full_name, User.id)


def members_query(community: Community):
    return (
        Membership.active()
        .join(User, Membership.user_id == User.id)
        .options(joinedload(Membership.user))
        .where(Membership.community_id == community.id)
        .order_by(*MEMBER_ORDER)
    )


def admission_queue(community: Community):
    return (
        select(JoinRequest)
        .options(joinedload(JoinRequest.user))
        .where(
            JoinRequest.community_id == community.id,
            JoinRequest.status == RequestStatus.PENDING,
        )
        .order_by(JoinRequest.created_at, JoinRequest.id)
    )


def recent_decisions(community: Community, limit: int = 50):
    return (
        select(JoinRequest)
        .options(joinedload(JoinRequest.user), joinedload(JoinRequest.decided_by))
        .where(
            JoinRequest.community_id == community.id,
            JoinRequest.status.in_([RequestStatus.ADMITTED, RequestStatus.DECLINED]),
        )
        .order_by(JoinRequest.decided_at.desc(), JoinRequest.id.desc())
        .limit(limit)
    )


def pending_count(community: Community) -> int:
    return db.session.scalar(
        select(func.count(JoinRequest.id)).where(
            JoinRequest.community_id == community.id,
            JoinRequest.status == RequestStatus.PENDING,
        )
    ) or 0


def current_document(kind: str, community: Community | None = None) -> ConsentDocument:
    document = db.session.scalar(
        ConsentDocument.latest(kind, community.id if community is not None else None)
    )
    if document is None:  # every community gets both documents when it is created
        raise DomainError("Текст согласия не найден. Обратитесь к администратору площадки.")
    return document


def ensure_can_write(user: User, community: Community) -> None:
    """Members write; a muted member is read-only until the mute ends (000 §5.2)."""
    if user.is_admin:
        return
    membership = active_membership(user, community)
    if membership is None:
        raise DomainError("Писать могут только участники сообщества.")
    if membership.is_muted(utcnow()):
        from app.i18n import datetime_filter

        raise DomainError(
            "Координатор ограничил вам возможность писать в этом сообществе до "
            f"{datetime_filter(membership.muted_until)}."
        )


# --- consent documents -----------------------------------------------------------------


def ensure_personal_data_document() -> ConsentDocument:
    document = db.session.scalar(ConsentDocument.latest(ConsentKind.PERSONAL_DATA))
    if document is None:
        document = ConsentDocument(
            kind=ConsentKind.PERSONAL_DATA, community_id=None, version=1,
            text=PERSONAL_DATA_CONSENT,
        )
        db.session.add(document)
        db.session.flush()
    return document


def _add_charter_version(community: Community) -> ConsentDocument:
    latest = db.session.scalar(ConsentDocument.latest(ConsentKind.CHARTER, community.id))
    if latest is not None and latest.text == community.charter:
        return latest
    document = ConsentDocument(
        kind=ConsentKind.CHARTER,
        community_id=community.id,
        version=(latest.version + 1) if latest else 1,
        text=community.charter,
    )
    db.session.add(document)
    db.session.flush()
    return document


# --- administration --------------------------------------------------------------------

COMMUNITY_FIELDS = (
    "name", "slug", "description", "charter", "kind", "level", "parent_id", "join_policy",
    "timezone", "municipality", "min_meetings_per_year", "plan_due_month", "plan_due_day",
    "report_due_month", "report_due_day",
)


def _check_parent(community: Community, parent_id: int | None) -> None:
    if parent_id is None:
        return
    parent = db.session.get(Community, parent_id)
    if parent is None:
        raise DomainError("Выбранное вышестоящее сообщество не найдено.", field="parent_id")
    # Walk up from the parent: the community must not become its own ancestor.
    seen: set[int] = set()
    while parent is not None:
        if community.id is not None and parent.id == community.id:
            raise DomainError(
                "Сообщество не может входить само в себя или в своё дочернее сообщество.",
                field="parent_id",
            )
        if parent.id in seen:
            break
        seen.add(parent.id)
        parent = parent.parent


def _check_slug(slug: str, community: Community | None) -> None:
    other = db.session.scalar(select(Community).where(Community.slug == slug))
    if other is not None and (community is None or other.id != community.id):
        raise DomainError("Такой адрес уже занят другим сообществом.", field="slug")


def create_community(actor: User, **fields: Any) -> Community:
    if not actor.is_admin:
        raise DomainError("Создавать сообщества может только администратор площадки.")
    _check_slug(fields["slug"], None)
    community = Community(**{k: v for k, v in fields.items() if k in COMMUNITY_FIELDS})
    _check_parent(community, community.parent_id)
    db.session.add(community)
    db.session.flush()
    _add_charter_version(community)
    ensure_personal_data_document()
    return community


def update_community(community: Community, actor: User, **fields: Any) -> Community:
    if not actor.is_admin:
        raise DomainError("Изменять сообщества может только администратор площадки.")
    if "slug" in fields:
        _check_slug(fields["slug"], community)
    if "parent_id" in fields:
        _check_parent(community, fields["parent_id"])
    for name, value in fields.items():
        if name in COMMUNITY_FIELDS:
            setattr(community, name, value)
    db.session.flush()
    _add_charter_version(community)
    return community


def appoint(
    community: Community, user: User, actor: User, *, role: str, is_council: bool,
    is_expert: bool,
) -> Membership:
    """Give a person a position (member, coordinator, chair) and the council/expert flags.
    A person who is not yet a member becomes one. There is one chair at a time."""
    if not actor.is_admin:
        raise DomainError("Назначать координаторов и председателя может только администратор.")
    if role not in {Role.MEMBER, Role.COORDINATOR, Role.CHAIR}:
        raise DomainError("Неизвестная роль.", field="role")
    membership = active_membership(user, community)
    if membership is None:
        membership = _open_membership(user, community, None)
    if role == Role.CHAIR:
        db.session.execute(
            update(Membership)
            .where(
                Membership.community_id == community.id,
                Membership.left_at.is_(None),
                Membership.role == Role.CHAIR,
                Membership.id != membership.id,
            )
            .values(role=Role.MEMBER, is_council=True)
        )
    changed = (membership.role, membership.is_council, membership.is_expert) != (
        role, is_council, is_expert,
    )
    membership.role = role
    membership.is_council = is_council or role == Role.CHAIR
    membership.is_expert = is_expert
    db.session.flush()
    forget_memberships()
    if changed:
        from app.communities.labels import role_titles

        notify(
            user,
            "admission",
            f"Ваши роли в сообществе «{community.name}»: "
            f"{', '.join(role_titles(membership.roles)).lower()}.",
            url_for("communities.show", community_slug=community.slug),
        )
    return membership


# --- joining and leaving ---------------------------------------------------------------


def _open_membership(user: User, community: Community, request: JoinRequest | None) -> Membership:
    membership = Membership(
        user_id=user.id,
        community_id=community.id,
        role=Role.MEMBER,
        joined_at=utcnow(),
        join_request_id=request.id if request else None,
    )
    db.session.add(membership)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # a concurrent admission of the same person
        raise DomainError("Этот человек уже участник сообщества.") from exc
    db.session.execute(
        update(Community)
        .where(Community.id == community.id)
        .values(member_count=Community.member_count + 1)
    )
    forget_memberships()
    return membership


def request_to_join(
    community: Community, user: User, *, message: str, charter_version: int,
    pd_version: int, charter_consent: bool, pd_consent: bool,
) -> JoinRequest:
    """Ask to join with written consent (002 §4.2). Open communities admit at once."""
    if not (charter_consent and pd_consent):
        raise DomainError("Чтобы вступить, нужно дать оба согласия.")
    if active_membership(user, community) is not None:
        raise DomainError("Вы уже участник этого сообщества.")
    if pending_request(user, community) is not None:
        raise DomainError("Ваша заявка уже отправлена и ждёт решения координатора.")
    last = db.session.scalar(
        select(Membership).where(Membership.user_id == user.id,
                                 Membership.community_id == community.id)
        .order_by(Membership.id.desc()).limit(1)
    )
    if last is not None and last.excluded:
        raise DomainError(
            "Вы были исключены из этого сообщества координатором. Вернуться можно только по "
            "решению администратора площадки."
        )
    charter = current_document(ConsentKind.CHARTER, community)
    pd = current_document(ConsentKind.PERSONAL_DATA)
    if charter.version != charter_version or pd.version != pd_version:
        raise DomainError(
            "Пока вы читали, текст Положения или согласия изменился. "
            "Ознакомьтесь с новой редакцией и подтвердите согласие ещё раз."
        )
    now = utcnow()
    charter_given = Consent(user_id=user.id, document_id=charter.id, given_at=now)
    pd_given = Consent(user_id=user.id, document_id=pd.id, given_at=now)
    db.session.add_all([charter_given, pd_given])
    db.session.flush()
    join_request = JoinRequest(
        user_id=user.id,
        community_id=community.id,
        message=message.strip(),
        charter_consent_id=charter_given.id,
        pd_consent_id=pd_given.id,
    )
    db.session.add(join_request)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # a double submit raced past the check above
        raise DomainError("Ваша заявка уже отправлена и ждёт решения координатора.") from exc
    if community.is_open:
        join_request.status = RequestStatus.ADMITTED
        join_request.decided_at = now
        _open_membership(user, community, join_request)
    else:
        for leader in _coordinators(community):
            notify(
                leader,
                "admission",
                f"Новая заявка на вступление в «{community.name}»: {user.full_name}.",
                url_for("communities.admissions", community_slug=community.slug),
            )
    db.session.flush()
    return join_request


def _coordinators(community: Community) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.community_id == community.id,
                Membership.left_at.is_(None),
                Membership.role == Role.COORDINATOR,
            )
        )
    )


def _check_decidable(join_request: JoinRequest) -> None:
    if not join_request.is_pending:
        raise DomainError("Эта заявка уже рассмотрена.")


def admit(join_request: JoinRequest, coordinator: User) -> Membership:
    _check_decidable(join_request)
    community = join_request.community
    if active_membership(join_request.user, community) is not None:
        raise DomainError("Этот человек уже участник сообщества.")
    join_request.status = RequestStatus.ADMITTED
    join_request.decided_by_id = coordinator.id
    join_request.decided_at = utcnow()
    membership = _open_membership(join_request.user, community, join_request)
    notify(
        join_request.user,
        "admission",
        f"Вы приняты в сообщество «{community.name}».",
        url_for("communities.show", community_slug=community.slug),
    )
    return membership


def decline(join_request: JoinRequest, coordinator: User, reason: str) -> JoinRequest:
    _check_decidable(join_request)
    reason = reason.strip()
    if not reason:
        raise DomainError("Укажите причину отказа.", field="reason")
    join_request.status = RequestStatus.DECLINED
    join_request.decided_by_id = coordinator.id
    join_request.decided_at = utcnow()
    join_request.decline_reason = reason
    db.session.flush()
    community = join_request.community
    notify(
        join_request.user,
        "admission",
        f"Заявка на вступление в «{community.name}» отклонена. Причина: {reason}",
        url_for("communities.show", community_slug=community.slug),
    )
    return join_request


def cancel_request(join_request: JoinRequest, user: User) -> JoinRequest:
    if join_request.user_id != user.id:
        raise DomainError("Отозвать заявку может только её автор.")
    _check_decidable(join_request)
    join_request.status = RequestStatus.CANCELLED
    join_request.decided_at = utcnow()
    db.session.flush()
    return join_request


def leave(community: Community, user: User) -> Membership:
    """Leave at any time (002 §5.1); what the member posted stays (000 §3.9)."""
    membership = active_membership(user, community)
    if membership is None:
        raise DomainError("Вы не состоите в этом сообществе.")
    if membership.role == Role.COORDINATOR and len(_coordinators(community)) == 1:
        raise DomainError(
            "Вы единственный координатор сообщества. Попросите администратора площадки "
            "назначить другого координатора, а затем выйдите."
        )
    membership.left_at = utcnow()
    db.session.execute(
        update(Community)
        .where(Community.id == community.id)
        .values(member_count=Community.member_count - 1)
    )
    db.session.flush()
    forget_memberships()
    return membership
