"""app.sanitize: user Markdown/HTML becomes safe HTML (attack strings after the OWASP XSS
filter evasion cheat sheet), and what users legitimately write survives."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from app.sanitize import (
    ALLOWED_TAGS,
    clean_html,
    markdown_to_text,
    paragraphs,
    render_markdown,
)

REL = "nofollow noopener ugc"
ALLOWED_ATTRS = {"a": {"href", "title", "rel"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
SAFE_SCHEMES = ("http://", "https://", "mailto:", "/")
# Raw markup that must never come out as a real tag, whatever went in.
FORBIDDEN_TAGS = (
    "<script", "<img", "<svg", "<iframe", "<object", "<embed", "<style", "<form", "<input",
    "<div", "<math", "<base", "<meta", "<link", "<button", "<textarea", "<details", "<video",
)


class _Parsed(HTMLParser):
    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.anchors: list[dict[str, str]] = []  # attrs + "text"
        self._anchor: dict[str, str] | None = None
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag == "a":
            self._anchor = {k: v or "" for k, v in attrs} | {"text": ""}

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == "a" and self._anchor is not None:
            self.anchors.append(self._anchor)
            self._anchor = None

    def handle_data(self, data):
        if self._anchor is not None:
            self._anchor["text"] += data

    @property
    def tags(self) -> list[str]:
        return [tag for tag, _ in self.elements]


def assert_safe(output: str) -> _Parsed:
    """Only allowlisted tags and attributes, only safe link targets, rel on every link."""
    lowered = output.lower()
    for raw in FORBIDDEN_TAGS:
        assert raw not in lowered, (raw, output)
    parsed = _Parsed(output)
    for tag, attrs in parsed.elements:
        assert tag in ALLOWED_TAGS, (tag, output)
        assert set(attrs) <= ALLOWED_ATTRS.get(tag, set()), (tag, attrs, output)
        if tag == "a":
            href = attrs.get("href") or ""
            squashed = re.sub(r"[\x00-\x20]", "", href).lower()
            assert squashed.startswith(SAFE_SCHEMES), (href, output)
            assert not squashed.startswith(("//", "/\\")), (href, output)
            assert attrs.get("rel") == REL, output
    return parsed


# --- Attacks ----------------------------------------------------------------------------------

B64_SCRIPT = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="
ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:image/svg+xml;base64,' + B64_SCRIPT + '">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<form action="javascript:alert(1)"><button>Отправить</button></form>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<a href="javascript:alert(1)">клик</a>',
    '<a href="JaVaScRiPt:alert(1)">клик</a>',
    '<a href=" &#14;  javascript:alert(1)">клик</a>',
    '<a href="jav&#x09;ascript:alert(1)">клик</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">клик</a>',
    '<a href="&#x6A;avascript&colon;alert(1)">клик</a>',
    '<a href="data:text/html;base64,' + B64_SCRIPT + '">клик</a>',
    '<a href="vbscript:msgbox(1)">клик</a>',
    '<a href="https://ok.example/" onmouseover="alert(1)">ok</a>',
    '<a href="https://ok.example/"" onmouseover="alert(1)">ok</a>',
    '<a href=https://ok.example/ style="position:fixed;top:0">ok</a>',
    '<div hx-get="/admin" hx-trigger="load">x</div>',
    '<p hx-post="/admin/delete" hx-on:click="alert(1)" hx-on::before-request="x">x</p>',
    '<p data-hx-get="/admin" data-hx-trigger="load" data-x="1">x</p>',
    '<a href="https://ok.example/" hx-get="/admin" data-hx-post="/x" class="btn" id="main">ok</a>',
    '<p id="content" class="admin" style="color:red" onclick="alert(1)">x</p>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)//<</script>/script>",
    "<!--<script>alert(1)//--><script>alert(1)</script>",
    "<![CDATA[<script>alert(1)</script>]]>",
    "[x](javascript:alert(1))",
    "[x](//evil.example/)",
    "[x](/\\evil.example/)",
    '<a href="/\\evil.example/">x</a>',
    "[x](JaVaScRiPt:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](java&#x0A;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x]( javascript:alert(1) )",
    "[x](javascript&colon;alert(1))",
    "[x](data:text/html;base64," + B64_SCRIPT + ")",
    "[x](vbscript:msgbox(1))",
    "[x](VBScript:msgbox(1))",
    "<javascript:alert(1)>",
    "[x][bad]\n\n[bad]: javascript:alert(1)",
    '[x](https://ok.example/"onmouseover="alert(1))',
    '[x](<https://ok.example/" onmouseover="alert(1)>)',
    '[x](https://ok.example/ "title\\" onmouseover=\\"alert(1)")',
    "[x](https://ok.example/ 'a' onmouseover='alert(1)')",
    '[<img src=x onerror=alert(1)>](https://ok.example/)',
    '[x](https://ok.example/)<a href="javascript:alert(1)">y</a>',
    "**<script>alert(1)</script>**",
    "> <iframe src=//evil.example>\n> - <svg/onload=alert(1)>",
    "```html\n</code></pre><script>alert(1)</script>\n```",
    "`</code><script>alert(1)</script>`",
    "![x](javascript:alert(1))",
    '![x" onerror="alert(1)](https://ok.example/a.png)',
    "![x](https://ok.example/a.png\" onerror=\"alert(1))",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "＜script＞alert(1)＜/script＞",
    "\u202e<script>alert(1)</script>\u0000<img src=x onerror=alert(1)>",
]


@pytest.mark.parametrize("render", [render_markdown, clean_html], ids=["markdown", "html"])
@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_is_neutralised(render, attack):
    assert_safe(render(attack))


@pytest.mark.parametrize(
    "attack",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](java&#x09;script:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](data:text/html;base64," + B64_SCRIPT + ")",
        "[x](vbscript:msgbox(1))",
        "[x][bad]\n\n[bad]: javascript:alert(1)",
        "<javascript:alert(1)>",
        "[x](//evil.example/)",  # another host without a scheme
        "[x](#top)",
        "[x](admin/delete)",
    ],
)
def test_markdown_link_with_bad_scheme_is_no_link(attack):
    out = render_markdown(attack)
    assert "<a" not in out
    assert assert_safe(out).anchors == []


@pytest.mark.parametrize(
    "attack",
    [
        '<a href="javascript:alert(1)">клик</a>',
        '<a href="java&#x09;script:alert(1)">клик</a>',
        '<a href="&#106;avascript:alert(1)">клик</a>',
        '<a href="  data:text/html;base64,' + B64_SCRIPT + '">клик</a>',
        '<a href="VBSCRIPT:msgbox(1)">клик</a>',
        '<a href="//evil.example/">клик</a>',
        '<a href="/\\evil.example/">клик</a>',
        '<a href="/&#x09;/evil.example/">клик</a>',
        '<a href="ftp://files.example/">клик</a>',
    ],
)
def test_html_link_with_bad_scheme_keeps_only_its_text(attack):
    assert clean_html(attack) == "клик"


def test_unlinkable_markdown_link_stays_visible_as_typed():
    out = render_markdown("[x](#top) [y](ftp://files.example/) [z](javascript:alert(1))")
    assert out == "<p>[x](#top) [y](ftp://files.example/) [z](javascript:alert(1))</p>"


def test_raw_html_in_markdown_is_shown_as_text():
    out = render_markdown('<div hx-get="/admin">Привет</div>\n\n<script>alert(1)</script>')
    assert "&lt;div hx-get=&quot;/admin&quot;&gt;Привет&lt;/div&gt;" in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert_safe(out)


def test_htmx_and_other_attributes_are_dropped_from_html():
    out = clean_html(
        '<a href="https://ok.example/" hx-get="/admin" hx-on:click="alert(1)" '
        'data-hx-post="/x" class="btn" id="main" style="color:red" onclick="x">ok</a>'
    )
    assert out == f'<a href="https://ok.example/" rel="{REL}">ok</a>'


def test_nested_script_tricks_leave_no_script_tag():
    for render in (render_markdown, clean_html):
        out = render("<scr<script>ipt>alert(1)</scr</script>ipt>")
        assert "<script" not in out.lower()
    assert "&lt;scr&lt;script&gt;ipt&gt;" in render_markdown("<scr<script>ipt>")


def test_fullwidth_brackets_stay_plain_text():
    out = render_markdown("＜script＞alert(1)＜/script＞")
    assert out == "<p>＜script＞alert(1)＜/script＞</p>"


def test_quotes_cannot_break_out_of_link_attributes():
    out = render_markdown('[x](https://ok.example/ "a\\" onmouseover=\\"alert(1)")')
    (anchor,) = assert_safe(out).anchors
    assert anchor["title"] == 'a" onmouseover="alert(1)'
    assert "onmouseover" not in anchor
    out = render_markdown('[x](<https://ok.example/" onmouseover="alert(1)>)')
    (anchor,) = assert_safe(out).anchors
    assert anchor["href"].startswith("https://ok.example/%22")


def test_images_become_their_alt_text():
    out = render_markdown("![Схема *урока*](https://ok.example/scheme.png) и ![](https://t.example/p.gif)")
    assert out == "<p>Схема урока и </p>"
    out = render_markdown('![x" onerror="alert(1)](https://ok.example/a.png)')
    assert out == "<p>x&quot; onerror=&quot;alert(1)</p>"


def test_large_input_is_rendered_safely():
    chunk = (
        "Текст **жирный** <img src=x onerror=alert(1)> [x](javascript:alert(1)) "
        "https://ok.example/путь ＜script＞\n\n"
    )
    big = (chunk * (20_000 // len(chunk) + 1))[:20_000]
    assert len(big) == 20_000
    pathological = ["[" * 20_000, "*a" * 10_000, "> " * 10_000, "<" * 20_000, "`" * 20_000]
    started = time.monotonic()
    for text in [big, *pathological]:
        assert_safe(render_markdown(text))
        assert_safe(clean_html(text))
    assert markdown_to_text(big, limit=200).endswith("…")
    assert time.monotonic() - started < 30  # no quadratic blow-up (it takes about a second)


# --- What users legitimately write ------------------------------------------------------------


def test_emphasis_strikethrough_and_code():
    out = render_markdown("*курсив* **жирный** ~~зачёркнуто~~ `код`")
    assert out == (
        "<p><em>курсив</em> <strong>жирный</strong> <s>зачёркнуто</s> <code>код</code></p>"
    )


def test_lists_keep_their_start_number():
    out = render_markdown("- один\n- два\n\n3. три\n4. четыре")
    assert_safe(out)
    assert "<ul>\n<li>один</li>\n<li>два</li>\n</ul>" in out
    assert '<ol start="3">\n<li>три</li>' in out


def test_blockquote_and_rule():
    out = render_markdown("> Цитата из **устава**\n\n---")
    assert out == "<blockquote>\n<p>Цитата из <strong>устава</strong></p>\n</blockquote>\n<hr>"


def test_code_block_shows_html_as_text_once_escaped():
    out = render_markdown("```html\n<b>жирный</b> & https://ok.example/\n```")
    assert out == "<pre><code>&lt;b&gt;жирный&lt;/b&gt; &amp; https://ok.example/\n</code></pre>"


def test_table_renders_with_safe_alignment():
    out = render_markdown("| Класс | Учеников |\n|:--|--:|\n| 5А | 27 |")
    parsed = assert_safe(out)
    assert ["table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"] == parsed.tags
    assert '<th align="left">Класс</th>' in out
    assert '<td align="right">27</td>' in out
    assert "style" not in out


def test_links_get_rel_and_bare_urls_are_linked():
    out = render_markdown("[Сайт](https://ok.example/ \"Заголовок\") и http://bare.example/x")
    anchors = assert_safe(out).anchors
    assert anchors == [
        {"href": "https://ok.example/", "title": "Заголовок", "rel": REL, "text": "Сайт"},
        {"href": "http://bare.example/x", "rel": REL, "text": "http://bare.example/x"},
    ]
    out = render_markdown("Пишите: [почта](mailto:info@ok.example)")
    assert assert_safe(out).anchors[0]["href"] == "mailto:info@ok.example"
    out = render_markdown("[Сайт](HTTPS://OK.example/Path)")
    assert assert_safe(out).anchors[0]["href"] == "HTTPS://OK.example/Path"
    out = render_markdown("Спасибо, [@Иван Петров](/u/5)!")  # how the forum links mentions
    assert out == f'<p>Спасибо, <a href="/u/5" rel="{REL}">@Иван Петров</a>!</p>'
    out = clean_html('<a href=" https://ok.example/" title="Сайт">Сайт</a>')
    assert out == f'<a href=" https://ok.example/" title="Сайт" rel="{REL}">Сайт</a>'


def test_cyrillic_text_survives():
    text = "Ёлки-палки, «кавычки» — и ещё: Щука, съешь же этих мягких французских булок!"
    assert render_markdown(text) == f"<p>{text}</p>"
    assert clean_html(f"<p>{text}</p>") == f"<p>{text}</p>"


@pytest.mark.parametrize(
    "url", ["https://ru.wikipedia.org/wiki/Школа", "https://школа.рф/путь"]
)
@pytest.mark.parametrize("source", ["{url}", "Ссылка: <{url}>", "[{url}]({url})"])
def test_cyrillic_urls_are_clickable_links(url, source):
    (anchor,) = assert_safe(render_markdown(source.format(url=url))).anchors
    assert anchor["text"] == url
    # The href is the same address, percent-encoded path and punycode host (CommonMark).
    href = urlsplit(anchor["href"])
    host = href.hostname.encode("ascii").decode("idna")
    assert f"{href.scheme}://{host}{unquote(href.path)}" == url


def test_headings_are_downgraded_below_the_page_headings():
    out = render_markdown("# Один\n\n## Два\n\n### Три\n\n#### Четыре\n\nПять\n=====")
    assert_safe(out)
    assert re.findall(r"<(h\d)>", out) == ["h3", "h4", "h5", "h5", "h3"]


def test_clean_html_keeps_the_allowlist_and_links():
    out = clean_html(
        "<h1>Заголовок</h1><p><b>b</b> <i>i</i> <strong>s</strong> http://bare.ru</p>"
        "<pre><code>&lt;b&gt; http://not-linked.ru</code></pre><code>https://nor.ru</code>"
        '<a href="https://ok.example/" rel="opener">ok</a><a href="/u/5">u</a>'
        '<a href="relative">rel</a>'
    )
    assert out == (
        f'Заголовок<p>b i <strong>s</strong> <a href="http://bare.ru" rel="{REL}">'
        "http://bare.ru</a></p><pre><code>&lt;b&gt; http://not-linked.ru</code></pre>"
        "<code>https://nor.ru</code>"
        f'<a href="https://ok.example/" rel="{REL}">ok</a><a href="/u/5" rel="{REL}">u</a>rel'
    )


def test_markdown_to_text():
    source = (
        "# Заголовок\n\n**Жирный** и [ссылка](https://ok.example/)\n\n- один\n- два\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n`<script>` &amp; ![картинка](https://x.example/p.png)"
    )
    assert markdown_to_text(source) == (
        "Заголовок Жирный и ссылка один два a b 1 2 <script> & картинка"
    )
    assert markdown_to_text("") == ""


def test_markdown_to_text_truncates_with_ellipsis():
    source = "Первое слово второе слово третье слово"
    assert markdown_to_text(source, limit=len(source)) == source
    short = markdown_to_text(source, limit=20)
    assert short == "Первое слово второе…"
    assert len(short) <= 20
    assert markdown_to_text("Оченьдлинноеслово" * 3, limit=10) == "Оченьдлин…"
    with pytest.raises(ValueError):
        markdown_to_text(source, limit=0)


def test_rendering_is_the_same_from_several_threads():
    sources = [f"Текст {i} https://ok.example/{i} и www.example.com/{i}" for i in range(200)]
    expected = [render_markdown(s) for s in sources]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(render_markdown, sources)) == expected


def test_paragraphs_still_escape_plain_text():
    assert str(paragraphs("Один <b>\nдва\n\nтри")) == "<p>Один &lt;b&gt;<br>два</p><p>три</p>"


def test_no_other_module_imports_bleach():
    app_dir = Path(__file__).resolve().parents[1] / "app"
    importers = [
        path.relative_to(app_dir).as_posix()
        for path in app_dir.rglob("*.py")
        if re.search(r"^\s*(import|from)\s+bleach\b", path.read_text("utf-8"), re.M)
    ]
    assert importers == ["sanitize.py"]
