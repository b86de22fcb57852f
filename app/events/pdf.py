"""PDF documents (fpdf2): certificates now, meeting minutes next.

Russian text needs a Unicode font: the DejaVu fonts, pinned in package.json and copied into
static/vendor/fonts by `make setup`. `new_document()` returns an FPDF with them registered as
the family `FONT` (regular and bold), so a document only lays out its text; `pdf_response()`
sends the bytes as a download with a Cyrillic file name."""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app
from fpdf import FPDF

from app.uploads import send_generated

FONT = "DejaVu"
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


def font_folder() -> Path:
    return Path(current_app.static_folder or "static") / "vendor" / "fonts"


def new_document(*, title: str, landscape: bool = False, author: str = "") -> FPDF:
    """An A4 document with the DejaVu fonts registered, one empty page added, margins of
    15 mm, the document's metadata (title, author, language) set and the regular font on."""
    folder = font_folder()
    missing = [name for name in _FONT_FILES.values() if not (folder / name).is_file()]
    if missing:  # a deployment that skipped `make setup`: say what to do, not a TTF error
        raise RuntimeError(f"PDF fonts missing in {folder}: {', '.join(missing)} "
                           "(run `make setup`)")
    pdf = FPDF(orientation="L" if landscape else "P", unit="mm", format="A4")
    for style, name in _FONT_FILES.items():
        pdf.add_font(FONT, style, str(folder / name))
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_creator("Сообщество")
    pdf.set_lang("ru")
    pdf.add_page()
    pdf.set_font(FONT, size=12)
    return pdf


def pdf_bytes(pdf: FPDF) -> bytes:
    return bytes(pdf.output())


def pdf_response(data: bytes, filename: str) -> Response:
    """The PDF as an attachment named `filename` (Cyrillic kept: RFC 5987 `filename*`)."""
    return send_generated(data, "application/pdf", filename)


def centered(pdf: FPDF, text: str, *, sizes: tuple[int, ...], style: str = "",
             max_lines: int | None = None) -> None:
    """`text` centred between the margins, in the first of `sizes` (points) at which it
    takes at most `max_lines` lines (the last size in any case), then a new line."""
    width = pdf.w - pdf.l_margin - pdf.r_margin
    size = sizes[-1]
    for candidate in sizes:
        pdf.set_font(FONT, style, candidate)
        lines = pdf.multi_cell(width, 1, text, dry_run=True, output="LINES")
        if max_lines is None or len(lines) <= max_lines:
            size = candidate
            break
    pdf.set_font(FONT, style, size)
    pdf.set_x(pdf.l_margin)
    pdf.multi_cell(width, size * 0.45, text, align="C", new_x="LMARGIN", new_y="NEXT")
