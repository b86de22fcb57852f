"""Reportable, hideable user content: one registry that moderation works through, whatever
the content type (forum posts, chat messages, and later materials and contest entries)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.extensions import db


@dataclass(frozen=True)
class ContentType:
    kind: str  # "post", "chat_message", ...
    model: type
    label: str  # Russian, for the moderation queue and notifications: «сообщение на форуме»
    url: Callable[[Any], str]  # where the item is seen in context
    excerpt: Callable[[Any], str]  # its text, plain
    # Called after moderation held, released, hid or restored the item (e.g. a topic follows
    # its opening post).
    on_change: Callable[[Any], None] | None = None
    # The label's grammatical gender, for messages to the author: «Ваше сообщение удалено»,
    # «Ваш материал удалён», «Ваша конкурсная работа удалена». "n", "m" or "f".
    gender: str = "n"
    # Whether a person who may see the community's content sees this item (a post in a
    # working group's section: the group only); None: every member does.
    visible_to: Callable[[Any, Any], bool] | None = None

    def your(self) -> str:
        """«Ваше сообщение на форуме», «Ваш материал…», «Ваша конкурсная работа»."""
        return f"{_YOUR[self.gender]} {self.label}"

    def past(self, neuter: str) -> str:
        """A short participle agreeing with the label: past("удалено") → «удалён»."""
        return _PARTICIPLES.get(neuter, {}).get(self.gender, neuter)


_YOUR = {"n": "Ваше", "m": "Ваш", "f": "Ваша"}
_PARTICIPLES = {
    word: {"n": word, "m": masculine, "f": feminine}
    for word, masculine, feminine in (
        ("удалено", "удалён", "удалена"),
        ("восстановлено", "восстановлен", "восстановлена"),
        ("проверено", "проверен", "проверена"),
        ("опубликовано", "опубликован", "опубликована"),
    )
}


_REGISTRY: dict[str, ContentType] = {}


def register(content_type: ContentType) -> ContentType:
    _REGISTRY[content_type.kind] = content_type
    return content_type


def content_type(kind: str) -> ContentType | None:
    return _REGISTRY.get(kind)


def kind_of(item: Any) -> str:
    for kind, ct in _REGISTRY.items():
        if isinstance(item, ct.model):
            return kind
    raise LookupError(f"{type(item).__name__} is not registered content")


def load(kind: str, item_id: int) -> Any | None:
    ct = _REGISTRY.get(kind)
    return db.session.get(ct.model, item_id) if ct else None


def load_many(kind: str, ids: list[int]) -> dict[int, Any]:
    ct = _REGISTRY.get(kind)
    if ct is None or not ids:
        return {}
    return {o.id: o for o in db.session.scalars(db.select(ct.model).where(ct.model.id.in_(ids)))}


def changed(item: Any) -> None:
    ct = _REGISTRY[kind_of(item)]
    if ct.on_change is not None:
        ct.on_change(item)


def kinds() -> list[str]:
    return list(_REGISTRY)
