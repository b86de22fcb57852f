"""axe-core (pinned in package.json) on every main page, logged out and logged in: no WCAG
2.1 A/AA violation of impact serious or critical."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import AXE_JS, login
from tests.factories import PASSWORD
from tests.main_pages import main_pages

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_axe_core_is_installed():
    assert AXE_JS.exists(), "run `npm ci` (make does): axe-core is pinned in package.json"


def test_main_pages_have_no_serious_accessibility_violations(new_page, people, community):
    if not AXE_JS.exists():
        pytest.fail("axe-core missing: run `npm ci`")
    pages = main_pages(community, people)
    by_role: dict[str, list[str]] = {}
    for role, path in pages:
        by_role.setdefault(role, []).append(path)

    report = {}
    checked = 0
    for role, paths in by_role.items():
        # axe is injected as a script, which the strict CSP would refuse: bypass it for axe only.
        page = new_page(bypass_csp=True)
        if role != "anonymous":
            login(page, people[role].email, PASSWORD)
        for path in paths:
            page.goto(path)
            violations = axe_violations(page)
            checked += 1
            if violations:
                report[f"{role} {path}"] = [
                    {"id": v["id"], "impact": v["impact"], "help": v["help"],
                     "nodes": [n["target"] for n in v["nodes"][:5]]}
                    for v in violations
                ]
    assert checked == len(pages)
    assert not report, json.dumps(report, ensure_ascii=False, indent=1)


def test_axe_reports_a_broken_page(browser):
    """The check itself works: a page with an unlabelled field and a bare image fails."""
    page = browser.new_page()
    page.set_content('<html><body><img src="x.png"><input type="text"></body></html>')
    found = {v["id"] for v in axe_violations(page)}
    page.close()
    assert {"image-alt", "label"} <= found
