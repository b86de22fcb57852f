"""«Работа сообщества» (the community's dashboard) and the administrators' network overview."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import urlencode

import lxml.html
import pytest
from flask import current_app

from app.communities.models import CommunityLevel, Role
from app.events import services as events
from app.extensions import db
from app.forum import services as forum
from app.governance.academic_year import AcademicYear, DueState, local_today
from app.governance.dashboard import services
from app.governance.meetings.services import meeting_summaries, meeting_summary
from app.governance.plans.models import Plan
from app.governance.plans.services import plan_summaries
from app.governance.reports.models import AnnualReport
from app.governance.reports.services import report_summary
from app.materials import services as materials
from app.mixins import utcnow
from app.moderation.models import ModerationCase
from tests.factories import (
    make_admin,
    make_community,
    make_join_request,
    make_membership,
    make_user,
)
from tests.helpers import HX, count_queries, text

HUB = ("План работы", "Заседания и протоколы", "Реестр решений", "Аналитический отчёт",
       "Выборы председателя", "Рабочие группы", "Консультации", "Наставничество")
PANELS = ("panel-admissions", "panel-moderation", "panel-events", "panel-plan",
          "panel-meetings", "panel-report")


def dashboard_url(community) -> str:
    return f"/c/{community.slug}/dashboard"


def page_of(response):
    assert response.status_code == 200, text(response)[:500]
    return lxml.html.fromstring(text(response))


def panel_text(doc, panel_id: str) -> str:
    (panel,) = doc.xpath(f'//*[@id="{panel_id}"]')
    return " ".join(panel.text_content().split())


def alerts(doc) -> list[str]:
    return [" ".join(a.text_content().split()) for a in doc.xpath('//*[@role="alert"]')]


def make_event(community, actor, *, days: float, type: str = "seminar", publish: bool = True,
               title: str | None = None):
    start = utcnow() + timedelta(days=days)
    with current_app.test_request_context("/"):
        event = events.create_event(community, actor, events.EventFields(
            title=title or f"Семинар через {days} дн.", type=type, format="offline",
            place="Актовый зал", starts_at=start, ends_at=start + timedelta(hours=2)))
        if publish:
            events.publish(event, actor)
        db.session.commit()
    return event


_object_ids = itertools.count(100_000)


def open_case(community, status: str = "open") -> ModerationCase:
    """A case in the moderation queue (only counted here: its item need not exist)."""
    case = ModerationCase(community_id=community.id, kind="post", object_id=next(_object_ids),
                          reason="reports", status=status)
    db.session.add(case)
    db.session.commit()
    return case


def this_year_date(community, offset_days: int) -> date:
    """Today + offset in the community's zone, skipping the test when that date falls
    outside the current academic year (a due date of another year)."""
    today = local_today(community)
    day = today + timedelta(days=offset_days)
    if not AcademicYear.of(today).contains(day):
        pytest.skip("the date would fall outside the current academic year")
    return day


def set_plan_due(community, day: date) -> None:
    community.plan_due_month, community.plan_due_day = day.month, day.day
    db.session.commit()


# --- the tab and access ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "coordinator", "chair", "council", "expert",
                                  "admin"])
def test_members_and_the_administrator_see_the_tab(client_as, community, role):
    response = client_as(role).get(f"/c/{community.slug}/")
    doc = page_of(response)
    (tab,) = doc.xpath('//nav[@class="tabs"]//a[normalize-space()="Работа сообщества"]')
    assert tab.get("href") == dashboard_url(community)


@pytest.mark.parametrize("role", ["anonymous", "outsider", "other_coordinator"])
def test_others_do_not_see_the_tab(client_as, community, role):
    assert "Работа сообщества" not in text(client_as(role).get(f"/c/{community.slug}/"))


@pytest.mark.parametrize(("role", "status"), [
    ("outsider", 403), ("other_coordinator", 403), ("member", 200), ("expert", 200),
    ("coordinator", 200), ("chair", 200), ("admin", 200),
])
def test_dashboard_access(client_as, community, role, status):
    assert client_as(role).get(dashboard_url(community)).status_code == status


def test_anonymous_goes_to_login(client_as, community):
    response = client_as("anonymous").get(dashboard_url(community))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_unknown_community_is_404(client_as, people):
    assert client_as("admin").get("/c/no-such-community/dashboard").status_code == 404


def test_the_tab_is_current_on_the_dashboard(client_as, community):
    doc = page_of(client_as("member").get(dashboard_url(community)))
    (current,) = doc.xpath('//nav[@class="tabs"]//a[@aria-current="page"]')
    assert current.text_content().strip() == "Работа сообщества"


# --- the hub --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "coordinator", "chair", "admin"])
def test_hub_links_every_part_with_an_explanation(client_as, community, role):
    doc = page_of(client_as(role).get(dashboard_url(community)))
    (hub,) = doc.xpath('//section[@aria-labelledby="hub-title"]')
    links = {a.text_content().strip(): a.get("href") for a in hub.xpath(".//a")}
    assert list(links) == list(HUB)
    base = f"/c/{community.slug}"
    assert links["План работы"].startswith(f"{base}/plans")
    assert links["Заседания и протоколы"].startswith(f"{base}/meetings")
    assert links["Реестр решений"].startswith(f"{base}/meetings/")
    assert links["Аналитический отчёт"].startswith(f"{base}/reports")
    assert links["Выборы председателя"].startswith(f"{base}/elections")
    assert links["Рабочие группы"].startswith(f"{base}/groups")
    assert links["Консультации"].startswith(f"{base}/consultations")
    assert links["Наставничество"].startswith(f"{base}/mentoring")
    for item in hub.xpath(".//li"):  # a line of explanation under each link
        assert len(item.xpath(".//small")[0].text_content().strip()) > 20


@pytest.mark.parametrize("role", ["member", "council", "expert", "coordinator", "chair",
                                  "admin"])
def test_every_hub_link_opens(client_as, community, role):
    client = client_as(role)
    doc = page_of(client.get(dashboard_url(community)))
    for href in doc.xpath('//section[@aria-labelledby="hub-title"]//a/@href'):
        assert client.get(href).status_code == 200, href


# --- who sees the panels ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "council", "expert"])
def test_plain_members_see_the_hub_only(client_as, community, role):
    doc = page_of(client_as(role).get(dashboard_url(community)))
    assert doc.xpath('//section[@aria-labelledby="hub-title"]')
    for panel in PANELS:
        assert not doc.xpath(f'//*[@id="{panel}"]'), panel


@pytest.mark.parametrize("role", ["coordinator", "chair", "admin"])
def test_leaders_see_every_panel(client_as, community, role):
    doc = page_of(client_as(role).get(dashboard_url(community)))
    for panel in PANELS:
        assert doc.xpath(f'//*[@id="{panel}"]'), panel


@pytest.mark.parametrize(("role", "admits", "moderates"), [
    ("coordinator", True, True), ("admin", True, True), ("chair", False, False),
])
def test_queue_links_for_those_who_may_act(client_as, community, role, admits, moderates):
    doc = page_of(client_as(role).get(dashboard_url(community)))
    admissions = doc.xpath('//*[@id="panel-admissions"]//a/@href')
    moderation = doc.xpath('//*[@id="panel-moderation"]//a/@href')
    assert (f"/c/{community.slug}/admissions" in admissions) is admits
    assert bool([h for h in moderation if "/moderation" in h]) is moderates


# --- the numbers on the panels ------------------------------------------------------------


def test_waiting_admissions_and_cases_are_counted(client_as, community, people):
    for n in range(3):
        make_join_request(make_user(full_name=f"Заявителева {n}"), community)
    declined = make_join_request(make_user(), community)
    declined.status = "declined"
    db.session.commit()
    other = people["other_community"]
    make_join_request(make_user(), other)  # another community's
    open_case(community)
    open_case(community)
    open_case(community, status="closed")
    open_case(other)
    doc = page_of(client_as("coordinator").get(dashboard_url(community)))
    assert panel_text(doc, "panel-admissions").startswith("Заявки на вступление 3 ждут решения")
    assert "2 в очереди модерации" in panel_text(doc, "panel-moderation")
    assert services.waiting_counts(community) == (3, 2)


def test_upcoming_events_are_the_next_published_ones(client_as, community, people):
    coordinator = people["coordinator"]
    later = make_event(community, coordinator, days=3, title="Семинар через три дня")
    sooner = make_event(community, coordinator, days=1, title="Вебинар завтра")
    make_event(community, coordinator, days=2, publish=False, title="Черновик семинара")
    make_event(community, coordinator, days=-3, title="Прошедший семинар")
    cancelled = make_event(community, coordinator, days=4, title="Отменённый семинар")
    with current_app.test_request_context("/"):
        events.cancel_event(cancelled, community, coordinator, "Болезнь лектора")
        db.session.commit()
    make_event(people["other_community"], people["other_coordinator"], days=1,
               title="Семинар другого сообщества")
    doc = page_of(client_as("chair").get(dashboard_url(community)))
    titles = [a.text_content() for a in doc.xpath('//*[@id="panel-events"]//li/a')]
    assert titles == ["Вебинар завтра", "Семинар через три дня"]
    assert doc.xpath(f'//*[@id="panel-events"]//li[@id="event-{sooner.id}"]//time/@datetime')
    assert later.id in {e.id for e in services.upcoming_events(community)}


def test_upcoming_events_are_limited(community, people):
    for n in range(services.UPCOMING_EVENTS + 2):
        make_event(community, people["coordinator"], days=n + 1)
    assert len(services.upcoming_events(community)) == services.UPCOMING_EVENTS


def test_no_upcoming_events_says_so(client_as, community):
    doc = page_of(client_as("coordinator").get(dashboard_url(community)))
    assert "Опубликованных предстоящих мероприятий нет." in panel_text(doc, "panel-events")


def test_panel_queries_do_not_grow(client_as, community, people):
    client = client_as("coordinator")

    def add(n: int) -> None:
        for i in range(n):
            make_event(community, people["coordinator"], days=i + 1)
            make_join_request(make_user(), community)
            open_case(community)

    add(1)
    client.get(dashboard_url(community))  # warm the caches
    with count_queries() as one:
        assert client.get(dashboard_url(community)).status_code == 200
    add(6)
    with count_queries() as many:
        response = client.get(dashboard_url(community))
    assert response.status_code == 200
    doc = page_of(response)
    assert "7 ждут решения" in panel_text(doc, "panel-admissions")
    assert "7 в очереди модерации" in panel_text(doc, "panel-moderation")
    assert len(doc.xpath('//*[@id="panel-events"]//li')) == services.UPCOMING_EVENTS
    assert many.count == one.count, many.statements


# --- the plan, the meetings and the report --------------------------------------------------


def add_plan(community, status: str, approved_at: datetime | None = None) -> Plan:
    year = AcademicYear.current(community).start
    plan = Plan(community_id=community.id, year=year, status=status, approved_at=approved_at)
    db.session.add(plan)
    db.session.commit()
    return plan


def add_report(community, year: AcademicYear, status: str = "draft") -> AnnualReport:
    report = AnnualReport(community_id=community.id, year=year.start, status=status,
                          submitted_at=utcnow() if status == "submitted" else None)
    db.session.add(report)
    db.session.commit()
    return report


def test_plan_missed_warns(client_as, community):
    set_plan_due(community, this_year_date(community, -5))
    doc = page_of(client_as("coordinator").get(dashboard_url(community)))
    plan = panel_text(doc, "panel-plan")
    assert "Статус: не составлен" in plan
    assert "срок прошёл 5 дн. назад" in plan
    assert any("Срок утверждения плана работы прошёл" in a for a in alerts(doc))


def test_plan_near_warns(client_as, community):
    set_plan_due(community, this_year_date(community, 5))
    add_plan(community, "approval")
    doc = page_of(client_as("chair").get(dashboard_url(community)))
    assert "осталось 5 дн." in panel_text(doc, "panel-plan")
    assert any("Приближается срок утверждения плана работы" in a for a in alerts(doc))


def test_plan_far_from_due_does_not_warn(client_as, community):
    set_plan_due(community, this_year_date(community, 40))
    doc = page_of(client_as("chair").get(dashboard_url(community)))
    assert "осталось 40 дн." in panel_text(doc, "panel-plan")
    assert not [a for a in alerts(doc) if "плана" in a]


def test_approved_plan_does_not_warn(client_as, community):
    set_plan_due(community, this_year_date(community, -5))
    add_plan(community, "approved", approved_at=utcnow() - timedelta(days=10))
    doc = page_of(client_as("admin").get(dashboard_url(community)))
    plan = panel_text(doc, "panel-plan")
    assert "Статус: утверждён" in plan and "сдан в срок" in plan
    assert doc.xpath('//*[@id="panel-plan"]//time')
    assert not [a for a in alerts(doc) if "плана" in a]


def test_meetings_against_the_minimum(client_as, community, people):
    community.min_meetings_per_year = 3
    db.session.commit()
    this_year_date(community, -2), this_year_date(community, 2)  # both meetings in this year
    make_event(community, people["coordinator"], days=-1, type="meeting", title="Заседание 1")
    make_event(community, people["coordinator"], days=1, type="meeting", title="Заседание 2")
    make_event(community, people["coordinator"], days=-1, title="Семинар, не заседание")
    summary = meeting_summary(community, AcademicYear.current(community))
    assert (summary.held, summary.planned, summary.required) == (1, 1, 3)
    doc = page_of(client_as("coordinator").get(dashboard_url(community)))
    meetings = panel_text(doc, "panel-meetings")
    assert "Проведено 1 из 3 обязательных; запланировано ещё 1." in meetings
    assert "С протоколом: 0." in meetings
    warned = [a for a in alerts(doc) if summary.warning and summary.warning in a]
    assert bool(warned) is summary.is_behind


def test_meetings_behind_warn(client_as, community):
    community.min_meetings_per_year = 12
    db.session.commit()
    summary = meeting_summary(community, AcademicYear.current(community))
    assert summary.held == 0 and summary.required == 12
    doc = page_of(client_as("chair").get(dashboard_url(community)))
    assert "Проведено 0 из 12 обязательных" in panel_text(doc, "panel-meetings")
    assert summary.is_behind  # none held or planned: short of the minimum whatever the day
    assert any(summary.warning in a for a in alerts(doc))


def test_meetings_done_do_not_warn(client_as, community, people):
    community.min_meetings_per_year = 1
    db.session.commit()
    if not AcademicYear.current(community).contains(local_today(community) - timedelta(days=2)):
        pytest.skip("the first days of the academic year")
    make_event(community, people["coordinator"], days=-1, type="meeting")
    summary = meeting_summary(community, AcademicYear.current(community))
    assert summary.held == 1 and not summary.is_behind
    doc = page_of(client_as("chair").get(dashboard_url(community)))
    assert "Проведено 1 из 1 обязательных" in panel_text(doc, "panel-meetings")
    assert not [a for a in alerts(doc) if "заседан" in a.lower()]


def test_report_status_and_due(client_as, community):
    year = AcademicYear.current(community)
    add_report(community, year)
    doc = page_of(client_as("coordinator").get(dashboard_url(community)))
    report = panel_text(doc, "panel-report")
    summary = report_summary(community, year)
    assert summary.status_label in report
    assert summary.due.label in report
    (due,) = doc.xpath('//*[@id="panel-report"]//time/@datetime')
    assert due == summary.due.due.isoformat()


def test_last_years_report_overdue_warns(client_as, community):
    year = AcademicYear.current(community)
    community.created_at = datetime.combine(year.previous.first_day, datetime.min.time())
    db.session.commit()
    doc = page_of(client_as("chair").get(dashboard_url(community)))
    assert any(f"Аналитический отчёт за {year.previous.label} учебный год не сдан" in a
               for a in alerts(doc))
    add_report(community, year.previous, status="submitted")
    doc = page_of(client_as("chair").get(dashboard_url(community)))
    assert not [a for a in alerts(doc) if "отчёт" in a]


def test_a_new_community_owes_no_old_report(client_as, community):
    doc = page_of(client_as("chair").get(dashboard_url(community)))
    assert not [a for a in alerts(doc) if "отчёт" in a]


def test_current_report_warnings(client_as, community, monkeypatch):
    year = AcademicYear.current(community)
    today = local_today(community)

    def summary(state: str, days_left: int):
        due = DueState(today + timedelta(days=days_left), state, days_left)
        return SimpleNamespace(status="draft", status_label="Черновик", submitted_on=None,
                               report=None, due=due)

    real = services.report_summary
    for state, days_left, words in [("near", 3, "Приближается срок сдачи аналитического"),
                                    ("missed", -2, "Срок сдачи аналитического отчёта прошёл")]:
        monkeypatch.setattr(services, "report_summary",
                            lambda c, y, s=state, d=days_left: summary(s, d) if y == year
                            else real(c, y))
        doc = page_of(client_as("coordinator").get(dashboard_url(community)))
        assert any(words in a for a in alerts(doc)), (state, alerts(doc))


def test_warning_texts():
    today = date(2026, 11, 22)
    near = SimpleNamespace(due=DueState(date(2026, 11, 25), "near", 3))
    missed = SimpleNamespace(due=DueState(date(2026, 11, 20), "missed", -2))
    fine = SimpleNamespace(due=DueState(date(2027, 7, 15), "upcoming", 235))
    done = SimpleNamespace(due=DueState(date(2026, 9, 15), "done_late", (date(2026, 9, 15)
                                                                        - today).days))
    assert services.plan_warning(near) == (
        "Приближается срок утверждения плана работы: 25 ноября 2026\u00a0г. (осталось 3 дн.).")
    assert services.plan_warning(missed) == (
        "Срок утверждения плана работы прошёл 20 ноября 2026\u00a0г., план не утверждён.")
    assert services.report_warning(missed) == (
        "Срок сдачи аналитического отчёта прошёл 20 ноября 2026\u00a0г., отчёт не сдан.")
    assert services.plan_warning(fine) is None and services.report_warning(done) is None


# --- the network overview -----------------------------------------------------------------


def network_url(**args) -> str:
    return "/network" + ("?" + urlencode(args) if args else "")


@pytest.fixture
def network(app):
    """Seed 004's levels: a region, two municipalities (one with a school community)."""
    admin = make_admin(full_name="Администратор Сети")
    region = make_community(admin=admin, name="Региональное сообщество руководителей",
                            level=CommunityLevel.REGIONAL, municipality="")
    rybnoe = make_community(admin=admin, name="Педагогическое сообщество Рыбновского района",
                            level=CommunityLevel.MUNICIPAL, municipality="Рыбное",
                            parent_id=region.id, min_meetings_per_year=2)
    school = make_community(admin=admin, name="Методическое объединение школы № 1",
                            level=CommunityLevel.SCHOOL, municipality="Рыбное",
                            parent_id=rybnoe.id, min_meetings_per_year=1)
    tula = make_community(admin=admin, name="Межшкольное объединение ШНОР",
                          level=CommunityLevel.MUNICIPAL, municipality="Тула",
                          parent_id=region.id, min_meetings_per_year=4)
    coordinator = make_user(full_name="Координаторова Рыбное")
    make_membership(coordinator, rybnoe, Role.COORDINATOR)
    for _ in range(2):
        make_membership(make_user(), rybnoe)
    make_membership(make_user(), school, Role.COORDINATOR)
    make_membership(make_user(), tula, Role.COORDINATOR)
    return SimpleNamespace(admin=admin, region=region, rybnoe=rybnoe, school=school, tula=tula,
                           coordinator=coordinator)


def cell_text(cell) -> str:
    for br in cell.xpath(".//br"):
        br.tail = " " + (br.tail or "")
    return " ".join(cell.text_content().split())


def rows_of(doc) -> dict[str, list[str]]:
    rows = {}
    for tr in doc.xpath('//table[contains(@class, "network")]/tbody/tr'):
        cells = [cell_text(c) for c in tr.xpath("./th|./td")]
        rows[cells[0]] = cells
    return rows


def rollup_of(doc, caption: str) -> dict[str, list[str]]:
    (table,) = doc.xpath(f'//table[caption[normalize-space()="{caption}"]]')
    return {cells[0]: cells[1:] for cells in (
        [" ".join(c.text_content().split()) for c in tr.xpath("./th|./td")]
        for tr in table.xpath("./tbody/tr|./tfoot/tr"))}


@pytest.mark.parametrize("who", ["member", "coordinator", "chair", "outsider"])
def test_network_is_for_administrators_only(app, client_as, people, who):
    assert client_as(who).get(network_url()).status_code == 403


def test_network_anonymous_goes_to_login(client):
    response = client.get(network_url())
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_admin_index_links_the_overview(app, network):
    doc = page_of(app.test_client(user=network.admin).get("/admin/"))
    assert doc.xpath('//a[@href="/network"][normalize-space()="Обзор сети сообществ"]')


def test_network_rows(app, network):
    make_event(network.school, network.admin, days=-1, type="meeting")
    year = services.platform_year()
    add_plan(network.rybnoe, "approved", approved_at=utcnow())
    add_report(network.tula, year, status="submitted")
    doc = page_of(app.test_client(user=network.admin).get(network_url()))
    rows = rows_of(doc)
    assert list(rows) == [network.region.name, network.rybnoe.name, network.tula.name,
                          network.school.name]
    region, rybnoe, tula, school = rows.values()
    assert region[1:5] == ["Региональный", "—", "—", "0"]
    assert rybnoe[1:5] == ["Муниципальный", "Рыбное", network.region.name, "3"]
    assert school[1:5] == ["Школьный", "Рыбное", network.rybnoe.name, "1"]
    assert tula[1:5] == ["Муниципальный", "Тула", network.region.name, "1"]
    assert rybnoe[6].startswith("0 из 2")
    if AcademicYear.of(local_today(network.school)).contains(
            local_today(network.school) - timedelta(days=1)):
        assert school[6] == "1 из 1"  # held its one meeting: no warning
    assert rybnoe[7].startswith("утверждён срок")
    assert tula[8].startswith("сдан срок") and region[8].startswith("не начат срок")
    href = doc.xpath(f'//tr[@id="community-{network.school.id}"]//a/@href')
    assert href == [f"/c/{network.school.slug}/dashboard"]
    assert "за последние 30 дней" in text(app.test_client(user=network.admin).get(network_url()))


def test_network_warnings_follow_the_summaries(app, network):
    response = app.test_client(user=network.admin).get(network_url())
    doc = page_of(response)
    year = services.platform_year()
    communities = [network.region, network.rybnoe, network.school, network.tula]
    meetings = meeting_summaries(communities, year)
    plans = plan_summaries(communities, year)
    for c in communities:
        (tr,) = doc.xpath(f'//tr[@id="community-{c.id}"]')
        cells = tr.xpath("./td")
        assert bool(cells[5].xpath('.//*[contains(@class, "warning")]')) \
            is bool(meetings[c.id].is_behind)
        assert bool(cells[6].xpath('.//*[contains(@class, "warning")]')) \
            is plans[c.id].due.is_warning


def test_network_activity(app, network):
    coordinator, rybnoe = network.coordinator, network.rybnoe
    with current_app.test_request_context("/"):
        section = forum.create_section(rybnoe, coordinator, title="Раздел", description="",
                                       is_announcements=False)
        topic = forum.create_topic(section, coordinator, title="Тема", body="Первое.")
        forum.reply(topic, coordinator, "Второе.")
        old = forum.reply(topic, coordinator, "Давнее.")
        old.created_at = utcnow() - timedelta(days=40)
        hidden = forum.reply(topic, coordinator, "Скрытое.")
        hidden.hidden_at = utcnow()
        materials.create_material(rybnoe, coordinator, title="Материал", description="",
                                  type="methodical", level="all",
                                  link_url="https://example.org/m")
        db.session.commit()
    make_event(rybnoe, coordinator, days=-2)  # held
    make_event(rybnoe, coordinator, days=-1, publish=False)  # a draft: not held
    make_event(rybnoe, coordinator, days=3)  # not yet
    make_event(rybnoe, coordinator, days=-45)  # too long ago
    assert services.activity_of([rybnoe.id, network.tula.id]) == {
        rybnoe.id: services.Activity(posts=2, materials=1, events=1),
        network.tula.id: services.Activity(),
    }
    doc = page_of(app.test_client(user=network.admin).get(network_url()))
    assert rows_of(doc)[rybnoe.name][5] == "4 сообщений: 2, материалов: 1, мероприятий: 1"
    assert rollup_of(doc, "По муниципалитетам")["Рыбное"][2] == "4"


def test_network_rollups(app, network):
    year = services.platform_year()
    add_plan(network.rybnoe, "approved", approved_at=utcnow())
    add_plan(network.school, "approved", approved_at=utcnow())
    add_report(network.tula, year, status="submitted")
    doc = page_of(app.test_client(user=network.admin).get(network_url()))
    communities = [network.region, network.rybnoe, network.school, network.tula]
    behind = meeting_summaries(communities, year)
    by_level = rollup_of(doc, "По уровням")
    assert list(by_level) == ["Региональный", "Муниципальный", "Школьный", "Всего"]
    # communities, members, activity, behind, plans approved, reports submitted, overdue
    assert by_level["Региональный"][:2] == ["1", "0"]
    assert by_level["Муниципальный"][:2] == ["2", "4"]
    assert by_level["Муниципальный"][4:6] == ["1 из 2", "1 из 2"]
    assert by_level["Школьный"][:2] == ["1", "1"]
    assert by_level["Всего"][:2] == ["4", "5"]
    assert by_level["Всего"][3] == str(sum(s.is_behind for s in behind.values()))
    assert by_level["Всего"][4:6] == ["2 из 4", "1 из 4"]
    by_town = rollup_of(doc, "По муниципалитетам")
    assert list(by_town) == ["Рыбное", "Тула", "Муниципалитет не указан", "Всего"]
    assert by_town["Рыбное"][:2] == ["2", "4"] and by_town["Рыбное"][4] == "2 из 2"
    assert by_town["Тула"][5] == "1 из 1"


def test_network_overdue_reports(app, network):
    year = services.platform_year()
    for c in (network.rybnoe, network.tula):
        c.created_at = datetime.combine(year.previous.first_day, datetime.min.time())
    db.session.commit()
    add_report(network.tula, year.previous, status="submitted")
    doc = page_of(app.test_client(user=network.admin).get(network_url()))
    overdue = doc.xpath('//*[contains(@class, "overdue")]/ancestor::tr/@id')
    assert overdue == [f"community-{network.rybnoe.id}"]
    assert rollup_of(doc, "По уровням")["Всего"][6] == "1"


@pytest.mark.parametrize(("args", "expected"), [
    ({"level": "municipal"}, ["rybnoe", "tula"]),
    ({"municipality": "Рыбное"}, ["rybnoe", "school"]),
    ({"level": "school", "municipality": "Рыбное"}, ["school"]),
    ({"level": "school", "municipality": "Тула"}, []),
    ({"level": "", "municipality": ""}, ["region", "rybnoe", "tula", "school"]),
])
def test_network_filters(app, network, args, expected):
    client = app.test_client(user=network.admin)
    doc = page_of(client.get(network_url(**args)))
    assert list(rows_of(doc)) == [getattr(network, key).name for key in expected]
    if not expected:
        assert "Сообществ с такими условиями нет." in text(client.get(network_url(**args)))
    else:
        total = rollup_of(doc, "По уровням")["Всего"]
        assert total[0] == str(len(expected))
    (select,) = doc.xpath('//select[@name="municipality"]')
    assert select.xpath("./option/@value") == ["", "Рыбное", "Тула"]


def test_network_filter_with_htmx_swaps_the_results(app, network):
    response = app.test_client(user=network.admin).get(network_url(level="school"), headers=HX)
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert network.school.name in body and network.tula.name not in body
    assert 'name="level"' not in body  # the form stays on the page
    assert "HX-Request" in response.headers["Vary"]


def test_network_unknown_filter_values(app, network):
    doc = page_of(app.test_client(user=network.admin).get(
        network_url(level="province", municipality="Атлантида")))
    assert len(rows_of(doc)) == 4  # nothing filtered
    errors = [e.text_content() for e in doc.xpath('//*[contains(@class, "field-error")]')]
    assert errors == ["Выберите значение из списка.", "Выберите значение из списка."]


def test_network_queries_do_not_grow(app):
    admin = make_admin()
    client = app.test_client(user=admin)

    def add(n: int, start: int) -> None:
        region = make_community(admin=admin, level=CommunityLevel.REGIONAL)
        for i in range(start, start + n - 1):
            c = make_community(admin=admin, level=CommunityLevel.MUNICIPAL,
                               municipality=f"Город {i}", parent_id=region.id)
            make_membership(make_user(), c, Role.COORDINATOR)
            make_event(c, admin, days=-1, type="meeting")
            add_plan(c, "draft")

    add(3, 0)
    client.get(network_url())
    with count_queries() as three:
        assert len(rows_of(page_of(client.get(network_url())))) == 3
    add(7, 10)
    with count_queries() as ten:
        assert len(rows_of(page_of(client.get(network_url())))) == 10
    assert ten.count == three.count, ten.statements
