"""Test helpers: htmx headers, a query counter, real values for every URL argument."""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import event, func, select
from werkzeug.datastructures import FileStorage
from werkzeug.routing import AnyConverter, Rule

from app.auth.models import User
from app.chat.models import ChatMessage
from app.communities.models import Community, JoinRequest
from app.events.models import (
    CalendarFeed,
    Certificate,
    ContestCriterion,
    ContestEntry,
    ContestJuror,
    Event,
    Registration,
)
from app.extensions import db
from app.forum.models import Post, PostAttachment, Section, Topic
from app.governance.consultations.models import Consultation
from app.governance.elections.models import Election
from app.governance.groups.models import WorkingGroup
from app.governance.meetings.models import (
    AgendaItem,
    Decision,
    Minutes,
    MinutesQuestion,
    MinutesRecommendation,
)
from app.governance.mentoring.models import MentoringPair
from app.governance.plans.models import Plan, PlanItem
from app.governance.reports.models import AnnualReport
from app.materials.models import ExpertReview, Material, MaterialFile, MaterialFileVersion
from app.mixins import utcnow
from app.moderation.models import CommunityGround, ModerationCase, WatchedWordEntry
from app.notifications.models import Notification

HX = {"HX-Request": "true"}


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries():
    """Count the SQL statements run inside the block (Indico's engine-event counter)."""
    counter = QueryCounter()

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "PRAGMA")):
            counter.statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def text(response) -> str:
    return response.get_data(as_text=True)


# --- every route of the app, with real values for its URL arguments --------------------


@cache
def app_rules() -> tuple[Rule, ...]:
    """The URL rules of a throwaway app (all but `static`), for parametrizing at collection
    time; the database is never touched. Tests look the same rule up in the session `app`."""
    from app import create_app
    from app.config import TestConfig

    tmp = Path(tempfile.mkdtemp(prefix="soobshchestvo-rules-"))

    class CollectConfig(TestConfig):
        INSTANCE_DIR = tmp
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        UPLOAD_FOLDER = str(tmp / "uploads")
        MAIL_OUTBOX = str(tmp / "outbox")

    rules = create_app(CollectConfig).url_map.iter_rules()
    return tuple(sorted((r for r in rules if r.endpoint != "static"),
                        key=lambda r: (r.endpoint, r.rule)))


def rule_of(app, endpoint: str, path: str) -> Rule:
    """The session app's rule for `endpoint` with the given path pattern."""
    for rule in app.url_map.iter_rules(endpoint):
        if rule.rule == path:
            return rule
    pytest.fail(f"{endpoint} ({path}) is no longer in app.url_map")


# The smallest file the upload service accepts as a PDF.
TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class UrlContext:
    """The objects whose ids fill URL arguments. Add a field (and a line in URL_ARGS) when a
    route takes a new argument.

    The forum objects have fixed authors, whoever the viewer is, so that one row of the access
    table shows both sides of the author rules: `post` is written by the `member` column, so
    forum.edit_post lets the member in and refuses everyone else (the coordinator and the
    administrator too), and forum.revisions lets in the author and the forum moderators but
    not the chair. The reported post is the council member's (a member in no column), so
    every role that may complain about it is not its author; the expert (a member in no
    column either) has reported it, so it is in the moderation queue (`case`), but one
    report is below the auto-hide threshold and the post stays visible to every member.

    Moderation settings are the community's, added by its coordinator: a ground of its own
    (`ground`) and a watched word (`word`); `platform_word` is the administrator's watched
    word of the whole platform (community_id None), for the admin blueprint's routes. Both
    words only flag, and no text of the context contains them.

    The methodological bank's `material` is the council member's, published (the community
    does not ask for approval), with one TXT file (`material_file`, its first version
    `material_version`): every member may open and download it, but only its author and the
    bank managers (coordinator, administrator) may edit it, so the chair may not. The
    coordinator adds a review criterion (a new name per call) and entrusts the material to
    the expert: `review` is the expert's, so no column may fill it in."""

    community: Community
    join_request: JoinRequest  # pending, by an applicant, in `community`
    notification: Notification  # addressed to the requesting user
    user: User  # whose profile /users/<user_id> shows: the council member of `community`
    section: Section  # an ordinary forum section (not announcements) of `community`
    topic: Topic  # in `section`: opened by the council member, answered by the member
    post: Post  # the member's reply in `topic` (post_id)
    reported_post: Post  # the opening post of `topic`, by the council member (report's item_id)
    attachment: PostAttachment  # a PDF attached to `reported_post`
    chat_message: ChatMessage  # by the council member, so chat polling has something to return
    case: ModerationCase  # open: the expert's report on `reported_post`
    ground: CommunityGround  # an active ground of `community`, added by its coordinator
    word: WatchedWordEntry  # a watched word of `community`, added by its coordinator
    platform_word: WatchedWordEntry  # a watched word of the platform, added by the admin
    material: Material  # published, by the council member, in `community`
    material_file: MaterialFile  # the TXT file of `material` (file_id)
    material_version: MaterialFileVersion  # its first version (version_id)
    review: ExpertReview  # the expert's assignment to `material`, not yet submitted
    # Events: a published seminar of `community` tomorrow, organised by its coordinator (so
    # the chair and the administrator run it as event managers, plain members do not); the
    # member is signed up (`registration`).
    event: Event
    registration: Registration
    feed: CalendarFeed  # the member's calendar feeds (token): no login, the same for all
    # The member's certificate of another seminar, past, whose attendance the coordinator
    # marked (certificate_id; events.certificate takes its event_id).
    certificate: Certificate
    # Contests: a published contest of `community` organised by its coordinator, taking
    # entries for a week (event_id of the contest routes), with a criterion (criterion_id),
    # the expert on its jury (juror_id; so no column may score) and the council member's
    # entry (entry_id) with a PDF (file_id of events.entry_file): only its author withdraws it.
    contest: Event
    contest_criterion: ContestCriterion
    contest_juror: ContestJuror
    entry: ContestEntry
    # A working group of `community`, created by its coordinator, ending in a month: the
    # member (its leader) and the council member (`user`, so groups.remove_member takes the
    # council member out) are in it; its forum section is seen by them and the forum
    # moderators (coordinator, administrator), not by the chair.
    group: WorkingGroup | None = None
    # Consultations: the member's question, assigned by the coordinator to the expert (a
    # member in no column), so only the member (the asker) may write in its private exchange;
    # the coordinator, the chair and the administrator see the question, not the exchange.
    consultation: Consultation | None = None
    # Mentoring: the council member mentors the member (a current pair, made by the
    # coordinator); reused by later contexts of the same test.
    mentoring_pair: MentoringPair | None = None
    # Work plan: the current academic year's plan of `community`, drafted by its coordinator
    # with one item (`plan_item`, the member responsible) and sent for approval, so drafters
    # (coordinator, chair, administrator) find its content frozen and the chair (on the
    # council) may vote; the council member, in no column, has not voted. Reused by later
    # contexts of the same test (one plan a year).
    plan: Plan | None = None
    plan_item: PlanItem | None = None
    # Annual reports: the current academic year's draft (`report`, started by the chair,
    # sections written), so only its editors (coordinator, chair, administrator) open it; and
    # last year's, submitted by the chair (`submitted_report`), which every member reads and
    # the administrator alone returns to draft (reports.return_to_draft). Reused by later
    # contexts of the same test (one report a year).
    report: AnnualReport | None = None
    submitted_report: AnnualReport | None = None
    # Meetings (each context makes its own, organised by the coordinator, so the chair and
    # the administrator edit them as event managers): `meeting` took place two days ago,
    # the member, the chair and the council member came; its `minutes` are a draft (editors
    # only) with one question (`question`, 3 votes «за») and one recommendation. An earlier
    # meeting's minutes are signed: their decision (`decision`) is the member's to carry
    # out, so the member, the coordinator, the chair and the administrator update it.
    # `next_meeting` is in five days, with one agenda item (`agenda_item`).
    meeting: Event | None = None
    minutes: Minutes | None = None
    question: MinutesQuestion | None = None
    recommendation: MinutesRecommendation | None = None
    decision: Decision | None = None
    next_meeting: Event | None = None
    agenda_item: AgendaItem | None = None
    # Elections: the community's open election (the chair and the council member are its
    # candidates and its roll, so the chair may vote and the member, the coordinator and the
    # administrator may not); made once and reused by later contexts (one election runs at a
    # time). `draft_election` is a new draft of the coordinator's (elections.edit, .publish).
    election: Election | None = None
    draft_election: Election | None = None
    # Mail: `notification` went out at once (admission), so its letter is in the outbox
    # folder (`letter_name`, for outbox.*); `unsubscribe_token` is its link's token.
    letter_name: str = ""
    unsubscribe_token: str = ""


# Values by argument name; an (endpoint, argument) key overrides the name for one endpoint,
# where the same argument name means another kind of object.
URL_ARGS: dict[str | tuple[str, str], Callable[[UrlContext], object]] = {
    "community_slug": lambda ctx: ctx.community.slug,
    "community_id": lambda ctx: ctx.community.id,
    "request_id": lambda ctx: ctx.join_request.id,
    "notification_id": lambda ctx: ctx.notification.id,
    "user_id": lambda ctx: ctx.user.id,
    "section_id": lambda ctx: ctx.section.id,
    "direction": lambda ctx: "up",  # forum.move_section: <any(up,down):direction>
    "topic_id": lambda ctx: ctx.topic.id,
    "post_id": lambda ctx: ctx.post.id,
    "attachment_id": lambda ctx: ctx.attachment.id,
    "kind": lambda ctx: "post",  # moderation.report: a kind of app.content's registry
    "item_id": lambda ctx: ctx.reported_post.id,
    "case_id": lambda ctx: ctx.case.id,
    "ground_id": lambda ctx: ctx.ground.id,
    "word_id": lambda ctx: ctx.word.id,  # moderation.remove_word: a word of the community
    ("admin.remove_word", "word_id"): lambda ctx: ctx.platform_word.id,  # platform-wide
    "material_id": lambda ctx: ctx.material.id,
    "file_id": lambda ctx: ctx.material_file.id,
    "version_id": lambda ctx: ctx.material_version.id,
    "review_id": lambda ctx: ctx.review.id,
    "event_id": lambda ctx: ctx.event.id,
    "registration_id": lambda ctx: ctx.registration.id,
    "token": lambda ctx: ctx.feed.token,  # calendar.*_feed
    "certificate_id": lambda ctx: ctx.certificate.id,
    ("events.certificate", "event_id"): lambda ctx: ctx.certificate.event_id,
    **{(endpoint, "event_id"): lambda ctx: ctx.contest.id for endpoint in (
        "events.new_entry", "events.entry", "events.withdraw_entry", "events.entry_file",
        "events.criteria", "events.remove_criterion", "events.jury", "events.remove_juror",
        "events.scoring", "events.score", "events.ranking", "events.set_place",
        "events.publish_results")},
    "entry_id": lambda ctx: ctx.entry.id,
    "group_id": lambda ctx: ctx.group.id,  # groups.*
    "consultation_id": lambda ctx: ctx.consultation.id,  # consultations.*
    "pair_id": lambda ctx: ctx.mentoring_pair.id,  # mentoring.*
    "plan_id": lambda ctx: ctx.plan.id,  # plans.*
    ("plans.draft_next", "year"): lambda ctx: ctx.plan.year,
    **{(endpoint, "year"): lambda ctx: ctx.report.year for endpoint in (
        "reports.start", "reports.report", "reports.submit", "reports.export")},
    ("reports.return_to_draft", "year"): lambda ctx: ctx.submitted_report.year,
    **{(endpoint, "item_id"): lambda ctx: ctx.plan_item.id for endpoint in (
        "plans.edit_item", "plans.move_item", "plans.remove_item", "plans.set_status")},
    **{(endpoint, "event_id"): lambda ctx: ctx.next_meeting.id for endpoint in (
        "meetings.agenda", "meetings.add_agenda_item", "meetings.edit_agenda_item",
        "meetings.remove_agenda_item", "meetings.move_agenda_item")},
    **{(endpoint, "event_id"): lambda ctx: ctx.meeting.id for endpoint in (
        "meetings.minutes", "meetings.new_minutes", "meetings.edit_minutes",
        "meetings.add_question", "meetings.edit_question", "meetings.remove_question",
        "meetings.add_recommendation", "meetings.edit_recommendation",
        "meetings.remove_recommendation", "meetings.sign_minutes", "meetings.download")},
    "agenda_item_id": lambda ctx: ctx.agenda_item.id,  # meetings.*
    "question_id": lambda ctx: ctx.question.id,
    "recommendation_id": lambda ctx: ctx.recommendation.id,
    "decision_id": lambda ctx: ctx.decision.id,
    "election_id": lambda ctx: ctx.election.id,  # elections.*
    **{(endpoint, "election_id"): lambda ctx: ctx.draft_election.id for endpoint in (
        "elections.edit", "elections.publish")},
    "criterion_id": lambda ctx: ctx.contest_criterion.id,
    "juror_id": lambda ctx: ctx.contest_juror.user_id,
    ("events.entry_file", "file_id"): lambda ctx: ctx.entry.files[0].file_id,
    ("notifications.unsubscribe", "token"): lambda ctx: ctx.unsubscribe_token,
    "name": lambda ctx: ctx.letter_name,  # outbox.*: a letter in the outbox folder
    # `action` (forum.pin, forum.close, forum.watch, moderation.act, materials.best) is not
    # here: each rule allows other values, so url_args_for takes the first one the rule
    # declares (pin, close, watch, approve, best).
}


def url_arg(endpoint: str, name: str) -> Callable[[UrlContext], object] | None:
    """How URL_ARGS fills argument `name` of `endpoint`: its (endpoint, name) entry, else the
    entry for the name; None if neither is there."""
    return URL_ARGS.get((endpoint, name), URL_ARGS.get(name))


def make_url_context(community: Community, people: dict, viewer: User | None) -> UrlContext:
    """Real objects for every URL argument, as seen by `viewer` (None: anonymous).
    `people` is the `people` fixture of `community`."""
    from app.chat import services as chat
    from app.events import certificates, contests
    from app.events import services as events
    from app.events.calendar_routes import feed_of
    from app.forum import services as forum
    from app.materials import reviews
    from app.materials import services as materials
    from app.moderation import services as moderation
    from app.notifications.services import notify
    from app.uploads import save_uploads
    from tests.factories import make_join_request, make_user
    from tests.governance.pages_elections import access_elections

    applicant = make_user(full_name="Заявителева Ольга")
    join_request = make_join_request(applicant, community)
    notification = notify(viewer or people["member"], "admission", "Проверка доступа")
    db.session.commit()
    letter_name, unsubscribe_token = _delivered_letter(notification)
    with current_app.test_request_context("/"):  # the services build URLs
        section = forum.create_section(
            community, people["coordinator"], title="Проверка доступа",
            description="Раздел для таблицы доступа", is_announcements=False,
        )
        topic = forum.create_topic(section, people["council"], title="Тема для проверки",
                                   body="Первое сообщение темы.")
        post = forum.reply(topic, people["member"], "Ответ участницы.")
        reported_post = db.session.scalar(Post.in_topic(topic).limit(1))
        pdf = FileStorage(io.BytesIO(TINY_PDF), filename="справка.pdf",
                          content_type="application/pdf")
        (stored,) = save_uploads([pdf], people["council"])
        attachment = PostAttachment(post_id=reported_post.id, file_id=stored.id)
        db.session.add(attachment)
        chat_message = chat.send(community, people["council"], "Сообщение в чате.")
        moderation.report(reported_post, community, people["expert"], "spam", "")
        case = db.session.scalar(select(ModerationCase).where(
            ModerationCase.kind == "post", ModerationCase.object_id == reported_post.id))
        # Each call adds another ground and words: the services refuse a repeated label or
        # phrase, and the access table builds a context per role within one test.
        n = db.session.scalar(select(func.count(CommunityGround.id))) + 1
        ground = moderation.add_ground(community, people["coordinator"],
                                       f"Правило для проверки доступа № {n}")
        word = moderation.add_word(community, people["coordinator"],
                                   f"проверочнословосообщества{n}", "flag")
        platform_word = moderation.add_word(None, people["admin"],
                                            f"проверочнословоплощадки{n}", "flag")
        txt = FileStorage(io.BytesIO("Текст".encode()), filename="Файл.txt",
                          content_type="text/plain")
        material = materials.create_material(
            community, people["council"], title="Материал для проверки доступа",
            description="", type="methodical", level="all", link_url="https://example.org/x",
            files=[txt],
        )
        (material_file,) = material.files
        material_version = material_file.current
        reviews.add_criterion(community, people["coordinator"], f"Критерий № {n}", 5)
        (review,) = reviews.assign_experts(material, people["coordinator"],
                                           [people["expert"].id])
        event = events.create_event(community, people["coordinator"], events.EventFields(
            title="Семинар для проверки доступа", type="seminar", format="offline",
            place="Актовый зал", starts_at=utcnow() + timedelta(days=1),
            ends_at=utcnow() + timedelta(days=1, hours=2), capacity=10))
        events.publish(event, people["coordinator"])
        registration = events.sign_up(event, community, people["member"])
        feed = feed_of(people["member"])  # issued once, the same on later calls
        past = events.create_event(community, people["coordinator"], events.EventFields(
            title="Прошедший семинар", type="seminar", format="offline", place="Актовый зал",
            starts_at=utcnow() - timedelta(days=2), ends_at=utcnow() - timedelta(days=1),
            hours=4))
        events.publish(past, people["coordinator"])
        came = events.sign_up(past, community, people["member"], added_by=people["coordinator"])
        events.mark_attendance(came, past, people["coordinator"], True)
        certificate = certificates.issue(past, community, people["member"])
        contest = events.create_event(community, people["coordinator"], events.EventFields(
            title="Конкурс для проверки доступа", type="contest", format="online",
            online_url="https://example.org/contest", starts_at=utcnow() - timedelta(days=1),
            ends_at=utcnow() + timedelta(days=14), entries_deadline=utcnow() + timedelta(days=7)))
        events.publish(contest, people["coordinator"])
        contest_criterion = contests.add_criterion(contest, community, people["coordinator"],
                                                   "Оригинальность", 10)
        contest_juror = contests.appoint_juror(contest, community, people["coordinator"],
                                               people["expert"].id)
        entry_pdf = FileStorage(io.BytesIO(TINY_PDF), filename="работа.pdf",
                                content_type="application/pdf")
        entry = contests.submit_entry(contest, community, people["council"],
                                      title="Работа для проверки доступа", files=[entry_pdf])
        group = make_working_group(community, people)
        consultation = make_consultation(community, people)
        mentoring_pair = make_mentoring_pair(community, people)
        plan = make_plan_on_approval(community, people)
        report, submitted_report = make_reports(community, people)
        meetings = make_meetings(community, people)
        election, draft_election = access_elections(community, people)
        db.session.commit()
    return UrlContext(community=community, join_request=join_request,
                      notification=notification, user=people["council"], section=section,
                      topic=topic, post=post, reported_post=reported_post,
                      attachment=attachment, chat_message=chat_message, case=case,
                      ground=ground, word=word, platform_word=platform_word,
                      material=material, material_file=material_file,
                      material_version=material_version, review=review, event=event,
                      registration=registration, feed=feed, certificate=certificate,
                      contest=contest, contest_criterion=contest_criterion,
                      contest_juror=contest_juror, entry=entry, group=group,
                      consultation=consultation, mentoring_pair=mentoring_pair,
                      plan=plan, plan_item=plan.items[0], report=report,
                      submitted_report=submitted_report, election=election,
                      draft_election=draft_election, letter_name=letter_name,
                      unsubscribe_token=unsubscribe_token, **meetings)


def _delivered_letter(notification: Notification) -> tuple[str, str]:
    """The outbox file name and the unsubscribe token of the letter `notification` made."""
    from app.notifications.mail import deliver_pending
    from app.notifications.models import OutgoingMail

    letter = db.session.scalar(select(OutgoingMail).where(
        OutgoingMail.user_id == notification.user_id).order_by(OutgoingMail.id.desc()))
    deliver_pending()
    return f"{letter.id:08d}.eml", letter.unsubscribe_url.rsplit("/", 1)[1]


def make_meetings(community: Community, people: dict) -> dict:
    """The meetings' objects of UrlContext (see there), new on every call. Needs a request
    context; does not commit."""
    from app.governance.meetings import services as meetings
    from tests.governance.pages_meetings import make_meeting, write_minutes

    came = [people["member"], people["chair"], people["council"]]
    coordinator = people["coordinator"]
    earlier = make_meeting(community, coordinator, starts_at=utcnow() - timedelta(days=9),
                           title="Заседание для проверки доступа", present=came)
    signed = write_minutes(earlier, community, coordinator, chair=people["chair"],
                           secretary=people["council"], sign=True, questions=[{
                               "title": "О плане работы", "decision": "Подготовить план.",
                               "responsible_id": people["member"].id}])
    meeting = make_meeting(community, coordinator, starts_at=utcnow() - timedelta(days=2),
                           title="Заседание с черновиком протокола", present=came)
    minutes = write_minutes(meeting, community, coordinator, chair=people["chair"],
                            secretary=people["council"], questions=[{
                                "title": "Об итогах четверти", "decision": "Принять к сведению.",
                                "votes_for": 3, "votes_against": 0, "votes_abstained": 0}],
                            recommendations=[{"text": "Обобщить опыт."}])
    next_meeting = make_meeting(community, coordinator, starts_at=utcnow() + timedelta(days=5),
                                title="Предстоящее заседание", agenda=["О наставничестве"])
    return {
        "meeting": meeting, "minutes": minutes, "question": minutes.questions[0],
        "recommendation": minutes.recommendations[0],
        "decision": db.session.scalar(select(Decision).where(Decision.minutes_id == signed.id)),
        "next_meeting": next_meeting,
        "agenda_item": meetings.agenda_items(next_meeting)[0],
    }


def make_reports(community: Community, people: dict) -> tuple[AnnualReport, AnnualReport]:
    """This year's draft report of `community` by its chair and last year's, submitted by
    the chair; or those an earlier call made. Needs a request context; does not commit."""
    from app.governance.academic_year import AcademicYear
    from app.governance.reports import services as reports

    year = AcademicYear.current(community)
    texts = {"goals": "Цели для проверки доступа.", "results": "Итоги для проверки доступа.",
             "next_tasks": "Задачи для проверки доступа."}
    draft = reports.report_of(community, year)
    if draft is None:
        draft = reports.start_report(community, people["chair"], year)
        reports.save_sections(draft, people["chair"], texts)
    submitted = reports.report_of(community, year.previous)
    if submitted is None:
        submitted = reports.start_report(community, people["chair"], year.previous)
        reports.submit(submitted, community, people["chair"], texts)
    return draft, submitted


def make_plan_on_approval(community: Community, people: dict) -> Plan:
    """The current year's plan of `community` by its coordinator, one item, on approval; or
    the one an earlier call made. Needs a request context; does not commit."""
    from app.governance.academic_year import AcademicYear
    from app.governance.plans import services as plans

    year = AcademicYear.current(community).start
    plan = plans.plan_of(community, year)
    if plan is None:
        plan = plans.create_plan(community, people["coordinator"], year)
        plans.add_item(plan, community, people["coordinator"], plans.ItemFields(
            title="Семинар для проверки доступа", form="seminar",
            responsible_id=people["member"].id, month=10))
        plans.send_for_approval(plan, community, people["coordinator"])
    return plan


def make_consultation(community: Community, people: dict) -> Consultation:
    """The member's question in `community`, assigned by the coordinator to the expert.
    Needs a request context; does not commit."""
    from app.governance.consultations import services as consultations

    consultation = consultations.ask(community, people["member"], "Вопрос для проверки доступа",
                                     "Как составить маршрут?", "online")
    consultations.assign(consultation, community, people["coordinator"], people["expert"])
    return consultation


def make_mentoring_pair(community: Community, people: dict) -> MentoringPair:
    """The council member mentors the member: a current pair made by the coordinator, or the
    one an earlier call made. Needs a request context; does not commit."""
    from app.governance.mentoring import services as mentoring

    existing = db.session.scalar(select(MentoringPair).where(
        MentoringPair.community_id == community.id,
        MentoringPair.mentor_id == people["council"].id,
        MentoringPair.mentee_id == people["member"].id, MentoringPair.ended_at.is_(None)))
    if existing is not None:
        return existing
    today = mentoring.today_in(community)
    return mentoring.create_pair(
        community, people["coordinator"], mentor=people["council"], mentee=people["member"],
        goal="Наставничество для проверки доступа", starts_on=today - timedelta(days=7),
        ends_on=today + timedelta(days=180))


def make_working_group(community: Community, people: dict) -> WorkingGroup:
    """A working group of `community` by its coordinator, for a month: the member (leader)
    and the council member. Needs a request context; does not commit."""
    from app.governance.groups import services as groups

    return groups.create_group(community, people["coordinator"], groups.GroupFields(
        name="Рабочая группа для проверки доступа", goal="Проверить доступ.",
        end_date=groups.local_today(community) + timedelta(days=30),
        member_ids=(people["member"].id, people["council"].id),
        leader_ids=(people["member"].id,)))


def any_choices(rule: Rule, name: str) -> list[str] | None:
    """The values an `<any(...)>` argument of `rule` allows, in the order the rule declares
    them (AnyConverter.items is a set; its regex keeps the order); None for other converters."""
    converter = rule._converters.get(name)
    if not isinstance(converter, AnyConverter):
        return None
    alternatives = f"|{converter.regex.removeprefix('(?:').removesuffix(')')}|"
    return sorted(converter.items, key=lambda item: alternatives.index(f"|{re.escape(item)}|"))


def url_args_for(rule: Rule, ctx: UrlContext) -> dict[str, object]:
    """Values for every argument of `rule`; a test fails if one is not in URL_ARGS. An
    `<any(...)>` argument not in URL_ARGS takes the first value the rule allows."""
    choices = {name: any_choices(rule, name) for name in rule.arguments}
    fill = {name: url_arg(rule.endpoint, name) for name in rule.arguments}
    unknown = sorted(n for n in rule.arguments if fill[n] is None and choices[n] is None)
    if unknown:
        pytest.fail(
            f"{rule.endpoint} ({rule.rule}) takes URL argument(s) {', '.join(unknown)} that "
            "tests/helpers.py does not know: add them to URL_ARGS (and UrlContext)",
            pytrace=False,
        )
    values: dict[str, object] = {}
    for name in rule.arguments:
        allowed, value_of = choices[name], fill[name]
        if value_of is None:
            values[name] = allowed[0]  # type: ignore[index]
            continue
        values[name] = value_of(ctx)
        if allowed is not None and values[name] not in allowed:
            pytest.fail(f"{rule.endpoint} ({rule.rule}): URL_ARGS gives {name}="
                        f"{values[name]!r}, the rule allows only {', '.join(allowed)}",
                        pytrace=False)
    return values


def url_for_rule(rule: Rule, ctx: UrlContext) -> str:
    """The path of `rule` filled from `ctx` (no request context or url_defaults needed)."""
    built = rule.build(url_args_for(rule, ctx), append_unknown=False)
    assert built is not None, f"cannot build {rule.rule}"
    return built[1]
