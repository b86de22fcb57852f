"""Certificates: «сертификат участника», «диплом победителя/призёра» as PDF, and the public
check of a verification code.

Who gets one: a confirmed participant whose attendance the organiser marked, and a contest
participant with a submitted entry (not withdrawn, not hidden) once the results are published:
the entry's place makes it a winner's or a prize-winner's diploma. Cancelled events issue none.

A certificate is issued on its first download: the row keeps what the PDF says (name, event,
community, date, hours) and a verification code, so later downloads print the same document
with the same code, and the public page shows what was printed even if the event is renamed.

A code is 12 characters of an alphabet without look-alikes (no 0/O, 1/I), written
XXXX-XXXX-XXXX: 11 random ones (secrets: 55 bits) and a Luhn mod 32 check character, so a
mistyped or made-up code is recognised as malformed before any lookup, and an unknown
well-formed one is one in 2^55 to exist.

Routes: `events.certificate` downloads (issuing if needed) from the event's page;
`verify_bp` (mounted at /certificates) has the public check, «Мои сертификаты» and the
download of an issued certificate by its holder (even after leaving the community)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, abort, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import StringField

from app.auth.models import User
from app.communities.models import Community
from app.errors import DomainError, error_response
from app.events import pdf
from app.events.labels import CERTIFICATE_LABELS
from app.events.models import (
    Certificate,
    CertificateKind,
    ContestEntry,
    EntryStatus,
    Event,
    EventStatus,
    Place,
    Registration,
    RegistrationStatus,
)
from app.events.routes import bp, event_or_404
from app.extensions import db
from app.forms import Form
from app.i18n import date_filter, plural
from app.mixins import utcnow
from app.permissions import is_admin, memberships_of, require
from app.ratelimit import limit_certificate_checks
from app.validators import length, strip

verify_bp = Blueprint("certificates", __name__)

# --- verification codes ----------------------------------------------------------------------

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 characters, no 0/O, 1/I
CODE_LENGTH = 12
# Cyrillic capitals that look like Latin ones: a code copied by eye from paper may hold them.
_LOOKALIKES = str.maketrans("АВЕКМНРСТУХЗ", "ABEKMHPCTYX3")
_SEPARATORS = str.maketrans("", "", " -\u2010\u2011\u2012\u2013\u2014\u2212\u00a0\t")


def _check_char(body: str) -> str:
    """Luhn mod N over ALPHABET: catches every single wrong character and most swaps of two
    neighbours."""
    n = len(ALPHABET)
    total, factor = 0, 2
    for ch in reversed(body):
        addend = factor * ALPHABET.index(ch)
        total += addend // n + addend % n
        factor = 3 - factor
    return ALPHABET[-total % n]


def _format(raw12: str) -> str:
    return "-".join(raw12[i:i + 4] for i in range(0, CODE_LENGTH, 4))


# Shown in hints: well formed, so typing it in gives «not found», not «malformed».
EXAMPLE_CODE = _format("7KQM4TXAH9R" + _check_char("7KQM4TXAH9R"))


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _i in range(CODE_LENGTH - 1))
    return _format(body + _check_char(body))


def parse_code(raw: str | None) -> str:
    """The code as stored (XXXX-XXXX-XXXX), from what a person typed: any case, with or
    without dashes and spaces, Cyrillic look-alikes accepted. A malformed code raises
    DomainError saying what to check."""
    text = (raw or "").upper().translate(_LOOKALIKES).translate(_SEPARATORS)
    if len(text) != CODE_LENGTH:
        raise DomainError(
            _("Код введён с ошибкой: проверьте, что переписаны все %(n)s знаков, например "
              "%(example)s.", n=CODE_LENGTH, example=EXAMPLE_CODE), "code")
    if any(ch not in ALPHABET for ch in text):
        raise DomainError(
            _("Код введён с ошибкой: проверьте знаки. В коде только латинские буквы и цифры "
              "от 2 до 9; букв O и I, цифр 0 и 1 в нём нет."), "code")
    if _check_char(text[:-1]) != text[-1]:
        raise DomainError(
            _("Код введён с ошибкой: проверьте каждый знак — похоже, один из них переписан "
              "неверно."), "code")
    return _format(text)


# --- who may get one -------------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    kind: str | None = None  # a CertificateKind when the user may have one now
    reason: str = ""  # why not (yet); "" when the user has nothing to do with the event


_PLACE_KINDS = {Place.WINNER: CertificateKind.WINNER, Place.PRIZE: CertificateKind.PRIZE}
_RANK = {CertificateKind.WINNER: 0, CertificateKind.PRIZE: 1, CertificateKind.PARTICIPANT: 2}


def decide(event: Event, registration: Registration | None, entries: list[ContestEntry],
           now: datetime | None = None) -> Eligibility:
    """The rules over loaded data: `registration` is the user's for `event` (or None),
    `entries` all of the user's entries in it (any status)."""
    now = now or utcnow()
    valid = [e for e in entries if e.status == EntryStatus.SUBMITTED and not e.is_hidden]
    involved = bool(entries) or (registration is not None
                                 and registration.status == RegistrationStatus.CONFIRMED)
    if event.status == EventStatus.DRAFT or not involved:
        return Eligibility()
    if event.is_cancelled:
        return Eligibility(reason=_("Мероприятие отменено: сертификаты по нему не выдаются."))
    if event.is_contest and valid:
        if event.results_published_at is None:
            return Eligibility(reason=_("Диплом или сертификат участника можно будет скачать "
                                        "здесь после публикации итогов конкурса."))
        kinds = [_PLACE_KINDS.get(e.place, CertificateKind.PARTICIPANT) for e in valid]
        return Eligibility(kind=min(kinds, key=_RANK.__getitem__))
    attended = (registration.attended
                if registration is not None
                and registration.status == RegistrationStatus.CONFIRMED else None)
    if attended is True:
        return Eligibility(kind=CertificateKind.PARTICIPANT)
    if entries and not valid:
        return Eligibility(reason=_("Ваша работа отозвана или снята модератором, поэтому "
                                    "сертификат по конкурсу не выдаётся."))
    if attended is False:
        return Eligibility(reason=_("Организатор отметил, что вы не присутствовали на "
                                    "мероприятии, поэтому сертификат не выдаётся. Если это "
                                    "ошибка, напишите организатору."))
    if event.ends_at > now and event.status != EventStatus.FINISHED:
        return Eligibility(reason=_("После мероприятия организатор отметит посещение, и здесь "
                                    "можно будет скачать сертификат участника."))
    return Eligibility(reason=_("Сертификат будет доступен после отметки посещения "
                                "организатором."))


def _registration(event: Event, user: User) -> Registration | None:
    return db.session.scalar(select(Registration).where(
        Registration.event_id == event.id, Registration.user_id == user.id))


def _entries(event: Event, user: User) -> list[ContestEntry]:
    if not event.is_contest:
        return []
    return list(db.session.scalars(select(ContestEntry).where(
        ContestEntry.event_id == event.id, ContestEntry.author_id == user.id)))


def eligibility(event: Event, user: User) -> Eligibility:
    return decide(event, _registration(event, user), _entries(event, user))


def certificate_of(event: Event, user: User) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(
        Certificate.event_id == event.id, Certificate.user_id == user.id))


class NotEligible(DomainError):
    """The user may not have a certificate of this event (a 403 in the views)."""


def issue(event: Event, community: Community, user: User) -> Certificate:
    """The user's certificate of the event: the one issued before, else a new one if the
    rules allow (NotEligible otherwise). Flushes, never commits. A concurrent first download
    by the same user (a double click) finds the row the other request wrote."""
    existing = certificate_of(event, user)
    if existing is not None:
        return existing
    result = eligibility(event, user)
    if result.kind is None:
        raise NotEligible(result.reason or _("Сертификат по этому мероприятию вам не "
                                             "выдаётся."))
    for _attempt in range(3):
        certificate = Certificate(
            code=new_code(), event_id=event.id, user_id=user.id, kind=result.kind,
            holder_name=user.full_name, event_title=event.title,
            community_name=community.name, event_date=event.starts_at, hours=event.hours,
            issued_at=utcnow(),
        )
        try:
            with db.session.begin_nested():
                db.session.add(certificate)
            return certificate
        except IntegrityError:
            existing = certificate_of(event, user)
            if existing is not None:
                return existing
            # else the code was taken (one in 2^55): draw another
    raise RuntimeError("could not issue a certificate with a unique code")


# --- the document ----------------------------------------------------------------------------

TITLES = {
    CertificateKind.PARTICIPANT: "СЕРТИФИКАТ УЧАСТНИКА",
    CertificateKind.WINNER: "ДИПЛОМ ПОБЕДИТЕЛЯ",
    CertificateKind.PRIZE: "ДИПЛОМ ПРИЗЁРА",
}
# «принял(а) участие в семинаре»: the event types in the prepositional case.
_IN_EVENT = {
    "seminar": "семинаре", "webinar": "вебинаре", "master_class": "мастер-классе",
    "conference": "конференции", "round_table": "круглом столе", "meeting": "заседании",
    "contest": "конкурсе", "action": "акции", "project": "проекте",
    "discussion": "обсуждении",
}


def hours_phrase(hours: int | None) -> str:
    """«в объёме 6 академических часов», «в объёме 1 академического часа»; "" without hours."""
    if not hours:
        return ""
    return _("в объёме %(h)s", h=plural(hours, "академического часа", "академических часов",
                                         "академических часов"))


def achievement(kind: str, event_type: str) -> str:
    if kind == CertificateKind.WINNER:
        return _("стал(а) победителем конкурса")
    if kind == CertificateKind.PRIZE:
        return _("стал(а) призёром конкурса")
    return _("принял(а) участие в %(what)s", what=_IN_EVENT.get(event_type, "мероприятии"))


def local_date(stored: datetime, community: Community | None) -> str:
    """«22 ноября 2026 г.» on the community's calendar (stored naive UTC)."""
    from app.events.services import to_local

    day = to_local(stored, community).date() if community is not None else stored.date()
    return date_filter(day)


def verify_url(code: str) -> str:
    return url_for("certificates.verify", code=code, _external=True)


def render_pdf(certificate: Certificate, event_type: str, community: Community | None) -> bytes:
    """A4 landscape: community, title, holder, what they did, date, hours, the code and the
    address of the public check."""
    title = TITLES.get(certificate.kind, TITLES[CertificateKind.PARTICIPANT])
    doc = pdf.new_document(title=f"{title.capitalize()} — {certificate.event_title}",
                           author=certificate.community_name, landscape=True)
    doc.set_auto_page_break(False)
    width, height = doc.w, doc.h
    doc.set_draw_color(31, 58, 104)
    doc.set_line_width(1.2)
    doc.rect(8, 8, width - 16, height - 16)
    doc.set_line_width(0.3)
    doc.rect(11, 11, width - 22, height - 22)
    side = 25
    doc.set_margins(side, 20, side)
    doc.set_y(30)
    ink = (33, 37, 41)
    doc.set_text_color(90, 98, 110)
    pdf.centered(doc, certificate.community_name, sizes=(15, 13, 11), max_lines=2)
    doc.ln(10)
    doc.set_text_color(31, 58, 104)
    pdf.centered(doc, title, style="B", sizes=(36, 30), max_lines=1)
    doc.ln(8)
    doc.set_text_color(*ink)
    pdf.centered(doc, _("подтверждает, что"), sizes=(15,))
    doc.ln(5)
    pdf.centered(doc, certificate.holder_name, style="B", sizes=(28, 22, 18, 14), max_lines=2)
    doc.ln(5)
    pdf.centered(doc, achievement(certificate.kind, event_type), sizes=(15,))
    doc.ln(2)
    pdf.centered(doc, certificate.event_title, style="B", sizes=(18, 15, 13, 11), max_lines=3)
    doc.ln(8)
    pdf.centered(doc, local_date(certificate.event_date, community), sizes=(14,))
    doc.ln(1)
    if phrase := hours_phrase(certificate.hours):
        pdf.centered(doc, phrase, sizes=(14,))
    # The footer: the code and where to check it (left), the date of issue (right).
    doc.set_text_color(90, 98, 110)
    doc.set_xy(side, height - 42)
    doc.set_font(pdf.FONT, size=10)
    doc.cell(0, 6, _("Код проверки:") + " ", new_x="END")
    doc.set_font(pdf.FONT, "B", 12)
    doc.set_text_color(*ink)
    doc.cell(0, 6, certificate.code, new_x="LMARGIN", new_y="NEXT")
    doc.set_text_color(90, 98, 110)
    doc.set_font(pdf.FONT, size=9)
    doc.cell(0, 5, _("Проверить подлинность:"), new_x="LMARGIN", new_y="NEXT")
    link = verify_url(certificate.code)
    doc.cell(0, 5, link, link=link, new_x="LMARGIN", new_y="NEXT")
    doc.set_xy(side, height - 42)
    doc.set_font(pdf.FONT, size=10)
    doc.cell(width - 2 * side, 6,
             _("Выдан %(date)s", date=local_date(certificate.issued_at, community)), align="R")
    return pdf.pdf_bytes(doc)


def filename(certificate: Certificate) -> str:
    word = _("Сертификат") if certificate.kind == CertificateKind.PARTICIPANT else _("Диплом")
    return f"{word} — {certificate.event_title}.pdf"


def _send(certificate: Certificate, event: Event, community: Community | None):
    data = render_pdf(certificate, event.type, community)
    return pdf.pdf_response(data, filename(certificate))


# --- the event page --------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateBox:
    """What templates/events/_certificate.html shows."""

    label: str  # «Сертификат участника», «Диплом победителя»…, or «Сертификат»
    url: str | None = None  # the download, when the user may have it
    code: str | None = None  # once issued
    reason: str = ""  # why not (yet)


def page_context(event: Event, community: Community, user) -> dict:
    """For the event page: `certificate_box` (None: nothing to show to this user)."""
    box = None
    if getattr(user, "is_authenticated", False):
        certificate = certificate_of(event, user)
        if certificate is not None:
            box = CertificateBox(label=CERTIFICATE_LABELS[certificate.kind],
                                 url=url_for("events.certificate", event_id=event.id),
                                 code=certificate.code)
        else:
            result = eligibility(event, user)
            if result.kind is not None:
                box = CertificateBox(label=CERTIFICATE_LABELS[result.kind],
                                     url=url_for("events.certificate", event_id=event.id))
            elif result.reason:
                box = CertificateBox(label=_("Сертификат"), reason=result.reason)
    return {"certificate_box": box}


@bp.get("/<int:event_id>/certificate")
def certificate(event_id: int):
    """The member's certificate of the event as PDF, issued on the first download."""
    event = event_or_404(event_id)
    try:
        certificate = issue(event, g.community, current_user)
    except NotEligible as refusal:
        return error_response(403, refusal.message)
    db.session.commit()
    return _send(certificate, event, g.community)


# --- public check, «Мои сертификаты», the holder's download ------------------------------


class CheckForm(Form):
    class Meta:
        csrf = False

    code = StringField(_l("Код сертификата"), filters=[strip], validators=[length(max=40)],
                       description=_l("Напечатан внизу сертификата, например %(example)s.",
                                      example=EXAMPLE_CODE))


@verify_bp.get("/verify")
@limit_certificate_checks
def verify():
    """Anyone, without logging in: is this code one of ours, and what does it certify?
    200 with the certificate, 422 for a malformed code, 404 for an unknown one."""
    form = CheckForm(request.args)
    certificate, community, status = None, None, 200
    if form.code.data:
        try:
            code = parse_code(form.code.data)
        except DomainError as error:
            form.code.errors = [error.message]
            status = 422
        else:
            form.code.data = code
            certificate = db.session.scalar(select(Certificate).where(Certificate.code == code))
            if certificate is None:
                form.code.errors = [_("Сертификат с таким кодом не найден. Проверьте код; "
                                      "если он переписан верно, такого сертификата нет.")]
                status = 404
            else:
                community = db.session.scalar(
                    select(Community).join(Event, Event.community_id == Community.id)
                    .where(Event.id == certificate.event_id))
    return render_template("certificates/verify.html", form=form, certificate=certificate,
                           community=community, local_date=local_date,
                           hours_phrase=hours_phrase, labels=CERTIFICATE_LABELS), status


@dataclass(frozen=True)
class Offer:
    """An event the user may download a certificate of, not yet issued."""

    event: Event
    community: Community
    kind: str


def available_for(user: User) -> list[Offer]:
    """Events of the user's communities whose certificate the user may have and has not
    downloaded yet: two queries, whatever the number of events."""
    members_of = set(memberships_of(user))
    issued = select(Certificate.event_id).where(Certificate.user_id == user.id)
    open_events = (Event.status != EventStatus.CANCELLED, Event.status != EventStatus.DRAFT,
                   Event.id.not_in(issued))
    if not is_admin(user):
        open_events = (*open_events, Event.community_id.in_(members_of))
    registrations = {r.event_id: (r, e) for r, e in db.session.execute(
        select(Registration, Event).join(Event, Event.id == Registration.event_id).where(
            Registration.user_id == user.id, Registration.attended.is_(True),
            Registration.status == RegistrationStatus.CONFIRMED, *open_events))}
    entries: dict[int, tuple[Event, list[ContestEntry]]] = {}
    for entry, event in db.session.execute(
        select(ContestEntry, Event).join(Event, Event.id == ContestEntry.event_id).where(
            ContestEntry.author_id == user.id, *open_events)):
        entries.setdefault(event.id, (event, []))[1].append(entry)
    events = {eid: e for eid, (_r, e) in registrations.items()}
    events.update({eid: e for eid, (e, _l) in entries.items()})
    communities = {c.id: c for c in db.session.scalars(
        select(Community).where(Community.id.in_({e.community_id for e in events.values()})))}
    offers = []
    for eid, event in sorted(events.items(), key=lambda item: item[1].starts_at, reverse=True):
        registration = registrations.get(eid, (None, None))[0]
        result = decide(event, registration, entries.get(eid, (None, []))[1])
        if result.kind is not None:
            offers.append(Offer(event=event, community=communities[event.community_id],
                                kind=result.kind))
    return offers


@verify_bp.get("/mine")
@login_required
def mine():
    rows = db.session.execute(
        select(Certificate, Community)
        .join(Event, Event.id == Certificate.event_id)
        .join(Community, Community.id == Event.community_id)
        .where(Certificate.user_id == current_user.id)
        .order_by(Certificate.event_date.desc(), Certificate.id.desc())).all()
    return render_template("certificates/mine.html", rows=rows, offers=available_for(current_user),
                           local_date=local_date, hours_phrase=hours_phrase,
                           labels=CERTIFICATE_LABELS)


@verify_bp.get("/<int:certificate_id>.pdf")
@login_required
def download(certificate_id: int):
    """An issued certificate, for its holder only (a member or not)."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    require(certificate.user_id == current_user.id)
    event = db.session.get(Event, certificate.event_id)
    community = db.session.get(Community, event.community_id)
    return _send(certificate, event, community)
