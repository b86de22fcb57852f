"""Capacity under concurrent sign-ups: many threads sign up at once (each with its own
database connection and transaction, as gunicorn workers would), on SQLite and on PostgreSQL
(TEST_DATABASE_URL). Never more confirmed participants than seats; the kept counters equal
the rows; the waiting list is served in order."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.events import services
from app.events.models import Event, Registration
from app.extensions import db
from tests.events.conftest import make_event, sign_up
from tests.factories import make_membership, make_user

THREADS = 24
SEATS = 5


def run_at_once(app, work, arguments) -> list[BaseException]:
    """Run work(arg) in one thread per argument, released together by a barrier; each thread
    has its own app context (own session and connection). Returns the unexpected errors."""
    barrier = threading.Barrier(len(arguments))
    errors: list[BaseException] = []

    def thread(arg):
        with app.app_context(), app.test_request_context("/"):
            barrier.wait()
            try:
                work(arg)
                db.session.commit()
            except IntegrityError:
                db.session.rollback()  # the same person twice: the unique key refused it
            except BaseException as error:  # noqa: BLE001  (reported to the test)
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=thread, args=(a,)) for a in arguments]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def counts(event_id: int) -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Registration.status, func.count()).where(Registration.event_id == event_id)
        .group_by(Registration.status)).all()
    return dict(rows)


def test_concurrent_sign_ups_never_overfill(app, community, people):
    event = make_event(community, people["coordinator"], capacity=SEATS)
    members = [make_user(full_name=f"Параллельная Ольга {i}") for i in range(THREADS)]
    for m in members:
        make_membership(m, community)
    event_id, user_ids = event.id, [m.id for m in members]

    def work(user_id):
        ev = db.session.get(Event, event_id)
        services.sign_up(ev, ev_community(ev), db.session.get(type(members[0]), user_id))

    errors = run_at_once(app, work, user_ids)
    assert errors == []
    assert counts(event_id) == {"confirmed": SEATS, "waitlisted": THREADS - SEATS}
    event = db.session.get(Event, event_id)
    assert (event.confirmed_count, event.waitlist_count) == (SEATS, THREADS - SEATS)
    waiting = db.session.scalars(select(Registration).where(
        Registration.event_id == event_id, Registration.status == "waitlisted")).all()
    assert sorted(services.waitlist_position(r) for r in waiting) == list(
        range(1, THREADS - SEATS + 1))


def test_concurrent_cancellations_promote_each_waiting_person_once(app, community, people):
    event = make_event(community, people["coordinator"], capacity=SEATS)
    members = [make_user(full_name=f"Очередная Вера {i}") for i in range(SEATS * 3)]
    for m in members:
        make_membership(m, community)
    for m in members:
        sign_up(event, community, m)  # 5 seated, 10 waiting, in this order
    seated = [m.id for m in members[:SEATS]]
    newcomers = [make_user(full_name=f"Новая Инна {i}") for i in range(SEATS)]
    for m in newcomers:
        make_membership(m, community)
    event_id = event.id
    from app.auth.models import User

    def work(arg):
        action, user_id = arg
        ev = db.session.get(Event, event_id)
        user = db.session.get(User, user_id)
        if action == "cancel":
            reg = services.registration_of(ev, user)
            services.cancel_registration(reg, ev, ev_community(ev), user)
        else:
            services.sign_up(ev, ev_community(ev), user)

    jobs = [("cancel", uid) for uid in seated] + [("sign_up", m.id) for m in newcomers]
    errors = run_at_once(app, work, jobs)
    assert errors == []
    result = counts(event_id)
    # Five left, five came from the waiting list in its order; the newcomers queue behind.
    assert result == {"cancelled": SEATS, "confirmed": SEATS, "waitlisted": SEATS * 2}
    confirmed = set(db.session.scalars(select(Registration.user_id).where(
        Registration.event_id == event_id, Registration.status == "confirmed")))
    assert confirmed == {m.id for m in members[SEATS:SEATS * 2]}
    event = db.session.get(Event, event_id)
    assert (event.confirmed_count, event.waitlist_count) == (SEATS, SEATS * 2)


def test_the_same_person_clicking_many_times_at_once_gets_one_sign_up(app, community, people):
    event = make_event(community, people["coordinator"], capacity=SEATS)
    member_id, event_id = people["member"].id, event.id
    from app.auth.models import User

    def work(_):
        ev = db.session.get(Event, event_id)
        services.sign_up(ev, ev_community(ev), db.session.get(User, member_id))

    errors = run_at_once(app, work, list(range(8)))
    assert errors == []
    assert counts(event_id) == {"confirmed": 1}
    assert db.session.get(Event, event_id).confirmed_count == 1


def ev_community(event):
    from app.communities.models import Community

    return db.session.get(Community, event.community_id)
