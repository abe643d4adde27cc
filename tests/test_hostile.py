"""Hostile input end to end: broken data never builds a site, and text that passes
validation but looks dangerous as Markdown is never executed in Chromium."""
import copy
import os
import subprocess
import time
from multiprocessing.pool import ThreadPool
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from conftest import FIXTURES, PYTHON, ROOT, TODAY, build_site, serve_directory
from insatsguiden.model.rules import expand, fields_of
from insatsguiden.model.validate import validate_file, validate_text
from test_validate import INVALID

CORPUS = sorted((FIXTURES / "invalid").glob("*.yaml"))
HANG_GUARD = 30  # seconds; a build that stops on bad data takes about one


def _build_with(data: Path, site: Path) -> tuple[subprocess.CompletedProcess, float]:
    started = time.perf_counter()
    completed = subprocess.run(
        [PYTHON, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], cwd=ROOT, capture_output=True,
        text=True, timeout=HANG_GUARD * 2,
        env={**os.environ, "INSATSGUIDEN_DATA": str(data), "INSATSGUIDEN_TODAY": TODAY.isoformat(),
             "NO_MKDOCS_2_WARNING": "1"})
    return completed, time.perf_counter() - started


def test_the_hostile_corpus_has_at_least_30_files():
    assert len(CORPUS) >= 30, len(CORPUS)


def test_every_hostile_file_stops_the_build_at_its_position(tmp_path):
    def attempt(path: Path) -> tuple[list[str], float]:
        site = tmp_path / path.stem
        completed, elapsed = _build_with(path, site)
        output = completed.stdout + completed.stderr
        # The same first position the validator gives, and the line test_validate expects.
        line, words = INVALID[path.stem]
        expected = next(p for p in validate_file(path, TODAY, display_name=path.name).problems if words in p.message)
        where = f"{path.name}:{expected.line}:{expected.col}:"
        failures = []
        if completed.returncode == 0:
            failures.append("the build succeeded")
        if expected.line != line or where not in output:
            failures.append(f"{where} (line {line} expected) not in the output")
        if "Traceback" in output:
            failures.append("a traceback")
        if elapsed > HANG_GUARD:
            failures.append(f"took {elapsed:.1f} s")
        if site.exists() and any(site.rglob("*.html")):
            failures.append("pages were built")
        return [f"{path.name}: {failure}\n{output[-800:]}" for failure in failures], elapsed

    with ThreadPool(2) as pool:
        outcomes = pool.map(attempt, CORPUS)
    failures = [failure for found, _ in outcomes for failure in found]
    print(f"\n{len(CORPUS)} fientliga filer, {len(failures)} fel; längsta bygget {max(t for _, t in outcomes):.2f} s")
    assert failures == [], "\n\n".join(failures)


# --- payloads that pass validation -------------------------------------------

# Each is valid data (no HTML tag, no javascript: link) but would run script if a
# Markdown extension, the sanitiser, a template or a search excerpt let it through.
PAYLOADS = [
    "**x** {onclick=alert(1)}",                                # attr_list on inline text
    '[a](https://ok.se "t\\" onmouseover=\\"alert(1)")',       # breaking out of a link title
    "&lt;script&gt;alert(1)&lt;/script&gt;",                   # entity-encoded script
    "&#60;img src=x onerror=alert(1)&#62;",                    # numeric entities, for the search excerpt
    "`&lt;script&gt;alert(1)&lt;/script&gt;` och `{onclick=alert(1)}`",  # code spans
    '<https://ok.se"onmouseover="alert(1)>',                   # autolink with quotes
    "[b](https://ok.se){onclick=alert(1)}",                    # attr_list on a link
    "![c](https://ok.se/x.png){onerror=alert(1)}",             # an image: script and a foreign request
    'Text\n{: onclick="alert(1)" }',                           # attr_list on a block
    '[d][1]\n\n[1]: https://ok.se "x\\" onfocus=\\"alert(1)"',  # reference definition with a title
    "<\u200bscript>alert(1)<\u200b/script>",                   # a tag hidden by a zero-width space
    '[e](https://ok.se/"onclick="alert(1))',                   # quotes inside the address
    "[f](https://ok.se/x' onclick='alert(1))",
    "{{ 7+7 }} {% if true %}x{% endif %} ${7+7}",              # template syntax
    '" onmouseover="alert(1)" x="',                            # breaking out of an attribute
    "';alert(1);// <\\/script>",                               # breaking out of a script string
]
ONE_LINE = [payload for payload in PAYLOADS if "\n" not in payload]


def hostile_data() -> tuple[str, int]:
    """minimal.yaml with every payload in every Markdown field and one in every short text.

    Returns the YAML and how many fields carry payloads."""
    data = yaml.safe_load((FIXTURES / "valid" / "minimal.yaml").read_text(encoding="utf-8"))
    all_payloads = "\n\n".join(PAYLOADS)
    for agreement in data["overenskommelser"]:
        agreement["atagande"] = [{"part": "kommunen", "text": "x"}]
        agreement["avvikelser"] = [{"text": "x", "kallor": [{"kalla": "rapport", "avsnitt": "1"}]}]
    fields = 0
    for pattern in fields_of("textlista"):
        for _, parent in expand(data, pattern[:-1]):
            if isinstance(parent, dict):
                parent[pattern[-1]] = list(PAYLOADS)
                fields += 1
    for pattern in fields_of("text"):
        if pattern[-1] == "*":
            continue  # list items: set above
        for _, parent in expand(data, pattern[:-1]):
            if isinstance(parent, dict):
                parent[pattern[-1]] = all_payloads
                fields += 1
    for pattern in fields_of("kort_text"):
        for _, parent in expand(data, pattern[:-1]):
            if isinstance(parent, dict) and isinstance(parent.get(pattern[-1]), str):
                parent[pattern[-1]] += " " + ONE_LINE[fields % len(ONE_LINE)]
                fields += 1
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False), fields


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    text, fields = hostile_data()
    result = validate_text(text, "fientlig.yaml", TODAY)
    assert result.ok, [p.text() for p in result.problems]  # the payloads really reach the build
    directory = tmp_path_factory.mktemp("hostile")
    (directory / "fientlig.yaml").write_text(text, encoding="utf-8")
    build_site(directory / "fientlig.yaml", directory / "site")
    url, server = serve_directory(directory / "site")
    yield url, directory / "site", fields
    server.shutdown()


# Stops navigation and form submission, then fires the events inline handlers
# listen for on every element of the page; returns how many elements it touched.
_POKE = """() => {
    if (!window.__igGuard) {
        window.__igGuard = true;
        document.addEventListener('click', e => { if (e.target.closest('a, [type=submit]')) e.preventDefault(); }, true);
        document.addEventListener('submit', e => e.preventDefault(), true);
    }
    const events = ['mouseover', 'mouseenter', 'mousemove', 'mousedown', 'mouseup', 'click', 'dblclick', 'focus',
                    'focusin', 'blur', 'keydown', 'pointerover', 'pointerdown', 'error', 'load', 'toggle'];
    const elements = Array.from(document.querySelectorAll('body *'))
        .filter(el => !el.matches('button, input, select, textarea, label, script, template'));
    for (const el of elements) {
        for (const type of events) {
            el.dispatchEvent(type.startsWith('mouse') || type.endsWith('click') || type.startsWith('pointer')
                ? new MouseEvent(type, {bubbles: true, cancelable: true}) : new Event(type, {bubbles: true}));
        }
    }
    return elements.length;
}"""

_DANGEROUS_DOM = """() => {
    const found = [];
    for (const el of document.querySelectorAll('*')) {
        for (const attribute of el.attributes) {
            const value = attribute.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
            if (attribute.name.startsWith('on')) found.push(el.tagName + ' ' + attribute.name);
            if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(attribute.name)
                && /^(javascript|vbscript|data):/.test(value)) found.push(el.tagName + ' ' + attribute.name + '=' + value);
        }
    }
    for (const script of document.querySelectorAll('script')) {
        if (script.textContent.includes('alert(1)') && script.type !== 'application/json') found.push('script: ' + script.textContent.slice(0, 80));
    }
    for (const img of document.querySelectorAll('article img')) found.push('img ' + img.getAttribute('src'));
    return found;
}"""


@pytest.fixture()
def hostile_tab(browser, hostile_site):
    url = hostile_site[0]
    local = urlsplit(url).netloc
    # Without the pages' Content-Security-Policy: it would block inline handlers by
    # itself, and this test is about the renderer and the sanitiser never emitting them.
    context = browser.new_context(bypass_csp=True, locale="sv-SE")
    tab = context.new_page()
    tab.dialogs, tab.foreign = [], []

    def route(request_route):
        if urlsplit(request_route.request.url).netloc == local:
            request_route.continue_()
        else:
            tab.foreign.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    yield tab
    context.close()


def _visit_and_poke(tab, address: str) -> tuple[int, int]:
    """Open a page, hover and click every link in the content (where data text is), then
    fire the events inline handlers listen for (focus, error, …) on every element of the page."""
    tab.goto(address, wait_until="load")
    if "/sok/?q=" in address:
        tab.locator("#ig-sok-status").filter(has_text="träff").wait_for(timeout=15000)
        # Excerpts with the payloads, which sok.js puts in with innerHTML, are on the page.
        assert "alert(1)" in tab.locator(".md-search-result__item").first.inner_text(), address
    if "/vagvisare/?" in address:
        tab.locator("#ig-resultat .ig-resultat").first.wait_for(timeout=10000)
    tab.evaluate(_POKE)  # installs the navigation guard before the real clicks
    links = tab.locator("article a:visible")
    count = min(links.count(), 200)
    for index in range(count):
        # A real click moves the mouse onto the link first: mouseover, then click.
        links.nth(index).click(force=True, no_wait_after=True, timeout=3000)
    touched = tab.evaluate(_POKE)
    tab.wait_for_timeout(100)  # let anything asynchronous (image errors, timers) happen
    return count, touched


def test_the_dialog_check_sees_an_injected_handler(hostile_tab, hostile_site):
    """Control: the same machinery reports a handler that does get into a page."""
    url = hostile_site[0]
    hostile_tab.goto(url, wait_until="load")
    hostile_tab.evaluate("""() => { const a = document.createElement('a'); a.href = '#';
        a.textContent = 'kontroll'; a.setAttribute('onmouseover', "alert('kontroll')");
        document.querySelector('article').prepend(a); }""")
    hostile_tab.evaluate(_POKE)
    assert hostile_tab.dialogs and hostile_tab.dialogs[0] == "kontroll"
    assert "A onmouseover" in hostile_tab.evaluate(_DANGEROUS_DOM)


def test_payloads_that_pass_validation_never_run(hostile_tab, hostile_site):
    url, site, fields = hostile_site
    pages = sorted(path.relative_to(site).parent.as_posix() for path in site.rglob("index.html"))
    addresses = [url + ("" if page == "." else page + "/") for page in pages]
    addresses += [url + "vagvisare/?kommun=ludvika&alder=30&forsorjning=sjukpenning&behov=bostad&aktivitet=ja",
                  *(url + f"sok/?q={query}" for query in ("alert", "onerror", "script", "onclick", "img", "Boendestöd"))]
    links = touched = 0
    problems = []
    for address in addresses:
        clicked, poked = _visit_and_poke(hostile_tab, address)
        links, touched = links + clicked, touched + poked
        dangerous = hostile_tab.evaluate(_DANGEROUS_DOM)
        if hostile_tab.dialogs or hostile_tab.foreign or dangerous:
            problems.append(f"{address}: dialogs {hostile_tab.dialogs}, foreign requests {hostile_tab.foreign}, {dangerous}")
            hostile_tab.dialogs.clear()
            hostile_tab.foreign.clear()
    print(f"\n{len(PAYLOADS)} payloads in {fields} fält, {len(addresses)} sidor, {links} länkar klickade, "
          f"{touched} element med händelser: inga dialoger")
    assert problems == [], "\n".join(problems)
    # The payloads did reach the pages, as text.
    hostile_tab.goto(url + "insatser/boendestod/", wait_until="load")
    article = hostile_tab.locator("article").inner_text()
    for visible in ("{onclick=alert(1)}", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                    "{{ 7+7 }} {% if true %}x{% endif %} ${7+7}", '" onmouseover="alert(1)" x="'):
        assert visible in article, visible
