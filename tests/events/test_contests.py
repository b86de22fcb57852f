"""Contests: entries (deadline, one per member, withdrawal, moderation screening), criteria,
the jury of experts, scoring (range, jury only, conflicts of interest, nobody else's scores),
the ranking (averages and spread), places and the publication of the results, and entries in
moderation (report, remove, restore, log)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.communities.models import Membership
from app.errors import DomainError
from app.events import contests
from app.events import services as event_services
from app.events.models import (
    ContestCriterion,
    ContestEntry,
    ContestEntryFile,
    ContestJuror,
    ContestScore,
    EntryStatus,
)
from app.extensions import db
from app.mixins import utcnow
from app.moderation.models import ModerationCase, ModerationLog, Report
from app.notifications.models import Notification
from tests.events.conftest import make_event
from tests.factories import make_membership, make_user
from tests.files import PDF
from tests.helpers import HX, count_queries, text

# --- builders --------------------------------------------------------------------------------


@pytest.fixture
def contest(community, people):
    """A published contest of `community`, entries accepted for three more days."""
    return make_event(community, people["coordinator"], type="contest",
                      title="Конкурс «Урок года»",
                      entries_deadline=utcnow().replace(microsecond=0) + timedelta(days=3))


def in_request(fn, *args, **kwargs):
    """Run a service as a view would (URLs need a request), then commit."""
    with current_app.test_request_context("/"):
        result = fn(*args, **kwargs)
        db.session.commit()
    return result


def submit(event, community, author, title="Урок-исследование", description="Описание урока",
           **kwargs):
    return in_request(contests.submit_entry, event, community, author, title=title,
                      description=description, **kwargs)


def expert(community, **kwargs):
    user = make_user(**kwargs)
    make_membership(user, community, is_expert=True)
    return user


def appoint(event, community, people, *users):
    for user in users:
        in_request(contests.appoint_juror, event, community, people["coordinator"], user.id)


def criterion(event, community, people, name="Оригинальность", max_score=10):
    return in_request(contests.add_criterion, event, community, people["coordinator"], name,
                      max_score)


def give(event, entry, juror, *values):
    criteria = contests.criteria_of(event)
    return in_request(contests.score_entry, entry, event, juror,
                      {c.id: v for c, v in zip(criteria, values, strict=True)})


def close_entries(event):
    """Move the deadline into the past (entries were submitted before it)."""
    event.entries_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()


def url(community, event, tail=""):
    return f"/c/{community.slug}/events/{event.id}{tail}"


def counts():
    return (db.session.scalar(select(func.count(ContestEntry.id))),
            db.session.scalar(select(func.count(ContestScore.id))),
            db.session.scalar(select(func.count(ContestEntryFile.entry_id))))


# --- entries ---------------------------------------------------------------------------------


def test_member_submits_an_entry_with_a_file(client_as, people, community, contest):
    client = client_as("member")
    page = text(client.get(url(community, contest)))
    assert 'id="contest"' in page and "Подать работу" in page
    assert client.get(url(community, contest, "/entries/new")).status_code == 200

    response = client.post(url(community, contest, "/entries/new"), data={
        "title": "Урок «Живая математика»", "description": "Урок в **5 классе**.",
        "files": (io.BytesIO(PDF), "Конспект.pdf"),
    }, content_type="multipart/form-data")

    assert response.status_code == 303
    entry = db.session.scalar(select(ContestEntry))
    assert response.headers["Location"].endswith(f"/entries/{entry.id}")
    assert (entry.author_id, entry.title, entry.status) == (
        people["member"].id, "Урок «Живая математика»", EntryStatus.SUBMITTED)
    assert "<strong>5 классе</strong>" in entry.description_html
    (link,) = entry.files
    page = text(client_as("chair").get(url(community, contest, f"/entries/{entry.id}")))
    assert "Урок «Живая математика»" in page and "Конспект.pdf" in page
    with client_as("chair").get(
            url(community, contest, f"/entries/{entry.id}/files/{link.file_id}")) as download:
        assert download.status_code == 200 and download.data == PDF
    # The event page lists it for everyone, and shows the author their own.
    assert "Урок «Живая математика»" in text(client_as("chair").get(url(community, contest)))
    own = text(client.get(url(community, contest)))
    assert "Ваша работа:" in own and "Подать работу" not in own


def test_htmx_submission_redirects_with_a_header(client_as, community, contest):
    response = client_as("member").post(
        url(community, contest, "/entries/new"), headers=HX,
        data={"title": "Проект", "description": "Описание проекта"},
        content_type="multipart/form-data")
    assert response.status_code == 200
    entry = db.session.scalar(select(ContestEntry))
    assert response.headers["HX-Redirect"].endswith(f"/entries/{entry.id}")


def test_entry_after_the_deadline_is_refused(client_as, people, community):
    late = make_event(community, people["coordinator"], type="contest",
                      entries_deadline=utcnow() - timedelta(hours=1))
    client = client_as("member")
    assert "Приём работ закончился" in text(client.get(url(community, late, "/entries/new")))
    response = client.post(url(community, late, "/entries/new"),
                           data={"title": "Опоздавшая работа", "description": "Текст"},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Приём работ закончился" in text(response)
    assert counts() == (0, 0, 0)


def test_without_a_deadline_entries_close_when_the_contest_ends(people, community):
    start = utcnow() - timedelta(days=2)
    ended = make_event(community, people["coordinator"], type="contest", starts_at=start,
                       ends_at=start + timedelta(days=1))
    assert ended.entries_deadline is None
    with pytest.raises(DomainError, match="Приём работ закончился"):
        submit(ended, community, people["member"])


def test_entries_to_a_draft_or_cancelled_contest_are_refused(client_as, people, community):
    draft = make_event(community, people["coordinator"], publish=False, type="contest")
    with pytest.raises(DomainError, match="не опубликован"):
        submit(draft, community, people["member"])
    assert client_as("member").get(url(community, draft, "/entries/new")).status_code == 404

    cancelled = make_event(community, people["coordinator"], type="contest")
    in_request(event_services.cancel_event, cancelled, community, people["coordinator"],
               "Нет жюри")
    response = client_as("member").post(url(community, cancelled, "/entries/new"),
                                        data={"title": "Работа", "description": "Текст"},
                                        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Конкурс отменён" in text(response)
    assert counts() == (0, 0, 0)


def test_only_members_submit(people, community, contest):
    with pytest.raises(DomainError, match="только участники сообщества"):
        submit(contest, community, people["admin"])


def test_an_entry_needs_a_title_and_a_description_or_a_file(client_as, community, contest):
    client = client_as("member")
    response = client.post(url(community, contest, "/entries/new"),
                           data={"title": "  ", "description": ""},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Укажите название работы." in text(response)
    response = client.post(url(community, contest, "/entries/new"),
                           data={"title": "Работа без всего", "description": ""},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Опишите работу или приложите хотя бы один файл." in text(response)
    assert counts() == (0, 0, 0)


def test_a_bad_file_saves_nothing(client_as, community, contest):
    response = client_as("member").post(
        url(community, contest, "/entries/new"),
        data={"title": "Работа", "description": "Текст",
              "files": (io.BytesIO(b"MZ\x90\x00" + bytes(60)), "setup.exe")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert counts() == (0, 0, 0)


def test_one_active_entry_per_member(client_as, people, community, contest):
    first = submit(contest, community, people["member"], title="Первая работа")
    client = client_as("member")
    assert "Вы уже подали работу" in text(client.get(url(community, contest, "/entries/new")))
    response = client.post(url(community, contest, "/entries/new"),
                           data={"title": "Вторая работа", "description": "Текст"},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Вы уже подали работу на этот конкурс" in text(response)
    assert counts()[0] == 1

    in_request(contests.withdraw_entry, first, contest, people["member"])
    second = submit(contest, community, people["member"], title="Вторая работа")
    assert second.status == EntryStatus.SUBMITTED
    assert db.session.get(ContestEntry, first.id).status == EntryStatus.WITHDRAWN


def test_author_withdraws_an_entry_which_is_kept(client_as, people, community, contest):
    entry = submit(contest, community, people["member"], title="Отзываемая работа")
    assert client_as("chair").post(
        url(community, contest, f"/entries/{entry.id}/withdraw")).status_code == 403

    response = client_as("member").post(url(community, contest, f"/entries/{entry.id}/withdraw"))

    assert response.status_code == 303
    kept = db.session.get(ContestEntry, entry.id)
    assert kept.status == EntryStatus.WITHDRAWN and kept.withdrawn_at is not None
    assert "Отзываемая работа" not in text(client_as("chair").get(url(community, contest)))
    assert client_as("council").get(
        url(community, contest, f"/entries/{entry.id}")).status_code == 404
    page = text(client_as("member").get(url(community, contest, f"/entries/{entry.id}")))
    assert "Работа отозвана автором" in page
    assert client_as("coordinator").get(
        url(community, contest, f"/entries/{entry.id}")).status_code == 200


def test_no_withdrawal_after_the_deadline(client_as, people, community, contest):
    entry = submit(contest, community, people["member"])
    close_entries(contest)
    client = client_as("member")
    response = client.post(url(community, contest, f"/entries/{entry.id}/withdraw"))
    assert response.status_code == 303
    assert db.session.get(ContestEntry, entry.id).status == EntryStatus.SUBMITTED
    page = text(client.get(response.headers["Location"]))
    assert "Срок приёма работ истёк" in page


def test_muted_member_cannot_submit(client_as, people, community, contest):
    membership = db.session.scalar(select(Membership).where(
        Membership.user_id == people["member"].id, Membership.community_id == community.id))
    membership.muted_until = utcnow() + timedelta(days=3)
    db.session.commit()
    response = client_as("member").post(url(community, contest, "/entries/new"),
                                        data={"title": "Работа", "description": "Текст"},
                                        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Координатор ограничил вам возможность писать" in text(response)
    assert counts() == (0, 0, 0)


def test_a_watched_word_holds_the_entry_for_the_coordinator(client_as, people, community,
                                                            contest):
    from app.moderation import services as moderation

    in_request(moderation.add_word, community, people["coordinator"], "халтура", "hold")
    entry = submit(contest, community, people["member"], title="Спорная работа",
                   description="Не халтура, а урок")
    assert entry.held_at is not None
    case = db.session.scalar(select(ModerationCase))
    assert (case.kind, case.object_id, case.community_id) == ("entry", entry.id, community.id)
    own = text(client_as("member").get(url(community, contest)))
    assert "на проверке" in own
    assert client_as("chair").get(
        url(community, contest, f"/entries/{entry.id}")).status_code == 404
    assert "Спорная работа" not in text(client_as("chair").get(url(community, contest)))
    queue = text(client_as("coordinator").get(f"/c/{community.slug}/moderation/"))
    assert "Конкурсная работа" in queue and "Не халтура, а урок" in queue


def test_contest_pages_are_404_for_other_events(client_as, people, community):
    seminar = make_event(community, people["coordinator"])
    for tail in ("/entries/new", "/criteria", "/jury", "/ranking"):
        assert client_as("coordinator").get(url(community, seminar, tail)).status_code == 404


# --- criteria and jury -----------------------------------------------------------------------


def test_coordinator_adds_and_removes_criteria(client_as, people, community, contest):
    client = client_as("coordinator")
    response = client.post(url(community, contest, "/criteria"),
                           data={"name": "Оригинальность", "max_score": "10"})
    assert response.status_code == 303
    (added,) = contests.criteria_of(contest)
    assert (added.name, added.max_score) == ("Оригинальность", 10)
    assert "Оригинальность" in text(client.get(url(community, contest, "/criteria")))

    for value, message in (("0", "От 1 до 100."), ("101", "От 1 до 100."),
                           ("", "Укажите максимальный балл.")):
        response = client.post(url(community, contest, "/criteria"),
                               data={"name": "Другой", "max_score": value})
        assert response.status_code == 422
        assert message in text(response)
    response = client.post(url(community, contest, "/criteria"),
                           data={"name": "оригинальность", "max_score": "5"})
    assert response.status_code == 422 and "Такой критерий уже есть." in text(response)
    assert len(contests.criteria_of(contest)) == 1

    response = client.post(url(community, contest, f"/criteria/{added.id}/remove"))
    assert response.status_code == 303
    assert contests.criteria_of(contest) == []


def test_members_do_not_set_criteria_but_organisers_do(client_as, people, community):
    organised = make_event(community, people["coordinator"], type="contest",
                           organiser_ids=(people["council"].id,))
    assert client_as("member").post(url(community, organised, "/criteria"),
                                    data={"name": "Х", "max_score": "5"}).status_code == 403
    organiser = current_app.test_client(user=people["council"])
    response = organiser.post(url(community, organised, "/criteria"),
                              data={"name": "Практическая значимость", "max_score": "5"})
    assert response.status_code == 303
    assert [c.name for c in contests.criteria_of(organised)] == ["Практическая значимость"]


def test_coordinator_appoints_an_expert_who_is_told(client_as, people, community, contest):
    client = client_as("coordinator")
    page = text(client.get(url(community, contest, "/jury")))
    assert people["expert"].full_name in page

    response = client.post(url(community, contest, "/jury"),
                           data={"user_id": str(people["expert"].id)})

    assert response.status_code == 303
    assert db.session.get(ContestJuror, (contest.id, people["expert"].id)) is not None
    note = db.session.scalar(select(Notification).where(
        Notification.user_id == people["expert"].id, Notification.kind == "event"))
    assert note.text == ("Вы назначены в жюри конкурса: Конкурс «Урок года». Оцените работы "
                         "участников.")
    assert note.url.endswith(f"/events/{contest.id}/scoring")
    response = client.post(url(community, contest, "/jury"),
                           data={"user_id": str(people["expert"].id)})
    assert response.status_code == 422 and "уже в жюри" in text(response)


@pytest.mark.parametrize(("who", "message"), [
    ("member", "отмеченного в сообществе как эксперт"),
    ("outsider", "только участника сообщества"),
])
def test_appointing_a_non_expert_or_non_member_is_refused(client_as, people, community,
                                                          contest, who, message):
    response = client_as("coordinator").post(url(community, contest, "/jury"),
                                             data={"user_id": str(people[who].id)})
    assert response.status_code == 422
    assert message in text(response)
    assert db.session.scalar(select(func.count()).select_from(ContestJuror)) == 0


def test_members_do_not_appoint_jurors(client_as, people, community, contest):
    response = client_as("member").post(url(community, contest, "/jury"),
                                        data={"user_id": str(people["expert"].id)})
    assert response.status_code == 403


def test_removing_a_juror_drops_their_scores_from_the_ranking(client_as, people, community,
                                                              contest):
    criterion(contest, community, people)
    second = expert(community)
    appoint(contest, community, people, people["expert"], second)
    entry = submit(contest, community, people["member"])
    give(contest, entry, people["expert"], 4)
    give(contest, entry, second, 10)
    assert contests.ranking(contest).rows[0].average == "7"
    response = client_as("coordinator").post(
        url(community, contest, f"/jury/{second.id}/remove"))
    assert response.status_code == 303
    assert contests.ranking(contest).rows[0].average == "4"


# --- scoring ---------------------------------------------------------------------------------


@pytest.fixture
def judged(community, people, contest):
    """The contest with two criteria, the expert on the jury and the member's entry."""
    criterion(contest, community, people, "Оригинальность", 10)
    criterion(contest, community, people, "Оформление", 5)
    appoint(contest, community, people, people["expert"])
    entry = submit(contest, community, people["member"], title="Работа участницы")
    return contest, entry


def score_data(event, entry, *values):
    criteria = contests.criteria_of(event)
    return {f"e{entry.id}-score_{c.id}": str(v) for c, v in zip(criteria, values, strict=True)}


def test_juror_scores_an_entry_in_place(client_as, people, community, judged):
    contest, entry = judged
    client = client_as("expert")
    page = text(client.get(url(community, contest, "/scoring")))
    assert "Работа участницы" in page and f'id="contest-entry-{entry.id}"' in page

    response = client.post(url(community, contest, f"/scoring/{entry.id}"), headers=HX,
                           data=score_data(contest, entry, 8, 4))

    assert response.status_code == 200
    body = text(response)
    assert "<html" not in body and f'id="contest-entry-{entry.id}"' in body
    assert "Сохранено" in body and "Ваш итог: 12" in body
    values = sorted(db.session.scalars(select(ContestScore.value)))
    assert values == [4, 8]

    # Changed before the results: replaced, not added.
    client.post(url(community, contest, f"/scoring/{entry.id}"),
                data=score_data(contest, entry, 9, 5))
    assert sorted(db.session.scalars(select(ContestScore.value))) == [5, 9]


@pytest.mark.parametrize(("values", "message"), [
    ((11, 3), "Балл — от 0 до 10."),
    ((5, -1), "Балл — от 0 до 5."),
    ((5, ""), "Поставьте балл."),
])
def test_a_score_out_of_range_is_refused(client_as, people, community, judged, values, message):
    contest, entry = judged
    client = client_as("expert")
    response = client.post(url(community, contest, f"/scoring/{entry.id}"), headers=HX,
                           data=score_data(contest, entry, *values))
    assert response.status_code == 422
    assert message in text(response)
    assert counts()[1] == 0
    plain = client.post(url(community, contest, f"/scoring/{entry.id}"),
                        data=score_data(contest, entry, *values))
    assert plain.status_code == 422 and "<html" in text(plain) and message in text(plain)


def test_the_service_checks_the_range_too(people, community, judged):
    contest, entry = judged
    with pytest.raises(DomainError, match="от 0 до 5"):
        give(contest, entry, people["expert"], 3, 6)
    assert counts()[1] == 0


@pytest.mark.parametrize("role", ["member", "coordinator", "chair", "admin"])
def test_scoring_by_someone_not_on_the_jury_is_forbidden(client_as, community, judged, role):
    contest, entry = judged
    client = client_as(role)
    assert client.get(url(community, contest, "/scoring")).status_code == 403
    response = client.post(url(community, contest, f"/scoring/{entry.id}"),
                           data=score_data(contest, entry, 5, 5))
    assert response.status_code == 403
    assert counts()[1] == 0


def test_a_juror_cannot_score_their_own_entry(client_as, people, community, judged):
    contest, _ = judged
    own = submit(contest, community, people["expert"], title="Работа эксперта")
    client = client_as("expert")
    page = text(client.get(url(community, contest, "/scoring")))
    card = page.split(f'id="contest-entry-{own.id}"')[1].split("</article>")[0]
    assert "конфликт интересов" in card and "<form" not in card
    response = client.post(url(community, contest, f"/scoring/{own.id}"),
                           data=score_data(contest, own, 5, 5))
    assert response.status_code == 422
    assert "член жюри не оценивает собственную работу" in text(response)
    assert counts()[1] == 0


def test_a_juror_cannot_score_a_colleague_from_the_same_organisation(client_as, people, community,
                                                                     judged):
    contest, _ = judged
    people["expert"].organisation = "МБОУ «Лицей № 2»"
    colleague = make_user(organisation="  мбоу «лицей № 2» ")
    make_membership(colleague, community)
    db.session.commit()
    entry = submit(contest, community, colleague, title="Работа коллеги")
    client = client_as("expert")
    page = text(client.get(url(community, contest, "/scoring")))
    card = page.split(f'id="contest-entry-{entry.id}"')[1].split("</article>")[0]
    assert "конфликт интересов" in card
    response = client.post(url(community, contest, f"/scoring/{entry.id}"), headers=HX,
                           data=score_data(contest, entry, 5, 5))
    assert response.status_code == 422
    assert "ваш коллега по организации" in text(response)
    assert counts()[1] == 0


def test_empty_organisations_are_no_conflict(people, community, judged):
    contest, entry = judged
    people["expert"].organisation = " "
    people["member"].organisation = ""
    db.session.commit()
    assert contests.conflict_of_interest(entry, people["expert"]) is None
    give(contest, entry, people["expert"], 5, 5)
    assert counts()[1] == 2


def test_a_juror_does_not_see_the_other_jurors_scores(client_as, people, community, judged):
    contest, entry = judged
    other = expert(community)
    appoint(contest, community, people, other)
    give(contest, entry, other, 9, 2)

    page = text(client_as("expert").get(
        url(community, contest, "/scoring")))

    card = page.split(f'id="contest-entry-{entry.id}"')[1].split("</article>")[0]
    inputs = re.findall(r"<input[^>]*score_[^>]*>", card)
    assert len(inputs) == 2
    assert all('value=""' in i for i in inputs), inputs  # empty: nothing of the colleague
    # The colleague's total (9 + 2) is nowhere; the random CSRF token is left out of the
    # search, since it may contain «11» by chance.
    visible = re.sub(r'name="csrf_token"[^>]*>', "", card)
    assert "Не оценено" in card and not re.search(r"\b11\b", visible)
    own = text(current_app.test_client(user=other).get(url(community, contest, "/scoring")))
    assert 'value="9"' in own and 'value="2"' in own


def test_hidden_and_withdrawn_entries_are_not_scored(client_as, people, community, judged):
    contest, entry = judged
    withdrawn = submit(contest, community, people["chair"], title="Отозванная работа")
    in_request(contests.withdraw_entry, withdrawn, contest, people["chair"])
    page = text(client_as("expert").get(
        url(community, contest, "/scoring")))
    assert "Работа участницы" in page and "Отозванная работа" not in page
    with pytest.raises(DomainError, match="отозвана"):
        give(contest, withdrawn, people["expert"], 1, 1)


# --- ranking, places, results ----------------------------------------------------------------


def test_ranking_averages_and_spread(client_as, people, community, judged):
    contest, first = judged
    people["member"].organisation = "Гимназия № 1"
    j2, j3 = expert(community), expert(community)
    appoint(contest, community, people, j2, j3)
    author = make_user(organisation="Лицей № 7")
    make_membership(author, community)
    j3.organisation = "лицей № 7"
    db.session.commit()
    second = submit(contest, community, author, title="Вторая работа")
    # first: totals 12, 9, 15 → average 12, spread 6; per criterion 8 (4), 4 (2)
    give(contest, first, people["expert"], 8, 4)
    give(contest, first, j2, 6, 3)
    give(contest, first, j3, 10, 5)
    # second: totals 14, 12 → average 13, spread 2; j3 has a conflict of interest
    give(contest, second, people["expert"], 9, 5)
    give(contest, second, j2, 7, 5)

    board = contests.ranking(contest)

    top, next_ = board.rows
    assert top.entry.id == second.id and next_.entry.id == first.id
    assert (top.average, top.count, top.spread, top.eligible, top.conflicts) == (
        "13", 2, 2, 2, 1)
    assert (next_.average, next_.count, next_.spread) == ("12", 3, 6)
    assert [(s.criterion.name, s.average, s.spread) for s in next_.by_criterion] == [
        ("Оригинальность", "8", 4), ("Оформление", "4", 2)]
    assert [(s.average, s.spread) for s in top.by_criterion] == [("8", 2), ("5", 0)]
    assert board.max_total == 15
    assert board.done == {people["expert"].id: 2, j2.id: 2, j3.id: 1}

    page = text(client_as("coordinator").get(url(community, contest, "/ranking")))
    assert page.index("Вторая работа") < page.index("Работа участницы")
    row = page.split(f'id="contest-entry-{second.id}"')[1].split("</tr>")[0]
    assert "<td>13</td>" in row and "2 из 2" in row and "конфликт интересов: 1" in row
    assert "Оригинальность: 8 (2)" in row


def test_a_fractional_average(people, community, judged):
    contest, entry = judged
    other = expert(community)
    appoint(contest, community, people, other)
    give(contest, entry, people["expert"], 5, 0)
    give(contest, entry, other, 6, 0)
    assert contests.ranking(contest).rows[0].average == "5,5"


def test_ranking_is_for_the_organisers(client_as, community, judged):
    contest, _ = judged
    assert client_as("member").get(url(community, contest, "/ranking")).status_code == 403
    assert client_as("chair").get(url(community, contest, "/ranking")).status_code == 200


def test_places_and_publication(client_as, people, community, judged):
    contest, first = judged
    second = submit(contest, community, people["chair"], title="Работа председателя")
    give(contest, first, people["expert"], 10, 5)
    give(contest, second, people["expert"], 5, 5)
    client = client_as("coordinator")

    response = client.post(url(community, contest, f"/entries/{first.id}/place"), headers=HX,
                           data={f"place{first.id}-place": "winner"})

    assert response.status_code == 200
    body = text(response)
    assert "<html" not in body and f'id="contest-entry-{first.id}"' in body
    assert db.session.get(ContestEntry, first.id).place == "winner"
    bad = client.post(url(community, contest, f"/entries/{first.id}/place"), headers=HX,
                      data={f"place{first.id}-place": "champion"})
    assert bad.status_code == 422
    assert db.session.get(ContestEntry, first.id).place == "winner"
    # Members do not see places before the results are published.
    assert "Победитель" not in text(client_as("member").get(url(community, contest)))
    assert client_as("member").post(url(community, contest, f"/entries/{first.id}/place"),
                                    data={f"place{first.id}-place": "prize"}).status_code == 403

    # Not before the deadline.
    response = client.post(url(community, contest, "/results/publish"))
    assert response.status_code == 303
    assert db.session.get(type(contest), contest.id).results_published_at is None
    assert "Приём работ ещё не закончился" in text(client.get(response.headers["Location"]))

    close_entries(contest)
    response = client.post(url(community, contest, "/results/publish"))

    assert response.status_code == 303
    assert db.session.get(type(contest), contest.id).results_published_at is not None
    assert db.session.get(ContestEntry, second.id).place == "participant"
    notes = {n.user_id: n.text for n in db.session.scalars(
        select(Notification).where(Notification.text.like("Опубликованы итоги%")))}
    assert notes[people["member"].id] == ("Опубликованы итоги конкурса: Конкурс «Урок года». "
                                          "Ваша работа «Работа участницы» — победитель.")
    assert notes[people["chair"].id].endswith("«Работа председателя» — участник.")
    page = text(client_as("council").get(url(community, contest)))
    assert "Итоги конкурса" in page and "Победитель" in page

    # Frozen from now on.
    frozen = client_as("expert").post(url(community, contest, f"/scoring/{first.id}"),
                                      headers=HX, data=score_data(contest, first, 1, 1))
    assert frozen.status_code == 422 and "оценки больше не меняются" in text(frozen)
    assert "score_" not in text(client_as("expert").get(url(community, contest, "/scoring")))
    assert sorted(db.session.scalars(select(ContestScore.value))) == [5, 5, 5, 10]
    with pytest.raises(DomainError, match="оценки больше не меняются"):
        give(contest, first, people["expert"], 1, 1)
    with pytest.raises(DomainError, match="уже опубликованы"):
        in_request(contests.set_place, first, contest, community, people["coordinator"],
                   "prize")
    with pytest.raises(DomainError, match="Итоги уже опубликованы"):
        in_request(contests.publish_results, contest, community, people["coordinator"])


def test_publication_needs_at_least_one_place(people, community, judged):
    contest, _ = judged
    close_entries(contest)
    with pytest.raises(DomainError, match="Сначала присудите места"):
        in_request(contests.publish_results, contest, community, people["coordinator"])


# --- moderation ------------------------------------------------------------------------------


def test_report_remove_and_restore_an_entry_with_the_log(client_as, people, community, judged):
    contest, entry = judged
    entry_path = url(community, contest, f"/entries/{entry.id}")
    report_path = f"/c/{community.slug}/moderation/report/entry/{entry.id}"
    reporter = client_as("chair")
    page = text(reporter.get(entry_path))
    assert f'href="{report_path}"' in page
    assert f'href="{report_path}"' not in text(client_as("member").get(entry_path))
    assert reporter.get(report_path).status_code == 200

    response = reporter.post(report_path, data={"ground": "spam", "comment": "Реклама"})

    assert response.status_code == 303 and response.headers["Location"].endswith(entry_path)
    report = db.session.scalar(select(Report))
    assert (report.kind, report.object_id, report.community_id) == ("entry", entry.id,
                                                                    community.id)
    case = db.session.scalar(select(ModerationCase))
    assert (case.kind, case.object_id, case.status) == ("entry", entry.id, "open")
    coordinator = client_as("coordinator")
    queue = text(coordinator.get(f"/c/{community.slug}/moderation/"))
    assert "Конкурсная работа" in queue and "Описание урока" in queue

    response = coordinator.post(f"/c/{community.slug}/moderation/cases/{case.id}/remove",
                                data={"ground": "spam", "comment": "Реклама курсов"})
    assert response.status_code == 303
    assert db.session.get(ContestEntry, entry.id).hidden_at is not None
    placeholder = text(client_as("chair").get(entry_path))
    assert "Удалено координатором: спам." in placeholder
    assert "Описание урока" not in placeholder
    assert "Работа участницы" not in text(client_as("chair").get(url(community, contest))) \
        .split("Работы участников")[1]
    author_view = text(client_as("member").get(url(community, contest)))
    assert "удалена координатором" in author_view
    jury_page = text(client_as("expert").get(
        url(community, contest, "/scoring")))
    assert "Работа участницы" not in jury_page
    assert contests.ranking(contest).rows == []
    told = db.session.scalar(select(Notification).where(
        Notification.user_id == people["member"].id, Notification.kind == "moderation"))
    assert "Ваша конкурсная работа удалена координатором" in told.text

    response = coordinator.post(f"/c/{community.slug}/moderation/items/entry/{entry.id}/restore")
    assert response.status_code == 303 and response.headers["Location"].endswith(entry_path)
    assert db.session.get(ContestEntry, entry.id).is_public
    assert "Описание урока" in text(client_as("chair").get(entry_path))
    actions = [(e.action, e.kind, e.object_id) for e in db.session.scalars(
        select(ModerationLog).order_by(ModerationLog.id))]
    assert actions == [("report", "entry", entry.id), ("remove", "entry", entry.id),
                       ("restore", "entry", entry.id)]
    log = text(client_as("coordinator").get(f"/c/{community.slug}/moderation/log"))
    assert "конкурсная работа" in log


def test_files_of_a_removed_entry_are_not_served(client_as, people, community, contest):
    entry = submit(contest, community, people["member"], description="",
                   files=[_pdf("Работа.pdf")])
    (link,) = entry.files
    client_as("coordinator").post(
        f"/c/{community.slug}/moderation/items/entry/{entry.id}/remove", data={"ground": "spam"})
    path = url(community, contest, f"/entries/{entry.id}/files/{link.file_id}")
    assert client_as("chair").get(path).status_code == 404
    assert client_as("member").get(path).status_code == 404
    with client_as("coordinator").get(path) as download:
        assert download.status_code == 200


def _pdf(name):
    from werkzeug.datastructures import FileStorage

    return FileStorage(io.BytesIO(PDF), filename=name, content_type="application/pdf")


def test_contest_criterion_rows_belong_to_their_contest(client_as, people, community,
                                                        contest):
    other = make_event(community, people["coordinator"], type="contest")
    foreign = criterion(other, community, people)
    response = client_as("coordinator").post(
        url(community, contest, f"/criteria/{foreign.id}/remove"))
    assert response.status_code == 404
    assert db.session.get(ContestCriterion, foreign.id) is not None


# --- query budget ----------------------------------------------------------------------------


def test_contest_pages_do_not_grow_in_queries_with_entries(client_as, people, community,
                                                           judged):
    contest, first = judged
    other = expert(community)
    appoint(contest, community, people, other)
    give(contest, first, people["expert"], 5, 5)
    pages = [(client_as("expert"), url(community, contest, "/scoring")),
             (client_as("coordinator"), url(community, contest, "/ranking")),
             (client_as("chair"), url(community, contest))]

    def measure():
        found = []
        for client, path in pages:
            with count_queries() as counter:
                assert client.get(path).status_code == 200
            found.append(counter.count)
        return found

    few = measure()
    for n in range(4):
        author = make_user()
        make_membership(author, community)
        entry = submit(contest, community, author, title=f"Работа № {n}",
                       files=[_pdf(f"Файл {n}.pdf")])
        give(contest, entry, people["expert"], n, 1)
        give(contest, entry, other, n + 1, 2)
    assert measure() == few
