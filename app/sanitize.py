"""The one place user-written text becomes HTML; no other module imports bleach.

1. Markdown: CommonMark + tables + strikethrough (markdown-it-py); raw HTML in it stays text.
2. Everything then passes the bleach allowlist below: no style/on*/data-*/hx-*/id/class.
3. Links: http, https, mailto or a /site-path only (else text); rel="nofollow noopener ugc".
4. Images become their alt text; headings h1/h2/h3+ become h3/h4/h5 (the page owns h1/h2).
5. markdown_to_text() is plain, unescaped text; paragraphs() keeps no markup at all.
"""

from __future__ import annotations

import html
import re
import threading
from functools import partial
from html.parser import HTMLParser

import bleach
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup, escape

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "h3", "h4", "h5", "hr",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

_LINK_REL = "nofollow noopener ugc"
_URL_JUNK = re.compile(r"[\x00-\x20\x7f-\xa0\s`]+")
_ALIGNS = frozenset({"left", "right", "center"})


def _safe_href(url: str) -> bool:
    """True only for http(s)/mailto URLs and site paths, however a scheme was disguised."""
    plain = _URL_JUNK.sub("", html.unescape(url)).lower()
    if plain.startswith("/"):  # a path on this site (mentions link to /u/<id>), not //host
        return not plain.startswith(("//", "/\\"))
    return plain.startswith(("http://", "https://", "mailto:"))


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if tag == "a":
        return name == "title" or (name == "href" and _safe_href(value))
    if tag in ("th", "td"):
        return name == "align" and value.strip().lower() in _ALIGNS
    if tag == "ol":
        return name == "start" and value.strip().isdigit()
    return False


def _set_rel(attrs, new=False):
    if (None, "href") not in attrs:
        return None  # its href was unsafe and got removed: keep the text, drop the dead <a>
    attrs[(None, "rel")] = _LINK_REL
    return attrs


def _no_new_links(attrs, new=False):
    return None if new else attrs


def _cleaner(callbacks) -> bleach.Cleaner:
    # Linkify as a filter of the same pass: a separate bleach.linkify() call double-escapes
    # entities inside skip_tags (`&lt;` in <code> became `&amp;lt;`).
    linkify = partial(LinkifyFilter, callbacks=callbacks, skip_tags={"pre", "code"})
    return bleach.Cleaner(  # not thread-safe (its parser has state): build one per call
        tags=ALLOWED_TAGS,
        attributes=_allowed_attribute,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[linkify],
    )


def clean_html(html: str) -> str:
    """HTML input: strip everything outside the allowlist, link bare URLs, add rel to links."""
    return _cleaner([_set_rel]).clean(html or "")


# --- Markdown ---------------------------------------------------------------------------------

_TEXT_ALIGN = re.compile(r"text-align:\s*(left|right|center)")


def _adjust_tokens(state) -> None:
    """Downgrade headings (h1→h3, h2→h4, deeper→h5); table alignment as `align`, not `style`."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 2, 5)}"
        elif token.type in ("th_open", "td_open") and token.attrs:
            match = _TEXT_ALIGN.search(str(token.attrs.get("style", "")))
            token.attrs = {"align": match.group(1)} if match else {}


def _image_as_alt_text(self, tokens, idx, options, env) -> str:
    return escapeHtml(self.renderInlineAsText(tokens[idx].children or [], options, env))


def _build_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "xhtmlOut": False})
    md.enable(["table", "strikethrough", "linkify"])
    md.validateLink = _safe_href
    md.core.ruler.push("soobshchestvo_adjust", _adjust_tokens)
    md.add_render_rule("image", _image_as_alt_text)
    return md


_local = threading.local()  # linkify-it keeps match state on its instance: one per thread


def _markdown() -> MarkdownIt:
    if not hasattr(_local, "md"):
        _local.md = _build_markdown()
    return _local.md


def render_markdown(text: str) -> str:
    """User Markdown as safe HTML for storing next to the source (`body_html`)."""
    html_text = _markdown().render(text or "")
    cleaned = _cleaner([_no_new_links, _set_rel]).clean(html_text)  # markdown-it linked URLs
    return cleaned.strip()


class _TextCollector(HTMLParser):
    _BREAKS = frozenset(
        {"p", "br", "li", "blockquote", "pre", "h3", "h4", "h5", "hr", "tr", "th", "td"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self._BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag) -> None:
        if tag in self._BREAKS:
            self.parts.append(" ")

    def handle_data(self, data) -> None:
        self.parts.append(data)


def markdown_to_text(text: str, limit: int | None = None) -> str:
    """Plain (unescaped) text of the rendered Markdown, whitespace collapsed, cut to `limit`."""
    if limit is not None and limit < 1:
        raise ValueError("limit must be positive")
    collector = _TextCollector()
    collector.feed(render_markdown(text))
    collector.close()
    plain = " ".join("".join(collector.parts).split())
    if limit is None or len(plain) <= limit:
        return plain
    cut = plain[: limit - 1]
    space = cut.rfind(" ")
    if plain[limit - 1] != " " and space > limit // 2:  # cut inside a word: drop its start
        cut = cut[:space]
    return cut.rstrip() + "…"


# --- Plain text -------------------------------------------------------------------------------

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def paragraphs(text: str) -> Markup:
    """Plain text (a charter, a description) as escaped paragraphs; no markup is kept."""
    parts = [p.strip() for p in _PARAGRAPH_BREAK.split(text or "") if p.strip()]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in p.splitlines()))
        for p in parts
    )
