"""Page-number pagination that keeps the URL meaningful (`?page=3` works without JS)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from sqlalchemy import Select

from app.extensions import db


@dataclass
class Page:
    items: list[Any]
    number: int
    has_next: bool

    @property
    def next_number(self) -> int:
        return self.number + 1


def current_page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


def paginate(query: Select, per_page: int | None = None, rows: bool = False) -> Page:
    """One query: fetch one row more than the page to know whether there is a next page.
    `rows=True` keeps whole rows (several entities or columns) instead of scalars."""
    per_page = per_page or current_app.config["PAGE_SIZE"]
    number = current_page_number()
    limited = query.limit(per_page + 1).offset((number - 1) * per_page)
    if rows:
        found = list(db.session.execute(limited).unique().all())
    else:
        found = list(db.session.scalars(limited).unique())
    return Page(items=found[:per_page], number=number, has_next=len(found) > per_page)
