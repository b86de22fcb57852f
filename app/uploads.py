"""Uploaded files: validation, storage and download responses (STYLE.md: the one upload service,
used by forum attachments, the materials bank and contest entries).

A file is checked by its name, size and content, stored in UPLOAD_FOLDER (outside static/)
under a random name, sharded by the name's first two characters, and described by a
`StoredFile` row. Like every service this flushes and never commits. The file on disk follows the
transaction: if the transaction rolls back, or the session is closed without a commit (a view
that raised, or answered 422, and the Flask-SQLAlchemy teardown discarded the session), the file
is deleted, so a failed request leaves no orphan files.

Type detection is our own small table below rather than a library: `filetype` tells neither
OOXML nor ODF from a plain ZIP and knows no text, and python-magic needs libmagic on the host.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import os
import re
import secrets
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from flask import Response, abort, current_app, send_file
from sqlalchemy import BigInteger, ForeignKey, String, event
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column, relationship
from werkzeug.datastructures import FileStorage

from app.errors import DomainError
from app.extensions import db
from app.mixins import TimestampMixin

if TYPE_CHECKING:
    from app.auth.models import User

log = logging.getLogger(__name__)

NAME_MAX = 255
_CHUNK = 1024 * 1024
_HEAD = 4096
_STORAGE_NAME = re.compile(r"[0-9a-f]{32}")


class StoredFile(TimestampMixin, db.Model):
    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    # secrets.token_hex(16): nothing the user chose is part of the path on disk.
    storage_name: Mapped[str] = mapped_column(String(32), unique=True)
    # The user's name, cleaned for display and for Content-Disposition.
    original_name: Mapped[str] = mapped_column(String(NAME_MAX))
    extension: Mapped[str] = mapped_column(String(10))
    # Decided from the detected content, never taken from the browser.
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    uploaded_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<StoredFile {self.id} {self.original_name!r}>"


# --- Content detection ----------------------------------------------------------------------

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"

# Refused whatever the extension: programs and active content. HTML patterns are those of the
# WHATWG MIME Sniffing standard (a tag name followed by a space or ">"), plus SVG and XML.
_PROGRAMS = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",
    b"#!",  # a script with a shebang
    # Mach-O, 32 and 64 bits, either byte order
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal binary, Java class
)
_ACTIVE_TAGS = (
    b"!doctype html", b"html", b"head", b"script", b"iframe", b"h1", b"div", b"font", b"table",
    b"a", b"style", b"title", b"b", b"body", b"br", b"p", b"!--", b"svg", b"?xml",
)
_TEXT_CONTROLS = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")  # tab, CR, LF, VT, FF are fine


# A check reads the start of the file (and the file itself when it needs more) and returns the
# content type to serve it with, or None when the content is not what the extension says.
Check = Callable[[BinaryIO, bytes], "str | None"]


def _signature(content_type: str, *prefixes: bytes) -> Check:
    def check(fh: BinaryIO, head: bytes) -> str | None:
        return content_type if head.startswith(prefixes) else None

    return check


def _webp(fh: BinaryIO, head: bytes) -> str | None:
    return "image/webp" if head[:4] == b"RIFF" and head[8:12] == b"WEBP" else None


def _zip_check(content_type: str, accept: Callable[[zipfile.ZipFile], bool]) -> Check:
    """A ZIP (local file header at the very start, so nothing is prepended) that zipfile can
    open and whose entries `accept` likes. Entries are not decompressed, except a few bytes."""

    def check(fh: BinaryIO, head: bytes) -> str | None:
        if not head.startswith(ZIP):
            return None
        try:
            fh.seek(0)
            with zipfile.ZipFile(fh) as archive:
                return content_type if accept(archive) else None
        except Exception:  # any way of failing to read it means it is not this type
            return None

    return check


def _ooxml(content_type: str, part_folder: str) -> Check:
    """Office Open XML: [Content_Types].xml and the main part's folder (word/, xl/, ppt/)."""

    def accept(archive: zipfile.ZipFile) -> bool:
        names = archive.namelist()
        return "[Content_Types].xml" in names and any(n.startswith(part_folder) for n in names)

    return _zip_check(content_type, accept)


def _odf(content_type: str) -> Check:
    """OpenDocument: a `mimetype` entry that holds exactly the document's MIME type."""

    def accept(archive: zipfile.ZipFile) -> bool:
        with archive.open("mimetype") as entry:
            return entry.read(len(content_type) + 1) == content_type.encode("ascii")

    return _zip_check(content_type, accept)


def _text(fh: BinaryIO, head: bytes) -> str | None:
    """Plain text in UTF-8 (with or without BOM) or, failing that, Windows-1251; no NUL or
    other control bytes, which would mean a binary file."""
    fh.seek(0)
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = True
    has_undefined_cp1251 = False
    while chunk := fh.read(_CHUNK):
        if _TEXT_CONTROLS.search(chunk):
            return None
        if is_utf8:
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError:
                is_utf8 = False
        has_undefined_cp1251 = has_undefined_cp1251 or b"\x98" in chunk
    if is_utf8:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    if is_utf8:
        return "text/plain; charset=utf-8"
    if not has_undefined_cp1251:  # 0x98 is the one byte that cp1251 leaves undefined
        return "text/plain; charset=windows-1251"
    return None


_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."

# Extension → content check. UPLOAD_ALLOWED_EXTENSIONS (config) may narrow this list; an
# extension with no check here is never accepted.
CHECKS: dict[str, Check] = {
    "pdf": _signature("application/pdf", b"%PDF-"),
    # OLE2 (Compound File) is one container for all three; its streams are not parsed.
    "doc": _signature("application/msword", OLE2),
    "xls": _signature("application/vnd.ms-excel", OLE2),
    "ppt": _signature("application/vnd.ms-powerpoint", OLE2),
    "docx": _ooxml(_OOXML + "wordprocessingml.document", "word/"),
    "xlsx": _ooxml(_OOXML + "spreadsheetml.sheet", "xl/"),
    "pptx": _ooxml(_OOXML + "presentationml.presentation", "ppt/"),
    "odt": _odf(_ODF + "text"),
    "ods": _odf(_ODF + "spreadsheet"),
    "odp": _odf(_ODF + "presentation"),
    "rtf": _signature("application/rtf", b"{\\rtf"),
    "txt": _text,
    "jpg": _signature("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": _signature("image/jpeg", b"\xff\xd8\xff"),
    "png": _signature("image/png", b"\x89PNG\r\n\x1a\n"),
    "gif": _signature("image/gif", b"GIF87a", b"GIF89a"),
    "webp": _webp,
    "zip": _zip_check("application/zip", lambda archive: True),
}


def is_program_or_active(head: bytes) -> bool:
    """An executable, a script, or HTML/SVG/XML that a browser could run."""
    if head.startswith(_PROGRAMS):
        return True
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\n\r\f").lower()
    if not text.startswith(b"<"):
        return False
    rest = text[1:]
    for tag in _ACTIVE_TAGS:
        if rest.startswith(tag):
            after = rest[len(tag) : len(tag) + 1]
            if tag in (b"!--", b"?xml", b"svg") or after in (b"", b" ", b">", b"\t", b"\n", b"\r"):
                return True
    return False


def detect(fh: BinaryIO, extension: str) -> str | None:
    """The content type for a file named *.extension, or None if its content does not match
    (or is a program or active content, refused whatever the extension)."""
    fh.seek(0)
    head = fh.read(_HEAD)
    if not head or is_program_or_active(head):
        return None
    check = CHECKS.get(extension)
    return check(fh, head) if check else None


# --- Names ----------------------------------------------------------------------------------


def clean_name(raw: str | None) -> str:
    """The user's file name, safe to show and to send back: no directories (either slash), no
    control or format characters (so no right-to-left override), at most 255 characters with
    the extension kept. Cyrillic and other letters stay."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = " ".join(name.split())  # any run of spaces becomes one
    name = name.rstrip(" .")  # Windows drops trailing dots and spaces
    return _trim(name)


def split_name(name: str) -> tuple[str, str]:
    """("План урока", "docx"); the extension is lower-case, "" when there is none."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem.strip() or not ext:
        return name, ""
    return stem, ext.lower()


def _trim(name: str) -> str:
    if len(name) <= NAME_MAX:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 16:  # no real extension to keep
        return name[:NAME_MAX].rstrip()
    return stem[: NAME_MAX - len(ext) - 1].rstrip() + "." + ext


def _numbered(name: str, n: int) -> str:
    """«План.docx», 2 → «План (2).docx», trimmed to fit."""
    stem, dot, ext = name.rpartition(".")
    suffix = f" ({n})"
    if not dot:
        return name[: NAME_MAX - len(suffix)].rstrip() + suffix
    return stem[: NAME_MAX - len(suffix) - len(ext) - 1].rstrip() + suffix + "." + ext


def unique_names(names: list[str]) -> list[str]:
    """Numbers repeated names (case-insensitively, as Windows and macOS compare them)."""
    taken = {name.casefold() for name in names}
    seen: set[str] = set()
    result = []
    for name in names:
        if name.casefold() in seen:
            n = 2
            while (candidate := _numbered(name, n)).casefold() in taken:
                n += 1
            name = candidate
            taken.add(name.casefold())
        seen.add(name.casefold())
        result.append(name)
    return result


# --- Storage --------------------------------------------------------------------------------


def allowed_extensions() -> list[str]:
    """UPLOAD_ALLOWED_EXTENSIONS that have a content check, in the order of CHECKS."""
    configured = current_app.config.get("UPLOAD_ALLOWED_EXTENSIONS", CHECKS.keys())
    return [ext for ext in CHECKS if ext in configured]


def max_upload_bytes() -> int:
    return current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024


def upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def stored_path(stored: StoredFile) -> Path:
    if not _STORAGE_NAME.fullmatch(stored.storage_name or ""):
        raise ValueError(f"bad storage name {stored.storage_name!r}")
    return upload_folder() / stored.storage_name[:2] / stored.storage_name


@dataclass
class _Staged:
    """A validated file in a temp file, not yet in place."""

    name: str
    extension: str
    content_type: str
    size: int
    sha256: str
    temp: Path


def _stage(file: FileStorage, name: str) -> _Staged:
    """Streams the upload into a temp file in UPLOAD_FOLDER while hashing and counting (stops
    past the limit), then checks the content. The temp file is removed on any failure."""
    if not name:
        raise DomainError("У файла нет имени; переименуйте его и загрузите снова.")
    _, extension = split_name(name)
    if extension not in allowed_extensions():
        kinds = ", ".join(ext.upper() for ext in allowed_extensions())
        raise DomainError(f"Файл «{name}»: такой тип файлов не принимается. Можно: {kinds}.")
    limit = max_upload_bytes()
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".part")
    temp = Path(temp_name)
    try:
        digest = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "w+b") as out:
            while chunk := file.stream.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise DomainError(
                        f"Файл «{name}» больше {current_app.config['MAX_UPLOAD_MB']} МБ."
                    )
                digest.update(chunk)
                out.write(chunk)
            if size == 0:
                raise DomainError(f"Файл «{name}» пустой.")
            out.flush()
            out.seek(0)
            head = out.read(_HEAD)
            if is_program_or_active(head):
                raise DomainError(
                    f"Файл «{name}» похож на программу или веб-страницу; такие файлы "
                    "загружать нельзя."
                )
            content_type = detect(out, extension)
        if content_type is None:
            raise DomainError(
                f"Файл «{name}» повреждён или не является файлом {extension.upper()}."
            )
        return _Staged(name, extension, content_type, size, digest.hexdigest(), temp)
    except BaseException:
        _unlink(temp)
        raise


def _save_all(files: list[FileStorage], names: list[str], uploader) -> list[StoredFile]:
    staged: list[_Staged] = []
    placed: list[Path] = []
    try:
        for file, name in zip(files, names, strict=True):
            staged.append(_stage(file, name))
        session = db.session()
        rows = [
            StoredFile(
                storage_name=secrets.token_hex(16),
                original_name=item.name,
                extension=item.extension,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
                uploaded_by_id=uploader.id if uploader is not None else None,
            )
            for item in staged
        ]
        session.add_all(rows)
        session.flush()  # the transaction now exists: the files below belong to it
        for row, item in zip(rows, staged, strict=True):
            path = stored_path(row)
            path.parent.mkdir(exist_ok=True)
            _register(session, path)
            placed.append(path)
            os.replace(item.temp, path)
        return rows
    except BaseException:
        for path in placed:
            _unlink(path)
        raise
    finally:
        for item in staged:
            _unlink(item.temp)  # already moved, or left behind by a failure


def save_upload(file: FileStorage, uploader) -> StoredFile:
    """Validates and stores one uploaded file; raises DomainError naming the file."""
    return _save_all([file], [clean_name(file.filename)], uploader)[0]


def save_uploads(files: list[FileStorage], uploader) -> list[StoredFile]:
    """All or nothing: one bad file refuses the whole batch. Empty inputs (no file chosen) are
    skipped; repeated names get « (2)», « (3)»."""
    files = [f for f in files if f is not None and f.filename]
    names = unique_names([clean_name(f.filename) for f in files])
    return _save_all(files, names, uploader)


def open_stored(stored: StoredFile) -> BinaryIO:
    return stored_path(stored).open("rb")


def send_generated(data: bytes, mimetype: str, filename: str) -> Response:
    """A document built for this request (a certificate, minutes, a report) as a private
    attachment named `filename`, Cyrillic kept (RFC 5987 `filename*`)."""
    ext = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    name = clean_name(filename.replace('"', "").replace("/", "-").replace("\\", "-"))
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                         download_name=name or f"document.{ext}")
    response.cache_control.private = True
    response.cache_control.no_store = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def send_stored(stored: StoredFile, *, inline: bool = False) -> Response:
    """The file with its original name and our content type. The caller checks permission."""
    path = stored_path(stored)
    if not path.is_file():
        log.error("Stored file %s (%s) is missing on disk", stored.id, path)
        abort(404)
    response = send_file(
        path,
        mimetype=stored.content_type,
        as_attachment=not inline,
        download_name=stored.original_name,
        conditional=True,
        etag=stored.sha256,
        last_modified=stored.created_at,
    )
    # Set as is: for text/* Werkzeug would append a second "; charset=utf-8" to ours.
    response.headers["Content-Type"] = stored.content_type
    response.cache_control.private = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    if inline:
        response.headers["Content-Security-Policy"] = "sandbox"
    return response


# --- Files follow the transaction -----------------------------------------------------------

_PENDING = "uploads.pending"  # session.info: [(path, transaction)] written since the last commit


def _register(session: Session, path: Path) -> None:
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((path, transaction))


def _unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        log.exception("Could not delete %s", path)


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(db.session, "after_commit")
def _keep_committed(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: still up to the outer one
        return
    session.info.pop(_PENDING, None)


@event.listens_for(db.session, "after_soft_rollback")
def _discard_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if not pending:
        return
    if not previous_transaction.nested:
        # The outermost transaction: nothing of it stays. A flush's own subtransaction (a
        # failed INSERT inside a savepoint, say): the enclosing transaction decides.
        if previous_transaction.parent is None:
            _discard(session, pending)
        return
    kept = []
    for path, transaction in pending:
        if _within(transaction, previous_transaction):
            _unlink(path)
        else:
            kept.append((path, transaction))
    session.info[_PENDING] = kept


@event.listens_for(db.session, "after_transaction_end")
def _discard_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    """The outermost transaction ended without a commit: closed (session.remove() at the end
    of a request) or rolled back."""
    if transaction.parent is None and (pending := session.info.get(_PENDING)):
        _discard(session, pending)


def _discard(session: Session, pending: list) -> None:
    session.info.pop(_PENDING, None)
    for path, _transaction in pending:
        _unlink(path)
