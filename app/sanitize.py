"""The one place user-written text becomes HTML. No other module imports bleach."""

from __future__ import annotations

import re

import bleach
from markupsafe import Markup, escape

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "h3", "h4", "hr",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title"], "th": ["align"], "td": ["align"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

_LINK_REL = "nofollow noopener ugc"


def _set_rel(attrs, new=False):
    attrs[(None, "rel")] = _LINK_REL
    return attrs


def clean_html(html: str) -> str:
    """Strip everything outside the allowlist; links get rel="nofollow noopener ugc"."""
    cleaned = bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    return bleach.linkify(cleaned, callbacks=[_set_rel], skip_tags={"pre", "code"})


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def paragraphs(text: str) -> Markup:
    """Plain text (a charter, a description) as escaped paragraphs; no markup is kept."""
    parts = [p.strip() for p in _PARAGRAPH_BREAK.split(text or "") if p.strip()]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in p.splitlines()))
        for p in parts
    )
