"""Pagination that keeps the URL meaningful: the «Показать ещё» link works without JS.

Two kinds, one interface for the templates (`items`, `has_next`, `is_first`, `next_args()`,
used by the `load_more` macro of templates/_macros/ui.html):

- `keyset()`: the link carries an opaque cursor (`?after=…`) holding the sort keys of the last
  row shown, and the next page is «the rows after these keys» — a WHERE that an index on the
  ordering serves, and no OFFSET, so a late page costs what the first does. For every list
  that grows with the data (forum topics, notifications, the bank, members, the logs).
- `paginate()`: page numbers (`?page=3`), LIMIT/OFFSET. The database reads and drops every
  row before the page, so only for short, bounded lists (and ranked search results).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app, request
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import ColumnElement, Select, and_, literal, or_, tuple_
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from app.extensions import db

CURSOR_ARG = "after"


def _kept(args: Mapping[str, Any] | None) -> dict[str, Any]:
    """The list's own arguments (filters, sort) without the previous page's position."""
    return {k: v for k, v in (args or {}).items() if k not in ("page", CURSOR_ARG)}


@dataclass
class Page:
    items: list[Any]
    number: int
    has_next: bool

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def is_first(self) -> bool:
        return self.number == 1

    def next_args(self, args: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """URL arguments of the next page: `args` (filters, sort) and its number."""
        return {"page": self.next_number, **_kept(args)}


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


# --- keyset (cursor) pagination ------------------------------------------------------------


@dataclass
class KeysetPage:
    items: list[Any]
    has_next: bool
    after: str | None  # the cursor of the next page; None when there is none
    is_first: bool  # no (valid) cursor was given

    def next_args(self, args: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """URL arguments of the next page: `args` (filters, sort) and the cursor."""
        return {CURSOR_ARG: self.after, **_kept(args)}


@dataclass(frozen=True)
class _Key:
    expr: ColumnElement
    descending: bool
    nullable: bool = False  # the column may hold NULL (then an `IS NULL` key precedes it)


def _keys(order: Sequence[Any]) -> list[_Key]:
    """`order` as the ORDER BY is written (`Topic.last_post_at.desc()`, `User.full_name`).
    A nullable column sorts its NULLs last, whichever the direction and the database: a
    `col IS NULL` key goes before it. The last column must be unique (the primary key), so
    that rows with equal keys still have one order and none is skipped or repeated."""
    keys: list[_Key] = []
    for item in order:
        descending = False
        if isinstance(item, UnaryExpression) and item.modifier in (operators.desc_op,
                                                                   operators.asc_op):
            descending = item.modifier is operators.desc_op
            item = item.element
        expr = item.__clause_element__() if hasattr(item, "__clause_element__") else item
        if getattr(expr, "nullable", False) and not getattr(expr, "primary_key", False):
            keys.append(_Key(expr.is_(None), descending=False))
            keys.append(_Key(expr, descending, nullable=True))
        else:
            keys.append(_Key(expr, descending))
    if not keys or not getattr(keys[-1].expr, "primary_key", False):
        raise ValueError("keyset(): the ordering must end with a primary key column")
    return keys


def _serializer(keys: list[_Key]) -> URLSafeSerializer:
    # Signed, and salted with the ordering: a cursor of another list or another sort, or
    # one edited by hand, does not decode.
    salt = "keyset:" + ",".join(f"{k.expr}{' DESC' if k.descending else ''}" for k in keys)
    return URLSafeSerializer(current_app.secret_key, salt=salt)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _typed(value: Any, key: _Key) -> Any:
    """The cursor's value as the column's Python type; ValueError if it is not one."""
    if value is None:
        if key.nullable:
            return None
        raise ValueError("NULL for a NOT NULL key")
    try:
        kind = key.expr.type.python_type
    except NotImplementedError:
        kind = None
    if kind in (datetime, date) and isinstance(value, str):
        return kind.fromisoformat(value)
    if kind is bool and isinstance(value, bool):
        return value
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if kind is str and isinstance(value, str):
        return value
    if kind is None and isinstance(value, str | int | float | bool):
        return value
    raise ValueError(f"{value!r} is not a {kind}")


def encode_cursor(keys: list[_Key], values: Sequence[Any]) -> str:
    return _serializer(keys).dumps([_plain(v) for v in values])


def decode_cursor(keys: list[_Key], cursor: str) -> list[Any] | None:
    """The key values of a cursor, or None if it is malformed, tampered with or another
    list's: the list then starts from the beginning (never a 500)."""
    try:
        raw = _serializer(keys).loads(cursor)
        if not isinstance(raw, list) or len(raw) != len(keys):
            return None
        return [_typed(value, key) for value, key in zip(raw, keys, strict=True)]
    except (BadData, ValueError, TypeError, OverflowError):
        return None


def _after(keys: list[_Key], values: list[Any]) -> ColumnElement[bool]:
    """Rows that come after `values` in the order of `keys`."""
    def bound(key: _Key, value: Any):
        return literal(value, key.expr.type)

    same = {k.descending for k in keys}
    if len(same) == 1 and not any(k.nullable for k in keys):
        # A row-value comparison, `(a, b, id) < (…)`: PostgreSQL and SQLite use it as a
        # range on the index of the ordering.
        descending = same.pop()
        if len(keys) == 1:
            left, right = keys[0].expr, bound(keys[0], values[0])
        else:
            left = tuple_(*(k.expr for k in keys))
            right = tuple_(*(bound(k, v) for k, v in zip(keys, values, strict=True)))
        return left < right if descending else left > right
    # Mixed directions or NULLs: (a after) or (a equal and b after) or …
    clauses, equal = [], []
    for key, value in zip(keys, values, strict=True):
        if value is None:  # NULLs come last and equal each other: none sorts after
            equal.append(key.expr.is_(None))
            continue
        b = bound(key, value)
        clauses.append(and_(*equal, key.expr < b if key.descending else key.expr > b))
        equal.append(key.expr == b)
    condition = or_(*clauses)
    first, value = keys[0], values[0]
    if value is not None and not first.nullable:
        # The leading column's bound alone, so that the index range starts there.
        b = bound(first, value)
        condition = and_(first.expr <= b if first.descending else first.expr >= b, condition)
    return condition


def keyset(query: Select, order: Sequence[Any], per_page: int | None = None, *,
           rows: bool = False, after: str | None = None) -> KeysetPage:
    """One page of `query` in `order` after the cursor (`after`, else `?after=` of the
    request), in one query: the order's columns are selected beside the row to make the
    next cursor, and one row more than the page tells whether there is a next page.
    `order` replaces the query's ORDER BY and must end with the primary key; an index on
    the query's equality filters followed by the ordering's columns makes any page cheap.
    `rows=True` keeps whole rows (several entities or columns) instead of scalars."""
    per_page = per_page or current_app.config["PAGE_SIZE"]
    keys = _keys(order)
    cursor = request.args.get(CURSOR_ARG, "") if after is None else after
    values = decode_cursor(keys, cursor) if cursor else None
    query = query.order_by(None).order_by(*(k.expr.desc() if k.descending else k.expr
                                            for k in keys))
    if values is not None:
        query = query.where(_after(keys, values))
    query = query.add_columns(*(k.expr.label(f"keyset_{i}") for i, k in enumerate(keys)))
    found = list(db.session.execute(query.limit(per_page + 1)).unique().all())
    shown = found[:per_page]
    n = len(keys)
    items = [tuple(row[:-n]) if rows else row[0] for row in shown]
    has_next = len(found) > per_page
    return KeysetPage(
        items=items, has_next=has_next,
        after=encode_cursor(keys, tuple(shown[-1][-n:])) if has_next else None,
        is_first=values is None,
    )
