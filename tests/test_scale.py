"""`flask seed-scale` (app/scale.py): small runs through the CLI on the test database (SQLite,
or PostgreSQL with TEST_DATABASE_URL). Bulk rows must be what the services would write: the
same counters (compared with real counts), the same HTML, sign-ups that keep the events'
rules, and search documents that searches find exactly as they find service-made ones. The
pages built on them (forum, calendar, materials) must work."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy import text as sql_text

from app import search
from app.auth.models import User, UserNameWord, fold_words
from app.communities.models import Community, Membership
from app.events import services as events
from app.events.models import Event, EventOrganiser, Registration
from app.extensions import db
from app.forum.models import Post, Section, Topic, TopicWatch
from app.forum.services import POSTS_PER_PAGE
from app.materials import services as materials
from app.materials.models import Material, MaterialAuthor, MaterialTopic
from app.mixins import utcnow
from app.sanitize import markdown_to_text, render_markdown
from app.scale import MIN_SECTIONS, SCALE_COMMUNITY_NAME, SCALE_COMMUNITY_SLUG, Bulk, Loader
from app.search import SearchDocument
from app.ui import dom_id
from tests.helpers import count_queries

SMALL = ["--users", "30", "--materials", "200", "--posts", "120", "--events", "40"]
QUERIES = ["урок", "уроки", "методическое", "функциональная грамотность", "ФГОС", "класс",
           "наставничество", "опыт", "коллеги", "презента"]


def seed_scale(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["seed-scale", *args])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def scale_community() -> Community:
    return db.session.scalar(select(Community).where(Community.slug == SCALE_COMMUNITY_SLUG))


def is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def documents() -> dict[tuple[str, int], tuple]:
    rows = db.session.execute(select(SearchDocument.kind, SearchDocument.object_id,
                                     SearchDocument.community_id, SearchDocument.title,
                                     SearchDocument.body, SearchDocument.id))
    docs = {(r.kind, r.object_id): (r.community_id, r.title, r.body, r.id) for r in rows}
    if is_sqlite():
        fts = {r.rowid: (r.title, r.body) for r in db.session.execute(
            sql_text(f"SELECT rowid, title, body FROM {search.FTS_TABLE}"))}
        docs = {key: (*value[:3], fts[value[3]]) for key, value in docs.items()}
    else:
        docs = {key: value[:3] for key, value in docs.items()}
    return docs


def results() -> dict[str, list[tuple[str, int, float]]]:
    return {q: [(h.kind, h.object_id, round(h.rank, 9)) for h in search.search(q, limit=1000)]
            for q in QUERIES}


def assert_kept_counters_are_real_counts() -> None:
    """Every counter the app keeps equals the COUNT it stands for, in every community."""
    members = dict(db.session.execute(
        select(Membership.community_id, func.count()).where(Membership.left_at.is_(None))
        .group_by(Membership.community_id)).all())
    for community in db.session.scalars(select(Community)):
        assert community.member_count == members.get(community.id, 0), community.slug

    per_topic = {r.topic_id: r for r in db.session.execute(
        select(Post.topic_id, func.count().label("n"), func.max(Post.number).label("last"),
               func.max(Post.id).label("last_id"), func.max(Post.created_at).label("last_at"))
        .group_by(Post.topic_id))}
    for topic in db.session.scalars(select(Topic)):
        real = per_topic[topic.id]
        assert topic.post_count == real.n == real.last
        assert topic.last_post_id == real.last_id
        assert topic.last_post_at == real.last_at

    per_section = {r.section_id: r for r in db.session.execute(
        select(Topic.section_id, func.count().label("topics"),
               func.sum(Topic.post_count).label("posts"),
               func.max(Topic.last_post_at).label("last_at"))
        .group_by(Topic.section_id))}
    for section in db.session.scalars(select(Section)):
        real = per_section.get(section.id)
        if real is None:
            assert (section.topic_count, section.post_count) == (0, 0)
            assert section.last_topic_id is None and section.last_post_at is None
            continue
        assert section.topic_count == real.topics
        assert section.post_count == real.posts
        assert section.last_post_at == real.last_at
        last_topic = db.session.get(Topic, section.last_topic_id)
        assert last_topic.section_id == section.id
        assert last_topic.last_post_at == real.last_at

    registrations = {(r.event_id, r.status): r.n for r in db.session.execute(
        select(Registration.event_id, Registration.status, func.count().label("n"))
        .group_by(Registration.event_id, Registration.status))}
    for event in db.session.scalars(select(Event)):
        assert event.confirmed_count == registrations.get((event.id, "confirmed"), 0)
        assert event.waitlist_count == registrations.get((event.id, "waitlisted"), 0)

    indexed = dict(db.session.execute(select(SearchDocument.kind, func.count())
                                      .group_by(SearchDocument.kind)).all())
    for kind, model in (("material", Material), ("topic", Topic), ("post", Post)):
        assert indexed.get(kind, 0) == count(model), kind
    if is_sqlite():
        fts = db.session.scalar(sql_text(f"SELECT count(*) FROM {search.FTS_TABLE}"))
        assert fts == count(SearchDocument)


def assert_no_dangling_references() -> None:
    """The seed loads without foreign-key checks: every foreign key of every table must
    still point at a row that exists."""
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            parent = fk.column.table.alias()
            orphans = db.session.scalar(
                select(func.count()).select_from(table.outerjoin(
                    parent, fk.parent == parent.c[fk.column.name]))
                .where(fk.parent.is_not(None), parent.c[fk.column.name].is_(None)))
            assert orphans == 0, f"{table.name}.{fk.parent.name} → {fk.target_fullname}"


def test_counts_and_counters(app):
    output = seed_scale(app, *SMALL, "--random-seed", "1")
    assert "Готово за" in output
    # Progress and the summary give rows per second for each part.
    for label in ("пользователи", "материалы", "сообщения форума", "мероприятия"):
        assert re.search(rf"{label}: .* в секунду", output), label
    community = scale_community()
    assert community.name == SCALE_COMMUNITY_NAME

    assert count(User) == 30
    assert count(Membership, Membership.community_id == community.id,
                 Membership.left_at.is_(None)) == 30
    assert community.member_count == 30
    members = set(db.session.scalars(select(Membership.user_id)))

    assert count(Material, Material.community_id == community.id) == 200
    for material in db.session.scalars(select(Material)):
        assert material.author_id in members
        assert material.title == " ".join(material.title.split()) and len(material.title) <= 300
        assert material.description_html == render_markdown(material.description)
        assert material.topics_text == "; ".join(t.label for t in sorted(
            material.topics, key=lambda t: material.topics_text.index(t.label)))
        assert all(t.tag == t.label.casefold() for t in material.topics)
        assert material.link_url.startswith("https://")
    assert count(MaterialTopic) >= 200

    assert count(Post) == 120
    topics = db.session.scalars(select(Topic)).all()
    assert sum(t.post_count for t in topics) == 120
    for topic in topics:
        posts = db.session.scalars(Post.in_topic(topic)).all()
        assert [p.number for p in posts] == list(range(1, topic.post_count + 1))
        assert [p.created_at for p in posts] == sorted(p.created_at for p in posts)
        assert topic.author_id == posts[0].author_id
        assert topic.created_at == posts[0].created_at
        assert topic.last_author_id == posts[-1].author_id
        assert all(p.body_html == render_markdown(p.body) for p in posts)
        assert all(p.author_id in members for p in posts)
        watchers = set(db.session.scalars(
            select(TopicWatch.user_id).where(TopicWatch.topic_id == topic.id)))
        assert watchers == {p.author_id for p in posts}
    # Spread over the community's discussion sections, made up to MIN_SECTIONS.
    assert count(Section, Section.community_id == community.id) == MIN_SECTIONS
    assert len({t.section_id for t in topics}) > 1

    assert count(Event, Event.community_id == community.id) == 40
    assert_kept_counters_are_real_counts()
    assert_no_dangling_references()


def _seats(event_id: int) -> list[Registration]:
    return db.session.scalars(select(Registration).where(Registration.event_id == event_id)
                              .order_by(Registration.queued_at, Registration.id)).all()


def test_events_keep_the_seats_and_the_queue(app):
    seed_scale(app, "--users", "60", "--events", "150", "--random-seed", "7")
    community = scale_community()
    now = utcnow()
    all_events = db.session.scalars(select(Event)).all()
    assert len(all_events) == 150
    statuses = {e.status for e in all_events}
    assert statuses == {"draft", "published", "finished", "cancelled"}
    assert min(e.starts_at for e in all_events) < now - timedelta(days=200)
    assert max(e.starts_at for e in all_events) > now + timedelta(days=150)
    assert any(e.waitlist_count for e in all_events)
    members = set(db.session.scalars(select(Membership.user_id).where(
        Membership.community_id == community.id)))

    for event in all_events:
        assert event.ends_at > event.starts_at
        assert event.title and event.description_html == render_markdown(event.description)
        assert (event.place != "") == (event.format != "online")
        assert (event.online_url != "") == (event.format != "offline")
        assert event.created_by_id in event.organiser_ids <= members
        rows = _seats(event.id)
        confirmed = [r for r in rows if r.status == "confirmed"]
        waiting = [r for r in rows if r.status == "waitlisted"]
        if event.capacity is not None:
            assert len(confirmed) <= event.capacity
        if waiting:  # a waiting list only when every seat is taken
            assert event.capacity is not None and len(confirmed) == event.capacity
            # First come, first served: nobody who came later got a seat.
            assert max((r.queued_at, r.id) for r in confirmed) < \
                min((r.queued_at, r.id) for r in waiting)
        if event.status == "draft":
            assert rows == [] and event.published_at is None
            continue
        assert event.published_at <= now
        closes = min(event.registration_closes_at or event.starts_at,
                     event.cancelled_at or event.starts_at)
        for r in rows:
            assert r.user_id in members
            assert (event.registration_opens_at or event.published_at) <= r.queued_at <= closes
            assert r.queued_at <= now
            assert (r.cancelled_at is not None) == (r.status == "cancelled")
            assert (r.confirmed_at is None) == (r.status == "waitlisted") or \
                r.status == "cancelled"
            if r.attended is not None:
                assert event.status == "finished" and r.status == "confirmed"
        if event.status == "cancelled":
            assert event.cancelled_at and event.cancel_reason
        if event.status == "finished":
            assert event.starts_at <= now
            assert all(r.attended is not None for r in confirmed)
    assert_kept_counters_are_real_counts()

    # The services take over where the seed stopped: they fill the seats the seed left, then
    # queue behind its waiting list, and a freed seat goes to the first in line.
    event = min((e for e in all_events
                 if e.status == "published" and e.starts_at > now and e.capacity),
                key=lambda e: (e.capacity - e.confirmed_count, e.id))
    queue_before = event.waitlist_count
    rows = _seats(event.id)
    newcomers = [u for u in sorted(members) if u not in {r.user_id for r in rows}]
    free = event.capacity - event.confirmed_count
    assert len(newcomers) > free
    with current_app.test_request_context("/"):
        added = [events.sign_up(event, community, db.session.get(User, u))
                 for u in newcomers[:free + 1]]
        assert [r.status for r in added] == ["confirmed"] * free + ["waitlisted"]
        assert events.waitlist_position(added[-1]) == queue_before + 1
        first_in_line = next(r for r in _seats(event.id) if r.status == "waitlisted")
        seated = next(r for r in _seats(event.id) if r.status == "confirmed")
        promoted = events.cancel_registration(seated, event, community,
                                              db.session.get(User, seated.user_id))
        assert promoted.id == first_in_line.id
        db.session.commit()
    assert (event.confirmed_count, event.waitlist_count) == (event.capacity, queue_before)
    assert_kept_counters_are_real_counts()


def test_calendar_and_event_pages_show_seeded_events(app):
    seed_scale(app, "--users", "20", "--events", "60", "--random-seed", "3")
    community = scale_community()
    drafts = db.session.scalars(select(Event).where(Event.status == "draft")).all()
    organisers = set(db.session.scalars(select(EventOrganiser.user_id)))
    member = db.session.scalar(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.community_id == community.id, User.id.not_in(organisers)).limit(1))
    client = app.test_client(user=member)
    now = utcnow()

    upcoming = db.session.scalars(
        select(Event).where(Event.status == "published", Event.ends_at > now)
        .order_by(Event.starts_at, Event.id)).all()
    assert upcoming
    shown = client.get("/calendar/upcoming").get_data(as_text=True)
    for event in upcoming[:5]:
        assert f"/events/{event.id}\"" in shown, event.title

    # The month of the busiest month: every shown event there, drafts of others not.
    months: dict[str, list[Event]] = {}
    for event in db.session.scalars(select(Event)):
        months.setdefault(events.to_local(event.starts_at, community).strftime("%Y-%m"),
                          []).append(event)
    month, in_month = max(months.items(), key=lambda item: len(item[1]))
    response = client.get(f"/calendar/?month={month}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for event in in_month:
        link = f"/c/{community.slug}/events/{event.id}\""
        assert (link in page) == (event.status != "draft"), (event.status, event.title)
        if event.status != "draft":
            assert event.title in html.unescape(page)

    listing = client.get(f"/c/{community.slug}/events/")
    assert listing.status_code == 200
    for event in [*upcoming[:3], *drafts[:1]]:
        response = client.get(f"/c/{community.slug}/events/{event.id}")
        assert response.status_code == (404 if event.status == "draft" else 200)


def test_forum_pages_work_on_a_long_topic(app):
    seed_scale(app, "--users", "40", "--posts", "1500", "--random-seed", "4")
    community = scale_community()
    longest = db.session.scalar(select(Topic).order_by(Topic.post_count.desc()).limit(1))
    assert longest.post_count >= 10 * POSTS_PER_PAGE  # «a few very long topics»
    assert count(Topic, Topic.post_count == 1) > 0  # and many short ones
    member = db.session.get(User, longest.author_id)
    client = app.test_client(user=member)

    pages = -(-longest.post_count // POSTS_PER_PAGE)
    response = client.get(f"/c/{community.slug}/forum/topics/{longest.id}?page={pages}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    last = db.session.get(Post, longest.last_post_id)
    assert f'id="{dom_id(last)}"' in body
    first_on_page = db.session.scalar(select(Post).where(
        Post.topic_id == longest.id, Post.number == (pages - 1) * POSTS_PER_PAGE + 1))
    assert f'id="{dom_id(first_on_page)}"' in body

    section = db.session.get(Section, longest.section_id)
    response = client.get(f"/c/{community.slug}/forum/sections/{section.id}")
    assert response.status_code == 200
    newest = db.session.get(Topic, section.last_topic_id)
    assert f'id="{dom_id(newest)}"' in response.get_data(as_text=True)
    assert client.get(f"/c/{community.slug}/forum/").status_code == 200

    found = client.get(f"/c/{community.slug}/forum/search?q=коллеги")
    assert found.status_code == 200
    hits = search.search("коллеги", community_ids=[community.id], kinds=["post"], limit=30)
    assert hits
    assert f'/forum/posts/{hits[0].object_id}"' in found.get_data(as_text=True)


def test_search_finds_bulk_rows_as_it_finds_service_made_ones(app):
    seed_scale(app, *SMALL, "--random-seed", "2")
    before_docs, before_hits = documents(), results()
    assert before_hits["урок"] and before_hits["ФГОС"] and before_hits["коллеги"]

    # Index everything again the services' way: materials through reindex, forum documents
    # as app.forum.services writes them.
    for material in db.session.scalars(select(Material)).all():
        materials.reindex(material)
    for post in db.session.scalars(select(Post)).all():
        search.index_document("post", post.id, post.community_id, post.topic.title,
                              markdown_to_text(post.body))
        if post.number == 1:
            search.index_document("topic", post.topic_id, post.community_id, post.topic.title,
                                  markdown_to_text(post.body))
    db.session.commit()

    assert documents() == before_docs
    assert results() == before_hits


def test_a_service_made_twin_ranks_the_same(app):
    seed_scale(app, *SMALL, "--random-seed", "3")
    bulk = db.session.scalars(
        select(Material).where(Material.id.in_(select(MaterialAuthor.material_id)))
        .order_by(Material.id).limit(1)
    ).first() or db.session.scalars(select(Material).order_by(Material.id)).first()
    community = db.session.get(Community, bulk.community_id)
    with current_app.test_request_context("/"):
        twin = materials.create_material(
            community, bulk.author, title=bulk.title, description=bulk.description,
            type=bulk.type, level=bulk.level, link_url=bulk.link_url,
            topics=bulk.topics_text, coauthor_ids=[c.user_id for c in bulk.coauthors],
        )
        db.session.commit()
    assert twin.topics_text == bulk.topics_text
    assert twin.description_html == bulk.description_html

    def doc(material_id: int) -> SearchDocument:
        return db.session.scalar(select(SearchDocument).where(
            SearchDocument.kind == "material", SearchDocument.object_id == material_id))

    assert (doc(twin.id).title, doc(twin.id).body) == (doc(bulk.id).title, doc(bulk.id).body)
    hits = {h.object_id: h.rank for h in search.search(bulk.title, kinds=["material"],
                                                        limit=1000)}
    assert {bulk.id, twin.id} <= set(hits)
    assert hits[twin.id] == pytest.approx(hits[bulk.id])


def _rows(response) -> list[str]:
    body = response.get_data(as_text=True)
    return [html.unescape(t) for t in re.findall(
        r'<li id="[^"]+" class="material-row">\s*<article>\s*<h3><a href="[^"]+">([^<]+)</a>',
        body)]


def test_materials_list_renders_in_a_fixed_number_of_queries(app):
    seed_scale(app, *SMALL, "--random-seed", "4")
    community = scale_community()
    member = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id)
                               .where(Membership.community_id == community.id).limit(1))
    client = app.test_client(user=member)
    base = f"/c/{community.slug}/materials/"

    newest = db.session.scalars(
        select(Material).where(Material.status == "published")
        .order_by(Material.created_at.desc(), Material.id.desc())
    ).first()
    with count_queries() as full:
        response = client.get(base)
    assert response.status_code == 200
    rows = _rows(response)
    assert len(rows) == 20 and rows[0] == newest.title

    few_type = db.session.scalar(
        select(Material.type).group_by(Material.type).order_by(func.count()).limit(1))
    with count_queries() as few:
        response = client.get(f"{base}?type={few_type}")
    assert response.status_code == 200
    assert 0 < len(_rows(response)) < 20
    assert few.count == full.count  # as many queries for a few rows as for a full page

    with count_queries() as found:
        response = client.get(f"{base}?q=урок")
    assert response.status_code == 200
    assert _rows(response)
    with count_queries() as found_few:
        response = client.get(f"{base}?q=урок&type={few_type}")
    assert response.status_code == 200
    assert found_few.count == found.count


def test_twice_adds_more_and_keeps_everything_unique(app):
    seed_scale(app, *SMALL, "--random-seed", "5")
    seed_scale(app, *SMALL, "--random-seed", "5")  # the same names and choices again
    community = scale_community()
    assert count(Community, Community.slug == SCALE_COMMUNITY_SLUG) == 1
    assert count(Section, Section.community_id == community.id) == MIN_SECTIONS
    assert count(User) == 60
    assert db.session.scalar(select(func.count(func.distinct(User.email)))) == 60
    assert community.member_count == 60
    assert count(Material) == 400
    assert count(Post) == 240
    assert count(Event) == 80
    assert db.session.scalar(select(func.sum(Section.post_count))) == 240
    assert_kept_counters_are_real_counts()
    assert_no_dangling_references()


def test_fills_the_demo_communities_next_to_demo_data(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    demo_users, demo_posts, demo_events = count(User), count(Post), count(Event)
    seed_scale(app, "--users", "20", "--materials", "60", "--posts", "40", "--events", "20")
    assert scale_community() is None
    assert count(User) == demo_users + 20
    assert count(Post) == demo_posts + 40
    assert count(Event) == demo_events + 20
    in_demo = set(db.session.scalars(select(Material.community_id)))
    assert len(in_demo) > 1  # spread over the demo communities
    # Demo members write too, and the list page still renders for one of them.
    member = db.session.scalar(User.by_email("member.krasnodar@demo.ru"))
    krasnodar = db.session.scalar(select(Community).where(
        Community.slug == "krasnodar-leaders"))
    response = app.test_client(user=member).get(f"/c/{krasnodar.slug}/materials/?q=урок")
    assert response.status_code == 200
    assert_kept_counters_are_real_counts()
    assert_no_dangling_references()
    # The member pickers' name words: the demo's (through the model, the deleted account's
    # too) and the bulk users' (app/scale.py writes them itself) are the same words.
    words: dict[int, set[str]] = {}
    for user_id, word in db.session.execute(select(UserNameWord.user_id, UserNameWord.word)):
        words.setdefault(user_id, set()).add(word)
    for user in db.session.scalars(select(User)):
        assert words.get(user.id, set()) == set(fold_words(user.full_name)), user.full_name


def test_the_loader_restores_the_connection_settings(app):
    def settings(raw) -> tuple:
        """Read on the driver's connection itself, whoever holds it."""
        cursor = raw.cursor()
        if is_sqlite():
            names = ["PRAGMA synchronous", "PRAGMA cache_size", "PRAGMA foreign_keys"]
        else:
            names = ["SHOW synchronous_commit", "SHOW session_replication_role"]
        values = []
        for sql in names:
            cursor.execute(sql)
            values.append(cursor.fetchone()[0])
        cursor.close()
        raw.rollback()
        return tuple(values)

    with Loader.open() as loader:
        raw = loader.conn.connection.dbapi_connection
        during = settings(raw)
    after = settings(raw)
    with db.engine.connect() as conn:
        fresh = settings(conn.connection.dbapi_connection)
    assert all(d != a for d, a in zip(during, after, strict=True))
    assert after == fresh  # as the app's own connections have it


def test_bulk_refuses_a_row_without_a_required_value(app):
    with db.engine.connect() as conn, conn.begin():
        bulk = Bulk(conn)
        with pytest.raises(ValueError, match=r"forum_posts\.\w+: give a value"):
            bulk.insert(Post.__table__, ("id", "topic_id", "community_id", "number"), [])
