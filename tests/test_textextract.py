"""app/textextract.py: the text of uploaded PDF, DOCX, PPTX, XLSX, ODF, TXT and RTF files, for
search. Every file is made here, and its content type comes from app/uploads.py's own
detection, so the two modules agree on the type strings."""

from __future__ import annotations

import io
import logging
import struct
import time
import zipfile
from pathlib import Path

import pytest

from app import textextract, uploads
from app.textextract import extract_text
from tests.files import (
    W_NS,
    XML_DECL,
    content_types,
    handmade_pdf,
    package_rels,
)

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
LOGGER = "app.textextract"



def write(tmp_path: Path, name: str, data: bytes) -> tuple[Path, str]:
    """Writes the file and returns it with the content type app/uploads.py detects."""
    path = tmp_path / name
    path.write_bytes(data)
    with path.open("rb") as fh:
        content_type = uploads.detect(fh, name.rsplit(".", 1)[1])
    assert content_type is not None, f"uploads.py refuses {name}"
    return path, content_type


@pytest.fixture(autouse=True)
def _logger_enabled(monkeypatch):
    """migrations/env.py's fileConfig() disables the loggers that exist when a migration test
    runs; these tests read this module's warnings."""
    monkeypatch.setattr(logging.getLogger(LOGGER), "disabled", False)


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelname == "WARNING"]


# --- File makers ------------------------------------------------------------------------------


def fpdf_pdf(pages: list[str]) -> bytes:
    """A PDF as real exporters write it: an embedded TrueType subset with a ToUnicode map."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(DEJAVU))
    pdf.set_font("DejaVu", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())




def make_zip(members: dict[str, bytes | str], *, stored_first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first is not None:
            archive.writestr(stored_first, members[stored_first], zipfile.ZIP_STORED)
        for name, data in members.items():
            if name != stored_first:
                archive.writestr(name, data)
    return buffer.getvalue()






def word_xml(root: str, body: str) -> str:
    return (
        XML_DECL + f'<w:{root} xmlns:w="{W_NS}" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml">' + body + f"</w:{root}>"
    )


def para(*runs: str) -> str:
    return "<w:p>" + "".join(runs) + "</w:p>"


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def docx(body: str, *, main: str = "word/document.xml", footnotes: str | None = None) -> bytes:
    members: dict[str, bytes | str] = {
        "[Content_Types].xml": content_types(
            (f"/{main}", "application/vnd.openxmlformats-officedocument"
                         ".wordprocessingml.document.main+xml")
        ),
        "_rels/.rels": package_rels(f"/{main}"),
        main: word_xml("document", f"<w:body>{body}</w:body>"),
    }
    if footnotes is not None:
        members["word/footnotes.xml"] = word_xml("footnotes", footnotes)
    return make_zip(members)


ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"'
)


def odf(kind: str, body: str) -> bytes:
    mimetype = f"application/vnd.oasis.opendocument.{kind}"
    content = (
        XML_DECL + f"<office:document-content {ODF_NS}>"
        "<office:automatic-styles/>"
        f"<office:body><office:{kind}>{body}</office:{kind}></office:body>"
        "</office:document-content>"
    )
    manifest = (
        XML_DECL + '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
        'manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
        f'manifest:media-type="{mimetype}"/><manifest:file-entry manifest:full-path='
        '"content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    return make_zip(
        {"mimetype": mimetype, "content.xml": content, "META-INF/manifest.xml": manifest},
        stored_first="mimetype",
    )


# --- PDF --------------------------------------------------------------------------------------


@pytest.mark.skipif(not DEJAVU.exists(), reason="DejaVu Sans (Debian fonts-dejavu-core) absent")
def test_pdf_with_cyrillic_text_from_an_embedded_font(tmp_path):
    data = fpdf_pdf([
        "Методическая разработка урока литературы в 7 классе",
        "Вторая страница:   ёлка,  школа №5 и «кавычки».",
    ])
    path, content_type = write(tmp_path, "урок.pdf", data)
    assert content_type == "application/pdf"
    assert extract_text(path, content_type) == (
        "Методическая разработка урока литературы в 7 классе "
        "Вторая страница: ёлка, школа №5 и «кавычки»."
    )


def test_pdf_with_cyrillic_text_through_a_tounicode_map(tmp_path):
    path, content_type = write(
        tmp_path, "plan.pdf", handmade_pdf(["Рабочая программа по физике", "Страница два"])
    )
    assert extract_text(path, content_type) == "Рабочая программа по физике Страница два"
    assert extract_text(str(path), content_type) == "Рабочая программа по физике Страница два"


def test_pdf_reads_at_most_pdf_max_pages(tmp_path, monkeypatch):
    monkeypatch.setattr(textextract, "PDF_MAX_PAGES", 2)
    path, content_type = write(tmp_path, "a.pdf", handmade_pdf(["один", "два", "три"]))
    assert extract_text(path, content_type) == "один два"


def test_pdf_stops_when_the_time_budget_is_spent(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(textextract, "TIME_BUDGET", 0.0)
    path, content_type = write(tmp_path, "a.pdf", handmade_pdf(["один", "два", "три"]))
    assert extract_text(path, content_type) == "один"  # the first page is always read
    assert any("time budget" in m for m in warnings_of(caplog))


def test_pdf_page_that_fails_does_not_lose_the_others(tmp_path, monkeypatch, caplog):
    from pypdf import PageObject

    original = PageObject.extract_text

    def flaky(self, *args, **kwargs):
        text = original(self, *args, **kwargs)
        if text == "два":
            raise ValueError("broken page")
        return text

    monkeypatch.setattr(PageObject, "extract_text", flaky)
    path, content_type = write(tmp_path, "a.pdf", handmade_pdf(["один", "два", "три"]))
    assert extract_text(path, content_type) == "один три"
    assert any("1 of 3 page(s)" in m for m in warnings_of(caplog))

    path, content_type = write(tmp_path, "b.pdf", handmade_pdf(["два", "два"]))
    assert extract_text(path, content_type) == ""


def test_pdf_content_stream_token_limit_is_applied(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(textextract, "PDF_STREAM_TOKENS", 3)  # the page has about ten
    path, content_type = write(tmp_path, "a.pdf", handmade_pdf(["один"]))
    assert extract_text(path, content_type) == ""
    assert any("LimitReachedError" in m for m in warnings_of(caplog))


def test_pdf_truncated_or_garbled_gives_empty_text_and_a_warning(tmp_path, caplog):
    data = handmade_pdf(["Конспект урока"])
    path, content_type = write(tmp_path, "broken.pdf", data[:40])
    assert extract_text(path, content_type) == ""
    assert warnings_of(caplog)

    for cut in (len(data) // 3, len(data) // 2, len(data) - 30):  # never raises
        path, content_type = write(tmp_path, f"cut{cut}.pdf", data[:cut])
        assert isinstance(extract_text(path, content_type), str)
    path, content_type = write(tmp_path, "noise.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40)
    assert extract_text(path, content_type) == ""


def encrypted(data: bytes, user_password: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer.encrypt(user_password=user_password, owner_password="владелец", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_encrypted_with_a_password_gives_empty_text(tmp_path, caplog):
    data = encrypted(handmade_pdf(["Секретный план"]), user_password="secret")
    path, content_type = write(tmp_path, "locked.pdf", data)
    assert extract_text(path, content_type) == ""
    assert any("encrypted" in m for m in warnings_of(caplog))


def test_pdf_protected_only_against_editing_is_read(tmp_path):
    data = encrypted(handmade_pdf(["Открытый план"]), user_password="")
    path, content_type = write(tmp_path, "protected.pdf", data)
    assert extract_text(path, content_type) == "Открытый план"


# --- DOCX -------------------------------------------------------------------------------------

TEXT_BOX = (
    "<w:p><w:r><mc:AlternateContent>"
    '<mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>'
    + para(run("Текст во врезке"))
    + "</w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
    "<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>"
    + para(run("Текст во врезке"))
    + "</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>"
    "</mc:AlternateContent></w:r></w:p>"
)


def test_docx_paragraphs_tables_text_boxes_and_footnotes(tmp_path):
    table = "<w:tbl>" + "".join(
        "<w:tr>" + "".join(f"<w:tc>{para(run(cell))}</w:tc>" for cell in row) + "</w:tr>"
        for row in (("Тема", "Часы"), ("Дроби", "4"))
    ) + "</w:tbl>"
    body = (
        para(run("Мето"), "<w:r><w:rPr><w:b/></w:rPr><w:t>дика</w:t></w:r>", run(" преподавания"))
        + para("<w:r><w:t>Класс:</w:t><w:tab/><w:t>5А</w:t><w:br/><w:t>Учитель</w:t></w:r>")
        + para(
            run("Ссылка: "),
            '<w:r><w:instrText xml:space="preserve"> HYPERLINK "http://x" </w:instrText></w:r>',
            "<w:del><w:r><w:delText>удалённое</w:delText></w:r></w:del>",
            run("сайт"),
        )
        + table
        + TEXT_BOX
        + "<w:sectPr/>"
    )
    footnotes = '<w:footnote w:id="1">' + para(run("Сноска о ФГОС")) + "</w:footnote>"
    path, content_type = write(tmp_path, "разработка.docx", docx(body, footnotes=footnotes))
    assert content_type.endswith("wordprocessingml.document")
    assert extract_text(path, content_type) == (
        "Методика преподавания Класс: 5А Учитель Ссылка: сайт Тема Часы Дроби 4 "
        "Текст во врезке Сноска о ФГОС"
    )


def test_docx_main_part_is_found_through_the_package_relationships(tmp_path):
    data = docx(para(run("Документ из облака")), main="word/document2.xml")
    path, content_type = write(tmp_path, "cloud.docx", data)
    assert extract_text(path, content_type) == "Документ из облака"


def test_docx_zip_bomb_is_refused_before_decompressing(tmp_path, caplog):
    huge = textextract.ZIP_MEMBER_MAX + 1
    bomb = word_xml("document", "<w:body>" + para(run("х")) + "</w:body>").encode()
    bomb += b" " * (huge - len(bomb))
    data = make_zip({
        "[Content_Types].xml": content_types(),
        "_rels/.rels": package_rels("word/document.xml"),
        "word/document.xml": bomb,
    })
    assert len(data) < 100_000  # 20 MB declared, a few kilobytes on disk
    path, content_type = write(tmp_path, "bomb.docx", data)
    started = time.perf_counter()
    assert extract_text(path, content_type) == ""
    assert time.perf_counter() - started < 1.0
    assert any("declares" in m for m in warnings_of(caplog))


def test_docx_member_that_lies_about_its_size_is_not_read_past_it(tmp_path):
    data = bytearray(docx(para(run("слово " * 50_000))))
    # Declare 100 bytes for word/document.xml in the central directory, which zipfile trusts.
    entry = data.index(b"PK\x01\x02", data.index(b"word/document.xml") + 1)
    while data[entry + 46 : entry + 46 + len(b"word/document.xml")] != b"word/document.xml":
        entry = data.index(b"PK\x01\x02", entry + 1)
    struct.pack_into("<I", data, entry + 24, 100)
    path, content_type = write(tmp_path, "liar.docx", bytes(data))
    assert extract_text(path, content_type) == ""  # the CRC check fails after 100 bytes


def test_zip_total_budget_is_shared_by_all_members(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(textextract, "ZIP_TOTAL_MAX", 1500)
    long_para = para(run("абзац " * 100))  # over 1 KB as UTF-8
    data = docx(long_para, footnotes=long_para)
    path, content_type = write(tmp_path, "two.docx", data)
    assert extract_text(path, content_type) == ""
    assert any("in all" in m for m in warnings_of(caplog))


def test_docx_with_a_doctype_is_refused(tmp_path, caplog):
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    data = make_zip({
        "[Content_Types].xml": content_types(),
        "word/document.xml": laughs,
    })
    path, content_type = write(tmp_path, "lol.docx", data)
    assert extract_text(path, content_type) == ""
    assert any("DOCTYPE" in m for m in warnings_of(caplog))


# --- Other office formats -----------------------------------------------------------------------


def test_odt_text_headings_tables_and_notes(tmp_path):
    body = (
        "<text:tracked-changes><text:changed-region><text:deletion>"
        "<text:p>Стёртый абзац</text:p></text:deletion></text:changed-region>"
        "</text:tracked-changes>"
        '<text:h text:outline-level="1">Конспект урока</text:h>'
        '<text:p>Тема:<text:s/>«Имя <text:span text:style-name="T1">существи</text:span>'
        "тельное»</text:p>"
        '<text:p>Цель<text:note text:note-class="footnote">'
        "<text:note-citation>1</text:note-citation><text:note-body>"
        "<text:p>Примечание учителя</text:p></text:note-body></text:note> урока"
        "<office:annotation><dc:creator>Иванова</dc:creator><text:p>Комментарий</text:p>"
        "</office:annotation></text:p>"
        "<table:table><table:table-row>"
        "<table:table-cell><text:p>Этап</text:p></table:table-cell>"
        "<table:table-cell><text:p>Время</text:p></table:table-cell>"
        "</table:table-row></table:table>"
    )
    path, content_type = write(tmp_path, "конспект.odt", odf("text", body))
    assert content_type == "application/vnd.oasis.opendocument.text"
    assert extract_text(path, content_type) == (
        "Конспект урока Тема: «Имя существительное» Цель Примечание учителя урока Этап Время"
    )


def test_ods_cells(tmp_path):
    body = (
        "<table:table><table:table-row>"
        "<table:table-cell><text:p>Четверть</text:p></table:table-cell>"
        '<table:table-cell office:value-type="float" office:value="5"><text:p>5</text:p>'
        "</table:table-cell></table:table-row></table:table>"
    )
    path, content_type = write(tmp_path, "оценки.ods", odf("spreadsheet", body))
    assert extract_text(path, content_type) == "Четверть 5"


def test_pptx_slides_in_number_order(tmp_path):
    def slide(text: str) -> str:
        return (
            XML_DECL + '<p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/'
            'main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
            "<p:cSld><p:spTree><p:sp><p:txBody>"
            f"<a:p><a:r><a:t>{text}</a:t></a:r></a:p><a:p><a:r><a:t>…</a:t></a:r></a:p>"
            "</p:txBody></p:sp></p:spTree></p:cSld></p:sld>"
        )

    data = make_zip({
        "[Content_Types].xml": content_types(),
        "ppt/slides/slide10.xml": slide("Десятый"),
        "ppt/slides/slide2.xml": slide("Второй"),
        "ppt/slides/slide1.xml": slide("Первый"),
        "ppt/slides/_rels/slide1.xml.rels": package_rels("x"),
    })
    path, content_type = write(tmp_path, "слайды.pptx", data)
    assert extract_text(path, content_type) == "Первый … Второй … Десятый …"


def test_xlsx_shared_strings(tmp_path):
    strings = (
        XML_DECL + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>Календарно-тематическое планирование</t></si>"
        "<si><r><t>Рус</t></r><r><rPr><b/></rPr><t>ский</t></r>"
        "<rPh><t>ルビ</t></rPh></si></sst>"
    )
    data = make_zip({"[Content_Types].xml": content_types(), "xl/sharedStrings.xml": strings})
    path, content_type = write(tmp_path, "ктп.xlsx", data)
    assert extract_text(path, content_type) == "Календарно-тематическое планирование Русский"


# --- Plain text -------------------------------------------------------------------------------


def test_txt_utf8_with_bom(tmp_path):
    data = "\ufeffПривет,\r\n\r\n   мир\t— пере\u00adнос!\n".encode()
    path, content_type = write(tmp_path, "a.txt", data)
    assert content_type == "text/plain; charset=utf-8"
    assert extract_text(path, content_type) == "Привет, мир — перенос!"


def test_txt_windows_1251(tmp_path):
    path, content_type = write(tmp_path, "b.txt", "Учебный план, 2024 год".encode("cp1251"))
    assert content_type == "text/plain; charset=windows-1251"
    assert extract_text(path, content_type) == "Учебный план, 2024 год"


# --- RTF --------------------------------------------------------------------------------------


def rtf_unicode(text: str) -> str:
    """As Word writes non-ASCII letters: \\uN and a one-byte fallback."""
    return "".join(
        c if c.isascii() else f"\\u{ord(c)}\\'{c.encode('cp1251')[0]:02x}" for c in text
    )


def test_rtf_as_word_writes_it(tmp_path):
    data = (
        "{\\rtf1\\ansi\\ansicpg1251\\deff0\\uc1"
        "{\\fonttbl{\\f0\\froman\\fcharset204 Times New Roman;}}"
        "{\\colortbl;\\red0\\green0\\blue0;}{\\*\\generator Riched20 10.0;}"
        "{\\info{\\title \\'c7\\'e0\\'e3\\'ee\\'eb\\'ee\\'e2\\'ee\\'ea}}"
        "\\pard\\f0\\fs24 " + rtf_unicode("Привет") + " \\'ec\\'e8\\'f0\\par\n"
        "{\\*\\bkmkstart x}Line\\tab two\\line three \\{braces\\}\\par\n"
        "{\\pict\\pngblip 89504e470d0a}" + rtf_unicode("Конец") + "}"
    ).encode("ascii")
    path, content_type = write(tmp_path, "a.rtf", data)
    assert content_type == "application/rtf"
    assert extract_text(path, content_type) == "Привет мир Line two three {braces} Конец"


def test_rtf_font_charset_and_binary_data(tmp_path):
    data = (
        b"{\\rtf1\\ansi\\ansicpg1252\\deff0"
        b"{\\fonttbl{\\f0\\fswiss\\fcharset0 Arial;}{\\f1\\froman\\fcharset204 Times;}}"
        b"\\f0 Caf\\'e9 {\\f1 \\'d3\\'f0\\'ee\\'ea}\\par "
        b"{\\*\\blob\\bin6 ab{}\\c} after\\uc0\\u8212 end}"
    )
    path, content_type = write(tmp_path, "b.rtf", data)
    assert extract_text(path, content_type) == "Café Урок after—end"


# --- Limits and failures --------------------------------------------------------------------------


def sample_files(tmp_path: Path) -> list[tuple[Path, str]]:
    words = " ".join(f"слово{i}" for i in range(400))
    return [
        write(tmp_path, "s.pdf", handmade_pdf([words[i : i + 500] for i in range(0, 1500, 500)])),
        write(tmp_path, "s.docx", docx(para(run(words)) + para(run(words)))),
        write(tmp_path, "s.odt", odf("text", f"<text:p>{words}</text:p>")),
        write(tmp_path, "s.txt", words.encode()),
        write(tmp_path, "s.rtf", ("{\\rtf1\\ansi " + rtf_unicode(words) + "}").encode()),
    ]


@pytest.mark.parametrize("limit", [1, 7, 100, 1000])
def test_limit_keeps_a_prefix_of_the_text(tmp_path, limit):
    for path, content_type in sample_files(tmp_path):
        full = extract_text(path, content_type)
        assert len(full) > 1000, content_type
        short = extract_text(path, content_type, limit=limit)
        assert 0 < len(short) <= limit, content_type
        assert full.startswith(short), content_type


def test_default_limit_is_200000(tmp_path):
    path, content_type = write(tmp_path, "big.txt", ("абвгд " * 50_000).encode())
    assert len(extract_text(path, content_type)) == 200_000  # the last one is a letter


def test_zero_limit_unknown_type_and_missing_file(tmp_path, caplog):
    path, content_type = sample_files(tmp_path)[0]
    assert extract_text(path, content_type, limit=0) == ""
    assert extract_text(path, "image/png") == ""
    assert extract_text(path, "application/msword") == ""
    assert warnings_of(caplog) == []
    assert extract_text(tmp_path / "missing.pdf", "application/pdf") == ""
    assert len(warnings_of(caplog)) == 1


@pytest.mark.parametrize(
    "content_type",
    sorted(set(textextract._EXTRACTORS) - {"text/plain"}),
)
def test_garbage_gives_empty_text_and_a_warning(tmp_path, caplog, content_type):
    path = tmp_path / "garbage"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 50)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert extract_text(path, content_type) == ""
    assert warnings_of(caplog)
