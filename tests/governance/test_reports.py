"""The annual analytic report through its routes: the list by year, starting a report,
writing its sections, submitting it (the numbers frozen), returning it to draft, the DOCX
and PDF documents read back, the due date, the summaries for the dashboards, and drafting
the next year's plan from the report page."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from docx import Document
from flask import current_app
from pypdf import PdfReader
from sqlalchemy import func, select

from app.communities.models import Membership
from app.events.models import Event
from app.extensions import db
from app.governance.academic_year import AcademicYear
from app.governance.plans.models import Plan
from app.governance.reports import services
from app.governance.reports.models import AnnualReport
from app.mixins import utcnow
from app.notifications.models import Notification
from tests.factories import make_community, make_people
from tests.helpers import count_queries, text

FULL = {
    "goals": "Повысить управленческие компетенции руководителей ШНОР.",
    "results": "Проведены **семинары** по функциональной грамотности:\n\n"
               "- семинар в октябре\n- вебинар в марте\n\n1. первый итог\n2. второй итог",
    "problems": "Низкая явка на дистанционные мероприятия.",
    "next_tasks": "Продолжить работу по наставничеству.",
    "proposals": "",
}


def current(community) -> AcademicYear:
    return AcademicYear.current(community)


def url(community, year=None, tail=""):
    base = f"/c/{community.slug}/reports"
    return f"{base}/{year}{tail}" if year is not None else f"{base}/{tail}"


def start(community, actor, year: int | None = None) -> AnnualReport:
    with current_app.test_request_context("/"):
        report = services.start_report(community, actor, year or current(community).start)
        db.session.commit()
    return report


def fill(report, actor, **texts) -> AnnualReport:
    with current_app.test_request_context("/"):
        services.save_sections(report, actor, {**FULL, **texts})
        db.session.commit()
    return report


def submit(report, community, actor) -> AnnualReport:
    with current_app.test_request_context("/"):
        services.submit(report, community, actor)
        db.session.commit()
    return report


def seminar(community, actor, when=None) -> Event:
    when = when or utcnow().replace(microsecond=0) - timedelta(days=1)
    event = Event(community_id=community.id, created_by_id=actor.id, type="seminar",
                  status="published", title="Семинар", starts_at=when,
                  ends_at=when + timedelta(hours=2))
    db.session.add(event)
    db.session.commit()
    return event


def docx_text(data: bytes) -> tuple[list, list[list[list[str]]]]:
    doc = Document(io.BytesIO(data))
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in doc.tables]
    return doc.paragraphs, tables


# --- the list and starting a report ---------------------------------------------------------


def test_the_list_offers_editors_to_start_this_and_last_years_report(community, people,
                                                                      client_as):
    year = current(community)
    page = text(client_as("chair").get(url(community)))
    assert f"Начать отчёт за {year.label}" in page
    assert f"Начать отчёт за {year.previous.label}" in page
    assert "не начат" in page
    member_page = text(client_as("member").get(url(community)))
    assert year.label in member_page and "Начать отчёт" not in member_page


@pytest.mark.parametrize("role", ["coordinator", "chair", "admin"])
def test_editors_start_a_report(community, people, client_as, role):
    year = current(community)
    response = client_as(role).post(url(community, year.start, "/start"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url(community, year.start))
    report = db.session.scalar(select(AnnualReport))
    assert (report.community_id, report.year, report.status, report.created_by_id) \
        == (community.id, year.start, "draft", people[role].id)


@pytest.mark.parametrize("role", ["member", "council", "expert"])
def test_members_do_not_start_reports(community, people, client_as, role):
    response = client_as(role).post(url(community, current(community).start, "/start"))
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(AnnualReport.id))) == 0


def test_a_report_is_started_once_per_year_and_not_for_the_future(community, people,
                                                                   client_as):
    chair = client_as("chair")
    year = current(community)
    assert chair.post(url(community, year.start, "/start")).status_code == 303
    again = chair.post(url(community, year.start, "/start"), follow_redirects=True)
    assert f"Отчёт за {year.label} учебный год уже начат." in text(again)
    future = chair.post(url(community, year.next.start, "/start"), follow_redirects=True)
    assert f"Учебный год {year.next.label} ещё не начался" in text(future)
    assert chair.post(url(community, 1, "/start")).status_code == 404
    assert db.session.scalar(select(func.count(AnnualReport.id))) == 1


# --- the draft -----------------------------------------------------------------------------


def test_the_draft_is_for_its_editors_only(community, people, client_as):
    report = start(community, people["chair"])
    for role in ("member", "council", "expert"):
        assert client_as(role).get(url(community, report.year)).status_code == 403
        assert client_as(role).get(url(community, report.year, "/report.docx")).status_code \
            == 403
    chair = text(client_as("chair").get(url(community, report.year)))
    assert 'name="goals"' in chair and "Сдать отчёт" in chair
    for role in ("coordinator", "admin"):
        page = text(client_as(role).get(url(community, report.year)))
        assert 'name="goals"' in page and "Сдать отчёт" not in page
        assert "Сдаёт отчёт председатель (руководитель) сообщества." in page
    assert client_as("chair").get(url(community, report.year - 1)).status_code == 404


def test_the_coordinator_helps_write_the_sections(community, people, client_as):
    report = start(community, people["chair"])
    data = {**FULL, "goals": "Цель: **наставничество**. <script>alert(1)</script>"}
    response = client_as("coordinator").post(url(community, report.year), data=data)
    assert response.status_code == 303
    db.session.refresh(report)
    assert report.goals.startswith("Цель: **наставничество**.")
    assert "<strong>наставничество</strong>" in report.goals_html
    assert "<script" not in report.goals_html
    assert "<li>семинар в октябре</li>" in report.results_html
    assert report.updated_by_id == people["coordinator"].id and report.is_draft


def test_a_too_long_section_is_refused_and_nothing_is_saved(community, people, client_as):
    report = fill(start(community, people["chair"]), people["chair"])
    data = {**FULL, "goals": "Новая цель", "problems": "я" * 20001}
    response = client_as("chair").post(url(community, report.year), data=data)
    assert response.status_code == 422
    assert "Не больше 20000 символов." in text(response)
    db.session.refresh(report)
    assert report.goals == FULL["goals"]


# --- submitting ----------------------------------------------------------------------------


def test_submitting_needs_the_required_sections(community, people, client_as):
    report = start(community, people["chair"])
    data = {**FULL, "goals": "   ", "next_tasks": "", "problems": "Новый текст"}
    response = client_as("chair").post(url(community, report.year, "/submit"), data=data)
    assert response.status_code == 422
    page = text(response)
    assert "Чтобы сдать отчёт, заполните разделы «Цели и задачи», «Задачи на следующий " \
           "год»." in page
    assert page.count("Заполните этот раздел, чтобы сдать отчёт.") == 2
    assert "Новый текст" in page  # what was typed comes back
    db.session.refresh(report)
    assert report.is_draft and report.numbers is None and report.problems == ""


def test_a_bare_submit_checks_the_saved_sections(community, people, client_as):
    report = fill(start(community, people["chair"]), people["chair"], results="")
    response = client_as("chair").post(url(community, report.year, "/submit"))
    assert response.status_code == 422
    assert "заполните раздел «Анализ результатов»" in text(response)
    assert FULL["goals"] in text(response)
    db.session.refresh(report)
    assert report.is_draft and report.goals == FULL["goals"]


@pytest.mark.parametrize("role", ["coordinator", "admin", "member", "council"])
def test_only_the_chair_submits(community, people, client_as, role):
    report = fill(start(community, people["chair"]), people["chair"])
    response = client_as(role).post(url(community, report.year, "/submit"), data=FULL)
    assert response.status_code == 403
    db.session.refresh(report)
    assert report.is_draft


def test_submitting_freezes_the_numbers(community, people, client_as):
    report = fill(start(community, people["chair"]), people["chair"])
    seminar(community, people["coordinator"])
    chair = client_as("chair")
    draft_page = text(chair.get(url(community, report.year)))
    assert "Собраны платформой по данным на сегодня" in draft_page
    response = chair.post(url(community, report.year, "/submit"), data=FULL)
    assert response.status_code == 303
    db.session.refresh(report)
    assert report.is_submitted and report.submitted_by_id == people["chair"].id
    assert report.submitted_at is not None
    assert [row["type"] for row in report.numbers["events"]] == ["seminar"]
    assert report.numbers["year"] == report.year
    note = db.session.scalar(select(Notification).where(
        Notification.user_id == people["admin"].id))
    assert "сдало аналитический отчёт" in note.text
    # Later events change nothing in what was handed in.
    seminar(community, people["coordinator"])
    seminar(community, people["coordinator"])
    page = text(client_as("member").get(url(community, report.year)))
    assert "Зафиксированы при сдаче отчёта." in page
    assert "<td>1</td>" in page and "<td>3</td>" not in page
    assert 'name="goals"' not in page and "<strong>семинары</strong>" in page
    _, tables = docx_text(client_as("member").get(url(community, report.year,
                                                          "/report.docx")).data)
    events = next(t for t in tables if t[0][0] == "Вид")
    assert events[1] == ["Семинар", "1", "0", "0"]


def test_a_submitted_report_is_not_edited_or_submitted_again(community, people, client_as):
    report = submit(fill(start(community, people["chair"]), people["chair"]), community,
                    people["chair"])
    edit = client_as("coordinator").post(url(community, report.year),
                                         data={**FULL, "goals": "Другое"})
    assert edit.status_code == 422
    assert "Отчёт уже сдан." in text(edit)
    again = client_as("chair").post(url(community, report.year, "/submit"), data=FULL,
                                    follow_redirects=True)
    assert "Отчёт уже сдан." in text(again)
    db.session.refresh(report)
    assert report.goals == FULL["goals"] and report.is_submitted


# --- returning to draft --------------------------------------------------------------------


def test_the_administrator_returns_a_report_with_a_reason(community, people, client_as):
    report = submit(fill(start(community, people["chair"]), people["chair"]), community,
                    people["chair"])
    frozen = dict(report.numbers)
    admin = client_as("admin")
    assert admin.get(url(community, report.year, "/return")).status_code == 200
    blank = admin.post(url(community, report.year, "/return"), data={"reason": "  "})
    assert blank.status_code == 422
    assert "Укажите причину возврата" in text(blank)
    db.session.refresh(report)
    assert report.is_submitted
    response = admin.post(url(community, report.year, "/return"),
                          data={"reason": "Добавьте анализ проблем."})
    assert response.status_code == 303
    db.session.refresh(report)
    assert report.is_draft and report.return_reason == "Добавьте анализ проблем."
    assert report.returned_by_id == people["admin"].id
    assert report.numbers == frozen  # kept until the next submission replaces them
    assert report.goals == FULL["goals"]  # nothing written is lost
    note = db.session.scalar(select(Notification).where(
        Notification.user_id == people["chair"].id, Notification.kind == "plan"))
    assert "возвращён на доработку" in note.text and "Добавьте анализ проблем." in note.text
    page = text(client_as("chair").get(url(community, report.year)))
    assert "Отчёт возвращён на доработку" in page and "Добавьте анализ проблем." in page
    assert "Собраны платформой по данным на сегодня" in page
    assert client_as("member").get(url(community, report.year)).status_code == 403


@pytest.mark.parametrize("role", ["chair", "coordinator", "member"])
def test_only_the_administrator_returns_a_report(community, people, client_as, role):
    report = submit(fill(start(community, people["chair"]), people["chair"]), community,
                    people["chair"])
    response = client_as(role).post(url(community, report.year, "/return"),
                                    data={"reason": "Причина"})
    assert response.status_code == 403
    db.session.refresh(report)
    assert report.is_submitted


def test_a_draft_cannot_be_returned(community, people, client_as):
    report = start(community, people["chair"])
    response = client_as("admin").post(url(community, report.year, "/return"),
                                       data={"reason": "Причина"}, follow_redirects=True)
    assert "Отчёт ещё не сдан: возвращать нечего." in text(response)


# --- the documents -------------------------------------------------------------------------


def test_the_docx_has_the_title_numbers_sections_and_signature(community, people,
                                                               client_as):
    report = submit(fill(start(community, people["chair"]), people["chair"]), community,
                    people["chair"])
    seminar(community, people["coordinator"])  # after submission: not in the document
    response = client_as("member").get(url(community, report.year, "/report.docx"))
    assert response.status_code == 200
    assert response.mimetype == ("application/vnd.openxmlformats-officedocument."
                                 "wordprocessingml.document")
    assert "attachment" in response.headers["Content-Disposition"]
    paragraphs, tables = docx_text(response.data)
    texts = [p.text for p in paragraphs]
    label = AcademicYear(report.year).label
    assert texts[0] == (f"Аналитический отчёт о деятельности {community.name} за {label} "
                        "учебный год")
    assert texts[1].startswith("Сдан ")
    headings = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    assert headings == ["1. Цели и задачи", "2. Показатели деятельности за учебный год",
                        "3. Анализ результатов", "4. Проблемы и трудности",
                        "5. Задачи на следующий год"]  # the empty optional one is left out
    assert FULL["goals"] in texts
    assert "Проведены семинары по функциональной грамотности:" in texts
    bullets = [p.text for p in paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["семинар в октябре", "вебинар в марте"]
    assert "1. первый итог" in texts and "2. второй итог" in texts
    assert any("Руководитель (председатель) сообщества" in t and "Председателев Андрей" in t
               for t in texts)
    rows = {row[0]: row[1:] for table in tables for row in table}
    joined = db.session.scalar(select(func.count(Membership.id)).where(
        Membership.community_id == community.id))  # the people fixture: all this year
    assert rows["Вступили за год"] == [str(joined)] and joined >= 5
    assert "Всего" not in rows  # no events: «Не было.» instead of a table
    assert "Не было." in texts
    assert rows["Заседаний проведено"] == [
        f"0 (не менее {community.min_meetings_per_year} по положению)"]
    assert rows["Опубликовано материалов"] == ["0"]
    assert rows["Запрошено за год"] == ["0"]


def test_the_docx_of_a_draft_shows_live_numbers(community, people, client_as):
    report = fill(start(community, people["chair"]), people["chair"], goals="")
    seminar(community, people["coordinator"])
    paragraphs, tables = docx_text(client_as("coordinator").get(
        url(community, report.year, "/report.docx")).data)
    texts = [p.text for p in paragraphs]
    assert texts[1] == "Черновик: показатели на дату выгрузки"
    assert "(раздел не заполнен)" in texts
    events = next(t for t in tables if t[0][0] == "Вид")
    assert events[1] == ["Семинар", "1", "0", "0"]
    assert any("Председателев Андрей" in t for t in texts)  # the chair signs


def test_the_pdf(community, people, client_as):
    report = submit(fill(start(community, people["chair"]), people["chair"]), community,
                    people["chair"])
    response = client_as("member").get(url(community, report.year, "/report.pdf"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.data))
    content = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "Аналитический отчёт о деятельности" in content
    assert "Цели и задачи" in content and "Показатели деятельности" in content
    assert "Опубликовано материалов" in content and "семинар в октябре" in content
    assert "Председателев Андрей" in content


# --- due dates and summaries ---------------------------------------------------------------


def test_the_page_warns_when_the_due_date_has_passed(community, people, client_as):
    # Last year's report is due 15 July (the factory's default), which has always passed.
    previous = current(community).previous
    report = start(community, people["chair"], previous.start)
    page = text(client_as("chair").get(url(community, report.year)))
    due = date(previous.start + 1, 7, 15)
    assert f'<time datetime="{due.isoformat()}">' in page
    assert "Срок сдачи отчёта прошёл." in page and "срок прошёл" in page


def test_report_summaries(app):
    tula = make_community(report_due_month=7, report_due_day=15)
    rybnoe = make_community(report_due_month=9, report_due_day=1)
    none = make_community()
    people = make_people(tula)
    chair = people["chair"]
    year = AcademicYear(2024)
    db.session.add_all([
        AnnualReport(community_id=tula.id, year=2024, status="submitted",
                     submitted_by_id=chair.id, submitted_at=datetime(2025, 7, 10, 20, 30)),
        AnnualReport(community_id=rybnoe.id, year=2024, created_by_id=chair.id),
        AnnualReport(community_id=none.id, year=2023, status="submitted",
                     submitted_at=datetime(2024, 7, 1)),
    ])
    db.session.commit()
    assert all(c.timezone for c in (tula, rybnoe, none))  # loaded before counting
    now = datetime(2025, 8, 25, 9, 0)
    with count_queries() as counter:
        summaries = services.report_summaries([tula, rybnoe, none], year, now=now)
    assert counter.count == 1
    t, r, n = summaries[tula.id], summaries[rybnoe.id], summaries[none.id]
    assert (t.status, t.status_label, t.submitted_on) == ("submitted", "сдан", date(2025, 7, 10))
    assert (t.due.due, t.due.state) == (date(2025, 7, 15), "done")
    assert (r.status, r.status_label, r.submitted_on) == ("draft", "черновик", None)
    assert (r.due.due, r.due.state, r.due.days_left) == (date(2025, 9, 1), "near", 7)
    assert (n.report, n.status, n.status_label, n.due.state) == (None, "none", "не начат",
                                                                  "missed")
    assert services.report_summary(rybnoe, 2024, now=datetime(2025, 7, 1)).due.state \
        == "upcoming"
    assert services.report_summary(tula, 2024, now=now).report.id == t.report.id
    assert services.report_summaries([], year) == {}


def test_late_submission_is_done_late(app):
    community = make_community(report_due_month=7, report_due_day=15)
    db.session.add(AnnualReport(community_id=community.id, year=2024, status="submitted",
                                submitted_at=datetime(2025, 7, 15, 21, 30)))  # 16 July MSK
    db.session.commit()
    summary = services.report_summary(community, AcademicYear(2024),
                                      now=datetime(2025, 8, 1))
    assert (summary.submitted_on, summary.due.state) == (date(2025, 7, 16), "done_late")


# --- query counts --------------------------------------------------------------------------


def test_the_report_page_does_not_grow_with_the_data(community, people, client_as):
    report = fill(start(community, people["chair"]), people["chair"])
    chair = client_as("chair")
    seminar(community, people["coordinator"])
    with count_queries() as few:
        assert chair.get(url(community, report.year)).status_code == 200
    for _ in range(5):
        seminar(community, people["coordinator"])
    db.session.expire_all()
    with count_queries() as many:
        assert chair.get(url(community, report.year)).status_code == 200
    assert many.count == few.count


def test_the_list_does_not_grow_with_the_reports(community, people, client_as):
    start(community, people["chair"])
    member = client_as("member")
    with count_queries() as few:
        member.get(url(community))
    for year in range(2015, 2020):
        db.session.add(AnnualReport(community_id=community.id, year=year, status="submitted",
                                    submitted_at=datetime(year + 1, 7, 1)))
    db.session.commit()
    with count_queries() as many:
        page = text(member.get(url(community)))
    assert "2015/2016" in page
    assert many.count == few.count


# --- the next year's plan ------------------------------------------------------------------


def test_the_report_page_drafts_the_next_years_plan(community, people, client_as):
    from app.governance.plans import services as plans

    year = current(community)
    with current_app.test_request_context("/"):
        plan = plans.create_plan(community, people["chair"], year.start)
        plans.add_item(plan, community, people["chair"], plans.ItemFields(
            title="Семинар по наставничеству", form="seminar", responsible_id=people["chair"].id,
            month=year.first_day.month))
        db.session.commit()
    report = start(community, people["chair"], year.start)
    chair = client_as("chair")
    page = text(chair.get(url(community, report.year)))
    action = f"/c/{community.slug}/plans/{year.start}/draft-next"
    assert f'action="{action}"' in page and "Составить план на следующий год" in page
    assert chair.post(action).status_code == 303
    nxt = db.session.scalar(select(Plan).where(Plan.community_id == community.id,
                                               Plan.year == year.next.start))
    assert [item.title for item in nxt.items] == ["Семинар по наставничеству"]


def test_no_plan_no_button(community, people, client_as):
    report = start(community, people["chair"])
    assert "Составить план на следующий год" not in text(
        client_as("chair").get(url(community, report.year)))


# --- demo data -----------------------------------------------------------------------------


def test_the_demo_seed_is_idempotent(community, people):
    from app.demo.governance_reports import seed

    demo = {"chair": people["chair"], "coordinator": people["coordinator"]}
    with current_app.test_request_context("/"):
        seed(community, demo)
        db.session.commit()
        seed(community, demo)
        db.session.commit()
    year = current(community)
    reports = {r.year: r for r in db.session.scalars(select(AnnualReport))}
    assert set(reports) == {year.start, year.previous.start}
    last, this = reports[year.previous.start], reports[year.start]
    assert last.is_submitted and last.numbers["year"] == year.previous.start
    assert services.report_summary(community, year.previous).due.state == "done"
    assert this.is_draft and "функциональной грамотности" in this.goals_html


def test_two_submissions_at_once_go_through_once(community, people):
    from sqlalchemy import update

    from app.errors import DomainError

    report = fill(start(community, people["chair"]), people["chair"])
    assert report.is_draft  # this request read a draft…
    with db.engine.begin() as other:  # …while another one submitted it
        other.execute(update(AnnualReport).where(AnnualReport.id == report.id)
                      .values(status="submitted"))
    with current_app.test_request_context("/"), pytest.raises(DomainError, match="уже сдан"):
        services.submit(report, community, people["chair"])
    db.session.rollback()
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.kind == "plan")) == 0
