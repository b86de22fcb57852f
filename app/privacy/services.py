"""A person's rights over their data (152-ФЗ): the export of everything held about them and
the deletion of their account. Each request is logged as a DataRequest for the
administrators. Functions flush and never commit; the view commits."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.errors import DomainError
from app.extensions import db
from app.mixins import utcnow
from app.privacy.models import DataRequest, DataRequestKind, DataRequestStatus

DELETED_NAME = "Удалённый участник"

# A running export older than this is taken for dead (its worker was killed, say): it is
# marked failed and a new one may start.
STALE_AFTER = timedelta(minutes=15)

KIND_LABELS = {
    DataRequestKind.EXPORT: "Выгрузка данных",
    DataRequestKind.DELETION: "Удаление учётной записи",
}
STATUS_LABELS = {
    DataRequestStatus.RUNNING: "выполняется",
    DataRequestStatus.DONE: "выполнено",
    DataRequestStatus.FAILED: "не удалось",
}


class ExportInProgress(DomainError):
    """Another export of the same person is being built right now."""

    def __init__(self) -> None:
        super().__init__(
            "Выгрузка ваших данных уже готовится. Подождите минуту и попробуйте снова."
        )


# Newest first; served by ix_data_requests_created.
LOG_ORDER = (DataRequest.created_at.desc(), DataRequest.id.desc())


def log_query():
    """Every request, newest first: the administrators' log."""
    return select(DataRequest).order_by(*LOG_ORDER)


def requests_of(user: User, limit: int = 10) -> list[DataRequest]:
    return list(db.session.scalars(
        select(DataRequest).where(DataRequest.user_id == user.id)
        .order_by(DataRequest.created_at.desc(), DataRequest.id.desc()).limit(limit)
    ))


# --- export ----------------------------------------------------------------------------------


def start_export(user: User) -> DataRequest:
    """Claim the person's one running export. A running one older than STALE_AFTER is marked
    failed first; a fresh one refuses with ExportInProgress (the partial unique index
    uq_data_requests_running decides, so two requests at once cannot both pass). The view
    commits the claim before it builds the archive."""
    now = utcnow()
    db.session.execute(
        update(DataRequest)
        .where(
            DataRequest.user_id == user.id,
            DataRequest.kind == DataRequestKind.EXPORT,
            DataRequest.status == DataRequestStatus.RUNNING,
            DataRequest.created_at < now - STALE_AFTER,
        )
        .values(status=DataRequestStatus.FAILED, finished_at=now,
                detail="Выгрузка не завершилась за 15 минут и прервана.")
        .execution_options(synchronize_session=False)
    )
    request = DataRequest(user_id=user.id, kind=DataRequestKind.EXPORT,
                          status=DataRequestStatus.RUNNING, created_at=now)
    db.session.add(request)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise ExportInProgress() from exc
    return request


def finish_export(request: DataRequest, *, files: int, records: int) -> DataRequest:
    request.status = DataRequestStatus.DONE
    request.finished_at = utcnow()
    request.detail = f"файлов: {files}, записей: {records}"
    db.session.flush()
    return request


def fail_export(request_id: int, reason: str) -> DataRequest | None:
    """Mark the export failed (after the view rolled back whatever broke it)."""
    request = db.session.get(DataRequest, request_id)
    if request is None:
        return None
    request.status = DataRequestStatus.FAILED
    request.finished_at = utcnow()
    request.detail = reason[:1000]
    db.session.flush()
    return request


# --- deletion --------------------------------------------------------------------------------


def deletion_refusal(user: User) -> str | None:
    """Why the account may not be deleted now, or None. A community must not lose its only
    coordinator, nor the platform its only administrator."""
    from app.communities.models import Community, Membership, Role

    coordinated = select(Membership.community_id).where(
        Membership.user_id == user.id, Membership.left_at.is_(None),
        Membership.role == Role.COORDINATOR,
    )
    others = (
        select(Membership.id).where(
            Membership.community_id == Community.id, Membership.left_at.is_(None),
            Membership.role == Role.COORDINATOR, Membership.user_id != user.id,
        ).exists()
    )
    alone = db.session.scalar(
        select(Community.name).where(Community.id.in_(coordinated), ~others)
        .order_by(Community.name).limit(1)
    )
    if alone is not None:
        return (
            f"Вы — единственный координатор сообщества «{alone}». Удалить учётную запись "
            "можно после того, как администратор назначит другого координатора."
        )
    if user.is_admin:
        other_admins = db.session.scalar(
            select(func.count(User.id)).where(
                User.is_admin, User.deleted_at.is_(None), User.id != user.id)
        )
        if not other_admins:
            return (
                "Вы — единственный администратор площадки. Удалить учётную запись можно "
                "после того, как на площадке появится другой администратор."
            )
    return None


def delete_account(user: User) -> DataRequest:
    """Erase the person's personal data and withdraw their consents (152-ФЗ art. 9 §2, 21).

    What they posted stays as the communities' collective property (seed 000 §3.9): the row
    of `users` is kept, so posts, materials, chat and entries still point at it, and they
    show «Удалённый участник» because that is now its name. Memberships are closed through
    the leave service (member counts), pending join requests cancelled, future sign-ups
    cancelled through the events service (the waiting list moves up). Notifications, their
    settings and unsent letters go. Needs a request context (services notify with URLs)."""
    from app.communities import services as communities
    from app.communities.models import Community, Consent, JoinRequest, Membership, RequestStatus
    from app.events import services as events
    from app.events.models import (
        CalendarFeed,
        Certificate,
        Event,
        EventStatus,
        Registration,
        RegistrationStatus,
    )
    from app.forum.models import TopicRead, TopicWatch
    from app.materials.models import Material, MaterialAuthor
    from app.materials.services import reindex
    from app.notifications.mail import remove_outbox_copies
    from app.notifications.models import Notification, NotificationPreference, OutgoingMail
    from app.permissions import forget_memberships

    if user.is_deleted:
        raise DomainError("Эта учётная запись уже удалена.")
    refusal = deletion_refusal(user)
    if refusal:
        raise DomainError(refusal)
    now = utcnow()
    counts: dict[str, int] = {}

    memberships = list(db.session.scalars(
        select(Membership).where(Membership.user_id == user.id, Membership.left_at.is_(None))
    ))
    for membership in memberships:
        communities.leave(db.session.get(Community, membership.community_id), user)
    counts["сообществ покинуто"] = len(memberships)

    pending = list(db.session.scalars(select(JoinRequest).where(
        JoinRequest.user_id == user.id, JoinRequest.status == RequestStatus.PENDING)))
    for join_request in pending:
        communities.cancel_request(join_request, user)
    counts["заявлений отозвано"] = len(pending)
    # The letters of application are theirs, not the community's.
    db.session.execute(update(JoinRequest).where(JoinRequest.user_id == user.id)
                       .values(message="").execution_options(synchronize_session=False))

    sign_ups = list(db.session.execute(
        select(Registration, Event).join(Event, Event.id == Registration.event_id).where(
            Registration.user_id == user.id,
            Registration.status != RegistrationStatus.CANCELLED,
            Event.ends_at > now,
            Event.status != EventStatus.FINISHED,
        ).order_by(Event.starts_at)
    ).all())
    for registration, event in sign_ups:
        community = db.session.get(Community, event.community_id)
        events.cancel_registration(registration, event, community, user, now)
    counts["записей на мероприятия отменено"] = len(sign_ups)

    withdrawn = db.session.execute(
        update(Consent).where(Consent.user_id == user.id, Consent.withdrawn_at.is_(None))
        .values(withdrawn_at=now).execution_options(synchronize_session=False)
    ).rowcount
    counts["согласий отозвано"] = withdrawn or 0

    counts["уведомлений удалено"] = db.session.execute(
        delete(Notification).where(Notification.user_id == user.id)
        .execution_options(synchronize_session=False)
    ).rowcount or 0
    db.session.execute(delete(NotificationPreference).where(
        NotificationPreference.user_id == user.id).execution_options(synchronize_session=False))
    # Letters hold the name and the address: the queue's rows go, and so do the copies in
    # the outbox folder (kept while no SMTP server is configured).
    letter_ids = list(db.session.scalars(
        select(OutgoingMail.id).where(OutgoingMail.user_id == user.id)))
    db.session.execute(delete(OutgoingMail).where(OutgoingMail.user_id == user.id)
                       .execution_options(synchronize_session=False))
    counts["писем удалено"] = len(letter_ids)
    remove_outbox_copies(letter_ids)
    for model in (CalendarFeed, TopicWatch, TopicRead):
        db.session.execute(delete(model).where(model.user_id == user.id)
                           .execution_options(synchronize_session=False))
    # The public check of a certificate shows its holder's name: not any more.
    db.session.execute(update(Certificate).where(Certificate.user_id == user.id)
                       .values(holder_name=DELETED_NAME)
                       .execution_options(synchronize_session=False))

    user.full_name = DELETED_NAME
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.position = ""
    user.organisation = ""
    user.municipality = ""
    # Not a hash at all: no password can ever match it (werkzeug refuses the format).
    user.password_hash = f"!deleted!{secrets.token_hex(24)}"
    user.is_admin = False
    user.show_memberships = False
    user.last_login_at = None
    user.deleted_at = now
    user.unread_notifications = 0
    db.session.flush()

    # The bank's search finds materials by their authors' names: drop the erased one.
    coauthored = select(MaterialAuthor.material_id).where(MaterialAuthor.user_id == user.id)
    for material in db.session.scalars(select(Material).where(
            (Material.author_id == user.id) | Material.id.in_(coauthored))):
        reindex(material)

    request = DataRequest(
        user_id=user.id, kind=DataRequestKind.DELETION, status=DataRequestStatus.DONE,
        created_at=now, finished_at=now,
        detail=", ".join(f"{label}: {n}" for label, n in counts.items()),
    )
    db.session.add(request)
    db.session.flush()
    forget_memberships()
    return request
