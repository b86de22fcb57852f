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
    "criterion_id": lambda ctx: ctx.contest_criterion.id,
    "juror_id": lambda ctx: ctx.contest_juror.user_id,
    ("events.entry_file", "file_id"): lambda ctx: ctx.entry.files[0].file_id,
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

    applicant = make_user(full_name="Заявителева Ольга")
    join_request = make_join_request(applicant, community)
    notification = notify(viewer or people["member"], "admission", "Проверка доступа")
    db.session.commit()
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
                      contest_juror=contest_juror, entry=entry)


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
