"""The annual report as documents: DOCX (python-docx) and PDF (fpdf2 with DejaVu, as the
certificates).

Both lay out the same content (`ReportContent`): a title block, the head's sections as
plain paragraphs and list items, the numbers as tables (numbers.tables), and a signature
line. The sections are taken from their stored, sanitized HTML, so what the document says is
what the page shows; no markup of the author reaches the document."""

from __future__ import annotations

import io
from dataclasses import dataclass
from html.parser import HTMLParser

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from flask import Response
from fpdf.fonts import FontFace
from sqlalchemy import select

from app.auth.models import User
from app.communities.models import Community, Membership, Role
from app.events import pdf as pdfkit
from app.extensions import db
from app.governance.academic_year import AcademicYear
from app.governance.reports.labels import SECTIONS
from app.governance.reports.models import AnnualReport
from app.governance.reports.numbers import ReportNumbers, Table, tables
from app.i18n import date_filter
from app.uploads import clean_name, send_generated

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- the sections' HTML as blocks ----------------------------------------------------------


@dataclass(frozen=True)
class Block:
    kind: str  # paragraph, heading, bullet, number
    text: str
    number: int = 0  # the item's number in an ordered list


class _Blocks(HTMLParser):
    """Sanitized HTML (app.sanitize.render_markdown) → paragraphs and list items."""

    _BLOCKS = {"p": "paragraph", "h3": "heading", "h4": "heading", "h5": "heading",
               "pre": "paragraph", "blockquote": "paragraph", "tr": "paragraph"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.lists: list[list] = []  # [ordered, items so far] per open list
        self.items = 0  # open <li> elements
        self.kind: str | None = None
        self.number = 0
        self.parts: list[str] = []

    def _flush(self) -> None:
        lines = ("".join(self.parts)).split("\n")
        text = "\n".join(" ".join(line.split()) for line in lines).strip()
        if text and self.kind:
            self.blocks.append(Block(self.kind, text, self.number))
        self.parts = []
        self.kind = None
        self.number = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("ul", "ol"):
            self._flush()
            self.lists.append([tag == "ol", 0])
        elif tag == "li":
            self._flush()
            self.items += 1
            current = self.lists[-1] if self.lists else [False, 0]
            current[1] += 1
            self.kind = "number" if current[0] else "bullet"
            self.number = current[1] if current[0] else 0
        elif tag in self._BLOCKS:
            if self.items:  # a paragraph inside a list item (a loose list)
                if self.parts:
                    self.parts.append(" ")
            else:
                self._flush()
                self.kind = self._BLOCKS[tag]
        elif tag in ("td", "th") and "".join(self.parts).strip():
            self.parts.append(" — ")
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag) -> None:
        if tag in ("ul", "ol"):
            self._flush()
            if self.lists:
                self.lists.pop()
        elif tag == "li":
            self._flush()
            self.items = max(self.items - 1, 0)
        elif tag in self._BLOCKS and not self.items:
            self._flush()

    def handle_data(self, data) -> None:
        if self.kind is None and data.strip():
            self.kind = "paragraph"
        self.parts.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def blocks(html: str) -> list[Block]:
    parser = _Blocks()
    parser.feed(html or "")
    parser.close()
    return parser.blocks


# --- what both documents say ---------------------------------------------------------------


@dataclass
class ReportContent:
    community: Community
    report: AnnualReport
    numbers: ReportNumbers
    head: str  # the full name that signs: the one who submitted, else the chair

    @property
    def year(self) -> AcademicYear:
        return AcademicYear(self.report.year)

    @property
    def title(self) -> str:
        return (f"Аналитический отчёт о деятельности {self.community.name} за "
                f"{self.year.label} учебный год")

    @property
    def status_line(self) -> str:
        if self.report.is_submitted and self.report.submitted_at:
            from app.governance.reports.services import local_date

            return f"Сдан {date_filter(local_date(self.report.submitted_at, self.community))}"
        return "Черновик: показатели на дату выгрузки"

    @property
    def date_line(self) -> str:
        from app.governance.reports.services import local_date

        moment = self.report.submitted_at if self.report.is_submitted else None
        return date_filter(local_date(moment, self.community)) if moment else \
            "«___» ____________ 20___ г."

    def parts(self) -> list[tuple[str, list[Block] | list[Table]]]:
        """Numbered headings with their content, in order: the goals, the numbers, then the
        other sections. Optional sections left empty are left out."""
        out: list[tuple[str, list]] = []
        for section in SECTIONS:
            html = getattr(self.report, f"{section.key}_html")
            if html or section.required:
                content = blocks(html) or [Block("paragraph", "(раздел не заполнен)")]
                out.append((section.title, content))
            if section.key == "goals":
                out.append(("Показатели деятельности за учебный год", tables(self.numbers)))
        return [(f"{i}. {title}", content) for i, (title, content) in enumerate(out, 1)]


def content_of(report: AnnualReport, community: Community,
               numbers: ReportNumbers) -> ReportContent:
    head = report.submitted_by.full_name if report.is_submitted and report.submitted_by \
        else _chair_name(community)
    return ReportContent(community=community, report=report, numbers=numbers, head=head)


def _chair_name(community: Community) -> str:
    return db.session.scalar(
        select(User.full_name).join(Membership, Membership.user_id == User.id)
        .where(Membership.community_id == community.id, Membership.left_at.is_(None),
               Membership.role == Role.CHAIR).limit(1)) or ""


def filename(content: ReportContent, ext: str) -> str:
    name = clean_name(f"Аналитический отчёт за {content.year.start}-{content.year.start + 1}"
                      f" — {content.community.name[:80]}.{ext}".replace("/", "-"))
    return name or f"report.{ext}"


# --- DOCX ----------------------------------------------------------------------------------


def docx_bytes(content: ReportContent) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.top_margin = section.bottom_margin = Cm(2)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    doc.core_properties.title = content.title
    doc.core_properties.author = content.head
    doc.core_properties.language = "ru-RU"

    def centred(text: str, *, bold: bool = False, size: int = 12) -> None:
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold = bold
        run.font.size = Pt(size)

    centred(content.title, bold=True, size=15)
    centred(content.status_line, size=11)

    for heading, items in content.parts():
        doc.add_heading(heading, level=1)
        for item in items:
            if isinstance(item, Table):
                _docx_table(doc, item)
            elif item.kind == "heading":
                doc.add_heading(item.text, level=2)
            elif item.kind == "bullet":
                doc.add_paragraph(item.text, style="List Bullet")
            elif item.kind == "number":
                doc.add_paragraph(f"{item.number}. {item.text}")
            else:
                doc.add_paragraph(item.text)

    doc.add_paragraph()
    signature = doc.add_paragraph(
        f"Руководитель (председатель) сообщества  ____________________  {content.head}")
    signature.paragraph_format.space_before = Pt(24)
    doc.add_paragraph(content.date_line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _docx_table(doc, table: Table) -> None:
    doc.add_heading(table.title, level=2)
    if not table.rows:
        doc.add_paragraph("Не было.")
        return
    rows = [*table.rows, *([table.total] if table.total else [])]
    grid = doc.add_table(rows=1 + len(rows), cols=len(table.head))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for col, title in enumerate(table.head):
        cell = grid.cell(0, col)
        cell.text = title
        cell.paragraphs[0].runs[0].bold = True
    for r, row in enumerate(rows, start=1):
        bold = table.total is not None and r == len(rows)
        for col, value in enumerate(row):
            cell = grid.cell(r, col)
            cell.text = value
            cell.paragraphs[0].runs[0].bold = bold
            if col:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def docx_response(content: ReportContent) -> Response:
    return send_generated(docx_bytes(content), DOCX_MIMETYPE, filename(content, "docx"))


# --- PDF -----------------------------------------------------------------------------------


def pdf_bytes(content: ReportContent) -> bytes:
    doc = pdfkit.new_document(title=content.title, author=content.head)
    width = doc.w - doc.l_margin - doc.r_margin
    pdfkit.centered(doc, content.title, style="B", sizes=(16, 14, 12), max_lines=4)
    pdfkit.centered(doc, content.status_line, sizes=(10,))
    doc.ln(4)

    def text(value: str, *, style: str = "", size: int = 11, indent: float = 0) -> None:
        doc.set_font(pdfkit.FONT, style, size)
        doc.set_x(doc.l_margin + indent)
        doc.multi_cell(width - indent, size * 0.5, value, new_x="LMARGIN", new_y="NEXT")

    for heading, items in content.parts():
        doc.ln(3)
        text(heading, style="B", size=13)
        doc.ln(1)
        for item in items:
            if isinstance(item, Table):
                _pdf_table(doc, item, text)
            elif item.kind == "heading":
                text(item.text, style="B")
            elif item.kind == "bullet":
                text(f"•  {item.text}", indent=4)
            elif item.kind == "number":
                text(f"{item.number}. {item.text}", indent=4)
            else:
                text(item.text)
            doc.ln(1)

    doc.ln(10)
    text(f"Руководитель (председатель) сообщества  ____________________  {content.head}")
    doc.ln(2)
    text(content.date_line)
    return pdfkit.pdf_bytes(doc)


def _pdf_table(doc, table: Table, text) -> None:
    doc.ln(1)
    text(table.title, style="B")
    if not table.rows:
        text("Не было.")
        return
    doc.set_font(pdfkit.FONT, size=10)
    first = 0.55 if len(table.head) > 2 else 0.7
    rest = (1 - first) / (len(table.head) - 1)
    widths = (first, *([rest] * (len(table.head) - 1)))
    bold = FontFace(emphasis="BOLD")
    with doc.table(col_widths=widths, text_align=("LEFT", *(["RIGHT"] * len(widths[1:]))),
                   headings_style=bold, line_height=5.5) as grid:
        header = grid.row()
        for title in table.head:
            header.cell(title)
        for row in table.rows:
            cells = grid.row()
            for value in row:
                cells.cell(value)
        if table.total:
            cells = grid.row()
            for value in table.total:
                cells.cell(value, style=bold)
    doc.ln(2)


def pdf_response(content: ReportContent) -> Response:
    return pdfkit.pdf_response(pdf_bytes(content), filename(content, "pdf"))
