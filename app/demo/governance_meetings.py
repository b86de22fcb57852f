"""Demo meetings of a community: two past meetings with signed minutes (the second starts
with the decisions of the first still open, and links back to it), an upcoming meeting with
its agenda, and a register of decisions with every status (done, open, withdrawn).
Idempotent: a community that has minutes is left as it is."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import User
from app.communities.models import Community
from app.events import services as events
from app.events.models import Event
from app.extensions import db
from app.governance.meetings import services as meetings
from app.governance.meetings.models import Decision, Minutes
from app.mixins import utcnow

PLACE = "Актовый зал, 2 этаж"


def _meeting(community: Community, actor: User, title: str, starts_at, *,
             agenda: list[tuple[str, User | None]], present: list[User],
             absent: tuple[User, ...] | list[User] = ()) -> Event:
    event = events.create_event(community, actor, events.EventFields(
        title=title, type="meeting", format="offline", place=PLACE, starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2), hours=2,
        description="Заседание сообщества. Повестка дня — на странице заседания."))
    events.publish(event, actor)
    before = starts_at - timedelta(days=3)
    for text, speaker in agenda:
        meetings.add_agenda_item(event, community, actor, text,
                                 speaker.id if speaker else None,
                                 now=before if starts_at <= utcnow() else None)
    if starts_at <= utcnow():
        for person, came in [*((p, True) for p in present), *((p, False) for p in absent)]:
            registration = events.sign_up(event, community, person, added_by=actor)
            events.mark_attendance(registration, event, actor, came)
    return event


def _question(minutes: Minutes, event: Event, community: Community, actor: User, title: str,
              **fields) -> None:
    """Fill in the question of the minutes that came from the agenda item `title`."""
    question = next(q for q in minutes.questions if q.title == title)
    values = {"title": question.title, "speaker_id": question.speaker_id, **fields}
    meetings.update_question(question, minutes, event, community, actor,
                             meetings.QuestionFields(**values))


def seed(community: Community, people: dict[str, User]) -> None:
    if db.session.scalar(select(Minutes.id).where(Minutes.community_id == community.id)):
        return
    coordinator, chair = people["coordinator"], people["chair"]
    council1, council2 = people["council1"], people["council2"]
    member, member2, expert = people["member"], people["member2"], people["expert"]
    day = utcnow().replace(hour=11, minute=0, second=0, microsecond=0)  # 14:00 in Moscow

    # The first meeting: the plan for the year, a seminar, mentoring.
    first = _meeting(
        community, coordinator, "Заседание № 1: план работы на учебный год",
        day - timedelta(days=45),
        agenda=[("Об утверждении плана работы сообщества на учебный год", chair),
                ("О проведении семинара «Функциональная грамотность на уроках»", coordinator),
                ("О наставничестве молодых педагогов", council1)],
        present=[chair, coordinator, council1, council2, member, member2], absent=[expert])
    minutes = meetings.create_minutes(first, community, coordinator, meetings.MinutesFields(
        number=meetings.new_minutes_fields(first, community).number, chair_id=chair.id,
        secretary_id=council2.id, place=PLACE))
    held = minutes.held_on
    _question(minutes, first, community, coordinator,
              "Об утверждении плана работы сообщества на учебный год",
              heard="Проект плана работы на учебный год: заседания, семинары, конкурс "
                    "методических разработок, консультации для молодых педагогов.",
              discussion="Координатор предложила добавить вебинар о наставничестве в "
                         "декабре.",
              decision="Утвердить план работы сообщества на учебный год с учётом предложений.",
              votes_for=6, votes_against=0, votes_abstained=0, responsible_id=chair.id,
              due_on=held + timedelta(days=15))
    _question(minutes, first, community, coordinator,
              "О проведении семинара «Функциональная грамотность на уроках»",
              heard="Цели семинара, формат (открытые уроки и мастерская), сроки.",
              decision="Провести семинар; подготовить программу и разослать участникам.",
              votes_for=5, votes_against=0, votes_abstained=1,
              responsible_id=coordinator.id, due_on=held + timedelta(days=60))
    _question(minutes, first, community, coordinator, "О наставничестве молодых педагогов",
              heard="Пять молодых специалистов нуждаются в наставниках.",
              decision="Закрепить наставников за молодыми специалистами до конца месяца.",
              votes_for=6, votes_against=0, votes_abstained=0, responsible_id=council1.id,
              due_on=held + timedelta(days=30))
    meetings.add_recommendation(minutes, community, coordinator,
                                "Разместить материалы выступлений в методическом банке.",
                                member.id, held + timedelta(days=50))
    meetings.sign_minutes(minutes, first, community, coordinator)
    register = {d.text: d for d in db.session.scalars(
        select(Decision).where(Decision.minutes_id == minutes.id))}
    meetings.set_decision_status(
        register["Утвердить план работы сообщества на учебный год с учётом предложений."],
        community, chair, "done", "План утверждён Советом.")
    meetings.set_decision_status(
        register["Закрепить наставников за молодыми специалистами до конца месяца."],
        community, coordinator, "withdrawn",
        "Передано рабочей группе по наставничеству: пары составляет она.")

    # The second meeting opens with the decisions of the first that are still open.
    second = _meeting(
        community, coordinator, "Заседание № 2: итоги первой четверти",
        day - timedelta(days=10),
        agenda=[("Об итогах первой четверти", coordinator)],
        present=[chair, coordinator, council1, member], absent=[member2])
    minutes = meetings.create_minutes(second, community, coordinator, meetings.MinutesFields(
        number=meetings.new_minutes_fields(second, community).number, chair_id=chair.id,
        secretary_id=council1.id, place=PLACE))
    carried = minutes.questions[0]
    meetings.update_question(carried, minutes, second, community, coordinator,
                             meetings.QuestionFields(
                                 title=carried.title, heard=carried.heard,
                                 discussion="Координатор: программа семинара готова, "
                                            "рассылка — на следующей неделе."))
    _question(minutes, second, community, coordinator, "Об итогах первой четверти",
              heard="Итоги первой четверти в школах сообщества: успеваемость, олимпиады.",
              decision="Провести открытые уроки в рамках недели функциональной грамотности.",
              votes_for=4, votes_against=0, votes_abstained=0, responsible_id=member2.id,
              due_on=minutes.held_on + timedelta(days=20))
    meetings.sign_minutes(minutes, second, community, coordinator)

    # The next meeting, its agenda ready (the open decisions come first by themselves).
    _meeting(community, coordinator, "Заседание № 3: итоги первого полугодия",
             day + timedelta(days=25),
             agenda=[("Об итогах первого полугодия", chair),
                     ("О подготовке конкурса методических разработок «Урок года»", expert),
                     ("Разное", None)],
             present=[])
    db.session.flush()
