"""Accessibility in Chromium: axe-core (WCAG 2.0/2.1 A and AA) on every page type, lang, skip link, headings."""
import re

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import expect

from conftest import ROOT
from test_browser import PAGE_TYPES

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

# Every page type, plus the guide and the search page before anything is asked.
# PAGE_TYPES already holds the guide with a result and the search with results.
PAGES = {**PAGE_TYPES, "vagvisare-tom": "vagvisare/", "sok-tom": "sok/"}
VIEWPORTS = {"dator": {"width": 1280, "height": 800}, "mobil": {"width": 375, "height": 740}}


def _wait_until_ready(tab, kind: str) -> None:
    """The guide and the search fill the page with script: wait for what a reader would see."""
    if kind == "lista-filtrerad":
        tab.locator("#ig-filterlista > li").first.wait_for(state="visible", timeout=10000)
    elif kind == "vagvisare":
        tab.locator("#ig-resultat .ig-resultat").first.wait_for(state="visible", timeout=10000)
    elif kind == "sok":
        # (Locator assertions, not wait_for_function: the pages' policy forbids eval.)
        expect(tab.locator("#ig-sok-status")).to_have_text(re.compile(r"^\s*(?!Söker)\S"), timeout=15000)
        assert tab.locator(".md-search-result__item").count() > 0


@pytest.fixture(scope="module")
def axe_contexts(browser):
    # The pages' Content-Security-Policy allows only hashed inline scripts, so the
    # inline axe script would be blocked: bypass the policy for these contexts only.
    if not AXE.exists():
        pytest.fail("axe-core saknas: kör bash scripts/test.sh, som installerar npm-paketen (npm ci).")
    contexts = {name: browser.new_context(bypass_csp=True, locale="sv-SE", viewport=size)
                for name, size in VIEWPORTS.items()}
    yield contexts
    for context in contexts.values():
        context.close()


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} – {violation['helpUrl']}")
        for node in violation["nodes"][:8]:
            summary = " | ".join(line.strip() for line in node["failureSummary"].splitlines() if line.strip())
            lines.append(f"    {node['target']}: {summary}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    … och {len(violation['nodes']) - 8} till")
    return "\n".join(lines)


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("kind", sorted(PAGES))
def test_axe_finds_no_wcag_a_or_aa_violation(axe_contexts, site_url, kind, viewport):
    tab = axe_contexts[viewport].new_page()
    try:
        assert tab.goto(site_url + PAGES[kind], wait_until="load").status == 200
        _wait_until_ready(tab, kind)
        tab.add_script_tag(path=str(AXE))
        results = tab.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    finally:
        tab.close()
    # The rules really ran: the contrast rule had text to look at on every page.
    assert "color-contrast" in {rule["id"] for rule in results["passes"]}
    if results["violations"]:
        pytest.fail(f"{PAGES[kind]} ({viewport}):\n" + _describe(results["violations"]), pytrace=False)


@pytest.fixture()
def tab(browser):
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_language_skip_link_and_headings(tab, site_url, kind):
    tab.goto(site_url + PAGES[kind], wait_until="load")
    _wait_until_ready(tab, kind)
    assert tab.evaluate("document.documentElement.lang") == "sv"

    # Headings in order: exactly one h1, it comes first, and no level is skipped.
    headings = tab.evaluate("""() => Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6'))
        .map(h => [Number(h.tagName[1]), h.textContent.trim()])""")
    levels = [level for level, _ in headings]
    assert levels.count(1) == 1 and levels[0] == 1, headings
    skipped = [(before, after) for before, after in zip(headings, headings[1:]) if after[0] > before[0] + 1]
    assert skipped == [], skipped

    # The skip link is the first thing Tab reaches, shows itself, and moves focus to the
    # start of the article, where the page's h1 is; the next Tab stays in the content.
    skip_links = tab.locator("a.md-skip:visible")
    assert skip_links.count() == 1
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.classList.contains('md-skip')")
    expect(tab.locator("a.md-skip:focus")).to_have_css("opacity", "1")
    assert tab.evaluate("document.activeElement.textContent.trim()") == "Gå till innehållet"
    href = skip_links.get_attribute("href")
    tab.keyboard.press("Enter")
    tab.wait_for_url(re.compile(re.escape(href) + "$"))
    target = tab.evaluate("""() => {
        const target = document.getElementById(location.hash.slice(1));
        const h1 = document.querySelector('h1');
        return {focused: document.activeElement === target, inContent: !!target.closest('.md-content'),
                holdsH1: target.contains(h1) || target === h1,
                afterH1: !!(h1.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_FOLLOWING)};
    }""")
    assert target == {"focused": True, "inContent": True, "holdsH1": True, "afterH1": False}, target
    tab.keyboard.press("Tab")
    assert tab.evaluate("!!document.activeElement.closest('article')"), tab.evaluate("document.activeElement.outerHTML")


def test_every_built_page_has_one_h1_and_headings_in_order(built_site):
    """The same heading rule on every page of the site, as built (without script)."""
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 50
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for template in soup.find_all("template"):
            template.decompose()  # inert until script uses it; the browser test covers the result
        levels = [int(h.name[1]) for h in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]
        assert levels.count(1) == 1 and levels[0] == 1, (path, levels)
        assert all(after <= before + 1 for before, after in zip(levels, levels[1:])), (path, levels)
        skip = soup.select("a.md-skip")
        assert [a["href"] for a in skip if not a.find_parent(attrs={"data-md-component": "skip"})] == ["#ig-innehall"], path
        assert soup.find(id="ig-innehall").name == "article", path
