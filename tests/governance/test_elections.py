"""The election of the chair by secret ballot (seed 000 §3.3): drafts, the roll fixed at
publication, one vote per council member, the results after the period, the winner made
chair; and the secrecy of the urn, down to the database's own bookkeeping."""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import Date, DateTime, Time, inspect, select, text
from sqlalchemy.exc import OperationalError

from app.communities.models import Membership, Role
from app.errors import DomainError
from app.extensions import db
from app.governance.elections import services
from app.governance.elections.models import (
    Ballot,
    Election,
    ElectionStatus,
    RollEntry,
)
from app.mixins import utcnow
from app.notifications.models import Notification
from tests.factories import make_membership, make_user
from tests.governance.pages_elections import cast, end_now, make_election
from tests.helpers import HX, count_queries
from tests.helpers import text as body


def url(community, election=None, action: str = "") -> str:
    base = f"/c/{community.slug}/elections/"
    return base if election is None else f"{base}{election.id}{'/' + action if action else ''}"


def role_of(user, community) -> Membership:
    db.session.expire_all()
    return db.session.scalar(Membership.active().where(
        Membership.user_id == user.id, Membership.community_id == community.id))


def ballots(election) -> list[tuple[str, int]]:
    db.session.expire_all()
    return list(db.session.execute(select(Ballot.id, Ballot.candidate_id).where(
        Ballot.election_id == election.id)))


def roll(election) -> dict[int, bool]:
    return dict(db.session.execute(select(RollEntry.user_id, RollEntry.has_voted).where(
        RollEntry.election_id == election.id)).all())


# --- drafts --------------------------------------------------------------------------------


def form_data(people, **over) -> dict:
    data = {"title": "Выборы председателя на 2026/2027 учебный год",
            "starts_at": "2030-09-01T10:00", "ends_at": "2030-09-08T18:00",
            "candidate_ids": [people["chair"].id, people["council"].id]}
    data.update(over)
    return data


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_an_organiser_creates_a_draft_in_the_community_zone(client_as, people, community, role):
    response = client_as(role).post(url(community) + "new", data=form_data(people))
    assert response.status_code == 303
    election = db.session.scalar(select(Election))
    assert election.status == ElectionStatus.DRAFT
    # Typed in Europe/Moscow (UTC+3), stored as naive UTC.
    assert election.starts_at == datetime(2030, 9, 1, 7, 0)
    assert election.ends_at == datetime(2030, 9, 8, 15, 0)
    assert election.candidate_ids == sorted(
        [people["chair"].id, people["council"].id],
        key=lambda uid: next(u.full_name for u in people.values()
                             if getattr(u, "id", None) == uid))
    assert db.session.scalar(select(RollEntry.user_id)) is None  # no roll until published


@pytest.mark.parametrize("role", ["chair", "council", "member"])
def test_the_chair_and_members_may_not_organise(client_as, people, community, role):
    assert client_as(role).get(url(community) + "new").status_code == 403
    assert client_as(role).post(url(community) + "new",
                                data=form_data(people)).status_code == 403
    assert db.session.scalar(select(Election.id)) is None


@pytest.mark.parametrize("over, message", [
    ({"ends_at": "2030-08-30T10:00"}, "Окончание голосования должно быть позже его начала."),
    ({"starts_at": "2020-01-01T10:00", "ends_at": "2020-01-02T10:00"},
     "Окончание голосования уже прошло"),
    ({"candidate_ids": []}, "Выберите не меньше 2 кандидатов."),
    ({"candidate_ids": ["chair"]}, "Выберите не меньше 2 кандидатов."),
    ({"candidate_ids": ["chair", "coordinator"]}, "Кандидатами могут быть только члены совета"),
    ({"candidate_ids": ["chair", "member"]}, "Кандидатами могут быть только члены совета"),
    ({"candidate_ids": ["chair", "outsider"]}, "Кандидатами могут быть только члены совета"),
    ({"title": "   "}, "Укажите название выборов."),
    ({"ends_at": ""}, "Укажите дату и время окончания голосования."),
])
def test_bad_drafts_are_refused_with_a_message(client_as, people, community, over, message):
    if "candidate_ids" in over:
        over = {"candidate_ids": [people[k].id for k in over["candidate_ids"]]}
    response = client_as("coordinator").post(url(community) + "new",
                                             data=form_data(people, **over))
    assert response.status_code == 422
    assert message in body(response)
    assert db.session.scalar(select(Election.id)) is None


def test_the_form_offers_the_council_but_not_the_coordinator(client_as, people, community):
    make_membership(people["coordinator"], community, Role.COORDINATOR, is_council=True)
    page = body(client_as("coordinator").get(url(community) + "new"))
    for key in ("chair", "council"):
        assert people[key].full_name in page
    for key in ("coordinator", "member", "expert"):
        assert people[key].full_name not in page
    assert "Координатор проводит выборы и не может быть кандидатом" in page


def test_a_draft_is_edited_and_hidden_from_members(client_as, people, community):
    make_membership(people["expert"], community, is_council=True)
    election = make_election(community, people, publish=False)
    organiser = client_as("coordinator")
    assert organiser.get(url(community, election, "edit")).status_code == 200
    response = organiser.post(url(community, election, "edit"), data=form_data(
        people, title="Выборы председателя (уточнено)",
        candidate_ids=[people["council"].id, people["expert"].id]))
    assert response.status_code == 303
    db.session.expire_all()
    assert election.title == "Выборы председателя (уточнено)"
    assert set(election.candidate_ids) == {people["council"].id, people["expert"].id}
    member = client_as("member")
    assert member.get(url(community, election)).status_code == 404
    assert "уточнено" not in body(member.get(url(community)))
    assert "уточнено" in body(organiser.get(url(community)))


def test_a_published_election_cannot_be_edited(client_as, people, community):
    election = make_election(community, people)
    response = client_as("coordinator").post(url(community, election, "edit"),
                                             data=form_data(people, title="Другое"))
    assert response.status_code == 303
    db.session.expire_all()
    assert election.title == "Выборы председателя"
    with pytest.raises(DomainError, match="уже опубликованы"):
        services.update_election(election, community, people["coordinator"],
                                 services.ElectionFields("Другое", election.starts_at,
                                                         election.ends_at, ()))


# --- publishing: the roll ------------------------------------------------------------------


def test_publishing_fixes_the_roll_and_tells_the_council(client_as, people, community):
    election = make_election(community, people, publish=False)
    response = client_as("coordinator").post(url(community, election, "publish"))
    assert response.status_code == 303
    db.session.expire_all()
    assert election.status == ElectionStatus.PUBLISHED and election.roll_size == 2
    assert roll(election) == {people["chair"].id: False, people["council"].id: False}
    told = db.session.scalars(select(Notification.user_id).where(
        Notification.kind == "plan", Notification.text.contains("Выборы председателя"))).all()
    assert sorted(told) == sorted([people["chair"].id, people["council"].id])
    # Later council changes do not alter the roll: the member joins the council, the
    # council member leaves it; the roll stays as it was.
    make_membership(people["member"], community, is_council=True)
    make_membership(people["council"], community)
    assert roll(election) == {people["chair"].id: False, people["council"].id: False}
    assert client_as("member").post(url(community, election, "vote"), data={
        "candidate_id": people["chair"].id}).status_code == 403
    assert client_as("council").post(url(community, election, "vote"), data={
        "candidate_id": people["chair"].id}).status_code == 303
    assert len(ballots(election)) == 1


def test_one_election_at_a_time(client_as, people, community):
    first = make_election(community, people, title="Первые выборы")
    second = make_election(community, people, publish=False, title="Вторые выборы")
    client = client_as("coordinator")
    response = client.post(url(community, second, "publish"), follow_redirects=True)
    assert "В сообществе уже идут выборы «Первые выборы»" in body(response)
    db.session.expire_all()
    assert second.status == ElectionStatus.DRAFT
    end_now(first)
    client.post(url(community, first, "finalize"))
    client.post(url(community, second, "publish"))
    db.session.expire_all()
    assert second.status == ElectionStatus.PUBLISHED


def test_a_candidate_who_left_the_council_blocks_publishing(client_as, people, community):
    election = make_election(community, people, publish=False)
    make_membership(people["council"], community)  # no longer on the council
    response = client_as("coordinator").post(url(community, election, "publish"),
                                             follow_redirects=True)
    assert "Больше не могут быть кандидатами" in body(response)
    assert people["council"].full_name in body(response)
    db.session.expire_all()
    assert election.is_draft and roll(election) == {}


# --- voting --------------------------------------------------------------------------------


def ballot_section(page: str, election) -> str:
    match = re.search(rf'<section id="ballot-election-{election.id}".*?</section>', page, re.S)
    assert match, "no ballot on the page"
    return match.group(0)


def test_a_council_member_votes_once(client_as, people, community):
    election = make_election(community, people)
    chair = client_as("chair")
    page = body(chair.get(url(community, election)))
    ballot = ballot_section(page, election)
    assert 'type="radio"' in ballot and "Проголосовать" in ballot
    assert people["council"].full_name in ballot and "checked" not in ballot

    response = chair.post(url(community, election, "vote"),
                          data={"candidate_id": people["council"].id}, headers=HX)
    assert response.status_code == 200
    answer = body(response)
    assert "<html" not in answer and "Ваш голос учтён" in answer
    # The answer, and the page afterwards, never name whom the voter chose.
    assert people["council"].full_name not in answer
    page = body(chair.get(url(community, election)))
    ballot = ballot_section(page, election)
    assert "Ваш голос учтён" in ballot and 'type="radio"' not in ballot
    assert people["council"].full_name not in ballot
    assert roll(election) == {people["chair"].id: True, people["council"].id: False}
    assert [cid for _key, cid in ballots(election)] == [people["council"].id]

    again = chair.post(url(community, election, "vote"),
                       data={"candidate_id": people["chair"].id}, headers=HX)
    assert again.status_code == 422
    assert "Вы уже проголосовали: голосовать можно один раз." in body(again)
    plain = chair.post(url(community, election, "vote"), data={"candidate_id": people["chair"].id})
    assert plain.status_code == 422 and "Вы уже проголосовали" in body(plain)
    assert len(ballots(election)) == 1
    with pytest.raises(DomainError, match="Вы уже проголосовали"):
        cast(election, community, people["chair"], people["chair"])
    assert len(ballots(election)) == 1


def test_a_plain_vote_redirects_with_a_message(client_as, people, community):
    election = make_election(community, people)
    response = client_as("council").post(url(community, election, "vote"),
                                         data={"candidate_id": people["chair"].id})
    assert response.status_code == 303
    page = body(client_as("council").get(url(community, election)))
    assert "Ваш голос учтён" in page


@pytest.mark.parametrize("role", ["member", "coordinator", "expert", "admin", "outsider",
                                  "other_coordinator"])
def test_only_the_roll_votes(client_as, people, community, role):
    election = make_election(community, people)
    response = client_as(role).post(url(community, election, "vote"),
                                    data={"candidate_id": people["chair"].id})
    assert response.status_code == 403
    assert ballots(election) == []
    if role in ("member", "coordinator", "expert", "admin"):  # they see the page, no ballot
        page = body(client_as(role).get(url(community, election)))
        assert "Проголосовать" not in page
    with pytest.raises(DomainError, match="Вы не входите в список голосующих"):
        cast(election, community, people[role], people["chair"])
    assert ballots(election) == []


@pytest.mark.parametrize("starts, ends, message", [
    (timedelta(hours=2), timedelta(days=1), "Голосование ещё не началось: оно откроется"),
    (timedelta(days=-2), timedelta(days=-1), "Голосование завершено."),
])
def test_no_voting_outside_the_period(client_as, people, community, starts, ends, message):
    election = make_election(community, people, starts=starts, ends=max(ends, timedelta(days=1)))
    if ends < timedelta(0):
        end_now(election)
    page = body(client_as("chair").get(url(community, election)))
    assert message in page and "Проголосовать" not in page
    response = client_as("chair").post(url(community, election, "vote"),
                                       data={"candidate_id": people["chair"].id}, headers=HX)
    assert response.status_code == 422 and message in body(response)
    assert ballots(election) == [] and roll(election)[people["chair"].id] is False


def test_a_draft_takes_no_votes(people, community):
    election = make_election(community, people, publish=False)
    with pytest.raises(DomainError, match="Голосование не идёт"):
        cast(election, community, people["chair"], people["council"])


@pytest.mark.parametrize("data, message", [
    ({}, "Отметьте одного кандидата."),
    ({"candidate_id": "x"}, "Отметьте одного кандидата"),
    ("member", "Отметьте одного кандидата из бюллетеня."),
])
def test_a_spoilt_ballot_is_refused(client_as, people, community, data, message):
    election = make_election(community, people)
    if data == "member":
        data = {"candidate_id": people["member"].id}  # not a candidate
    response = client_as("chair").post(url(community, election, "vote"), data=data, headers=HX)
    assert response.status_code == 422 and message in body(response)
    assert ballots(election) == [] and roll(election)[people["chair"].id] is False


# --- results -------------------------------------------------------------------------------


def test_results_only_after_the_period(client_as, people, community):
    election = make_election(community, people)
    cast(election, community, people["chair"], people["chair"])
    cast(election, community, people["council"], people["chair"])
    page = body(client_as("member").get(url(community, election)))
    assert "Итоги голосования" not in page and "Проголосовали" in page
    assert "2 из 2" in page
    with pytest.raises(DomainError, match="после окончания"):
        services.results(election)
    end_now(election)
    page = body(client_as("member").get(url(community, election)))
    assert "Итоги голосования" in page
    assert "Больше всех голосов у Председателев Андрей" in page
    assert re.search(r"Председателев Андрей <span class=\"badge ok\">победитель</span>"
                     r"</td>\s*<td>2</td>\s*<td>100 %</td>", page)
    assert re.search(r"Советова Наталья</td>\s*<td>0</td>", page)
    assert "Явка: проголосовали 2 из 2 членов совета (100 %)" in page
    assert "Подвести итоги" not in page  # the member is no organiser
    assert "Подвести итоги" in body(client_as("coordinator").get(url(community, election)))


def test_finalizing_makes_the_winner_chair(client_as, people, community):
    voter = make_user(full_name="Третьякова Вера")
    make_membership(voter, community, is_council=True)
    election = make_election(community, people)
    for person in (people["chair"], people["council"], voter):
        cast(election, community, person, people["council"])
    client = client_as("coordinator")
    early = client.post(url(community, election, "finalize"), follow_redirects=True)
    assert "Голосование ещё идёт: итоги подводятся после" in body(early)
    assert role_of(people["chair"], community).role == Role.CHAIR
    assert client_as("chair").post(url(community, election, "finalize")).status_code == 403

    end_now(election)
    response = client.post(url(community, election, "finalize"), follow_redirects=True)
    assert "Итоги подведены: председателем избран(а) Советова Наталья." in body(response)
    winner, former = role_of(people["council"], community), role_of(people["chair"], community)
    assert (winner.role, winner.is_council) == (Role.CHAIR, True)
    assert (former.role, former.is_council) == (Role.MEMBER, True)
    db.session.expire_all()
    assert election.status == ElectionStatus.FINALIZED and election.winner_id == winner.user_id
    assert election.chair_appointed and election.finalized_by_id == people["coordinator"].id
    told = db.session.scalars(select(Notification.user_id).where(
        Notification.kind == "admission", Notification.text.contains("избран(а) Советова"))).all()
    assert sorted(told) == sorted([people["chair"].id, people["council"].id, voter.id])
    shown = body(client_as("member").get(f"/c/{community.slug}/"))
    assert re.search(r"<dt>Председатель</dt>\s*<dd>.*Советова Наталья", shown)
    again = client.post(url(community, election, "finalize"), follow_redirects=True)
    assert "Итоги этих выборов уже подведены." in body(again)
    index = body(client_as("member").get(url(community)))
    assert "избран(а): Советова Наталья" in index


def test_a_tie_elects_nobody(client_as, people, community):
    election = make_election(community, people)
    cast(election, community, people["chair"], people["council"])
    cast(election, community, people["council"], people["chair"])
    end_now(election)
    page = body(client_as("member").get(url(community, election)))
    assert "Голоса разделились поровну" in page and "победителя нет" in page
    assert "badge ok\">победитель" not in page
    client_as("admin").post(url(community, election, "finalize"))
    db.session.expire_all()
    assert election.status == ElectionStatus.FINALIZED and election.winner_id is None
    assert role_of(people["chair"], community).role == Role.CHAIR
    assert role_of(people["council"], community).role == Role.MEMBER
    # A new election may now be held.
    make_election(community, people, title="Повторные выборы")


def test_nobody_voted(client_as, people, community):
    election = make_election(community, people)
    end_now(election)
    client_as("coordinator").post(url(community, election, "finalize"))
    page = body(client_as("chair").get(url(community, election)))
    assert "Никто не проголосовал: председатель не избран" in page
    assert "Явка: проголосовали 0 из 2" in page
    assert role_of(people["chair"], community).role == Role.CHAIR


def test_a_winner_who_left_is_not_appointed(client_as, people, community):
    election = make_election(community, people)
    cast(election, community, people["chair"], people["council"])
    with current_app.test_request_context("/"):
        from app.communities import services as communities

        communities.leave(community, people["council"])
        db.session.commit()
    end_now(election)
    response = client_as("coordinator").post(url(community, election, "finalize"),
                                             follow_redirects=True)
    assert "больше не участник сообщества: председатель не назначен" in body(response)
    assert role_of(people["chair"], community).role == Role.CHAIR
    db.session.expire_all()
    assert election.winner_id == people["council"].id and not election.chair_appointed


def test_the_sitting_chair_is_re_elected(people, community):
    election = make_election(community, people)
    cast(election, community, people["council"], people["chair"])
    end_now(election)
    with current_app.test_request_context("/"):
        services.finalize(election, community, people["admin"])
        db.session.commit()
    chairs = db.session.scalars(select(Membership.user_id).where(
        Membership.community_id == community.id, Membership.role == Role.CHAIR,
        Membership.left_at.is_(None))).all()
    assert chairs == [people["chair"].id]


# --- secrecy -------------------------------------------------------------------------------


def columns(table: str) -> dict[str, object]:
    return {c["name"]: c for c in inspect(db.engine).get_columns(table)}


def test_the_roll_and_the_urn_cannot_be_joined():
    urn, roll_table = Ballot.__table__, RollEntry.__table__
    assert set(columns("election_roll")) == {"election_id", "user_id", "has_voted"}
    assert set(columns("election_ballots")) == {"id", "election_id", "candidate_id"}
    assert set(columns("election_roll")) & set(columns("election_ballots")) == {"election_id"}
    for table in (roll_table, urn):
        for column in table.columns:
            assert not isinstance(column.type, DateTime | Date | Time), column
        assert table.autoincrement_column is None
    assert [c.name for c in urn.primary_key] == ["id"]
    # No integer key that grows: the urn's key is a random string; the roll's key is the
    # voter, which it must have anyway, and is never in the urn.
    assert str(columns("election_ballots")["id"]["type"]).startswith("VARCHAR")
    for table in ("election_roll", "election_ballots"):
        for column in columns(table).values():
            assert column.get("default") is None, column
            assert not column.get("autoincrement") or column["name"] != "id" or \
                table == "election_ballots"
    if db.engine.dialect.name == "postgresql":
        rows = db.session.execute(text(
            "SELECT table_name, column_name, column_default, is_identity, data_type "
            "FROM information_schema.columns "
            "WHERE table_name IN ('election_roll', 'election_ballots')")).all()
        assert rows and all(r.column_default is None and r.is_identity == "NO" for r in rows)
        assert not any("time" in r.data_type or r.data_type == "date" for r in rows)
    else:
        for table in ("election_roll", "election_ballots"):
            sql = db.session.scalar(text("SELECT sql FROM sqlite_master WHERE name = :t"),
                                    {"t": table})
            assert "WITHOUT ROWID" in sql
            with pytest.raises(OperationalError, match="no such column: rowid"):
                db.session.execute(text(f"SELECT rowid FROM {table}"))
            db.session.rollback()


def physical(table: str, election) -> list[tuple]:
    """The rows of `table` of the election as stored: on PostgreSQL (xmin, (block, offset)
    of the ctid, *columns) in ctid order; on SQLite the columns in the order of the table's
    own b-tree (no ORDER BY)."""
    db.session.expire_all()
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        rows = db.session.execute(text(
            f"SELECT xmin::text AS x, ctid::text AS tid, * FROM {table} "
            "WHERE election_id = :e ORDER BY ctid"), {"e": election.id})
        return [(r[0], tuple(int(n) for n in r[1].strip("()").split(",")), *r[2:])
                for r in rows]
    # INDEXED BY the primary key's own index: on a WITHOUT ROWID table that is the table's
    # b-tree itself, not a secondary index.
    query = f"SELECT * FROM {table} INDEXED BY sqlite_autoindex_{table}_1 WHERE election_id = :e"
    plan = db.session.execute(text(f"EXPLAIN QUERY PLAN {query}"), {"e": election.id}).all()
    (step,) = [row[-1] for row in plan]
    assert step == f"SCAN {table}" or step.startswith(f"SEARCH {table} USING PRIMARY KEY")
    return [tuple(r) for r in db.session.execute(text(query), {"e": election.id})]


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
                    reason="xmin is PostgreSQL's")
def test_without_the_reseal_xmin_would_pair_them(people, community, monkeypatch):
    """The control for the test below: without `_reseal`, the voter's roll row and their
    ballot share an xmin that no other row has, which pairs them."""
    monkeypatch.setattr(services, "_reseal", lambda election_id: None)
    election = make_election(community, people)
    cast(election, community, people["chair"], people["council"])
    cast(election, community, people["council"], people["chair"])
    urn, roll_rows = physical("election_ballots", election), physical("election_roll", election)
    by_xmin = {}
    for row in urn:
        by_xmin.setdefault(row[0], []).append(("ballot", row[-1]))
    for row in roll_rows:
        if row[-1]:
            by_xmin.setdefault(row[0], []).append(("voter", row[-2]))
    pairs = {dict(v)["voter"]: dict(v)["ballot"] for v in by_xmin.values() if len(v) == 2}
    assert pairs == {people["chair"].id: people["council"].id,
                     people["council"].id: people["chair"].id}


def in_key_order(rows: list[tuple], key: int) -> bool:
    return [r[key] for r in rows] == sorted(r[key] for r in rows)


def test_after_every_vote_nothing_pairs_voters_with_ballots(people, community):
    """The attack: line up the roll rows marked as voted with the ballots, by a shared
    value or by storage order, and read who voted for whom. After every vote there is
    nothing to line up with:
    - the tables share only election_id (test above), and hold no time or sequence;
    - SQLite: both are stored in primary key order: the ballots by their random key, the
      roll by user id; no rowid exists to betray the order of insertion;
    - PostgreSQL: every row of both tables carries the same xmin, the latest vote's
      transaction, because each vote rewrites both tables in key order (ballots by random
      key, roll by user id). Which page and slot a row lands in depends on free space
      (pruning frees slots of earlier versions, which new rows may take), and the rows of
      each table are all the same size, so the layout follows the number of writes, not
      who voted when; the order is not asserted slot by slot."""
    extra = []
    for i in range(4):
        person = make_user(full_name=f"Членова Совета {i}")
        make_membership(person, community, is_council=True)
        extra.append(person)
    election = make_election(community, people)
    voters = [people["council"], extra[2], people["chair"], extra[0], extra[3], extra[1]]
    choices = [people["chair"], people["council"], people["chair"], people["chair"],
               people["council"], people["chair"]]
    postgres = db.engine.dialect.name == "postgresql"
    for n, (voter, choice) in enumerate(zip(voters, choices, strict=True), start=1):
        cast(election, community, voter, choice)
        urn, roll_rows = physical("election_ballots", election), physical("election_roll",
                                                                          election)
        assert len(urn) == n and len(roll_rows) == 6
        if postgres:
            xmins = {r[0] for r in urn} | {r[0] for r in roll_rows}
            assert len(xmins) == 1, xmins
            urn, roll_rows = [r[2:] for r in urn], [r[2:] for r in roll_rows]
        else:
            assert in_key_order(urn, 0) and in_key_order(roll_rows, 1)
        # Nothing else is stored: key, election, candidate; election, voter, has_voted.
        assert {len(r) for r in urn} == {3} and {len(r) for r in roll_rows} == {3}
    # The keys are random: 32 hex digits, all different.
    keys = [r[-3] for r in physical("election_ballots", election)]
    assert len(set(keys)) == 6 and all(re.fullmatch(r"[0-9a-f]{32}", k) for k in keys)
    assert roll(election) == {v.id: True for v in voters}
    counts: dict[int, int] = {}
    for _key, cid in ballots(election):
        counts[cid] = counts.get(cid, 0) + 1
    assert counts == {people["chair"].id: 4, people["council"].id: 2}


def test_the_same_votes_in_another_order_leave_the_same_database(people, community):
    """Two elections with the same voters and the same ballots, cast in opposite orders:
    after the last vote their tables differ only in the random keys."""
    first = make_election(community, people, title="Первые")
    plan = [(people["chair"], people["council"]), (people["council"], people["chair"])]
    for voter, choice in plan:
        cast(first, community, voter, choice)
    end_now(first)
    with current_app.test_request_context("/"):
        services.finalize(first, community, people["coordinator"])
        db.session.commit()
    second = make_election(community, people, title="Вторые", candidates=("council", "chair"))
    for voter, choice in reversed(plan):
        cast(second, community, voter, choice)

    def shape(election):
        urn = [r[-1] for r in physical("election_ballots", election)]
        rows = sorted(r[-2:] for r in physical("election_roll", election))
        return sorted(urn), rows

    assert shape(first) == shape(second)


# --- concurrency ---------------------------------------------------------------------------


def test_double_clicks_at_once_give_one_ballot(app, people, community):
    from tests.events.test_concurrency import run_at_once

    election = make_election(community, people)
    election_id, voter_id, candidate_id = election.id, people["chair"].id, people["council"].id
    refused: list[str] = []

    def work(_):
        from app.auth.models import User
        from app.communities.models import Community

        e = db.session.get(Election, election_id)
        try:
            services.cast_vote(e, db.session.get(Community, e.community_id),
                               db.session.get(User, voter_id), candidate_id)
        except DomainError as error:
            refused.append(error.message)
            raise

    errors = run_at_once(app, work, list(range(8)))
    assert [e for e in errors if not isinstance(e, DomainError)] == []
    assert len(ballots(db.session.get(Election, election_id))) == 1
    assert len(refused) == 7 and set(refused) == {
        "Вы уже проголосовали: голосовать можно один раз."}
    assert roll(db.session.get(Election, election_id))[voter_id] is True


def test_many_voters_at_once_each_leave_one_ballot(app, people, community):
    from tests.events.test_concurrency import run_at_once

    council = [people["chair"], people["council"]]
    for i in range(6):
        person = make_user(full_name=f"Параллельный Член {i}")
        make_membership(person, community, is_council=True)
        council.append(person)
    election = make_election(community, people)
    election_id, candidate_id = election.id, people["chair"].id
    jobs = [p.id for p in council] * 2  # everyone clicks twice

    def work(voter_id):
        from app.auth.models import User
        from app.communities.models import Community

        e = db.session.get(Election, election_id)
        services.cast_vote(e, db.session.get(Community, e.community_id),
                           db.session.get(User, voter_id), candidate_id)

    errors = run_at_once(app, work, jobs)
    assert all(isinstance(e, DomainError) for e in errors) and len(errors) == len(council)
    election = db.session.get(Election, election_id)
    assert len(ballots(election)) == len(council)
    assert set(roll(election).values()) == {True}
    assert len({key for key, _cid in ballots(election)}) == len(council)


# --- pages ---------------------------------------------------------------------------------


def test_the_index_query_count_does_not_grow(client_as, people, community):
    client = client_as("member")
    first = make_election(community, people, title="Выборы 1")
    end_now(first)
    client_as("coordinator").post(url(community, first, "finalize"))
    client.get(url(community))
    with count_queries() as few:
        assert client.get(url(community)).status_code == 200
    for n in range(2, 6):
        e = make_election(community, people, title=f"Выборы {n}")
        end_now(e)
        with current_app.test_request_context("/"):
            services.finalize(e, community, people["coordinator"])
            db.session.commit()
    with count_queries() as many:
        page = body(client.get(url(community)))
    assert "Выборы 5" in page and "Выборы 1" in page
    assert many.count == few.count


def test_the_election_page_query_count_does_not_grow_with_the_roll(client_as, people,
                                                                   community):
    def finished(title, voters):
        election = make_election(community, people, title=title)
        for voter in voters:
            cast(election, community, voter, people["chair"])
        end_now(election)
        with current_app.test_request_context("/"):
            services.finalize(election, community, people["coordinator"])
            db.session.commit()
        return election

    client = client_as("chair")
    small = finished("Малые", [people["council"]])
    client.get(url(community, small))
    with count_queries() as few:
        assert client.get(url(community, small)).status_code == 200
    council = [people["chair"], people["council"]]
    for i in range(5):
        person = make_user(full_name=f"Ещё Член {i}")
        make_membership(person, community, is_council=True)
        council.append(person)
    large = finished("Большие", council)
    with count_queries() as many:
        page = body(client.get(url(community, large)))
    assert "7 из 7" in page
    assert many.count == few.count


def test_members_see_the_index_and_outsiders_do_not(client_as, people, community):
    make_election(community, people, title="Выборы председателя 2026")
    assert "Выборы председателя 2026" in body(client_as("member").get(url(community)))
    assert client_as("outsider").get(url(community)).status_code == 403
    assert client_as("anonymous").get(url(community)).status_code == 302


def test_the_demo_seed_is_idempotent(people, community):
    from app.demo.governance_elections import seed

    council2 = make_user(full_name="Второва Совета")
    make_membership(council2, community, is_council=True)
    demo = {"coordinator": people["coordinator"], "chair": people["chair"],
            "council1": people["council"], "council2": council2}
    for _ in range(2):
        with current_app.test_request_context("/"):
            seed(community, demo)
            db.session.commit()
    past, current = db.session.scalars(select(Election).order_by(Election.starts_at)).all()
    assert past.status == ElectionStatus.FINALIZED and past.winner_id == people["chair"].id
    assert past.chair_appointed and role_of(people["chair"], community).role == Role.CHAIR
    counts = sorted(cid for _key, cid in ballots(past))
    assert counts == sorted([people["chair"].id] * 2 + [people["council"].id])
    assert current.state(utcnow()) == "open" and len(ballots(current)) == 1
    assert roll(current) == {people["chair"].id: False, people["council"].id: True,
                             council2.id: False}
