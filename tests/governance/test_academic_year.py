from datetime import date, datetime

from app.governance.academic_year import AcademicYear, due_state, plan_due, report_due
from tests.factories import make_community


def test_year_of_a_date_and_its_bounds():
    assert AcademicYear.of(date(2026, 8, 31)) == AcademicYear(2025)
    assert AcademicYear.of(date(2026, 9, 1)) == AcademicYear(2026)
    year = AcademicYear(2026)
    assert year.label == "2026/2027"
    assert (year.first_day, year.last_day) == (date(2026, 9, 1), date(2027, 8, 31))
    assert year.contains(date(2027, 2, 28)) and not year.contains(date(2027, 9, 1))
    assert year.date_of(9, 15) == date(2026, 9, 15)
    assert year.date_of(7, 15) == date(2027, 7, 15)


def test_utc_bounds_follow_the_community_zone(app):
    community = make_community(timezone="Asia/Yekaterinburg")  # UTC+5
    start, end = AcademicYear(2026).utc_bounds(community)
    assert start == datetime(2026, 8, 31, 19, 0)
    assert end == datetime(2027, 8, 31, 19, 0)
    assert AcademicYear.current(community, now=datetime(2026, 8, 31, 19, 30)) == AcademicYear(2026)
    assert AcademicYear.current(community, now=datetime(2026, 8, 31, 18, 30)) == AcademicYear(2025)


def test_due_dates_of_the_seeds(app):
    tula = make_community(report_due_month=7, report_due_day=15)
    rybnoe = make_community(plan_due_month=9, plan_due_day=15, report_due_month=9,
                            report_due_day=1)
    year = AcademicYear(2026)
    assert plan_due(rybnoe, year) == date(2026, 9, 15)
    assert report_due(tula, year) == date(2027, 7, 15)
    # 1 September closes the year the report is about: it falls in the next one.
    assert report_due(rybnoe, year) == date(2027, 9, 1)


def test_due_state():
    due = date(2026, 9, 15)
    assert due_state(due, date(2026, 8, 1)).state == "upcoming"
    near = due_state(due, date(2026, 9, 10))
    assert (near.state, near.days_left, near.is_warning) == ("near", 5, True)
    missed = due_state(due, date(2026, 9, 20))
    assert (missed.state, missed.days_left) == ("missed", -5)
    assert due_state(due, date(2026, 9, 20), done_on=date(2026, 9, 14)).state == "done"
    assert due_state(due, date(2026, 9, 20), done_on=date(2026, 9, 16)).state == "done_late"
