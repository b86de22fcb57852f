"""The participant list of an event as CSV (for Excel: `;`, UTF-8 with BOM) and XLSX."""

from __future__ import annotations

import csv
import io
from datetime import UTC
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.communities.models import Community
from app.events.models import Event
from app.events.services import participants, zone

HEADER = ["№", "ФИО", "Организация", "Должность", "Муниципалитет", "Электронная почта",
          "Статус", "Место в листе ожидания", "Дата записи", "Посещение"]

_ATTENDED = {True: "был(а)", False: "не был(а)", None: ""}


def rows(event: Event, community: Community) -> list[list[object]]:
    confirmed, waiting = participants(event)
    tz = zone(community)
    out: list[list[object]] = []
    position = {reg.id: i for i, reg in enumerate(waiting, start=1)}
    for n, reg in enumerate([*confirmed, *waiting], start=1):
        user = reg.user
        signed = reg.queued_at.replace(tzinfo=UTC).astimezone(tz).strftime("%d.%m.%Y %H:%M")
        waitlisted = reg.status == "waitlisted"
        out.append([
            n, user.full_name, user.organisation, user.position, user.municipality, user.email,
            "лист ожидания" if waitlisted else "записан(а)",
            position[reg.id] if waitlisted else "",
            signed, _ATTENDED[reg.attended],
        ])
    return out


def _download(data: bytes, mimetype: str, name: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=participants.{name.rsplit('.', 1)[-1]}; "
        f"filename*=UTF-8''{quote(name)}"
    )
    return response


def _filename(event: Event, ext: str) -> str:
    title = "".join(c for c in event.title if c not in '\\/:*?"<>|').strip()[:100]
    return f"Участники — {title}.{ext}"


def as_csv(event: Event, community: Community) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    writer.writerows(rows(event, community))
    return _download(("\ufeff" + out.getvalue()).encode("utf-8"),
                     "text/csv; charset=utf-8", _filename(event, "csv"))


def as_xlsx(event: Event, community: Community) -> Response:
    book = Workbook()
    sheet = book.active
    sheet.title = "Участники"
    sheet.append([event.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append(HEADER)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows(event, community):
        sheet.append(row)
    widths = [5, 34, 34, 24, 20, 30, 16, 12, 18, 12]
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A4"
    out = io.BytesIO()
    book.save(out)
    return _download(out.getvalue(),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     _filename(event, "xlsx"))
