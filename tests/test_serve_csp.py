"""`mkdocs serve` gets the built site's Content-Security-Policy, with MkDocs' live-reload script allowed by its hash.

A real `mkdocs serve` on 127.0.0.1 (a free port), a temporary copy of the data,
and real Chromium: the live-reload script runs and reloads the page, while an
inline script that is not the one MkDocs injected is blocked.
"""
import base64
import hashlib
import importlib.util
import sys
import re
import socket
import subprocess
import time
import urllib.request

import pytest
from bs4 import BeautifulSoup

from conftest import FIXTURES, PYTHON, ROOT, TODAY, watched_tab

PAGE = "insatser/boendestod/"
# The live-reload script MkDocs 1.6.1 puts before </body>: its text ends with
# `livereload(<epoch>, <request id>);`, which changes with every response.
_LIVERELOAD = re.compile(r"<script>(?P<body>[^<]*livereload\(\d+, \d+\);\s*)</script>\s*</body>")

# Every CSP violation in the document, recorded before any of the page's own scripts run.
_RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__violations.push(event.violatedDirective + " " + event.blockedURI + " " + (event.sample || ""));
}, true);
"""


def _sha256(body: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii") + "'"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def _script_src(html: str) -> list[str]:
    meta = BeautifulSoup(html, "html.parser").find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert meta is not None, "sidan saknar Content-Security-Policy"
    directive = next(part.split() for part in meta["content"].split(";") if part.split()[:1] == ["script-src"])
    return directive[1:]


@pytest.fixture()
def served(tmp_path):
    """`mkdocs serve` of a temporary copy of the minimal data: (base_url, data_path)."""
    data = tmp_path / "data.yaml"
    data.write_text((FIXTURES / "valid" / "minimal.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [PYTHON, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"], cwd=ROOT,
            stdout=output, stderr=subprocess.STDOUT,
            env={"PATH": "/usr/bin:/bin", "INSATSGUIDEN_DATA": str(data), "INSATSGUIDEN_TODAY": TODAY.isoformat(),
                 "INSATSGUIDEN_PAGEFIND": "0", "NO_MKDOCS_2_WARNING": "1"})
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                _fetch(url + PAGE)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("mkdocs serve startade inte:\n" + log.read_text(encoding="utf-8")[-3000:])
                time.sleep(0.3)
        yield url, data
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture()
def tab(browser):
    context, page = watched_tab(browser)
    page.logged = []
    page.add_init_script(_RECORD_VIOLATIONS)
    page.on("console", lambda message: (page.logged.append(message.text),
                                        message.type in ("error", "warning") and page.problems.append(message.text)))
    yield page
    context.close()


def test_served_page_allows_exactly_the_theme_scripts_and_its_own_live_reload_script(served):
    url, _ = served
    first, second = _fetch(url + PAGE), _fetch(url + PAGE)
    from insatsguiden.site.csp import inline_script_hashes

    for html, other in ((first, second), (second, first)):
        body = _LIVERELOAD.search(html).group("body")
        theme = inline_script_hashes(_LIVERELOAD.sub("</body>", html))
        allowed = _script_src(html)
        assert allowed[:2] == ["'self'", "'wasm-unsafe-eval'"]
        # The theme's inline scripts and this response's live-reload script, nothing else.
        assert sorted(allowed[2:]) == sorted([*theme, _sha256(body)])
        assert "'unsafe-inline'" not in allowed and "'unsafe-eval'" not in allowed
        # The request id differs per response, and so does the hash each response allows.
        assert _sha256(_LIVERELOAD.search(other).group("body")) not in allowed


def test_live_reload_runs_under_the_policy_and_reloads_on_a_data_change(served, tab):
    from playwright.sync_api import expect

    url, data = served
    with tab.expect_console_message(lambda message: message.text == "Enabled live reload"):
        tab.goto(url + PAGE, wait_until="load")
    assert tab.locator('meta[http-equiv="Content-Security-Policy"]').count() == 1
    assert tab.evaluate("typeof window.livereload") == "function"
    tab.evaluate("window.__before_reload = true")

    data.write_text(data.read_text(encoding="utf-8").replace("namn: Boendestöd", "namn: Boendestöd ändrad"),
                    encoding="utf-8")
    expect(tab.locator("h1")).to_contain_text("Boendestöd ändrad", timeout=60_000)
    tab.wait_for_load_state("load")
    assert tab.evaluate("window.__before_reload") is None  # a new document: the page reloaded itself
    assert tab.evaluate("typeof window.livereload") == "function"
    assert tab.evaluate("window.__violations") == []
    assert tab.logged.count("Enabled live reload") == 2
    assert tab.problems == []


def test_an_inline_script_that_is_not_the_live_reload_script_is_blocked(served, tab):
    url, _ = served
    extra = "<script>window.__pwned = 1</script>"

    def add_script(route):
        response = route.fetch()
        html = response.text()
        end = html.rindex("</body>")
        route.fulfill(response=response, body=html[:end] + extra + html[end:])

    tab.route(url + PAGE, add_script)
    with tab.expect_console_message(lambda message: message.text == "Enabled live reload"):
        tab.goto(url + PAGE, wait_until="load")
    assert tab.content().count(extra) == 1  # the script reached the page ...
    assert tab.evaluate("typeof window.livereload") == "function"  # ... next to the allowed live-reload script,
    assert tab.evaluate("window.__pwned") is None  # ... and did not run
    violations = tab.evaluate("window.__violations")
    assert len(violations) == 1 and violations[0].startswith("script-src-elem inline"), violations
    assert any("Content Security Policy" in problem for problem in tab.problems), tab.problems


# The pieces, without a server.

def test_allow_inline_scripts_adds_only_the_fragments_inline_scripts():
    from insatsguiden.site.csp import add_meta, allow_inline_scripts

    page, theme = add_meta("<html><head><script>a()</script></head><body><p>x</p></body></html>")
    fragment = '<script>b()</script><script src="/x.js"></script><script type="application/json">{}</script>'
    allowed = allow_inline_scripts(page, fragment)
    assert _script_src(allowed)[2:] == [*theme, _sha256("b()")]  # the page's own, then the fragment's
    assert allow_inline_scripts(page, '<script src="/livereload.js"></script>') == page
    # No policy in the page: nothing to extend, the page is left as it is.
    assert allow_inline_scripts("<html><head></head><body></body></html>", fragment) == \
        "<html><head></head><body></body></html>"


def _hooks():
    spec = importlib.util.spec_from_file_location("insatsguiden_hooks_under_test", ROOT / "hooks" / "insatsguiden_hooks.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as MkDocs loads hooks (dataclasses look their module up there)
    sys.path.insert(0, str(ROOT / "hooks"))  # as MkDocs does while it loads a hook: it imports its neighbour
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "hooks"))
    return module


def test_on_serve_refuses_a_server_without_the_injection_it_wraps():
    from mkdocs.exceptions import Abort

    with pytest.raises(Abort, match="live reload"):
        _hooks().on_serve(object(), config=None, builder=None)


def test_on_serve_refuses_an_injection_it_does_not_recognise():
    class Server:
        def _inject_js_into_html(self, content, epoch):
            return b"<script>moved()</script>" + content

    server = Server()
    _hooks().on_serve(server, config=None, builder=None)
    with pytest.raises(RuntimeError, match="MkDocs"):
        server._inject_js_into_html(b"<html><head></head><body></body></html>", 1)
