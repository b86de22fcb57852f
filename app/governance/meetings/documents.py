"""The minutes as documents: DOCX (python-docx) laid out as Russian minutes usually are, and
PDF (fpdf2, through app.events.pdf and its DejaVu fonts).

The layout, after the usual office practice (ГОСТ Р 7.0.97 margins, Times New Roman 14):
ПРОТОКОЛ № N centred and bold, the community's name, the date on the left and the place on
the right, Председатель:, Секретарь:, Присутствовали: N человек with the list, the quorum,
ПОВЕСТКА ДНЯ: numbered, then for each question «1. СЛУШАЛИ:», «ВЫСТУПИЛИ:», «РЕШИЛИ:» and
«Голосовали: …», РЕКОМЕНДАЦИИ, and the signature lines. A draft says ПРОЕКТ on top."""

from __future__ import annotations

import io
from dataclasses import dataclass

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from flask import Response

from app.communities.models import Community
from app.events import pdf as pdfkit
from app.governance.meetings.models import Minutes, MinutesQuestion
from app.i18n import plural
from app.uploads import send_generated

FONT = "Times New Roman"
SIZE = 14


def initials_last(full_name: str) -> str:
    """«Иванова Мария Петровна» → «М. П. Иванова» (for signatures)."""
    parts = full_name.split()
    if len(parts) < 2:
        return full_name
    return " ".join([*(f"{p[0]}." for p in parts[1:3]), parts[0]])


def last_initials(full_name: str) -> str:
    """«Иванова Мария Петровна» → «Иванова М. П.» (for lists)."""
    parts = full_name.split()
    if len(parts) < 2:
        return full_name
    return " ".join([parts[0], *(f"{p[0]}." for p in parts[1:3])])


def people(n: int) -> str:
    return plural(n, "человек", "человека", "человек")


def _end(text: str) -> str:
    """The text as a sentence: a full stop added unless it ends with one already."""
    text = text.rstrip()
    return text if not text or text[-1] in ".!?…" else f"{text}."


def _date(d) -> str:
    return f"{d:%d.%m.%Y}"


@dataclass(frozen=True)
class Line:
    """One paragraph of the document: a bold label (may be empty) and the text after it."""

    label: str
    text: str = ""
    align: str = "left"  # left, center, justify
    bold: bool = False  # the whole text bold
    space_before: bool = False


def vote_line(q: MinutesQuestion) -> str:
    return (f"Голосовали: «за» — {q.votes_for or 0}, «против» — {q.votes_against or 0}, "
            f"«воздержались» — {q.votes_abstained or 0}.")


def _follow_up(responsible, due_on) -> str:
    parts = []
    if responsible is not None:
        parts.append(f"ответственный — {last_initials(responsible.full_name)}")
    if due_on is not None:
        parts.append(f"срок — {_date(due_on)}")
    return f"({', '.join(parts)})" if parts else ""


def _labelled(label: str, text: str) -> list[Line]:
    """A label with a text of several lines: the first on the label's line."""
    lines = [s.strip() for s in text.splitlines() if s.strip()] or [""]
    return [Line(label, lines[0]), *(Line("", rest) for rest in lines[1:])]


def body_lines(minutes: Minutes) -> list[Line]:
    """Everything between the heading and the signatures, in order."""
    out: list[Line] = [
        Line("Председатель: ", minutes.chair_name, space_before=True),
        Line("Секретарь: ", minutes.secretary_name),
        Line("Присутствовали: ", f"{people(minutes.present_count)} (из "
             f"{plural(minutes.members_count, 'члена', 'членов', 'членов')} сообщества)"
             + (":" if minutes.attendees else ".")),
    ]
    if minutes.attendees:
        out.append(Line("", _end(", ".join(last_initials(a.full_name)
                                           for a in minutes.attendees)), align="justify"))
    out.append(Line("", "Кворум имеется." if minutes.has_quorum else "Кворум отсутствует."))
    questions = minutes.questions
    out.append(Line("ПОВЕСТКА ДНЯ:", space_before=True))
    for i, q in enumerate(questions, start=1):
        speaker = f" (докладчик — {last_initials(q.speaker.full_name)})" if q.speaker else ""
        out.append(Line("", _end(f"{i}. {q.title}{speaker}"), align="justify"))
    for i, q in enumerate(questions, start=1):
        heard = q.heard or q.title
        if q.speaker is not None:
            heard = f"{last_initials(q.speaker.full_name)} — {heard}"
        first, *rest = _labelled(f"{i}. СЛУШАЛИ: ", heard)
        out.append(Line(first.label, first.text, align="justify", space_before=True))
        out += [Line("", r.text, align="justify") for r in rest]
        if q.discussion:
            out += [Line(r.label, r.text, align="justify")
                    for r in _labelled("ВЫСТУПИЛИ: ", q.discussion)]
        if q.decision:
            decided = _labelled("РЕШИЛИ: ", q.decision)
            follow = _follow_up(q.responsible, q.due_on)
            if follow:
                decided[-1] = Line(decided[-1].label, f"{decided[-1].text} {follow}")
            out += [Line(r.label, r.text, align="justify") for r in decided]
        if q.has_vote:
            out.append(Line("", vote_line(q)))
    if minutes.recommendations:
        out.append(Line("РЕКОМЕНДАЦИИ:", space_before=True))
        for i, r in enumerate(minutes.recommendations, start=1):
            follow = _follow_up(r.responsible, r.due_on)
            text = " ".join(s.strip() for s in r.text.splitlines() if s.strip())
            out.append(Line("", f"{i}. {text}" + (f" {follow}" if follow else ""),
                            align="justify"))
    return out


def heading(minutes: Minutes, community: Community) -> list[str]:
    return [f"ПРОТОКОЛ № {minutes.number}", f"заседания сообщества «{community.name}»"]


def signatures(minutes: Minutes) -> list[tuple[str, str]]:
    return [("Председатель", initials_last(minutes.chair_name)),
            ("Секретарь", initials_last(minutes.secretary_name))]


def filename(minutes: Minutes, ext: str) -> str:
    return f"Протокол № {minutes.number} от {_date(minutes.held_on)}.{ext}"


# --- DOCX --------------------------------------------------------------------------------


def _set_font(run, *, bold: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(SIZE)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
          "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}


def minutes_docx(minutes: Minutes, community: Community) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    width = section.page_width - section.left_margin - section.right_margin
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(SIZE)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    props = doc.core_properties
    props.title = f"Протокол № {minutes.number}"
    props.subject = minutes.event.title
    props.author = community.name[:255]
    props.language = "ru-RU"

    def paragraph(text: str = "", *, bold: bool = False, align: str = "left",
                  space_before: bool = False):
        p = doc.add_paragraph()
        p.alignment = _ALIGN[align]
        if space_before:
            p.paragraph_format.space_before = Pt(SIZE)
        if text:
            _set_font(p.add_run(text), bold=bold)
        return p

    if not minutes.is_signed:
        paragraph("ПРОЕКТ", bold=True, align="center")
    title, subtitle = heading(minutes, community)
    paragraph(title, bold=True, align="center")
    paragraph(subtitle, align="center")
    dated = paragraph(space_before=True)
    dated.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    _set_font(dated.add_run(f"{_date(minutes.held_on)}\t{minutes.place}"))
    for line in body_lines(minutes):
        p = paragraph(align=line.align, space_before=line.space_before)
        if line.label:
            _set_font(p.add_run(line.label), bold=True)
        if line.text:
            _set_font(p.add_run(line.text), bold=line.bold)
    first = True
    for role, name in signatures(minutes):
        p = paragraph(space_before=True)
        if first:
            p.paragraph_format.space_before = Pt(SIZE * 3)
            first = False
        stops = p.paragraph_format.tab_stops
        stops.add_tab_stop(Cm(5))
        stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
        _set_font(p.add_run(f"{role}\t________________\t{name}"))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_response(data: bytes, name: str) -> Response:
    return send_generated(data, DOCX_MIMETYPE, name)


# --- PDF ---------------------------------------------------------------------------------


def minutes_pdf(minutes: Minutes, community: Community) -> bytes:
    pdf = pdfkit.new_document(title=f"Протокол № {minutes.number}", author=community.name)
    pdf.set_margins(30, 20, 15)
    pdf.set_x(30)
    size, height = 12, 6
    width = pdf.w - pdf.l_margin - pdf.r_margin
    if not minutes.is_signed:
        pdfkit.centered(pdf, "ПРОЕКТ", sizes=(size,), style="B")
    title, subtitle = heading(minutes, community)
    pdfkit.centered(pdf, title, sizes=(14,), style="B")
    pdfkit.centered(pdf, subtitle, sizes=(size,))
    pdf.ln(height / 2)
    pdf.set_font(pdfkit.FONT, "", size)
    pdf.cell(width / 3, height, _date(minutes.held_on))
    pdf.multi_cell(width * 2 / 3, height, minutes.place, align="R", new_x="LMARGIN",
                   new_y="NEXT")
    for line in body_lines(minutes):
        if line.space_before:
            pdf.ln(height / 2)
        pdf.set_x(pdf.l_margin)
        if line.label:
            pdf.set_font(pdfkit.FONT, "B", size)
            pdf.write(height, line.label)
        pdf.set_font(pdfkit.FONT, "B" if line.bold else "", size)
        if line.text:
            pdf.write(height, line.text)
        pdf.ln(height)
    pdf.ln(height * 2)
    pdf.set_font(pdfkit.FONT, "", size)
    for role, name in signatures(minutes):
        pdf.cell(width * 0.3, height * 1.5, role)
        pdf.cell(width * 0.35, height * 1.5, "________________")
        pdf.cell(width * 0.35, height * 1.5, name, align="R", new_x="LMARGIN", new_y="NEXT")
    return pdfkit.pdf_bytes(pdf)
