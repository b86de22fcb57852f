"""app/uploads.py: validation by name, size and content; storage; files follow the transaction;
download responses; the Russian 413 page."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound

from app import uploads
from app.config import Config
from app.errors import DomainError
from app.extensions import db
from app.uploads import StoredFile
from tests import factories
from tests.files import DOCX, PDF, make_zip, ooxml
from tests.helpers import HX

# --- Real minimal file contents --------------------------------------------------------------

# The 512-byte Compound File header that .doc/.xls/.ppt all start with.
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
OLE2 = OLE2 + bytes(512 - len(OLE2))
RTF = (
    b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times New Roman;}}"
    b"\\f0 \\u1055?\\u1083?\\u1072?\\u1085?}"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
WEBP = (  # a 1×1 lossless WebP
    b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00"
    b"\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
)
TEXT = "Повестка заседания методического объединения\n1. Итоги года.\n"


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b"")
    )






def odf(kind: str) -> bytes:
    return make_zip(
        {
            "mimetype": f"application/vnd.oasis.opendocument.{kind}",
            "content.xml": '<?xml version="1.0"?><office:document-content/>',
            "META-INF/manifest.xml": '<?xml version="1.0"?><manifest:manifest/>',
        },
        first_stored="mimetype",
    )


XLSX = ooxml("xl/workbook.xml")
PPTX = ooxml("ppt/presentation.xml")
ODT = odf("text")
ZIP = make_zip({"Программа.txt": TEXT, "фото.png": png()})
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48) + b"PE\x00\x00"
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(56)

_OOXML = "application/vnd.openxmlformats-officedocument."

ACCEPTED = [
    ("Положение.pdf", PDF, "pdf", "application/pdf"),
    ("Протокол.doc", OLE2, "doc", "application/msword"),
    ("Таблица.xls", OLE2, "xls", "application/vnd.ms-excel"),
    ("Слайды.ppt", OLE2, "ppt", "application/vnd.ms-powerpoint"),
    ("План.docx", DOCX, "docx", _OOXML + "wordprocessingml.document"),
    ("Рейтинг.xlsx", XLSX, "xlsx", _OOXML + "spreadsheetml.sheet"),
    ("Доклад.pptx", PPTX, "pptx", _OOXML + "presentationml.presentation"),
    ("Устав.odt", ODT, "odt", "application/vnd.oasis.opendocument.text"),
    ("Смета.ods", odf("spreadsheet"), "ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("Показ.odp", odf("presentation"), "odp", "application/vnd.oasis.opendocument.presentation"),
    ("Письмо.rtf", RTF, "rtf", "application/rtf"),
    ("Повестка.txt", TEXT.encode(), "txt", "text/plain; charset=utf-8"),
    ("С BOM.txt", b"\xef\xbb\xbf" + TEXT.encode(), "txt", "text/plain; charset=utf-8"),
    ("Старый.txt", TEXT.encode("cp1251"), "txt", "text/plain; charset=windows-1251"),
    ("Фото.jpg", JPEG, "jpg", "image/jpeg"),
    ("Фото.JPEG", JPEG, "jpeg", "image/jpeg"),
    ("Схема.png", png(), "png", "image/png"),
    ("Анимация.gif", GIF, "gif", "image/gif"),
    ("Картинка.webp", WEBP, "webp", "image/webp"),
    ("Архив.zip", ZIP, "zip", "application/zip"),
]


def upload(name: str, data: bytes, browser_type: str = "application/octet-stream") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type=browser_type)


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def row_count() -> int:
    return db.session.scalar(select(func.count()).select_from(StoredFile))


@pytest.fixture
def folder(app, tmp_path, monkeypatch) -> Path:
    """A fresh UPLOAD_FOLDER per test, so "nothing on disk" can be checked."""
    path = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(path))
    return path


@pytest.fixture
def uploader():
    return factories.make_user()


# --- Accepted types --------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "data", "extension", "content_type"), ACCEPTED,
                         ids=[case[0] for case in ACCEPTED])
def test_each_allowed_type_is_stored(folder, uploader, name, data, extension, content_type):
    stored = uploads.save_upload(upload(name, data, browser_type="text/html"), uploader)
    db.session.commit()

    assert stored.id is not None
    assert stored.original_name == name
    assert stored.extension == extension
    assert stored.content_type == content_type  # ours, not the browser's text/html
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.uploaded_by_id == uploader.id
    assert stored.uploaded_by == uploader
    path = uploads.stored_path(stored)
    assert path == folder / stored.storage_name[:2] / stored.storage_name
    assert path.read_bytes() == data
    assert files_in(folder) == [path]  # no temp file left
    with uploads.open_stored(stored) as fh:
        assert fh.read() == data


def test_storage_name_is_random_and_has_nothing_of_the_user(folder, uploader):
    first = uploads.save_upload(upload("a.pdf", PDF), uploader)
    second = uploads.save_upload(upload("a.pdf", PDF), uploader)
    for stored in (first, second):
        assert len(stored.storage_name) == 32
        assert set(stored.storage_name) <= set("0123456789abcdef")
    assert first.storage_name != second.storage_name


def test_allowed_extensions_config_covers_every_check():
    assert Config.UPLOAD_ALLOWED_EXTENSIONS == set(uploads.CHECKS)
    assert Config.MAX_CONTENT_LENGTH == (10 * Config.MAX_UPLOAD_MB + 1) * 1024 * 1024


def test_config_can_narrow_the_allowed_types(app, folder, uploader, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_ALLOWED_EXTENSIONS", frozenset({"pdf"}))
    with pytest.raises(DomainError, match="Можно: PDF"):
        uploads.save_upload(upload("Архив.zip", ZIP), uploader)


# --- Refused ---------------------------------------------------------------------------------

REFUSED = [
    # (name, content, a part of the message)
    ("Пусто.pdf", b"", "«Пусто.pdf» пустой"),
    ("Счёт.pdf", MZ, "«Счёт.pdf» похож на программу"),
    ("Счёт.exe", MZ, "«Счёт.exe»: такой тип файлов не принимается"),
    ("Отчёт.docx", ELF, "похож на программу"),
    ("run.txt", b"#!/bin/sh\nrm -rf ~\n", "похож на программу"),
    ("Не документ.docx", make_zip({"word/document.xml": "<w/>"}), "не является файлом DOCX"),
    ("Таблица.xlsx", DOCX, "не является файлом XLSX"),  # a real docx, renamed
    ("Смета.ods", ODT, "не является файлом ODS"),
    ("Без mimetype.odt", make_zip({"content.xml": "<c/>"}), "не является файлом ODT"),
    ("Архив.zip", b"PK\x03\x04 not really a zip", "не является файлом ZIP"),
    ("Фото.jpg", png(), "не является файлом JPG"),
    ("Документ.pdf", TEXT.encode(), "не является файлом PDF"),
    ("Страница.txt", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "веб-страницу"),
    ("Страница.txt", b"\xef\xbb\xbf\n  <html lang=ru>", "веб-страницу"),
    ("Рисунок.txt", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "веб-страницу"),
    ("Рисунок.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "тип файлов не принимается"),
    ("Страница.html", b"<p>Hi</p>", "тип файлов не принимается"),
    ("Данные.txt", b"abc\x00def", "не является файлом TXT"),
    ("UTF-16.txt", TEXT.encode("utf-16"), "не является файлом TXT"),
    ("../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n", "«passwd»: такой тип"),
    ("архив.tar.gz", b"\x1f\x8b\x08\x00", "тип файлов не принимается"),
    ("без расширения", TEXT.encode(), "тип файлов не принимается"),
    (".pdf", PDF, "тип файлов не принимается"),
    ("../..", PDF, "У файла нет имени"),
    ("\u202e\u200b", PDF, "У файла нет имени"),
]


@pytest.mark.parametrize(("name", "data", "message"), REFUSED,
                         ids=[f"{i}-{case[0]}" for i, case in enumerate(REFUSED)])
def test_refused_files_leave_nothing(folder, uploader, name, data, message):
    with pytest.raises(DomainError, match=message):
        uploads.save_upload(upload(name, data), uploader)
    assert files_in(folder) == []
    assert row_count() == 0


def test_plain_text_that_merely_mentions_html_is_fine(folder, uploader):
    data = "Пример разметки: <html> и <script> в тексте урока.\n".encode()
    assert uploads.save_upload(upload("Урок.txt", data), uploader).extension == "txt"


def test_over_the_limit_is_refused_with_a_clear_message(app, folder, uploader, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    stream = io.BytesIO(b"a" * (5 * 1024 * 1024))

    with pytest.raises(DomainError) as caught:
        uploads.save_upload(FileStorage(stream, filename="Большой.txt"), uploader)

    assert caught.value.message == "Файл «Большой.txt» больше 1 МБ."
    assert stream.tell() <= 2 * 1024 * 1024  # stopped reading soon after the limit
    assert files_in(folder) == []
    assert row_count() == 0


def test_exactly_the_limit_is_accepted(app, folder, uploader, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    stored = uploads.save_upload(upload("Ровно.txt", b"a" * 1024 * 1024), uploader)
    assert stored.size == 1024 * 1024


# --- Names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "clean"), [
    ("План.docx", "План.docx"),
    ("C:\\Users\\x\\План.docx", "План.docx"),
    ("../../etc/passwd", "passwd"),
    ("/home/user/Отчёт за 2024 год.pdf", "Отчёт за 2024 год.pdf"),
    ("a\x00b\nc\r\t.txt", "abc.txt"),
    ("счёт\u202egpj.pdf", "счётgpj.pdf"),  # no right-to-left override
    ("  Пробелы   в   имени .pdf. ", "Пробелы в имени .pdf"),
    ("и\u0306ошкар-ола.txt", "йошкар-ола.txt"),  # macOS sends decomposed letters
    ("", ""),
    (None, ""),
])
def test_clean_name(raw, clean):
    assert uploads.clean_name(raw) == clean


def test_windows_path_keeps_only_the_cyrillic_name(folder, uploader):
    stored = uploads.save_upload(upload("C:\\Users\\x\\План.docx", DOCX), uploader)
    assert stored.original_name == "План.docx"


def test_path_traversal_name_is_stored_inside_the_folder(folder, uploader):
    stored = uploads.save_upload(upload("../../etc/passwd.txt", b"root:x:0:0\n"), uploader)
    db.session.commit()

    assert stored.original_name == "passwd.txt"
    path = uploads.stored_path(stored)
    assert path.resolve().is_relative_to(folder.resolve())
    assert files_in(folder) == [path]
    assert not (folder.parent.parent / "etc").exists()


def test_long_name_is_trimmed_keeping_the_extension(folder, uploader):
    name = "Методические рекомендации " + "о" * 270 + ".pdf"
    assert len(name) == 300
    stored = uploads.save_upload(upload(name, PDF), uploader)
    db.session.commit()
    db.session.expire_all()

    assert len(stored.original_name) == 255
    assert stored.original_name.startswith("Методические рекомендации ооо")
    assert stored.original_name.endswith("о.pdf")
    assert stored.extension == "pdf"


def test_bad_storage_name_never_becomes_a_path(folder):
    with pytest.raises(ValueError):
        uploads.stored_path(StoredFile(storage_name="../../etc/passwd"))


# --- Batches ---------------------------------------------------------------------------------


def test_batch_numbers_repeated_names(folder, uploader):
    stored = uploads.save_uploads(
        [upload("План.docx", DOCX), upload("C:\\b\\План.docx", DOCX), upload("план.DOCX", DOCX)],
        uploader,
    )
    db.session.commit()
    assert [s.original_name for s in stored] == ["План.docx", "План (2).docx", "план (3).DOCX"]
    assert len(files_in(folder)) == 3


def test_numbering_skips_names_already_in_the_batch():
    assert uploads.unique_names(["a.pdf", "A.pdf", "a (2).pdf", "b"]) == [
        "a.pdf", "A (3).pdf", "a (2).pdf", "b"
    ]


def test_numbered_long_name_still_fits():
    name = "я" * 251 + ".pdf"
    numbered = uploads.unique_names([name, name])[1]
    assert len(numbered) == 255
    assert numbered.endswith(" (2).pdf")


def test_batch_skips_empty_file_inputs(folder, uploader):
    no_file = FileStorage(io.BytesIO(b""), filename="", content_type="application/octet-stream")
    stored = uploads.save_uploads([no_file, upload("План.docx", DOCX), no_file], uploader)
    assert [s.original_name for s in stored] == ["План.docx"]
    assert uploads.save_uploads([no_file], uploader) == []


def test_batch_is_all_or_nothing(folder, uploader):
    files = [upload("План.docx", DOCX), upload("Положение.pdf", PDF), upload("Вирус.pdf", MZ)]

    with pytest.raises(DomainError, match="Вирус.pdf"):
        uploads.save_uploads(files, uploader)
    db.session.commit()  # even a commit afterwards keeps nothing of the batch

    assert files_in(folder) == []
    assert row_count() == 0


# --- Files follow the transaction ------------------------------------------------------------


def test_commit_keeps_the_file(folder, uploader):
    stored = uploads.save_upload(upload("План.docx", DOCX), uploader)
    path = uploads.stored_path(stored)
    db.session.commit()
    db.session.rollback()  # a later rollback does not touch committed files
    db.session.remove()

    assert path.exists()
    assert row_count() == 1


def test_rollback_after_save_deletes_the_file(folder, uploader):
    stored = uploads.save_upload(upload("План.docx", DOCX), uploader)
    path = uploads.stored_path(stored)
    assert path.exists()

    db.session.rollback()

    assert files_in(folder) == []
    assert row_count() == 0


def test_session_closed_without_commit_deletes_the_file(folder, uploader):
    stored = uploads.save_upload(upload("План.docx", DOCX), uploader)
    assert files_in(folder) == [uploads.stored_path(stored)]

    db.session.remove()  # what Flask-SQLAlchemy's teardown does

    assert files_in(folder) == []
    assert row_count() == 0


def test_request_that_ends_without_commit_leaves_no_file(app, folder, uploader):
    """A view that saved files and then raised DomainError (or answered 422): the teardown of
    its application context discards the session without an explicit rollback."""
    with app.app_context():  # a request's own context and session
        user = db.session.get(type(uploader), uploader.id)
        uploads.save_uploads([upload("План.docx", DOCX), upload("Фото.png", png())], user)
        assert len(files_in(folder)) == 2

    assert files_in(folder) == []
    assert row_count() == 0


def test_failure_later_in_the_same_transaction_deletes_the_file(folder, uploader):
    uploads.save_upload(upload("План.docx", DOCX), uploader)
    db.session.add(type(uploader)(email=uploader.email, password_hash="x", full_name="Дубль"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()

    assert files_in(folder) == []
    assert row_count() == 0


def test_savepoint_rollback_deletes_only_its_files(folder, uploader):
    kept = uploads.save_upload(upload("Остаётся.pdf", PDF), uploader)
    savepoint = db.session.begin_nested()
    dropped = uploads.save_upload(upload("Уходит.pdf", PDF), uploader)
    dropped_path = uploads.stored_path(dropped)
    savepoint.rollback()

    assert not dropped_path.exists()
    assert uploads.stored_path(kept).exists()
    db.session.commit()
    assert files_in(folder) == [uploads.stored_path(kept)]
    assert row_count() == 1


def test_a_failed_insert_inside_a_savepoint_keeps_the_outer_files(folder, uploader):
    """A unique key refusing a row inside a savepoint (a double click caught with
    begin_nested) rolls back the flush and the savepoint, not the files saved before."""
    kept = uploads.save_upload(upload("Остаётся.pdf", PDF), uploader)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(type(uploader)(email=uploader.email, password_hash="x",
                                      full_name="Дубль"))
    db.session.commit()

    assert files_in(folder) == [uploads.stored_path(kept)]
    assert row_count() == 1


def test_released_savepoint_still_follows_the_outer_transaction(folder, uploader):
    with db.session.begin_nested():
        uploads.save_upload(upload("План.pdf", PDF), uploader)
    assert len(files_in(folder)) == 1

    db.session.rollback()

    assert files_in(folder) == []


def test_deleting_the_uploader_keeps_the_file(folder, uploader):
    stored = uploads.save_upload(upload("План.pdf", PDF), uploader)
    db.session.commit()
    stored_id = stored.id

    db.session.delete(uploader)
    db.session.commit()

    assert db.session.get(StoredFile, stored_id).uploaded_by_id is None


# --- Download responses ----------------------------------------------------------------------


def test_send_stored_gives_the_cyrillic_name_and_our_type(app, folder, uploader):
    stored = uploads.save_upload(upload("План.docx", DOCX, browser_type="text/html"), uploader)
    db.session.commit()

    with app.test_request_context():
        response = uploads.send_stored(stored)
        response.direct_passthrough = False
        body = response.get_data()
        response.close()

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=.docx; filename*=UTF-8''%D0%9F%D0%BB%D0%B0%D0%BD.docx"
    )
    assert response.headers["Content-Type"] == _OOXML + "wordprocessingml.document"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in response.headers["Cache-Control"]
    assert "Content-Security-Policy" not in response.headers
    assert body == DOCX


def test_send_stored_text_keeps_its_charset(app, folder, uploader):
    stored = uploads.save_upload(upload("Старый.txt", TEXT.encode("cp1251")), uploader)
    with app.test_request_context():
        response = uploads.send_stored(stored)
        response.close()
    assert response.headers["Content-Type"] == "text/plain; charset=windows-1251"


def test_send_stored_inline_is_sandboxed(app, folder, uploader):
    stored = uploads.save_upload(upload("Схема.png", png()), uploader)
    with app.test_request_context():
        response = uploads.send_stored(stored, inline=True)
        response.close()
    assert response.headers["Content-Disposition"] == (
        "inline; filename=.png; filename*=UTF-8''%D0%A1%D1%85%D0%B5%D0%BC%D0%B0.png"
    )
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert response.headers["Content-Type"] == "image/png"


def test_send_stored_ascii_name(app, folder, uploader):
    stored = uploads.save_upload(upload("report 2024.pdf", PDF), uploader)
    with app.test_request_context():
        response = uploads.send_stored(stored)
        response.close()
    assert response.headers["Content-Disposition"] == 'attachment; filename="report 2024.pdf"'


def test_send_stored_is_conditional(app, folder, uploader):
    stored = uploads.save_upload(upload("План.pdf", PDF), uploader)
    with app.test_request_context(headers={"If-None-Match": f'"{stored.sha256}"'}):
        response = uploads.send_stored(stored)
        response.close()
    assert response.status_code == 304


def test_send_stored_missing_file_is_404(app, folder, uploader):
    stored = uploads.save_upload(upload("План.pdf", PDF), uploader)
    uploads.stored_path(stored).unlink()
    with app.test_request_context(), pytest.raises(NotFound):
        uploads.send_stored(stored)


# --- Request body over MAX_CONTENT_LENGTH -----------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_request_body_over_the_limit_gets_the_russian_413(app, client, monkeypatch, headers):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 10 * 1024)
    data = {"email": "a@school.ru", "password": "x", "file": (io.BytesIO(PDF * 200), "big.pdf")}

    response = client.post("/auth/login", data=data, headers=headers)

    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "Слишком большой запрос" in text
    assert f"не больше {app.config['MAX_UPLOAD_MB']} МБ на файл" in text
    assert ("<html" in text) is not bool(headers)
