"""Fixtures of the methodological bank's tests: real minimal file contents (built in memory,
as in tests/test_uploads.py and tests/test_textextract.py), a material factory through the
service, and a look at what is on disk in UPLOAD_FOLDER."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import current_app

from app.extensions import db
from app.materials import services
from tests.files import (  # noqa: F401  (re-exported to the tests)
    DOCX,
    OFFICE_DOC_REL,
    PDF,
    REL_NS,
    W_NS,
    XML_DECL,
    content_types,
    handmade_pdf,
    make_zip,
    ooxml,
    package_rels,
)

# --- Real minimal file contents (copied from tests/test_uploads.py) --------------------------

MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48) + b"PE\x00\x00"







# --- Files with text inside (copied from tests/test_textextract.py) --------------------------









def docx_with_text(*paragraphs: str) -> bytes:
    """A DOCX whose main part holds these paragraphs."""
    body = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{p}</w:t></w:r></w:p>' for p in paragraphs
    )
    main = "word/document.xml"
    return make_zip({
        "[Content_Types].xml": content_types(
            (f"/{main}", "application/vnd.openxmlformats-officedocument"
                         ".wordprocessingml.document.main+xml")
        ),
        "_rels/.rels": package_rels(f"/{main}"),
        main: XML_DECL + f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>',
    })


# --- Disk ---------------------------------------------------------------------------------------


def files_on_disk() -> list[Path]:
    """Every file under UPLOAD_FOLDER (stored files and any temp file left behind)."""
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# --- Materials ----------------------------------------------------------------------------------


@pytest.fixture
def make_material(people, community):
    """A material added through the service (as its route would), committed. Files are
    (name, bytes) pairs."""
    from werkzeug.datastructures import FileStorage

    def make(author=None, *, community_=None, title="Методическая разработка урока",
             description="", type="methodical", level="all", topics="", link_url="",
             files=(("Разработка.pdf", PDF),), coauthors=(), on_behalf_of=None, **fields):
        actor = author or people["member"]
        with current_app.test_request_context("/"):
            material = services.create_material(
                community_ or community, actor, title=title, description=description,
                type=type, level=level, topics=topics, link_url=link_url,
                coauthor_ids=[u.id for u in coauthors], on_behalf_of=on_behalf_of,
                files=[FileStorage(io.BytesIO(data), filename=name) for name, data in files],
            )
            for key, value in fields.items():  # created_at, download_count, ...
                setattr(material, key, value)
            db.session.commit()
        return material

    return make
