"""Real, minimal file contents built in memory, shared by the upload, text extraction and
materials tests."""

from __future__ import annotations

import io
import zipfile

PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n"
    b"trailer << /Size 3 /Root 1 0 R >>\nstartxref\n110\n%%EOF\n"
)


def make_zip(entries: dict[str, bytes | str], first_stored: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if first_stored:  # ODF: `mimetype` first and uncompressed
            archive.writestr(first_stored, entries.pop(first_stored), zipfile.ZIP_STORED)
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def ooxml(main_part: str) -> bytes:
    return make_zip({
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats'
                               '.org/package/2006/content-types"/>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships/>',
        main_part: '<?xml version="1.0"?><root/>',
    })


DOCX = ooxml("word/document.xml")


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


OFFICE_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def handmade_pdf(pages: list[str]) -> bytes:
    """A minimal PDF written by hand: a Type0 font (Identity-H, two-byte codes) with no font
    program, whose text is known only through its ToUnicode CMap. Needs no font file."""
    chars = sorted(set("".join(pages)))
    assert len(chars) <= 100  # one beginbfchar block
    code = {c: i + 1 for i, c in enumerate(chars)}
    bfchar = "\n".join(f"<{code[c]:04X}> <{ord(c):04X}>" for c in chars)
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(chars)} beginbfchar\n{bfchar}\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end"
    ).encode("ascii")

    def stream(data: bytes) -> bytes:
        return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"

    n = len(pages)
    first_page = 5
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(n))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode(),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Handmade /Encoding /Identity-H"
        b" /DescendantFonts [4 0 R] /ToUnicode %d 0 R >>" % (first_page + 2 * n),
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Handmade /DW 600"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>",
    ]
    for i, text in enumerate(pages):
        contents = first_page + 2 * i + 1
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
            b" /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % contents
        )
        codes = "".join(f"{code[c]:04X}" for c in text)
        objects.append(stream(f"BT /F1 12 Tf 72 760 Td <{codes}> Tj ET".encode("ascii")))
    objects.append(stream(cmap))

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def content_types(*overrides: tuple[str, str]) -> str:
    parts = "".join(f'<Override PartName="{n}" ContentType="{t}"/>' for n, t in overrides)
    return (
        XML_DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>' + parts + "</Types>"
    )


def package_rels(target: str) -> str:
    return (
        XML_DECL + f'<Relationships xmlns="{REL_NS}"><Relationship Id="rId1" '
        f'Type="{OFFICE_DOC_REL}/officeDocument" Target="{target}"/></Relationships>'
    )
