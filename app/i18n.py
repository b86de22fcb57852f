"""Russian formatting: dates, plural forms, enum labels. Flask-Babel does the formatting."""

from __future__ import annotations

from datetime import date, datetime

from babel import Locale
from flask import Flask, current_app, g
from flask_babel import format_date, format_datetime, get_locale

from app.extensions import babel


def select_locale() -> str:
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """Inside a community its own time zone (Russia spans eleven), else the platform's."""
    community = g.get("community")
    if community is not None and community.timezone:
        return community.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def plural(n: int, one: str, few: str, many: str) -> str:
    """«1 участник», «3 участника», «5 участников»: CLDR plural rules of the current locale."""
    form = Locale.parse(str(get_locale() or "ru")).plural_form(n)
    word = {"one": one, "few": few}.get(form, many)
    return f"{n} {word}"


NBSP = "\u00a0"


def date_filter(value: date | datetime | None) -> str:
    """«22 ноября 2026 г.» (a no-break space before «г.», as CLDR has it)."""
    if value is None:
        return ""
    return format_date(value, "long").replace("\u202f", NBSP)


def datetime_filter(value: datetime | None) -> str:
    """«22 ноября 2026 г., 14:05» in the reader's time zone (stored as naive UTC)."""
    if value is None:
        return ""
    return format_datetime(value, f"d MMMM y{NBSP}'г.', HH:mm")


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.filters["date"] = date_filter
    app.jinja_env.filters["datetime"] = datetime_filter
    app.jinja_env.globals["plural"] = plural
