"""Plain text of an uploaded file, for full-text search (the materials bank finds words inside
PDF and DOCX files).

`extract_text(path, content_type)` takes the content type that app/uploads.py detected and
returns the file's words as one line: every run of whitespace (and control characters) becomes
one space, soft hyphens and zero-width characters are dropped, the text is NFC-normalised, and
nothing is returned that PostgreSQL could refuse (NUL, lone surrogates). It never raises: a
broken, encrypted or hostile file gives "" (or the text read before it failed, for a PDF page)
and a warning in this module's logger. A type with no extractor (images, .doc, ...) gives ""
silently.

What is read, by content type:

- PDF (`pypdf`, pure Python): each page's text, at most PDF_MAX_PAGES pages. An encrypted PDF
  is read only if it opens with the empty password (the usual "protected against editing"
  file) and uses RC4 or no cipher; AES needs the optional `cryptography` package, which is not
  installed, so such a file gives "". A scanned PDF has no text (no OCR here).
- DOCX, PPTX, XLSX (Office Open XML) and ODT, ODP, ODS (OpenDocument): the XML parts are read
  with zipfile and the standard library's expat parser. DOCX: the main document part (found
  through _rels/.rels), then footnotes and endnotes; tables, text boxes and fields' results
  come in document order; deleted and moved-from revisions are not read. PPTX: the slides.
  XLSX: the shared strings (the text cells). OpenDocument: content.xml, without tracked
  deletions, comments and note numbers.
- TXT: decoded with the charset that uploads.py put in the content type (UTF-8, with or
  without BOM, or windows-1251).
- RTF: a small tokenizer of our own: groups, control words, \\'hh bytes in the document's or
  the font's code page (\\ansicpg, \\fcharset), \\uN characters with their fallbacks skipped,
  and the destinations that hold no body text (font and colour tables, pictures, field
  instructions, any \\* destination) skipped.

Why not python-docx: it needs lxml (a compiled dependency), builds the whole tree in memory with
no size check, and returns paragraphs and tables separately, without text boxes; a streaming
expat walk over word/document.xml is about as short, reads everything in document order, serves
PPTX, XLSX and OpenDocument as well, and lets us check every size before decompressing.

Bounded work, whatever the file:

- output: stop once `limit` characters are collected;
- zip containers: a member whose declared uncompressed size (ZipInfo.file_size) exceeds
  ZIP_MEMBER_MAX is refused before it is opened, and at most ZIP_TOTAL_MAX bytes are
  decompressed in all (zipfile never returns more than the declared size: a member that lies
  about it fails its CRC check). XML with a DOCTYPE is refused, so no entity expansion
  ("billion laughs") and no external entities; OOXML and ODF never have one;
- TXT and RTF: at most RAW_MAX bytes are read; RTF also stops after TIME_BUDGET seconds
  (a file of millions of control words in skipped groups);
- PDF: at most PDF_MAX_PAGES pages and TIME_BUDGET seconds, checked between pages; within
  a page pypdf's own limits apply (decompressed stream sizes, lowered here to PDF_STREAM_MAX;
  tokens per content stream, lowered to PDF_STREAM_TOKENS, which a real page stays far below
  and which a hostile one reaches in about 3 s; form XObjects per page; page tree size and
  depth), so a page cannot run unbounded either; pypdf's hostile-input fixes are why the
  floor in pyproject.toml is recent. The time check cannot interrupt a page that is being
  read, so a crafted file can overrun TIME_BUDGET by a few pages' worth: a caller that needs a
  hard wall-clock limit must run this in a worker process.
"""

from __future__ import annotations

import codecs
import logging
import os
import posixpath
import re
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO
from xml.parsers import expat

from pypdf import PasswordType, PdfReader, apply_configuration

log = logging.getLogger(__name__)

PDF_MAX_PAGES = 300
TIME_BUDGET = 20.0  # seconds for one PDF (checked between pages) or RTF (every 10,000 tokens)
PDF_STREAM_MAX = 20 * 1024 * 1024  # decompressed bytes of one PDF stream
PDF_STREAM_TOKENS = 500_000  # operators and operands of one content stream (pypdf: 2,000,000)
ZIP_MEMBER_MAX = 20 * 1024 * 1024  # declared uncompressed size of one zip member
ZIP_TOTAL_MAX = 50 * 1024 * 1024  # decompressed bytes of all members read from one file
RAW_MAX = 64 * 1024 * 1024  # bytes read from a TXT or RTF file (uploads are at most 50 MB)
_CHUNK = 64 * 1024


class Unreadable(Exception):
    """The file is refused or cannot be read; extract_text() logs it and returns ""."""


# --- Collected text ---------------------------------------------------------------------------

# Removed outright: soft hyphen, zero-width space/joiners, word joiner, BOM, lone surrogates.
_DROP = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff\ud800-\udfff]")
# Any whitespace or control character (C0, DEL, C1) becomes one space.
_SPACE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")


class _Text:
    """Collects text with whitespace collapsed, up to `limit` characters."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._parts: list[str] = []
        self._size = 0
        self._after_space = True  # at the start, or the last character kept is a space

    @property
    def full(self) -> bool:
        return self._size >= self._limit

    def add(self, text: str) -> None:
        if self.full or not text:
            return
        text = _SPACE.sub(" ", _DROP.sub("", unicodedata.normalize("NFC", text)))
        if self._after_space:
            text = text.lstrip(" ")
        if not text:
            return
        text = text[: self._limit - self._size]
        self._parts.append(text)
        self._size += len(text)
        self._after_space = text.endswith(" ")

    def space(self) -> None:
        """A word boundary: paragraph, cell, tab, line break, page."""
        self.add(" ")

    def result(self) -> str:
        return "".join(self._parts).strip()


# --- Entry point ------------------------------------------------------------------------------


def extract_text(
    path: str | os.PathLike[str], content_type: str, *, limit: int = 200_000
) -> str:
    """The text of the file at `path`, whose type app/uploads.py detected as `content_type`,
    whitespace collapsed, at most `limit` characters. Never raises: "" when the type has no
    extractor or the file cannot be read (then a warning is logged)."""
    if limit <= 0:
        return ""
    mime = content_type.split(";", 1)[0].strip().lower()
    extractor = _EXTRACTORS.get(mime)
    if extractor is None:
        log.debug("No text extractor for %s", mime)
        return ""
    out = _Text(limit)
    try:
        extractor(os.fspath(path), content_type, out)
    except Exception as exc:  # a hostile file may make any library raise anything
        log.warning("No text extracted from %s (%s): %s: %.300s",
                    os.fspath(path), mime, type(exc).__name__, exc)
        return ""
    return out.result()


# --- PDF --------------------------------------------------------------------------------------


def _pdf(path: str, content_type: str, out: _Text) -> None:
    limits = {
        name: PDF_STREAM_MAX
        for name in (
            "zlib_maximum_output_length",
            "lzw_maximum_output_length",
            "run_length_maximum_output_length",
            "brotli_maximum_output_length",
            "array_based_stream_maximum_output_length",
            "jbig2_maximum_output_length",
        )
    }
    # jbig2dec_binary=None: never start an external program for an image.
    with apply_configuration(
        jbig2dec_binary=None, stream_parsing_work_maximum_count=PDF_STREAM_TOKENS, **limits
    ):
        deadline = time.monotonic() + TIME_BUDGET
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise Unreadable("encrypted with a password")
        pages = reader.pages
        count = len(pages)
        if count > PDF_MAX_PAGES:
            log.info("Text of %s: only the first %d of %d pages are read",
                     path, PDF_MAX_PAGES, count)
        read = failed = 0
        first_error = ""
        for number in range(min(count, PDF_MAX_PAGES)):
            if out.full:
                break
            if read and time.monotonic() >= deadline:
                log.warning("Text of %s: time budget spent, stopped after page %d of %d",
                            path, read, count)
                break
            read += 1
            try:
                out.add(pages[number].extract_text())
            except Exception as exc:  # one broken page does not lose the others
                failed += 1
                first_error = first_error or f"{type(exc).__name__}: {exc}"
            out.space()
        if failed == read and read:
            raise Unreadable(f"no page could be read; first: {first_error}")
        if failed:
            log.warning("Text of %s: %d of %d page(s) could not be read; first: %.300s",
                        path, failed, read, first_error)


# --- XML in zip containers (OOXML, OpenDocument) ------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_STRICT = "{http://purl.oclc.org/ooxml/wordprocessingml/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
A_STRICT = "{http://purl.oclc.org/ooxml/drawingml/main}"
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
S_STRICT = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _names(*prefixes: str, local: str) -> frozenset[str]:
    return frozenset(p + name for p in prefixes for name in local.split())


@dataclass(frozen=True)
class _Xml:
    """How to read one kind of XML part."""

    text: frozenset[str] | None  # elements whose character data is text; None: all of it
    breaks: frozenset[str]  # elements that are word boundaries (at their start and end)
    skip: frozenset[str]  # elements whose whole subtree is ignored


# mc:Fallback repeats what mc:Choice says (a text box would be read twice).
_WORD = _Xml(
    text=_names(W, W_STRICT, local="t"),
    breaks=_names(W, W_STRICT, local="p tab br cr tc ptab"),
    skip=_names(W, W_STRICT, local="moveFrom") | {MC + "Fallback"},
)
_SLIDE = _Xml(
    text=_names(A, A_STRICT, local="t"),
    breaks=_names(A, A_STRICT, local="p br tc"),
    skip=frozenset({MC + "Fallback"}),
)
_SHARED_STRINGS = _Xml(
    text=_names(S, S_STRICT, local="t"),
    breaks=_names(S, S_STRICT, local="si"),
    skip=_names(S, S_STRICT, local="rPh"),  # phonetic hints
)
_ODF = _Xml(
    text=None,
    breaks=_names(TEXT, local="p h tab line-break s list-item") | {TABLE + "table-cell"},
    skip=_names(TEXT, local="tracked-changes note-citation") | {OFFICE + "annotation"},
)


class _Budget:
    """Decompressed bytes left for one file's zip members."""

    def __init__(self) -> None:
        self.left = ZIP_TOTAL_MAX

    def chunks(self, archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
        info = archive.getinfo(name)
        if info.file_size > ZIP_MEMBER_MAX:
            raise Unreadable(f"{name} declares {info.file_size} bytes")
        if info.file_size > self.left:
            raise Unreadable(f"{name}: more than {ZIP_TOTAL_MAX} bytes in all")
        with archive.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                self.left -= len(chunk)
                if self.left < 0:  # zipfile stops at the declared size; this is a safety net
                    raise Unreadable(f"{name}: more than {ZIP_TOTAL_MAX} bytes in all")
                yield chunk


def _refuse_dtd(*args: object) -> None:
    raise Unreadable("XML with a DOCTYPE or entity declaration")


def _clark(name: str) -> str:
    return "{" + name if "}" in name else name


def _parser(
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None],
    chars: Callable[[str], None] | None = None,
) -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    # Names come as "uri}local"; "{uri}local" is the usual (Clark) notation.
    parser.StartElementHandler = lambda name, attrs: start(_clark(name), attrs)
    parser.EndElementHandler = lambda name: end(_clark(name))
    if chars is not None:
        parser.CharacterDataHandler = chars
    return parser


def _xml_text(chunks: Iterator[bytes], how: _Xml, out: _Text) -> None:
    skipping = 0  # depth inside a skipped subtree
    in_text = 0  # depth inside text elements

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal skipping, in_text
        if skipping or name in how.skip:
            skipping += 1
        elif name in how.breaks:
            out.space()
        elif how.text is not None and name in how.text:
            in_text += 1

    def end(name: str) -> None:
        nonlocal skipping, in_text
        if skipping:
            skipping -= 1
        elif name in how.breaks:
            out.space()
        elif how.text is not None and name in how.text:
            in_text -= 1

    def chars(data: str) -> None:
        if not skipping and (how.text is None or in_text > 0):
            out.add(data)

    parser = _parser(start, end, chars)
    for chunk in chunks:
        parser.Parse(chunk, False)
        if out.full:
            return
    parser.Parse(b"", True)
    out.space()


def _main_part(archive: zipfile.ZipFile, budget: _Budget, default: str) -> str:
    """The package's main part, from _rels/.rels (Word Online writes word/document2.xml)."""
    if "_rels/.rels" not in archive.namelist():
        return default
    found: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == REL + "Relationship" and attrs.get("Type", "").endswith("/officeDocument"):
            found.append(attrs.get("Target", ""))

    parser = _parser(start, lambda name: None)
    for chunk in budget.chunks(archive, "_rels/.rels"):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)
    if found:
        target = posixpath.normpath(found[0].lstrip("/"))
        if target in archive.namelist():
            return target
    return default


def _open_zip(path: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise Unreadable(f"not a ZIP: {exc}") from exc


def _docx(path: str, content_type: str, out: _Text) -> None:
    with _open_zip(path) as archive:
        budget = _Budget()
        main = _main_part(archive, budget, "word/document.xml")
        folder = posixpath.dirname(main)
        names = set(archive.namelist())
        for part in (main, f"{folder}/footnotes.xml", f"{folder}/endnotes.xml"):
            if part in names and not out.full:
                _xml_text(budget.chunks(archive, part), _WORD, out)


_SLIDE_NAME = re.compile(r"ppt/slides/slide(\d{1,6})\.xml")


def _pptx(path: str, content_type: str, out: _Text) -> None:
    with _open_zip(path) as archive:
        budget = _Budget()
        slides = sorted(
            (int(m[1]), name)
            for name in archive.namelist()
            if (m := _SLIDE_NAME.fullmatch(name))
        )
        for _, name in slides:
            if out.full:
                break
            _xml_text(budget.chunks(archive, name), _SLIDE, out)


def _xlsx(path: str, content_type: str, out: _Text) -> None:
    with _open_zip(path) as archive:
        if "xl/sharedStrings.xml" in archive.namelist():
            _xml_text(_Budget().chunks(archive, "xl/sharedStrings.xml"), _SHARED_STRINGS, out)


def _odf(path: str, content_type: str, out: _Text) -> None:
    with _open_zip(path) as archive:
        _xml_text(_Budget().chunks(archive, "content.xml"), _ODF, out)


# --- Plain text -------------------------------------------------------------------------------

_CHARSET = re.compile(r";\s*charset\s*=\s*\"?([\w.:-]+)", re.IGNORECASE)


def _txt(path: str, content_type: str, out: _Text) -> None:
    match = _CHARSET.search(content_type)
    encoding = match[1] if match else "utf-8"
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        info = codecs.lookup("utf-8")
    if info.name == "utf-8":
        info = codecs.lookup("utf-8-sig")  # drops a BOM
    decoder = info.incrementaldecoder(errors="replace")
    with open(path, "rb") as fh:
        for chunk in _raw_chunks(fh):
            out.add(decoder.decode(chunk))
            if out.full:
                return
        out.add(decoder.decode(b"", final=True))


def _raw_chunks(fh: BinaryIO) -> Iterator[bytes]:
    left = RAW_MAX
    while left > 0 and (chunk := fh.read(min(_CHUNK * 16, left))):
        left -= len(chunk)
        yield chunk


# --- RTF --------------------------------------------------------------------------------------

_RTF_TOKEN = re.compile(
    r"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?"  # control word, with its optional delimiting space
    r"|\\'([0-9a-fA-F]{2})"  # a byte in the current code page
    r"|\\(.)"  # control symbol (a backslash before a newline is \par)
    r"|([{}])"
    r"|([^\\{}]+)",  # text
    re.DOTALL,
)
# Destinations that hold no body text. Any destination marked \* is skipped too.
_RTF_SKIP = frozenset(
    "fonttbl colortbl stylesheet info pict shppict nonshppict objdata listtable "
    "listoverridetable revtbl rsidtbl xmlnstbl themedata colorschememapping datastore "
    "latentstyles generator fldinst filetbl pgdsctbl mmathPr listtext pntext pntxta pntxtb "
    "bkmkstart bkmkend template userprops".split()
)
_RTF_BREAKS = frozenset("par line tab cell row sect page column lbr nestcell".split())
_RTF_CHARS = {
    "emdash": "\u2014", "endash": "\u2013", "bullet": "\u2022", "lquote": "\u2018",
    "rquote": "\u2019", "ldblquote": "\u201c", "rdblquote": "\u201d", "emspace": " ",
    "enspace": " ", "qmspace": " ",
}
_RTF_SYMBOLS = {"~": " ", "_": "-", "-": "", "\\": "\\", "{": "{", "}": "}", "\n": " ",
                "\r": " ", "\t": " "}
# \fcharset → code page; 0 (ANSI), 1 (default) and 2 (symbol) use the document's \ansicpg.
_RTF_CHARSETS = {
    77: "mac_roman", 128: "cp932", 129: "cp949", 134: "gbk", 136: "big5", 161: "cp1253",
    162: "cp1254", 163: "cp1258", 177: "cp1255", 178: "cp1256", 186: "cp1257", 204: "cp1251",
    222: "cp874", 238: "cp1250", 255: "cp437",
}


@dataclass
class _RtfGroup:
    skip: bool = False
    fonttbl: bool = False
    font: int | None = None
    uc: int = 1  # fallback characters that follow a \uN


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _rtf(path: str, content_type: str, out: _Text) -> None:
    with open(path, "rb") as fh:
        data = b"".join(_raw_chunks(fh)).decode("latin-1")  # one character per byte
    if not data.startswith("{\\rtf"):
        raise Unreadable("not RTF")
    ansi = "cp1252"
    font_codecs: dict[int, str] = {}
    defining_font: int | None = None
    stack: list[_RtfGroup] = []
    group = _RtfGroup()
    pending = bytearray()  # bytes waiting to be decoded in the current font's code page
    fallback = 0  # fallback characters of a \uN still to skip
    at_group_start = False

    def flush() -> None:
        if pending:
            codec = font_codecs.get(group.font, ansi) if group.font is not None else ansi
            out.add(pending.decode(codec, errors="replace"))
            pending.clear()

    deadline = time.monotonic() + TIME_BUDGET
    tokens = 0
    pos = 0
    while pos < len(data) and not out.full:
        match = _RTF_TOKEN.match(data, pos)
        if match is None:
            break
        pos = match.end()
        tokens += 1
        if tokens % 10_000 == 0 and time.monotonic() >= deadline:
            log.warning("Text of %s: time budget spent, stopped at byte %d of %d",
                        path, pos, len(data))
            break
        word, param, hexbyte, symbol, brace, text = match.groups()
        starting, at_group_start = at_group_start, False
        if brace:
            flush()
            fallback = 0
            if brace == "{":
                stack.append(group)
                group = _RtfGroup(group.skip, group.fonttbl, group.font, group.uc)
                at_group_start = True
            elif stack:
                group = stack.pop()
            continue
        if word:
            number = int(param) if param is not None else None
            if word == "bin":  # raw binary data follows
                pos += max(number or 0, 0)
                continue
            if fallback:
                fallback -= 1
                continue
            if group.fonttbl:
                if word == "f":
                    defining_font = number
                elif word in ("fcharset", "cpg") and defining_font is not None:
                    codec = (_RTF_CHARSETS.get(number or 0) if word == "fcharset"
                             else _codec(f"cp{number}"))
                    if codec:
                        font_codecs[defining_font] = codec
                continue
            if word == "fonttbl":
                group.fonttbl = group.skip = True
            elif word in _RTF_SKIP:
                group.skip = True
            elif group.skip:
                continue
            elif word == "ansicpg" and number is not None:
                ansi = _codec(f"cp{number}") or ansi
            elif word in ("f", "deff"):
                flush()
                group.font = number
            elif word == "uc" and number is not None:
                group.uc = max(number, 0)
            elif word == "u" and number is not None:
                flush()
                out.add(chr(number % 65536))  # negative above 32767; _Text drops surrogates
                fallback = group.uc
            elif word in _RTF_BREAKS:
                flush()
                out.space()
            elif word in _RTF_CHARS:
                flush()
                out.add(_RTF_CHARS[word])
            continue
        if symbol:
            if symbol == "*" and starting:
                group.skip = True
                continue
            if fallback:
                fallback -= 1
                continue
            if not group.skip and symbol in _RTF_SYMBOLS:
                flush()
                out.add(_RTF_SYMBOLS[symbol])
            continue
        if hexbyte:
            if fallback:
                fallback -= 1
            elif not group.skip:
                pending.append(int(hexbyte, 16))
            continue
        if text:
            text = text.replace("\r", "").replace("\n", "")
            if fallback:
                skipped = min(fallback, len(text))
                text, fallback = text[skipped:], fallback - skipped
            if text and not group.skip:
                pending.extend(text.encode("latin-1"))
    flush()


# --- Content types ------------------------------------------------------------------------------

_OOXML = "application/vnd.openxmlformats-officedocument."
_OPENDOCUMENT = "application/vnd.oasis.opendocument."

_EXTRACTORS: dict[str, Callable[[str, str, _Text], None]] = {
    "application/pdf": _pdf,
    _OOXML + "wordprocessingml.document": _docx,
    _OOXML + "presentationml.presentation": _pptx,
    _OOXML + "spreadsheetml.sheet": _xlsx,
    _OPENDOCUMENT + "text": _odf,
    _OPENDOCUMENT + "presentation": _odf,
    _OPENDOCUMENT + "spreadsheet": _odf,
    "text/plain": _txt,
    "application/rtf": _rtf,
}
