"""Certificates: who may have one, the PDF, one code per holder, the public check."""

from __future__ import annotations

import io
import re
import threading
from datetime import datetime, timedelta
from urllib.parse import unquote

import pytest
from flask import current_app
from pypdf import PdfReader
from sqlalchemy import func, select

from app.communities.models import Membership
from app.errors import DomainError
from app.events import certificates
from app.events import services as events
from app.events.models import Certificate, ContestEntry, Event
from app.extensions import db
from app.mixins import utcnow
from tests.events.conftest import make_event, sign_up
from tests.factories import make_community, make_membership, make_user
from tests.helpers import text

# 22 November 2030, 07:00 UTC: 10:00 in Moscow (the default zone of a community).
START = datetime(2030, 11, 22, 7, 0)
CODE_RE = re.compile(r"^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$")
NOT_YET = "Сертификат будет доступен после отметки посещения организатором."
MALFORMED = "Код введён с ошибкой"
UNKNOWN = "Сертификат с таким кодом не найден."


def attended_event(community, people, user=None, *, attended=True, **fields):
    """A seminar `user` (the member) signed up for, with attendance marked `attended`."""
    fields.setdefault("starts_at", START)
    fields.setdefault("hours", 6)
    event = make_event(community, people["coordinator"], **fields)
    registration = sign_up(event, community, user or people["member"])
    registration.attended = attended
    db.session.commit()
    return event


def contest(community, people, *, published=True, **fields):
    fields.setdefault("title", "Конкурс «Педагогический дебют»")
    event = make_event(community, people["coordinator"], type="contest", starts_at=START,
                       **fields)
    if published:
        event.results_published_at = utcnow()
        db.session.commit()
    return event


def entry(event, author, *, place=None, status="submitted", hidden=False) -> ContestEntry:
    item = ContestEntry(event_id=event.id, author_id=author.id, title="Урок-исследование",
                        status=status, place=place)
    if status == "withdrawn":
        item.withdrawn_at = utcnow()
    if hidden:
        item.hidden_at = utcnow()
        item.hidden_reason = "spam"
    db.session.add(item)
    db.session.commit()
    return item


def eligibility(event, user):
    with current_app.test_request_context("/"):
        return certificates.eligibility(event, user)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def cert_url(event, community) -> str:
    return f"/c/{community.slug}/events/{event.id}/certificate"


def certificate_count() -> int:
    return db.session.scalar(select(func.count(Certificate.id)))


# --- who may have one ------------------------------------------------------------------------


@pytest.mark.parametrize(("attended", "kind", "reason"), [
    (True, "participant", ""),
    (None, None, NOT_YET),
    (False, None, "Организатор отметил, что вы не присутствовали"),
])
def test_attendance_decides(community, people, attended, kind, reason):
    event = attended_event(community, people, attended=attended)
    # the event is over, so «not marked yet» is the organiser's turn
    event.starts_at, event.ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=1)
    db.session.commit()
    result = eligibility(event, people["member"])
    assert result.kind == kind
    assert reason in result.reason
    assert bool(result.reason) == (kind is None)


def test_before_the_event_the_page_says_what_will_happen(community, people):
    event = attended_event(community, people, attended=None)
    result = eligibility(event, people["member"])
    assert result.kind is None
    assert "После мероприятия организатор отметит посещение" in result.reason


def test_people_not_signed_up_get_nothing_and_no_message(community, people):
    event = attended_event(community, people)
    for role in ("council", "coordinator", "admin"):
        assert eligibility(event, people[role]) == certificates.Eligibility()


def test_waitlisted_and_cancelled_sign_ups_get_nothing(community, people):
    event = make_event(community, people["coordinator"], starts_at=START, capacity=1)
    sign_up(event, community, people["member"])
    waiting = sign_up(event, community, people["council"])
    assert waiting.status == "waitlisted"
    waiting.attended = True  # whatever the data says, a waiting list is not attendance
    db.session.commit()
    assert eligibility(event, people["council"]).kind is None


def test_cancelled_event_gives_no_certificate(community, people):
    event = attended_event(community, people)
    with current_app.test_request_context("/"):
        events.cancel_event(event, community, people["coordinator"], "Болезнь лектора")
        db.session.commit()
    result = eligibility(event, people["member"])
    assert result.kind is None
    assert "отменено" in result.reason


@pytest.mark.parametrize(("place", "kind"), [
    ("winner", "winner"), ("prize", "prize"), ("participant", "participant"),
    (None, "participant"),
])
def test_contest_places_after_publication(community, people, place, kind):
    event = contest(community, people)
    entry(event, people["member"], place=place)
    assert eligibility(event, people["member"]).kind == kind


def test_contest_best_place_of_several_entries(community, people):
    event = contest(community, people)
    entry(event, people["member"], place="participant")
    entry(event, people["member"], place="prize")
    assert eligibility(event, people["member"]).kind == "prize"


def test_contest_before_publication_is_refused(community, people):
    event = contest(community, people, published=False)
    entry(event, people["member"], place="winner")
    result = eligibility(event, people["member"])
    assert result.kind is None
    assert "после публикации итогов конкурса" in result.reason


def test_contest_attendance_does_not_jump_ahead_of_the_results(community, people):
    """A contest participant who also came to the final gets nothing until the results are
    out: the kind is fixed at the first download, and it may be a diploma."""
    event = contest(community, people, published=False)
    registration = sign_up(event, community, people["member"])
    registration.attended = True
    db.session.commit()
    entry(event, people["member"], place="winner")
    assert eligibility(event, people["member"]).kind is None
    event.results_published_at = utcnow()
    db.session.commit()
    assert eligibility(event, people["member"]).kind == "winner"


@pytest.mark.parametrize("how", ["withdrawn", "hidden"])
def test_withdrawn_or_hidden_entry_is_refused(community, people, how):
    event = contest(community, people)
    entry(event, people["member"], place="winner", status="withdrawn" if how == "withdrawn"
          else "submitted", hidden=how == "hidden")
    result = eligibility(event, people["member"])
    assert result.kind is None
    assert "отозвана или снята модератором" in result.reason


def test_someone_elses_entry_gives_nothing(community, people):
    event = contest(community, people)
    entry(event, people["council"], place="winner")
    assert eligibility(event, people["member"]) == certificates.Eligibility()


# --- the download ----------------------------------------------------------------------------


def test_download_is_a_pdf_with_the_name_event_hours_and_code(app, community, people):
    event = attended_event(community, people)
    client = app.test_client(user=people["member"])
    response = client.get(cert_url(event, community))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    disposition = unquote(response.headers["Content-Disposition"])
    assert "attachment" in disposition
    assert "Сертификат — Семинар «Функциональная грамотность».pdf" in disposition

    certificate = db.session.scalar(select(Certificate))
    assert CODE_RE.match(certificate.code)
    assert certificate.kind == "participant"
    assert certificate.holder_name == "Участникова Анна"
    assert certificate.event_title == event.title
    assert certificate.community_name == community.name
    assert certificate.event_date == START
    assert certificate.hours == 6

    content = pdf_text(response.data)
    for expected in ("СЕРТИФИКАТ УЧАСТНИКА", community.name, "подтверждает, что",
                     "Участникова Анна", "принял(а) участие в семинаре",
                     "Семинар «Функциональная грамотность»", "22 ноября 2030",
                     "в объёме 6 академических часов", certificate.code,
                     f"/certificates/verify?code={certificate.code}"):
        assert expected in content, expected


def test_second_download_reuses_the_row_and_code(app, community, people):
    event = attended_event(community, people)
    client = app.test_client(user=people["member"])
    first = client.get(cert_url(event, community))
    code = db.session.scalar(select(Certificate.code))
    event.title = "Семинар переименован"
    db.session.commit()
    second = client.get(cert_url(event, community))
    assert second.status_code == 200
    assert certificate_count() == 1
    assert db.session.scalar(select(Certificate.code)) == code
    assert code in pdf_text(second.data)
    # what was issued stays as issued
    assert "Функциональная грамотность" in pdf_text(first.data)
    assert "Функциональная грамотность" in pdf_text(second.data)


def test_winner_diploma_and_hours_omitted(app, community, people):
    event = contest(community, people, title="Конкурс 5/6 классов")
    entry(event, people["member"], place="winner")
    response = app.test_client(user=people["member"]).get(cert_url(event, community))
    assert response.status_code == 200
    assert "Диплом — Конкурс 5-6 классов.pdf" in unquote(response.headers["Content-Disposition"])
    content = pdf_text(response.data)
    assert "ДИПЛОМ ПОБЕДИТЕЛЯ" in content
    assert "стал(а) победителем конкурса" in content
    assert "в объёме" not in content  # the contest has no hours


def test_prize_diploma(app, community, people):
    event = contest(community, people, hours=1)
    entry(event, people["member"], place="prize")
    response = app.test_client(user=people["member"]).get(cert_url(event, community))
    content = pdf_text(response.data)
    assert "ДИПЛОМ ПРИЗЁРА" in content
    assert "в объёме 1 академического часа" in content


def test_date_is_the_communitys_day(app, people):
    """20:00 UTC on the 22nd is already the 23rd in Vladivostok."""
    far_east = make_community(timezone="Asia/Vladivostok")
    member = make_user(full_name="Дальневосточная Ольга")
    make_membership(member, far_east)
    coordinator = make_user()
    make_membership(coordinator, far_east, "coordinator")
    event = make_event(far_east, coordinator, starts_at=datetime(2030, 11, 22, 20, 0), hours=2)
    sign_up(event, far_east, member).attended = True
    db.session.commit()
    response = app.test_client(user=member).get(cert_url(event, far_east))
    content = pdf_text(response.data)
    assert "23 ноября 2030" in content
    assert "в объёме 2 академических часов" in content


def test_long_texts_fit_on_one_page(app, community, people):
    member = make_user(full_name="Константинопольская-Преображенская " * 5)
    make_membership(member, community)
    event = attended_event(community, people, member, title="Очень длинное название " * 13)
    response = app.test_client(user=member).get(cert_url(event, community))
    assert len(PdfReader(io.BytesIO(response.data)).pages) == 1


@pytest.mark.parametrize("case", ["not marked", "absent", "not signed up", "contest unpublished"])
def test_ineligible_download_is_403_with_the_reason(app, community, people, case):
    if case == "contest unpublished":
        event = contest(community, people, published=False)
        entry(event, people["member"], place="winner")
        reason = "после публикации итогов конкурса"
    elif case == "not signed up":
        event = attended_event(community, people, people["council"])
        reason = "вам не выдаётся"
    else:
        event = attended_event(community, people, attended=None if case == "not marked"
                               else False)
        reason = "посещение" if case == "not marked" else "не присутствовали"
    response = app.test_client(user=people["member"]).get(cert_url(event, community))
    assert response.status_code == 403
    assert reason in text(response)
    assert certificate_count() == 0


def test_outsiders_and_anonymous_cannot_download(app, community, people, client):
    event = attended_event(community, people)
    assert app.test_client(user=people["outsider"]).get(
        cert_url(event, community)).status_code == 403
    response = client.get(cert_url(event, community))
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    assert certificate_count() == 0


def test_concurrent_first_download_finds_the_other_row(app, community, people, monkeypatch):
    """A double click: the other request inserted the row between our check and insert."""
    event = attended_event(community, people)
    member = people["member"]
    with current_app.test_request_context("/"):
        winner = certificates.issue(event, community, member)
        db.session.commit()
        real = certificates.certificate_of
        calls = []

        def stale_first(event_, user_):
            calls.append(1)
            return None if len(calls) == 1 else real(event_, user_)

        monkeypatch.setattr(certificates, "certificate_of", stale_first)
        again = certificates.issue(event, community, member)
        db.session.commit()
    assert again.id == winner.id
    assert again.code == winner.code
    assert certificate_count() == 1


def test_many_clicks_at_once_issue_one_certificate(app, community, people):
    """Real concurrency: requests in threads, each with its own connection, released
    together; all get the PDF with the same code."""
    event = attended_event(community, people)
    url, member = cert_url(event, community), people["member"]
    clicks = 6
    barrier = threading.Barrier(clicks)
    responses = []

    def click(client):
        barrier.wait()
        responses.append(client.get(url))

    threads = [threading.Thread(target=click, args=(app.test_client(user=member),))
               for _ in range(clicks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [r.status_code for r in responses] == [200] * clicks
    assert certificate_count() == 1
    code = db.session.scalar(select(Certificate.code))
    assert all(code in pdf_text(r.data) for r in responses)


def test_issue_refuses_with_a_domain_error(community, people):
    event = attended_event(community, people, attended=False)
    with current_app.test_request_context("/"), pytest.raises(DomainError):
        certificates.issue(event, community, people["member"])


# --- the event page and «Мои сертификаты» --------------------------------------------------


def test_event_page_offers_the_download(app, community, people):
    event = attended_event(community, people)
    page = text(app.test_client(user=people["member"]).get(
        f"/c/{community.slug}/events/{event.id}"))
    assert f'id="certificate-event-{event.id}"' in page
    assert "Сертификат участника" in page
    assert cert_url(event, community) in page


def test_event_page_explains_why_not_yet(app, community, people):
    event = attended_event(community, people, attended=None)
    event.starts_at, event.ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=1)
    db.session.commit()
    page = text(app.test_client(user=people["member"]).get(
        f"/c/{community.slug}/events/{event.id}"))
    assert NOT_YET in page
    assert cert_url(event, community) not in page
    # someone not signed up sees no certificate block at all
    other = text(app.test_client(user=people["council"]).get(
        f"/c/{community.slug}/events/{event.id}"))
    assert f'id="certificate-event-{event.id}"' not in other


def test_my_certificates_lists_issued_and_available(app, community, people):
    issued = attended_event(community, people, title="Вебинар о проектах", type="webinar",
                            format="online", online_url="https://example.org/room", place="")
    waiting = attended_event(community, people, title="Круглый стол о наставничестве")
    client = app.test_client(user=people["member"])
    client.get(cert_url(issued, community))
    certificate = db.session.scalar(select(Certificate))
    page = text(client.get("/certificates/mine"))
    assert f'id="certificate-{certificate.id}"' in page
    assert f"/certificates/{certificate.id}.pdf" in page
    assert certificate.code in page
    # the second event is offered, not yet issued
    assert f'id="offer-event-{waiting.id}"' in page
    assert cert_url(waiting, community) in page
    assert f'id="offer-event-{issued.id}"' not in page


def test_my_certificates_empty(app, people):
    page = text(app.test_client(user=people["outsider"]).get("/certificates/mine"))
    assert "Сертификатов пока нет" in page


def test_holder_downloads_by_id_even_after_leaving(app, community, people):
    event = attended_event(community, people)
    client = app.test_client(user=people["member"])
    client.get(cert_url(event, community))
    certificate = db.session.scalar(select(Certificate))
    db.session.scalar(select(Membership).where(
        Membership.user_id == people["member"].id,
        Membership.community_id == community.id)).left_at = utcnow()
    db.session.commit()
    response = client.get(f"/certificates/{certificate.id}.pdf")
    assert response.status_code == 200
    assert certificate.code in pdf_text(response.data)
    # nobody else, not even the coordinator
    other = app.test_client(user=people["coordinator"]).get(f"/certificates/{certificate.id}.pdf")
    assert other.status_code == 403
    assert app.test_client(user=people["member"]).get("/certificates/999999.pdf").status_code \
        == 404


# --- codes and the public check -------------------------------------------------------------


def test_codes_are_well_formed_and_distinct():
    codes = {certificates.new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert CODE_RE.match(code)
        assert certificates.parse_code(code) == code


def test_any_single_wrong_character_is_recognised():
    code = certificates.new_code()
    raw = code.replace("-", "")
    for i, ch in enumerate(raw):
        for other in certificates.ALPHABET:
            if other == ch:
                continue
            typo = raw[:i] + other + raw[i + 1:]
            with pytest.raises(DomainError, match=MALFORMED):
                certificates.parse_code(typo)


def test_codes_are_read_forgivingly():
    code = certificates.new_code()
    raw = code.replace("-", "")
    assert certificates.parse_code(f"  {raw.lower()} ") == code
    assert certificates.parse_code(" ".join([raw[:4], raw[4:8], raw[8:]])) == code
    cyrillic = code.translate(str.maketrans("ABEKMHPCTYX", "АВЕКМНРСТУХ"))
    assert certificates.parse_code(cyrillic) == code


@pytest.mark.parametrize("bad", ["ABCD-EFGH", "ABCD-EFGH-JKLM-N", "ABCD-EFGH-JK0M",
                                 "ABCD-EFGH-JK!M"])
def test_malformed_shapes(bad):
    with pytest.raises(DomainError, match=MALFORMED):
        certificates.parse_code(bad)


def forge(code: str) -> str:
    """The same code with its check character changed."""
    last = code[-1]
    return code[:-1] + next(c for c in certificates.ALPHABET if c != last)


def test_check_page_shows_a_valid_certificate_to_anyone(app, community, people, client):
    event = attended_event(community, people)
    app.test_client(user=people["member"]).get(cert_url(event, community))
    certificate = db.session.scalar(select(Certificate))
    response = client.get("/certificates/verify", query_string={"code": certificate.code.lower()})
    assert response.status_code == 200
    page = text(response)
    for expected in ("Действителен", "Сертификат участника", "Участникова Анна",
                     "Семинар «Функциональная грамотность»", community.name,
                     "22 ноября 2030", "6 академических часов", certificate.code):
        assert expected in page, expected


def test_check_page_forged_code_is_malformed(app, community, people, client):
    event = attended_event(community, people)
    app.test_client(user=people["member"]).get(cert_url(event, community))
    code = db.session.scalar(select(Certificate.code))
    response = client.get("/certificates/verify", query_string={"code": forge(code)})
    assert response.status_code == 422
    assert MALFORMED in text(response)
    assert "Участникова Анна" not in text(response)


def test_check_page_unknown_code(client):
    raw = "23456789ABC"
    code = raw + certificates._check_char(raw)
    response = client.get("/certificates/verify", query_string={"code": code})
    assert response.status_code == 404
    assert UNKNOWN in text(response)


def test_check_page_form_without_code(client):
    response = client.get("/certificates/verify")
    assert response.status_code == 200
    page = text(response)
    assert 'name="code"' in page
    assert MALFORMED not in page and UNKNOWN not in page


def test_check_page_is_rate_limited(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_CERTIFICATE_CHECKS", "3 per minute")
    for _ in range(3):
        assert client.get("/certificates/verify", query_string={"code": "X"}).status_code == 422
    refused = client.get("/certificates/verify", query_string={"code": "X"})
    assert refused.status_code == 429
    assert "Слишком много запросов" in text(refused)
    assert client.get("/certificates/verify").status_code == 200  # the empty form stays free


def test_hours_phrase_plural_forms(app):
    with app.test_request_context("/"):
        assert certificates.hours_phrase(None) == ""
        assert certificates.hours_phrase(1) == "в объёме 1 академического часа"
        assert certificates.hours_phrase(4) == "в объёме 4 академических часов"
        assert certificates.hours_phrase(21) == "в объёме 21 академического часа"
        assert certificates.hours_phrase(72) == "в объёме 72 академических часов"


def test_checking_writes_nothing(app, community, people, client):
    """The public check reads only: no row is written by looking a code up."""
    event = attended_event(community, people)
    client.get("/certificates/verify", query_string={"code": certificates.new_code()})
    assert certificate_count() == 0
    assert db.session.get(Event, event.id) is not None
