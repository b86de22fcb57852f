"""The annual report's numbers (app.governance.reports.numbers): each one counted from data
inside the academic year and not from data before or after it, in other communities, or in
states that do not count (drafts, cancelled, hidden, withdrawn); a constant query count."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.chat.models import ChatMessage
from app.communities.models import Membership
from app.events.models import ContestEntry, Event, Registration
from app.extensions import db
from app.forum.models import Post, Section, Topic
from app.governance.academic_year import AcademicYear
from app.governance.consultations.models import Consultation
from app.governance.plans.services import plan_summary
from app.governance.reports.numbers import ReportNumbers, assemble, tables
from app.materials.models import ExpertReview, Material
from app.mixins import utcnow
from tests.factories import make_community, make_user
from tests.helpers import count_queries

YEAR = AcademicYear(2024)  # 2024/2025; Moscow: [2024-08-31 21:00, 2025-08-31 21:00) UTC
START, END = datetime(2024, 8, 31, 21, 0), datetime(2025, 8, 31, 21, 0)
INSIDE = datetime(2025, 2, 10, 9, 0)
BEFORE = START - timedelta(minutes=1)
AFTER = END + timedelta(minutes=1)


def add(*objects):
    db.session.add_all(objects)
    db.session.commit()
    return objects[0] if len(objects) == 1 else objects


def membership(user, community, joined, left=None):
    return add(Membership(user_id=user.id, community_id=community.id, joined_at=joined,
                          left_at=left))


def event(community, type="seminar", status="published", starts_at=INSIDE, **kw):
    return add(Event(community_id=community.id, type=type, status=status,
                     title=kw.pop("title", f"{type} {status}"), starts_at=starts_at,
                     ends_at=starts_at + timedelta(hours=2), **kw))


def registration(event, user, status="confirmed", attended=None):
    return add(Registration(event_id=event.id, user_id=user.id, status=status,
                            attended=attended))


def test_the_time_bounds_of_the_year(app):
    community = make_community()
    assert YEAR.utc_bounds(community) == (START, END)


def test_members_at_the_start_and_end_joined_and_left(app):
    community, other = make_community(), make_community()
    users = {k: make_user() for k in "ABCDEFGHI"}
    membership(users["A"], community, datetime(2023, 1, 1))  # there all year
    membership(users["B"], community, datetime(2023, 5, 1), datetime(2024, 12, 1))  # left
    membership(users["C"], community, datetime(2024, 10, 1))  # joined
    membership(users["D"], community, datetime(2024, 11, 1), datetime(2025, 3, 1))  # both
    membership(users["E"], community, AFTER)  # joined after the year
    membership(users["F"], community, datetime(2022, 1, 1), BEFORE)  # left before it
    membership(users["G"], community, START)  # joined at its very first moment
    # Left and came back within the year: one person joined, one left, there at the end.
    membership(users["H"], community, datetime(2024, 10, 1), datetime(2024, 11, 1))
    membership(users["H"], community, datetime(2025, 1, 1))
    membership(users["I"], other, datetime(2024, 10, 1))  # another community
    n = assemble(community, YEAR)
    assert (n.members_at_start, n.members_joined, n.members_left, n.members_at_end) \
        == (2, 4, 3, 4)
    assert n.complete


def test_events_by_type_with_participants_and_attendees(app):
    community, other = make_community(), make_community()
    people = [make_user() for _ in range(4)]
    seminar = event(community)
    registration(seminar, people[0], attended=True)
    registration(seminar, people[1])  # confirmed, attendance not marked
    registration(seminar, people[2], status="cancelled")
    registration(seminar, people[3], status="waitlisted")
    finished = event(community, status="finished", starts_at=END - timedelta(hours=3))
    registration(finished, people[0], attended=True)
    registration(finished, people[1], attended=False)
    event(community, type="meeting", starts_at=START)
    for status in ("cancelled", "draft"):
        registration(event(community, type="webinar", status=status), people[0])
    event(community, type="webinar", starts_at=BEFORE)
    event(community, type="webinar", starts_at=AFTER)
    event(other, type="conference")
    n = assemble(community, YEAR)
    assert [(r.type, r.label, r.events, r.participants, r.attendees) for r in n.events] == [
        ("seminar", "Семинар", 2, 4, 2),
        ("meeting", "Заседание", 1, 0, 0),
    ]
    assert (n.events_total, n.participants_total, n.attendees_total) == (3, 4, 2)
    assert n.meetings_held == 1 and n.meetings_required == community.min_meetings_per_year


def test_events_of_the_running_year_count_once_they_have_started(app):
    community = make_community()
    current = AcademicYear.current(community)
    now = utcnow().replace(microsecond=0)
    event(community, starts_at=now - timedelta(days=1))
    event(community, starts_at=now + timedelta(days=1))  # planned, not held yet
    n = assemble(community, current)
    assert [(r.type, r.events) for r in n.events] == [("seminar", 1)]
    assert not n.complete


def test_contests_entries_winners_and_prize_winners(app):
    community = make_community()
    authors = [make_user() for _ in range(6)]
    done = event(community, type="contest", status="finished",
                 results_published_at=INSIDE + timedelta(days=30))
    for author, place, status in ((authors[0], "winner", "submitted"),
                                  (authors[1], "prize", "submitted"),
                                  (authors[2], "participant", "submitted"),
                                  (authors[3], None, "withdrawn")):
        add(ContestEntry(event_id=done.id, author_id=author.id, title="Работа",
                         status=status, place=place))
    add(ContestEntry(event_id=done.id, author_id=authors[4].id, title="Скрытая",
                     place="prize", hidden_at=INSIDE, hidden_reason="spam"))
    running = event(community, type="contest")  # places set, results not published
    add(ContestEntry(event_id=running.id, author_id=authors[5].id, title="Работа",
                     place="winner"))
    cancelled = event(community, type="contest", status="cancelled")
    add(ContestEntry(event_id=cancelled.id, author_id=authors[0].id, title="Работа"))
    event(community, type="contest", starts_at=AFTER)
    n = assemble(community, YEAR)
    assert (n.contests, n.contest_entries, n.contest_winners, n.contest_prize_winners) \
        == (2, 4, 1, 1)
    assert [(r.type, r.events) for r in n.events] == [("contest", 2)]


def test_materials_best_practices_and_expert_reviews(app):
    community, other = make_community(), make_community()
    author, expert = make_user(), make_user()

    def material(where=community, published_at=INSIDE, **kw):
        return add(Material(community_id=where.id, author_id=author.id, title="Материал",
                            published_at=published_at, **kw))

    plain = material()
    material(is_best_practice=True)
    material(published_at=BEFORE, is_best_practice=True)
    material(published_at=AFTER)
    material(status="pending", published_at=None)
    material(hidden_at=INSIDE, hidden_reason="spam")
    material(held_at=INSIDE)
    foreign = material(where=other)
    old = material(published_at=BEFORE)
    add(ExpertReview(material_id=plain.id, expert_id=expert.id, submitted_at=INSIDE))
    add(ExpertReview(material_id=old.id, expert_id=expert.id, submitted_at=INSIDE))
    add(ExpertReview(material_id=old.id, expert_id=author.id, submitted_at=AFTER))
    add(ExpertReview(material_id=plain.id, expert_id=author.id))  # assigned, not done
    add(ExpertReview(material_id=foreign.id, expert_id=expert.id, submitted_at=INSIDE))
    n = assemble(community, YEAR)
    assert (n.materials_published, n.best_practices, n.expert_reviews) == (2, 1, 2)


def test_consultations_by_status(app):
    community, other = make_community(), make_community()
    asker = make_user()
    for status, when in (("new", INSIDE), ("assigned", INSIDE), ("answered", INSIDE),
                         ("closed", INSIDE), ("closed", START), ("new", BEFORE),
                         ("closed", AFTER)):
        add(Consultation(community_id=community.id, asker_id=asker.id, topic="Вопрос",
                         status=status, created_at=when))
    add(Consultation(community_id=other.id, asker_id=asker.id, topic="Вопрос",
                     created_at=INSIDE))
    n = assemble(community, YEAR)
    assert n.consultations == {"new": 1, "assigned": 1, "answered": 1, "closed": 2,
                               "total": 5}


def test_forum_and_chat_activity(app):
    community, other = make_community(), make_community()
    a, b, c = make_user(), make_user(), make_user()
    section = add(Section(community_id=community.id, title="Раздел"))
    foreign_section = add(Section(community_id=other.id, title="Раздел"))

    def topic(when=INSIDE, where=community, within=section, **kw):
        return add(Topic(section_id=within.id, community_id=where.id, title="Тема",
                         author_id=a.id, created_at=when, **kw))

    def post(t, number, author, when=INSIDE, **kw):
        return add(Post(topic_id=t.id, community_id=t.community_id, number=number,
                        author_id=author.id, body="Текст", body_html="<p>Текст</p>",
                        created_at=when, **kw))

    one = topic()
    post(one, 1, a)
    post(one, 2, b)
    post(one, 3, a)
    post(one, 4, c, hidden_at=INSIDE, hidden_reason="spam")
    post(one, 5, c, held_at=INSIDE)
    post(one, 6, c, when=AFTER)
    hidden = topic(hidden_at=INSIDE)
    post(hidden, 1, c, hidden_at=INSIDE, hidden_reason="spam")
    old = topic(when=BEFORE)
    post(old, 1, a, when=BEFORE)
    post(old, 2, b)  # a reply within the year to a topic of the year before
    foreign = topic(where=other, within=foreign_section)
    post(foreign, 1, c)
    for when, kw in ((INSIDE, {}), (START, {}), (INSIDE, {"hidden_at": INSIDE}),
                     (AFTER, {}), (BEFORE, {})):
        add(ChatMessage(community_id=community.id, author_id=a.id, body="Привет",
                        body_html="<p>Привет</p>", created_at=when, **kw))
    add(ChatMessage(community_id=other.id, author_id=a.id, body="Привет",
                    body_html="<p>Привет</p>", created_at=INSIDE))
    n = assemble(community, YEAR)
    assert (n.forum_topics, n.forum_posts, n.forum_authors, n.chat_messages) == (1, 4, 2, 2)


def test_the_plan_comes_from_the_plans_summary(app):
    community = make_community()
    n = assemble(community, YEAR)
    summary = plan_summary(community, YEAR)
    assert (n.plan_status, n.plan_items_total, n.plan_items_done) \
        == (summary.status, summary.items_total, summary.items_done) == ("none", 0, 0)


def test_numbers_survive_json_and_render_as_tables(app):
    community = make_community()
    registration(event(community, type="webinar"), make_user(), attended=True)
    n = assemble(community, YEAR)
    again = ReportNumbers.from_dict(n.to_dict())
    assert again == n
    assert tables(again) == tables(n)
    by_title = {t.title: t for t in tables(n)}
    assert by_title["Мероприятия"].rows == [("Вебинар", "1", "1", "1")]
    assert by_title["Мероприятия"].total == ("Всего", "1", "1", "1")
    assert by_title["Состав сообщества"].rows[0] == ("На начало учебного года "
                                                      "(1 сентября 2024\u00a0г.)", "0")
    # A key frozen by an older version is ignored; a missing one takes its default.
    data = n.to_dict() | {"retired_number": 7}
    del data["chat_messages"]
    assert ReportNumbers.from_dict(data).chat_messages == 0


def _fill(community, k: int) -> None:
    """k of everything the numbers count, inside the year."""
    users = [make_user() for _ in range(k)]
    section = add(Section(community_id=community.id, title="Раздел"))
    for i, user in enumerate(users):
        membership(user, community, INSIDE, INSIDE + timedelta(days=1))
        for type in ("seminar", "webinar", "meeting", "contest"):
            e = event(community, type=type, title=f"{type} {i}")
            registration(e, user, attended=True)
            add(ContestEntry(event_id=e.id, author_id=user.id, title="Работа", place="winner"))
        m = add(Material(community_id=community.id, author_id=user.id, title="Материал",
                         published_at=INSIDE, is_best_practice=True))
        add(ExpertReview(material_id=m.id, expert_id=user.id, submitted_at=INSIDE))
        add(Consultation(community_id=community.id, asker_id=user.id, topic="Вопрос",
                         created_at=INSIDE))
        t = add(Topic(section_id=section.id, community_id=community.id, title="Тема",
                      author_id=user.id, created_at=INSIDE))
        add(Post(topic_id=t.id, community_id=community.id, number=1, author_id=user.id,
                 body="Текст", body_html="<p>Текст</p>", created_at=INSIDE))
        add(ChatMessage(community_id=community.id, author_id=user.id, body="Привет",
                        body_html="<p>Привет</p>", created_at=INSIDE))


@pytest.mark.parametrize("k", [1, 4])
def test_the_query_count_does_not_grow_with_the_data(app, k):
    empty, full = make_community(), make_community()
    _fill(full, k)
    db.session.expire_all()
    assert empty.timezone and full.timezone  # loaded before counting
    with count_queries() as baseline:
        assemble(empty, YEAR)
    with count_queries() as counter:
        n = assemble(full, YEAR)
    assert n.forum_posts == k and n.events_total == 4 * k and n.contest_winners == 0
    # Ours: 3 (counts, events by type, contests); plans, meetings, consultations: theirs.
    assert counter.count == baseline.count <= 8
