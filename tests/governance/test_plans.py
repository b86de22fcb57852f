"""The work plan (план работы на учебный год): drafting, the council's approval by a strict
majority, the frozen content and the fact after approval, returning for rework, next year's
draft, the summaries for the dashboards, and who may do what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.communities import services as communities
from app.communities.models import Community, Role
from app.errors import DomainError
from app.extensions import db
from app.governance.academic_year import AcademicYear, local_today
from app.governance.plans import services
from app.governance.plans.models import Plan, PlanItem, PlanLog, PlanVote
from app.mixins import utcnow
from app.notifications.models import Notification
from tests.events.conftest import make_event
from tests.factories import make_community, make_membership, make_people, make_user
from tests.governance.pages_plans import current_year, fields, make_plan, vote
from tests.helpers import HX, count_queries, text


def url(community, tail: str = "") -> str:
    return f"/c/{community.slug}/plans/{tail}"


def plan_url(community, plan, tail: str = "") -> str:
    return url(community, f"{plan.id}{tail}")


def item_data(responsible, **kw) -> dict:
    data = {"title": "Вебинар «Цифровая школа»", "day": "", "month": "10", "form": "webinar",
            "form_other": "", "responsible_id": str(responsible.id), "event_id": "0",
            "note": ""}
    data.update(kw)
    return data


def notes(user, kind="plan") -> list[str]:
    return list(db.session.scalars(select(Notification.text).where(
        Notification.user_id == user.id, Notification.kind == kind).order_by(Notification.id)))


def votes(plan) -> list[tuple[int, str]]:
    return [tuple(r) for r in db.session.execute(select(PlanVote.user_id, PlanVote.decision)
                                                   .where(PlanVote.plan_id == plan.id))]


@pytest.fixture
def council3(community, people):
    """A council of three: the chair, the council member and one more."""
    third = make_user(full_name="Советов Третий")
    make_membership(third, community, is_council=True)
    people["council3"] = third
    return [people["chair"], people["council"], third]


# --- drafting --------------------------------------------------------------------------------


def test_coordinator_creates_the_plan_and_adds_items(community, people, client_as):
    coordinator = client_as("coordinator")
    year = current_year(community)
    page = text(coordinator.get(url(community)))
    assert f"Составить план на {AcademicYear(year).label} учебный год" in page
    response = coordinator.post(url(community, "new"), data={"year": str(year)})
    assert response.status_code == 303
    plan = db.session.scalar(select(Plan))
    assert (plan.year, plan.status, plan.created_by_id) == (year, "draft",
                                                             people["coordinator"].id)
    assert response.headers["Location"].endswith(plan_url(community, plan))
    first_day = AcademicYear(year).first_day
    response = coordinator.post(plan_url(community, plan, "/items/new"), data=item_data(
        people["chair"], title="Заседание Совета", form="meeting", month="0",
        day=(first_day + timedelta(days=9)).isoformat()))
    assert response.status_code == 303
    response = coordinator.post(plan_url(community, plan, "/items/new"), data=item_data(
        people["member"], form="other", form_other="Акция", month="3"))
    assert response.status_code == 303
    first, second = db.session.scalars(select(PlanItem).order_by(PlanItem.position)).all()
    assert (first.day, first.month, first.form) == (first_day + timedelta(days=9), 9, "meeting")
    assert (second.day, second.month, second.form_other) == (None, 3, "Акция")
    assert second.status == "planned" and second.position == first.position + 1
    page = text(client_as("member").get(plan_url(community, plan)))
    assert "Заседание Совета" in page and f"март {year + 1}" in page and "Акция" in page
    assert "Добавить пункт" not in page  # members read only


def test_a_second_plan_for_the_same_year_is_refused(community, people, client_as):
    plan = make_plan(community, people["coordinator"])
    response = client_as("chair").post(url(community, "new"), data={"year": str(plan.year)},
                                       follow_redirects=True)
    assert f"План на {AcademicYear(plan.year).label} учебный год уже есть." in text(response)
    response = client_as("chair").post(url(community, "new"), data={"year": "2019"},
                                       follow_redirects=True)
    assert "План можно составить на текущий или на следующий учебный год." in text(response)
    with current_app.test_request_context("/"), pytest.raises(DomainError) as error:
        services.create_plan(community, people["chair"], plan.year)
    assert error.value.message == f"План на {AcademicYear(plan.year).label} учебный год уже есть."
    db.session.rollback()
    db.session.add(Plan(community_id=community.id, year=plan.year))
    with pytest.raises(IntegrityError):  # the unique constraint, too
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count(Plan.id))) == 1


@pytest.mark.parametrize("offset", [-1, 365])
def test_a_date_outside_the_academic_year_is_refused(community, people, client_as, offset):
    plan = make_plan(community, people["coordinator"], items=[])
    year = AcademicYear(plan.year)
    day = year.first_day + timedelta(days=offset)  # 31 August before, or 1 September after
    response = client_as("coordinator").post(plan_url(community, plan, "/items/new"),
                                             data=item_data(people["member"], month="0",
                                                            day=day.isoformat()))
    assert response.status_code == 422
    page = text(response)
    assert (f"Дата вне {year.label} учебного года: укажите дату с 1 сентября "
            f"{year.start}\u00a0г. по 31 августа {year.start + 1}\u00a0г.") in page
    assert 'id="day-error"' in page  # on the field
    assert db.session.scalar(select(func.count(PlanItem.id))) == 0


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"day": "", "month": "0"}, "day", "Укажите дату или хотя бы месяц проведения."),
    ({"day": "{first}", "month": "11"}, "month", "Месяц не совпадает с датой"),
    ({"title": "  "}, "title", "Укажите, что планируется: название пункта."),
    ({"form": "party"}, "form", "Выберите значение из списка."),
    ({"responsible_id": "0"}, "responsible_id",
     "Выберите ответственного из участников сообщества."),
])
def test_bad_item_input(community, people, client_as, changes, field, message):
    plan = make_plan(community, people["coordinator"], items=[])
    first = AcademicYear(plan.year).first_day.isoformat()
    data = item_data(people["member"], **{k: v.format(first=first) for k, v in changes.items()})
    response = client_as("coordinator").post(plan_url(community, plan, "/items/new"), data=data)
    assert response.status_code == 422
    assert message in text(response)
    assert f'id="{field}-error"' in text(response)
    assert db.session.scalar(select(func.count(PlanItem.id))) == 0


@pytest.mark.parametrize("who", ["outsider", "other_coordinator", "left"])
def test_the_responsible_must_be_a_member(community, people, client_as, who):
    if who == "left":
        person = make_user(full_name="Ушедшая Ольга")
        make_membership(person, community)
        with current_app.test_request_context("/"):
            communities.leave(community, person)
            db.session.commit()
    else:
        person = people[who]
    plan = make_plan(community, people["coordinator"], items=[])
    response = client_as("coordinator").post(plan_url(community, plan, "/items/new"),
                                             data=item_data(person))
    assert response.status_code == 422
    assert ("Ответственным может быть только участник сообщества: выберите его из списка."
            in text(response))
    assert db.session.scalar(select(func.count(PlanItem.id))) == 0


def test_only_events_of_the_community_can_be_linked(community, people, client_as):
    other = people["other_community"]
    foreign = make_event(other, people["other_coordinator"])
    plan = make_plan(community, people["coordinator"], items=[])
    response = client_as("coordinator").post(
        plan_url(community, plan, "/items/new"),
        data=item_data(people["member"], event_id=str(foreign.id)))
    assert response.status_code == 422
    assert "Связать пункт можно только с мероприятием этого сообщества." in text(response)
    own = make_event(community, people["coordinator"])
    response = client_as("coordinator").post(
        plan_url(community, plan, "/items/new"),
        data=item_data(people["member"], event_id=str(own.id)))
    assert response.status_code == 303
    assert db.session.scalar(select(PlanItem.event_id)) == own.id


def test_edit_reorder_and_remove_items_of_a_draft(community, people, client_as):
    plan = make_plan(community, people["coordinator"], items=[
        fields(people["chair"], title="Первый"), fields(people["chair"], title="Второй"),
        fields(people["chair"], title="Третий")])
    first, second, third = plan.items
    coordinator = client_as("chair")
    response = coordinator.post(plan_url(community, plan, f"/items/{second.id}/edit"),
                                data=item_data(people["member"], title="Второй, исправленный",
                                               month="12"))
    assert response.status_code == 303
    db.session.refresh(second)
    assert (second.title, second.month, second.responsible_id) == (
        "Второй, исправленный", 12, people["member"].id)
    response = coordinator.post(plan_url(community, plan, f"/items/{third.id}/move/up"),
                                headers=HX)
    assert response.status_code == 200
    page = text(response)
    assert "<html" not in page and 'id="plan-items"' in page
    assert page.index("Третий") < page.index("Второй, исправленный")
    response = coordinator.post(plan_url(community, plan, f"/items/{first.id}/move/up"),
                                headers=HX)
    assert response.status_code == 422 and "Пункт и так первый." in text(response)
    response = coordinator.post(plan_url(community, plan, f"/items/{first.id}/remove"))
    assert response.status_code == 303
    db.session.expire_all()
    assert [i.title for i in db.session.get(Plan, plan.id).items] == [
        "Третий", "Второй, исправленный"]


# --- approval by the council -----------------------------------------------------------------


def test_sending_for_approval_tells_the_council(community, people, client_as):
    plan = make_plan(community, people["coordinator"])
    response = client_as("coordinator").post(plan_url(community, plan, "/send"))
    assert response.status_code == 303
    db.session.refresh(plan)
    assert plan.status == "approval" and plan.round == 1 and plan.sent_for_approval_at
    for role in ("chair", "council"):
        assert notes(people[role]) == [
            f"План работы сообщества «{community.name}» на "
            f"{AcademicYear(plan.year).label} учебный год отправлен на утверждение Совета: "
            "ознакомьтесь и выскажитесь."]
    assert notes(people["member"]) == [] and notes(people["coordinator"]) == []


def test_an_empty_plan_is_not_sent(community, people, client_as):
    plan = make_plan(community, people["coordinator"], items=[])
    response = client_as("coordinator").post(plan_url(community, plan, "/send"),
                                             follow_redirects=True)
    assert "В плане нет ни одного пункта" in text(response)
    db.session.refresh(plan)
    assert plan.status == "draft"


def test_a_strict_majority_of_the_council_approves(community, people, council3, client_as):
    plan = make_plan(community, people["coordinator"], send=True)
    response = client_as("chair").post(plan_url(community, plan, "/vote"),
                                       data={"decision": "approve"})
    assert response.status_code == 303
    db.session.refresh(plan)
    assert plan.status == "approval"  # 1 of 3 is not a majority
    page = text(client_as("member").get(plan_url(community, plan)))
    assert "нужно 2 из 3; утвердили 1" in page and "утверждён <time" not in page
    response = client_as("council3").post(plan_url(community, plan, "/vote"),
                                          data={"decision": "approve", "comment": "Согласна."},
                                          headers=HX)
    assert response.status_code == 200
    assert 'id="plan-approval"' in text(response) and "<html" not in text(response)
    db.session.refresh(plan)
    assert plan.status == "approved" and plan.approved_at is not None
    today = local_today(community)
    page = text(client_as("member").get(plan_url(community, plan)))
    assert f"утверждён <time datetime=\"{today.isoformat()}\">" in page
    assert "Председателев Андрей" in page and "Советов Третий" in page and "Согласна." in page
    assert sorted(votes(plan)) == sorted([(people["chair"].id, "approve"),
                                          (people["council3"].id, "approve")])
    # The council member who did not vote may not vote any more.
    response = client_as("council").post(plan_url(community, plan, "/vote"),
                                         data={"decision": "approve"})
    assert response.status_code == 422
    assert "План уже утверждён: голосование закончено." in text(response)
    assert notes(people["coordinator"])[-1].endswith("утверждён Советом.")
    log = db.session.scalars(select(PlanLog.action).where(PlanLog.plan_id == plan.id)
                             .order_by(PlanLog.id)).all()
    assert log == ["created", "sent", "approve", "approve", "approved"]


def test_an_objection_needs_a_comment(community, people, client_as):
    plan = make_plan(community, people["coordinator"], send=True)
    response = client_as("council").post(plan_url(community, plan, "/vote"),
                                         data={"decision": "object", "comment": "  "},
                                         headers=HX)
    assert response.status_code == 422
    assert ("Напишите, против чего вы возражаете: возражение без комментария не принимается."
            in text(response))
    assert votes(plan) == []
    response = client_as("council").post(plan_url(community, plan, "/vote"),
                                         data={"decision": "object",
                                               "comment": "Нет заседания в мае."})
    assert response.status_code == 303
    assert votes(plan) == [(people["council"].id, "object")]
    page = text(client_as("member").get(plan_url(community, plan)))
    assert "возражаю" in page and "Нет заседания в мае." in page


def test_approving_twice_is_refused_with_a_message(community, people, council3, client_as):
    plan = make_plan(community, people["coordinator"], send=True)
    chair = client_as("chair")
    assert chair.post(plan_url(community, plan, "/vote"),
                      data={"decision": "approve"}).status_code == 303
    for decision in ("approve", "object"):
        response = chair.post(plan_url(community, plan, "/vote"),
                              data={"decision": decision, "comment": "Ещё раз"}, headers=HX)
        assert response.status_code == 422
        assert "Вы уже высказались по этому плану: утвердили его" in text(response)
    assert votes(plan) == [(people["chair"].id, "approve")]
    db.session.add(PlanVote(plan_id=plan.id, user_id=people["chair"].id, decision="approve"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("role", ["member", "coordinator", "expert", "admin", "outsider",
                                  "other_coordinator"])
def test_only_the_council_votes(community, people, client_as, role):
    plan = make_plan(community, people["coordinator"], send=True)
    response = client_as(role).post(plan_url(community, plan, "/vote"),
                                    data={"decision": "approve"})
    assert response.status_code == 403
    assert votes(plan) == []
    assert 'name="decision"' not in text(client_as(role).get(plan_url(community, plan)))


def test_a_member_who_left_the_council_no_longer_counts(community, people, council3):
    plan = make_plan(community, people["coordinator"], send=True)
    vote(plan, community, people["council"])
    make_membership(people["council"], community, is_council=False)  # off the council
    with current_app.test_request_context("/"):
        with pytest.raises(DomainError, match="только члены Совета"):
            services.vote(plan, community, people["council"], "approve")
        db.session.rollback()
        approval = services.approval_of(plan, community)
    assert (len(approval.council), approval.needed, approval.approvals) == (2, 2, 0)
    vote(plan, community, people["chair"])
    db.session.refresh(plan)
    assert plan.status == "approval"  # 1 approval of the current council of 2
    vote(plan, community, people["council3"])
    db.session.refresh(plan)
    assert plan.status == "approved"


def test_voting_on_a_draft_is_refused(community, people, client_as):
    plan = make_plan(community, people["coordinator"])
    response = client_as("council").post(plan_url(community, plan, "/vote"),
                                         data={"decision": "approve"})
    assert response.status_code == 422
    assert "План ещё не отправлен на утверждение" in text(response)
    assert votes(plan) == []


# --- after approval: frozen content, the fact, back to draft ---------------------------------


def approved_plan(community, people, **kw):
    plan = make_plan(community, people["coordinator"], send=True, **kw)
    vote(plan, community, people["chair"])
    vote(plan, community, people["council"])
    db.session.refresh(plan)
    assert plan.status == "approved"
    return plan


def test_content_is_frozen_after_approval(community, people, client_as):
    plan = approved_plan(community, people)
    (item,) = plan.items
    coordinator = client_as("coordinator")
    response = coordinator.get(plan_url(community, plan, "/items/new"), follow_redirects=True)
    assert "План утверждён: его содержание не меняется." in text(response)
    for tail in (f"/items/{item.id}/move/down", f"/items/{item.id}/remove"):
        response = coordinator.post(plan_url(community, plan, tail), follow_redirects=True)
        assert "План утверждён: его содержание не меняется." in text(response)
    # The edit page is the fact form: the title cannot change, the fact can.
    event = make_event(community, people["coordinator"],
                       starts_at=utcnow().replace(microsecond=0) - timedelta(hours=3))
    page = text(coordinator.get(plan_url(community, plan, f"/items/{item.id}/edit")))
    assert 'name="title"' not in page and 'name="status"' in page
    response = coordinator.post(plan_url(community, plan, f"/items/{item.id}/edit"), data={
        "title": "Другое название", "status": "done", "event_id": str(event.id),
        "note": "Пришли 40 человек."})
    assert response.status_code == 303
    db.session.refresh(item)
    assert (item.title, item.status, item.event_id, item.note) == (
        "Семинар «Функциональная грамотность»", "done", event.id, "Пришли 40 человек.")
    assert db.session.scalar(select(func.count(PlanItem.id))) == 1
    page = text(client_as("member").get(plan_url(community, plan)))
    assert "проведено пунктов — 1 из 1" in page
    assert "связанных мероприятий на площадке проведено — 1 из 1" in page


def test_item_status_changes_in_place(community, people, client_as):
    plan = approved_plan(community, people)
    (item,) = plan.items
    response = client_as("chair").post(plan_url(community, plan, f"/items/{item.id}/status"),
                                       data={"status": "postponed"}, headers=HX)
    assert response.status_code == 200
    page = text(response)
    assert "<html" not in page and f'id="status-plan-item-{item.id}"' in page
    assert "перенесено" in page and 'id="plan-totals"' in page and "hx-swap-oob" in page
    db.session.refresh(item)
    assert item.status == "postponed"
    response = client_as("chair").post(plan_url(community, plan, f"/items/{item.id}/status"),
                                       data={"status": "lost"}, headers=HX)
    assert response.status_code == 422 and "Выберите статус из списка." in text(response)
    assert client_as("council").post(plan_url(community, plan, f"/items/{item.id}/status"),
                                     data={"status": "done"}).status_code == 403


def test_plan_against_fact(community, people, client_as):
    now = utcnow().replace(microsecond=0)
    held = make_event(community, people["coordinator"], title="Прошедший",
                      starts_at=now - timedelta(hours=5))
    upcoming = make_event(community, people["coordinator"], title="Будущий",
                          starts_at=now + timedelta(days=2))
    cancelled = make_event(community, people["coordinator"], title="Отменённый",
                           starts_at=now + timedelta(days=3))
    with current_app.test_request_context("/"):
        from app.events import services as events

        events.cancel_event(cancelled, community, people["coordinator"], "Перенос")
        db.session.commit()
    draft = make_event(community, people["coordinator"], title="Черновой", publish=False)
    assert services.event_fact(held, now) == "held"
    assert services.event_fact(upcoming, now) == "upcoming"
    assert services.event_fact(cancelled, now) == "cancelled"
    assert services.event_fact(draft, now) == "draft"
    assert services.event_fact(None, now) is None
    year = AcademicYear.of(local_today(community)).start
    plan = make_plan(community, people["coordinator"], year=year, items=[
        fields(people["chair"], title=f"Пункт {e.title}", event_id=e.id)
        for e in (held, upcoming, cancelled, draft)] + [fields(people["chair"])])
    totals = services.fact_totals(plan.items, now)
    assert (totals.items_total, totals.items_done, totals.linked, totals.linked_held) == (
        5, 0, 4, 1)
    page = text(client_as("member").get(plan_url(community, plan)))
    for label in ("проведено", "предстоит", "отменено", "не опубликовано"):
        assert label in page


def test_return_to_draft_keeps_the_votes_in_the_history(community, people, client_as):
    plan = approved_plan(community, people)
    coordinator = client_as("coordinator")
    response = coordinator.post(plan_url(community, plan, "/return"), data={"reason": " "})
    assert response.status_code == 422
    assert "Напишите, что нужно доработать: это увидит Совет." in text(response)
    response = coordinator.post(plan_url(community, plan, "/return"),
                                data={"reason": "Добавить конкурс в апреле."})
    assert response.status_code == 303
    db.session.refresh(plan)
    assert (plan.status, plan.approved_at) == ("draft", None)
    assert votes(plan) == []
    log = db.session.execute(select(PlanLog.round, PlanLog.action, PlanLog.actor_id)
                             .where(PlanLog.plan_id == plan.id).order_by(PlanLog.id)).all()
    assert [tuple(r) for r in log][-4:] == [
        (1, "approve", people["chair"].id), (1, "approve", people["council"].id),
        (1, "approved", None), (1, "returned", people["coordinator"].id)]
    assert notes(people["council"])[-1].endswith("возвращён на доработку: Добавить конкурс в "
                                                 "апреле.")
    page = text(client_as("member").get(plan_url(community, plan)))
    assert "История плана" in page and "Добавить конкурс в апреле." in page
    # Content can change again; re-sent, the council decides afresh in round 2.
    response = coordinator.post(plan_url(community, plan, "/items/new"),
                                data=item_data(people["member"], title="Конкурс", month="4",
                                               form="contest"))
    assert response.status_code == 303
    assert coordinator.post(plan_url(community, plan, "/send")).status_code == 303
    db.session.refresh(plan)
    assert (plan.status, plan.round) == ("approval", 2)
    vote(plan, community, people["chair"])
    db.session.refresh(plan)
    assert plan.status == "approval"
    response = coordinator.post(plan_url(community, plan, "/return"), data={"reason": "x"})
    assert response.status_code == 303  # on approval may go back too
    response = coordinator.post(plan_url(community, plan, "/return"), data={"reason": "x"})
    assert response.status_code == 422 and "План и так черновик" in text(response)


# --- next year's draft ------------------------------------------------------------------------


def test_draft_next_copies_the_items_a_year_later(community, people, client_as):
    year = current_year(community)
    left = make_user(full_name="Ушедший Игорь")
    make_membership(left, community)
    first = AcademicYear(year).first_day
    leap = date(year + 1, 2, 29) if (year + 1) % 4 == 0 else date(year + 1, 2, 28)
    plan = make_plan(community, people["coordinator"], items=[
        fields(people["chair"], title="Заседание", form="meeting", day=first + timedelta(days=14)),
        fields(left, title="Мастер-класс", form="master_class", month=2),
        fields(people["member"], title="Акция", form="other", form_other="Акция", day=leap),
    ], send=True)
    event = make_event(community, people["coordinator"])
    vote(plan, community, people["chair"])
    vote(plan, community, people["council"])
    with current_app.test_request_context("/"):
        services.set_fact(plan.items[0], community, people["coordinator"], status="done",
                          event_id=event.id, note="Проведено")
        communities.leave(community, left)
        db.session.commit()
    response = client_as("chair").post(url(community, f"{year}/draft-next"))
    assert response.status_code == 303
    copy = db.session.scalar(select(Plan).where(Plan.year == year + 1))
    assert response.headers["Location"].endswith(plan_url(community, copy))
    assert copy.status == "draft" and copy.created_by_id == people["chair"].id
    rows = [(i.position, i.day, i.month, i.title, i.form, i.form_other, i.responsible_id,
             i.event_id, i.status, i.note) for i in copy.items]
    assert rows == [
        (1, first.replace(year=year + 1) + timedelta(days=14), 9, "Заседание", "meeting", "",
         people["chair"].id, None, "planned", ""),
        (2, None, 2, "Мастер-класс", "master_class", "", None, None, "planned", ""),
        (3, date(year + 2, 2, 28), 2, "Акция", "other", "Акция", people["member"].id, None,
         "planned", ""),
    ]
    page = text(client_as("chair").get(plan_url(community, copy)))
    assert "не выбран" in page
    # The copy cannot go to the council until the missing responsible person is chosen.
    response = client_as("chair").post(plan_url(community, copy, "/send"),
                                       follow_redirects=True)
    assert "Не выбран ответственный в пунктах № 2." in text(response)
    # A second copy is refused: the plan for the next year exists.
    response = client_as("chair").post(url(community, f"{year}/draft-next"),
                                       follow_redirects=True)
    assert (f"План на {AcademicYear(year + 1).label} учебный год уже есть: откройте его и "
            "дополните.") in text(response)
    assert db.session.scalar(select(func.count(Plan.id))) == 2


def test_draft_next_without_a_plan_is_refused(community, people, client_as):
    year = current_year(community)
    response = client_as("coordinator").post(url(community, f"{year}/draft-next"),
                                             follow_redirects=True)
    assert f"Плана на {AcademicYear(year).label} учебный год нет" in text(response)
    assert db.session.scalar(select(func.count(Plan.id))) == 0
    assert client_as("member").post(url(community, f"{year}/draft-next")).status_code == 403


# --- summaries for the dashboards ------------------------------------------------------------


def _due_in(community, days: int) -> int:
    """Set the community's plan due date `days` from today; the year it falls in."""
    due = local_today(community) + timedelta(days=days)
    community.plan_due_month, community.plan_due_day = due.month, due.day
    db.session.commit()
    return AcademicYear.of(due).start


def test_plan_summary_states(community, people):
    year = _due_in(community, 30)
    summary = services.plan_summary(community, year)
    assert (summary.plan, summary.status, summary.status_label) == (None, "none",
                                                                    "не составлен")
    assert (summary.approved_on, summary.items_total, summary.items_done) == (None, 0, 0)
    plan = make_plan(community, people["coordinator"], year=year, items=[
        fields(people["chair"]), fields(people["chair"], title="Второй")])
    summary = services.plan_summary(community, AcademicYear(year))  # an AcademicYear too
    assert (summary.plan.id, summary.status, summary.status_label, summary.items_total) == (
        plan.id, "draft", "черновик", 2)
    with current_app.test_request_context("/"):
        services.send_for_approval(plan, community, people["coordinator"])
        services.set_item_status(plan.items[0], people["coordinator"], "done")
        db.session.commit()
    summary = services.plan_summary(community, year)
    assert (summary.status, summary.status_label, summary.items_done) == (
        "approval", "на утверждении", 1)
    vote(plan, community, people["chair"])
    vote(plan, community, people["council"])
    summary = services.plan_summary(community, year)
    assert (summary.status, summary.status_label) == ("approved", "утверждён")
    assert summary.approved_on == local_today(community)
    assert (summary.due.state, summary.due.is_warning) == ("done", False)


@pytest.mark.parametrize(("days", "approve", "state", "warning"), [
    (30, False, "upcoming", False),
    (5, False, "near", True),
    (-3, False, "missed", True),
    (20, True, "done", False),
    (-3, True, "done_late", False),
])
def test_plan_summary_due_states(community, people, days, approve, state, warning):
    year = _due_in(community, days)
    if approve:
        approved_plan(community, people, year=year)
    due = services.plan_summary(community, year).due
    assert (due.due, due.state, due.is_warning) == (
        local_today(community) + timedelta(days=days), state, warning)


def test_plan_summaries_take_one_query_for_any_number_of_communities(community, people):
    year = current_year(community)
    make_plan(community, people["coordinator"], items=[fields(people["chair"])] * 3)
    others = []
    for _ in range(4):
        other = make_community()
        crew = make_people(other)
        make_plan(other, crew["coordinator"], items=[fields(crew["chair"])])
        others.append(other)
    last = make_community()
    everyone = db.session.scalars(select(Community).order_by(Community.id)).all()
    assert len(everyone) == 11  # 5 with plans, 5 more from make_people, 1 without
    communities_ = everyone[:2]
    with count_queries() as few:
        result = services.plan_summaries(communities_, year)
    assert few.count <= 2 and set(result) == {c.id for c in communities_}
    with count_queries() as many:
        result = services.plan_summaries(everyone, year)
    assert many.count == few.count
    assert result[community.id].items_total == 3
    assert result[others[0].id].status == "draft"
    assert result[last.id].status == "none"
    assert services.plan_summaries([], year) == {}


# --- pages --------------------------------------------------------------------------------------


def test_the_plan_page_query_count_does_not_grow(community, people, client_as):
    few = make_plan(community, people["coordinator"], send=True, items=[
        fields(people["chair"], event_id=make_event(community, people["coordinator"]).id)])
    vote(few, community, people["chair"], "object", "Мало")
    many = make_plan(community, people["coordinator"], year=few.year + 1, send=True, items=[
        fields(people[r], title=f"Пункт {n}",
               event_id=make_event(community, people["coordinator"]).id)
        for n, r in enumerate(["chair", "member", "council", "expert", "coordinator"] * 2)])
    vote(many, community, people["chair"], "object", "Много")
    client = client_as("council")
    client.get(plan_url(community, few))
    with count_queries() as small:
        assert client.get(plan_url(community, few)).status_code == 200
    with count_queries() as big:
        assert client.get(plan_url(community, many)).status_code == 200
    assert big.count == small.count


def test_index_shows_plans_current_year_first(community, people, client_as):
    year = current_year(community)
    make_plan(community, people["coordinator"], year=year - 1)
    make_plan(community, people["coordinator"], year=year + 1)
    page = text(client_as("member").get(url(community)))
    labels = [AcademicYear(y).label for y in (year, year + 1, year - 1)]
    positions = [page.index(label) for label in labels]
    assert positions == sorted(positions)
    assert "не составлен" in page  # the current year has no plan yet
    assert "Составить план" not in page  # members do not draft


def test_the_approved_plan_is_printable(community, people, client_as):
    plan = approved_plan(community, people)
    page = text(client_as("coordinator").get(plan_url(community, plan)))
    # Actions sit in forms or .no-print elements, so @media print leaves the table.
    assert 'class="no-print item-actions"' in page
    assert '<table class="plan-items">' in page


# --- who may do what ----------------------------------------------------------------------------


GET_PAGES = ["", "{plan}", "{plan}/items/new", "{plan}/items/{item}/edit"]


@pytest.mark.parametrize(("role", "expected"), [
    ("anonymous", [302, 302, 302, 302]),
    ("outsider", [403, 403, 403, 403]),
    ("other_coordinator", [403, 403, 403, 403]),
    ("member", [200, 200, 403, 403]),
    ("council", [200, 200, 403, 403]),
    ("expert", [200, 200, 403, 403]),
    ("coordinator", [200, 200, 200, 200]),
    ("chair", [200, 200, 200, 200]),
    ("admin", [200, 200, 200, 200]),
])
def test_who_opens_which_page(community, people, client_as, role, expected):
    plan = make_plan(community, people["coordinator"])
    (item,) = plan.items
    client = client_as(role)
    actual = [client.get(url(community, tail.format(plan=plan.id, item=item.id))).status_code
              for tail in GET_PAGES]
    assert actual == expected


@pytest.mark.parametrize("role", ["member", "council", "expert", "outsider",
                                  "other_coordinator"])
def test_only_drafters_change_plans(community, people, client_as, role):
    plan = make_plan(community, people["coordinator"])
    (item,) = plan.items
    client = client_as(role)
    posts = [("new", {"year": str(plan.year + 1)}),
             (f"{plan.id}/items/new", item_data(people["member"])),
             (f"{plan.id}/items/{item.id}/edit", item_data(people["member"], title="X")),
             (f"{plan.id}/items/{item.id}/move/down", {}),
             (f"{plan.id}/items/{item.id}/remove", {}),
             (f"{plan.id}/items/{item.id}/status", {"status": "done"}),
             (f"{plan.id}/send", {}), (f"{plan.id}/return", {"reason": "x"}),
             (f"{plan.year}/draft-next", {})]
    for tail, data in posts:
        assert client.post(url(community, tail), data=data).status_code == 403, tail
    db.session.refresh(plan)
    assert (plan.status, len(plan.items), plan.items[0].title, plan.items[0].status) == (
        "draft", 1, "Семинар «Функциональная грамотность»", "planned")
    assert db.session.scalar(select(func.count(Plan.id))) == 1


def test_a_plan_of_another_community_is_not_found(community, people, client_as):
    other = people["other_community"]
    plan = make_plan(other, people["other_coordinator"])
    assert client_as("coordinator").get(plan_url(community, plan)).status_code == 404
    assert client_as("chair").post(plan_url(community, plan, "/vote"),
                                   data={"decision": "approve"}).status_code == 404


def test_the_chair_is_on_the_council_even_without_the_flag(community, people):
    make_membership(people["chair"], community, Role.CHAIR, is_council=False)
    with current_app.test_request_context("/"):
        council = services.council_of(community)
    assert {u.id for u in council} == {people["chair"].id, people["council"].id}


# --- demo data -----------------------------------------------------------------------------------


def test_the_demo_plan(app):
    from app.auth.models import User
    from app.demo import governance_plans
    from app.demo.seed import seed

    with current_app.test_request_context("/"):
        seed()
        db.session.commit()
        community = db.session.scalar(select(Community).where(
            Community.slug == "krasnodar-leaders"))
        people = {key: db.session.scalar(select(User).where(
            User.email == f"{key}.krasnodar@demo.ru")) for key in (
            "coordinator", "chair", "council1", "council2", "expert", "member", "member2")}
        governance_plans.seed(community, people)
        db.session.commit()
        governance_plans.seed(community, people)  # idempotent
        db.session.commit()
    # seed() seeds every demo community once; seeding again adds nothing.
    assert db.session.scalar(select(func.count(Plan.id))) == 4
    plan = db.session.scalar(select(Plan).where(Plan.community_id == community.id))
    assert plan.status == "approved" and plan.year == current_year(community)
    assert services.plan_summary(community, plan.year).due.state == "done"  # back-dated
    assert len(plan.items) >= 8
    assert any(i.event_id for i in plan.items) and any(i.status == "done" for i in plan.items)
    months = [(i.month - 9) % 12 for i in plan.items]
    assert months == sorted(months)
    decided = {v.user_id: v.decision
               for v in db.session.scalars(select(PlanVote).where(PlanVote.plan_id == plan.id))}
    assert decided == {people["chair"].id: "approve", people["council1"].id: "approve"}
    objections = db.session.scalars(select(PlanLog.actor_id).where(
        PlanLog.plan_id == plan.id, PlanLog.action == "object"))
    assert list(objections) == [people["council2"].id]
