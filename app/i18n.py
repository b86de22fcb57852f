"""Russian formatting: dates, plural forms, enum labels. Flask-Babel does the formatting."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import get_timezone as babel_timezone
from flask import Flask, current_app, g, has_request_context
from flask_babel import get_locale, get_timezone

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
    form = _plural_form(str(get_locale() or "ru"), n)
    word = {"one": one, "few": few}.get(form, many)
    return f"{n} {word}"


@lru_cache(maxsize=4096)
def _plural_form(locale: str, n: int) -> str:
    return Locale.parse(locale).plural_form(n)


NBSP = "\u00a0"


def date_filter(value: date | datetime | None) -> str:
    """«22 ноября 2026 г.» (a no-break space before «г.», as CLDR has it)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        # The day in the reader's zone: cached per minute and zone, as datetime_filter is.
        return _format_day(value.replace(second=0, microsecond=0), str(get_timezone()))
    return _format_long_date(value)


@lru_cache(maxsize=8192)
def _format_day(value: datetime, zone: str) -> str:
    local = value.replace(tzinfo=UTC).astimezone(babel_timezone(zone))
    return _format_long_date(local.date())


@lru_cache(maxsize=8192)
def _format_long_date(value: date) -> str:
    return babel_format_date(value, "long", locale="ru").replace("\u202f", NBSP)


_DATETIME = f"d MMMM y{NBSP}'г.', HH:mm"


def datetime_filter(value: datetime | None) -> str:
    """«22 ноября 2026 г., 14:05» in the reader's time zone (stored as naive UTC).

    A list shows dozens of them and Babel's formatting is slow, so the text is cached per
    minute and zone: the same result, a pure function of its key."""
    if value is None:
        return ""
    return _format_minute(value.replace(second=0, microsecond=0), str(get_timezone()))


@lru_cache(maxsize=8192)
def _format_minute(value: datetime, zone: str) -> str:
    return babel_format_datetime(value.replace(tzinfo=UTC), _DATETIME,
                                 tzinfo=babel_timezone(zone), locale="ru")


def _install_fast_gettext(app: Flask) -> None:
    """Templates call `_()` a hundred times a page, and Flask-Babel looks up the request's
    translations on each call. The locale is one for the whole platform (select_locale), so
    the translations are looked up once per process and kept."""
    from flask_babel import get_translations

    kept: dict[str, object] = {}

    def translations():
        found = kept.get("ru")
        if found is None:
            found = get_translations()
            if has_request_context():  # outside a request Flask-Babel gives a null catalogue
                kept["ru"] = found
        return found

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    _install_fast_gettext(app)
    app.jinja_env.filters["date"] = date_filter
    app.jinja_env.filters["datetime"] = datetime_filter
    app.jinja_env.globals["plural"] = plural
