"""The Nu HTML Checker (npm `vnu-jar`, run with Java) finds no error on any main page."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import HX
from tests.main_pages import main_pages

VNU_JAR = Path(__file__).resolve().parents[1] / "node_modules/vnu-jar/build/dist/vnu.jar"
JAVA = shutil.which("java")

pytestmark = pytest.mark.skipif(
    JAVA is None, reason="Java not found (apt-get install default-jre-headless): HTML not validated"
)


def run_vnu(files: list[Path]) -> list[dict]:
    assert VNU_JAR.exists(), "run `npm ci` (make does): vnu-jar is pinned in package.json"
    result = subprocess.run(
        [JAVA, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )
    return json.loads(result.stderr or '{"messages": []}')["messages"]


def test_vnu_reports_an_error_when_there_is_one(tmp_path):
    """The checker itself works: a page with a duplicate id fails."""
    broken = tmp_path / "broken.html"
    broken.write_text('<!doctype html><html lang="ru"><title>x</title><p id="a"></p><p id="a"></p>')
    assert any("Duplicate ID" in m["message"] for m in run_vnu([broken]))


def test_main_pages_are_valid_html(app, client_as, people, community, tmp_path):
    files = []
    for index, (role, path) in enumerate(main_pages(community, people)):
        response = client_as(role).get(path)
        assert response.status_code in (200, 404), (role, path, response.status_code)
        file = tmp_path / f"{index:02d}-{role}-{path.strip('/').replace('/', '_') or 'home'}.html"
        file.write_bytes(response.data)
        files.append(file)
    # A fragment answered to htmx is checked inside a minimal document.
    fragment = client_as("member").get(f"/c/{community.slug}/members", headers=HX)
    wrapped = tmp_path / "fragment-members.html"
    wrapped.write_text(
        '<!doctype html><html lang="ru"><head><title>f</title></head><body><table><tbody>'
        + fragment.get_data(as_text=True) + "</tbody></table></body></html>"
    )
    files.append(wrapped)
    messages = run_vnu(files)
    report = [f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}" for m in messages]
    assert not report, "\n".join(report)
