"""Security issue 9: values that pass validation can neither inject, redirect nor crash.

The failing example files for what validation must refuse are in
fixtures/invalid (listed in test_validate.INVALID). Here: what happens after
validation — escaping on the built site (with the HTML check switched off, so
that escaping alone is what is tested), terminal output, bounded work, files
that are not files, and a fuzzer that runs values through validate → build.
"""
import json
import os
import re
import stat
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import FIXTURES, ROOT, TODAY, run_script, serve_directory
from insatsguiden.model import rules
from insatsguiden.model.loader import MAX_NODES
from insatsguiden.site.textformat import ALLOWED_TAGS
from insatsguiden.model.validate import validate_text

MINIMAL = (FIXTURES / "valid" / "minimal.yaml").read_text(encoding="utf-8")
PROBLEM_LINE = re.compile(r"^(?P<file>[^\n]+?):(?P<line>[0-9]+):(?P<col>[0-9]+): \S")


def replace_line(text: str, number: int, new: str) -> str:
    lines = text.split("\n")
    lines[number - 1] = new
    return "\n".join(lines)


# --- building a site in this process ------------------------------------------------

def build_in_process(data: Path, site: Path, monkeypatch) -> None:
    """mkdocs build with the project's hook, in this process (so a test may switch a check off)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    monkeypatch.setenv("INSATSGUIDEN_DATA", str(data))
    monkeypatch.setenv("INSATSGUIDEN_TODAY", TODAY.isoformat())
    monkeypatch.setenv("INSATSGUIDEN_PAGEFIND", "0")
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.chdir(ROOT)
    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(site))
    build(config)


class Structure(HTMLParser):
    """Every (tag, attribute names) pair of a page, plus meta refreshes and <title> text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pairs: set[tuple[str, tuple[str, ...]]] = set()
        self.refresh = False
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.pairs.add((tag, tuple(sorted(name for name, _ in attrs))))
        values = {name: (value or "") for name, value in attrs}
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.refresh = True
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def structure(path: Path) -> Structure:
    parser = Structure()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def site_pairs(site: Path) -> set:
    return {pair for page in site.rglob("*.html") for pair in structure(page).pairs}


# What Markdown in a data field may legitimately add to a page (the sanitiser's allow-list).
MARKDOWN_PAIRS = {(tag, ()) for tag in ALLOWED_TAGS} | {
    ("a", tuple(sorted(names))) for names in (
        {"href"}, {"href", "rel"}, {"href", "title"}, {"href", "title", "rel"})}


@pytest.fixture(scope="module")
def baseline_pairs(tmp_path_factory):
    """The tags and attributes the minimal example's site has before any hostile value."""
    site = tmp_path_factory.mktemp("baseline")
    monkeypatch = pytest.MonkeyPatch()
    try:
        data = site.parent / "baseline.yaml"
        data.write_text(MINIMAL, encoding="utf-8")
        build_in_process(data, site, monkeypatch)
    finally:
        monkeypatch.undo()
    return site_pairs(site)


# --- 1. escaping at output, even when validation is switched off ---------------------

# Values the old validator let through (no closing '>'), and worse.
HOSTILE_NAMES = {
    10: '    namn: "Ludvika <meta http-equiv=refresh content=0;url=https://evil.example/ "',        # kommun
    19: '    namn: "Förbundet <meta http-equiv=refresh content=0;url=https://evil.example/ "',      # organisation
    49: '    namn: "Boendestöd <img src=x onerror=alert(1) "',                                     # insats
    15: '    namn: "Bostad <style "',                                                                # behov
    5: '    titel: "Rapport </title><script>alert(2)</script>"',                                    # källa
    108: '    namn: "Fontänhus <img src=x onerror=alert(3)>"',                                      # ej täckt behov
    34: '    titel: "Avtal &lt;img src=x onerror=alert(4)&gt;"',                                    # entities stay text
}


@pytest.fixture(scope="module")
def unchecked_site(tmp_path_factory):
    """The minimal example with HTML in every kind of name, built with the HTML check switched off."""
    site = tmp_path_factory.mktemp("unchecked")
    text = MINIMAL
    for number, line in HOSTILE_NAMES.items():
        text = replace_line(text, number, line)
    data = site.parent / "unchecked.yaml"
    data.write_text(text, encoding="utf-8")
    assert not validate_text(text, "unchecked.yaml", TODAY).ok  # defence in depth: validation refuses it
    monkeypatch = pytest.MonkeyPatch()
    try:
        monkeypatch.setattr(rules, "CHECKS", [check for check in rules.CHECKS if check is not rules.check_texts])
        assert validate_text(text, "unchecked.yaml", TODAY).ok
        build_in_process(data, site, monkeypatch)
    finally:
        monkeypatch.undo()
    return site


def test_names_are_text_in_every_page_and_title(unchecked_site, baseline_pairs):
    pages = sorted(unchecked_site.rglob("*.html"))
    assert len(pages) >= 15
    for page in pages:
        found = structure(page)
        assert not found.refresh, page
        extra = found.pairs - baseline_pairs - MARKDOWN_PAIRS
        assert not extra, (page, extra)
    insats = structure(unchecked_site / "insatser" / "boendestod" / "index.html")
    assert insats.title.startswith("Boendestöd <img src=x onerror=alert(1)")
    source = (unchecked_site / "kallor" / "index.html").read_text(encoding="utf-8")
    assert "&lt;/title&gt;&lt;script&gt;alert(2)" in source and "<script>alert(2)" not in source
    agreement = structure(unchecked_site / "overenskommelser" / "avtalet" / "index.html")
    assert "&lt;img" in agreement.title  # an entity written in the data is shown as written, not decoded


def test_no_redirect_and_no_script_in_chromium(unchecked_site, browser):
    url, server = serve_directory(unchecked_site)
    context = browser.new_context()
    page = context.new_page()
    foreign, dialogs = [], []

    def route(request_route):
        host = request_route.request.url.split("/")[2] if "://" in request_route.request.url else ""
        if not host.startswith("127.0.0.1"):
            foreign.append(request_route.request.url)
            request_route.abort()
        else:
            request_route.continue_()

    page.route("**/*", route)
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        for path in ("insatser/", "vagvisare/ludvika/", "insatser/boendestod/", "behov/bostad/",
                     "organisationer/forbundet/", "kallor/", "behov/", "tackning/"):
            page.goto(url + path)
            page.wait_for_timeout(1200)  # a meta refresh with content=0 would have fired by now
            assert page.url == url + path, (path, page.url)
            assert page.evaluate("document.querySelectorAll('img[onerror], meta[http-equiv=refresh i]').length") == 0
    finally:
        context.close()
        server.shutdown()
    assert foreign == [] and dialogs == []


# --- 2. terminal output: one problem, one line -------------------------------------

def test_values_cannot_forge_lines_or_escape_the_terminal(tmp_path):
    text = replace_line(MINIMAL, 61, '        telefon: "0240\\nfake.yaml:1:1: allt OK\\u2029x"')
    path = tmp_path / "data.yaml"
    path.write_text(text, encoding="utf-8")
    for fmt in ("text", "github"):
        completed = run_script("scripts/validate.py", str(path), "--today", TODAY.isoformat(), "--format", fmt)
        assert completed.returncode == 1
        lines = completed.stdout.splitlines()
        assert lines and "\x1b" not in completed.stdout and "\u2029" not in completed.stdout
        for line in lines:
            assert PROBLEM_LINE.match(line) if fmt == "text" else line.startswith("::error file="), line
        assert not any(line.startswith("fake.yaml") for line in lines)
        assert "\\n" in completed.stdout  # the line break is shown, not obeyed


def test_diff_shows_invisible_characters_visibly(tmp_path):
    old = tmp_path / "gammal.yaml"
    new = tmp_path / "ny.yaml"
    old.write_text(MINIMAL, encoding="utf-8")
    # A paragraph separator is allowed in free text; printed raw it would break the line.
    new.write_text(replace_line(MINIMAL, 51, '    syfte: "Stöd\\u2029fake.yaml:1:1: OK\\u200b"'), encoding="utf-8")
    completed = run_script("scripts/diff_data.py", "--old", str(old), str(new), "--today", TODAY.isoformat())
    assert completed.returncode == 0, completed.stderr
    changed = [line for line in completed.stdout.splitlines() if "syfte" in line]
    assert len(changed) == 1 and "\\u2029" in changed[0] and "\\u200b" in changed[0], completed.stdout
    assert "\u2029" not in completed.stdout and "\u200b" not in completed.stdout


# --- 6. bounded work ---------------------------------------------------------------

def test_problems_printed_are_capped_with_a_count_of_the_rest(tmp_path):
    refs = ", ".join(f"okand-{n}" for n in range(500))
    path = tmp_path / "manga.yaml"
    path.write_text(replace_line(MINIMAL, 98, f"    drivs_av: [{refs}]"), encoding="utf-8")
    completed = run_script("scripts/validate.py", str(path), "--today", TODAY.isoformat())
    assert completed.returncode == 1
    lines = completed.stdout.splitlines()
    assert len(lines) == 201 and lines[-1].startswith("… och 300 problem till")
    assert "500 problem hittades" in completed.stderr


def test_more_values_than_any_catalogue_are_refused_at_once(tmp_path):
    path = tmp_path / "stor.yaml"
    path.write_text(replace_line(MINIMAL, 98, "    drivs_av: [" + ",".join(["k"] * (MAX_NODES + 1)) + "]"),
                    encoding="utf-8")
    completed = run_script("scripts/validate.py", str(path), "--today", TODAY.isoformat(), timeout=120)
    assert completed.returncode == 1
    assert f"fler än {MAX_NODES:,} värden".replace(",", " ") in completed.stdout
    assert len(completed.stdout.splitlines()) == 1


@pytest.mark.parametrize("kind", ["device", "fifo", "directory"])
def test_files_that_are_not_files_are_refused_in_swedish(tmp_path, kind):
    if kind == "device":
        path = "/dev/zero"
    elif kind == "fifo":
        path = str(tmp_path / "ror")
        os.mkfifo(path)  # opening it for reading would wait for a writer forever
    else:
        path = str(tmp_path)
    for script in ("scripts/validate.py", "scripts/check_freshness.py", "scripts/guide.py"):
        completed = run_script(script, path, "--today", TODAY.isoformat(), timeout=30)
        output = completed.stdout + completed.stderr
        assert completed.returncode == 2 and "Traceback" not in output, (script, output)
        assert ("mapp" if kind == "directory" else "ingen vanlig fil") in output, (script, output)
        assert "directory" not in output.lower()
    assert not kind == "fifo" or stat.S_ISFIFO(os.stat(path).st_mode)


@pytest.mark.parametrize("value", ["20260101", "9999-12-31", "1899-01-01", "2026-02-30", "2026-11-23\n", "igår"])
def test_today_is_a_plausible_calendar_date(value):
    for script in ("scripts/validate.py", "scripts/check_freshness.py", "scripts/guide.py"):
        completed = run_script(script, "--today", value)
        assert completed.returncode == 2 and "ogiltigt datum" in completed.stderr, (script, completed.stderr)
        assert "Traceback" not in completed.stderr


def test_build_refuses_an_implausible_today(tmp_path):
    completed = run_script("-m", "mkdocs", "build", "--site-dir", str(tmp_path / "site"),
                           env={"INSATSGUIDEN_TODAY": "9999-12-31", "INSATSGUIDEN_PAGEFIND": "0"}, timeout=120)
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0
    assert "INSATSGUIDEN_TODAY: ogiltigt datum '9999-12-31'" in output
    assert "Traceback" not in output


def test_published_files_carry_no_absolute_path(tmp_path, monkeypatch):
    outside = tmp_path / "utanfor" / "data.yaml"
    outside.parent.mkdir()
    outside.write_text(MINIMAL, encoding="utf-8")
    site = tmp_path / "site"
    build_in_process(outside, site, monkeypatch)
    report = json.loads((site / "granskning.json").read_text(encoding="utf-8"))
    assert report["fil"] == "data.yaml"
    for published in site.rglob("*"):
        if published.is_file() and published.suffix in (".html", ".json", ".xml", ".txt", ".js"):
            assert str(tmp_path) not in published.read_text(encoding="utf-8", errors="replace"), published


# --- 7. the guide on the command line takes only what it can answer ----------------

@pytest.mark.parametrize("args,words", [
    (["--alder", "-1"], "okänt svar '-1' på frågan 'alder'. Tillåtna värden: ett heltal 0–120"),
    (["--alder", "999"], "okänt svar '999' på frågan 'alder'"),
    (["--alder", "tjugo"], "okänt svar 'tjugo' på frågan 'alder'"),
    (["--forsorjning", "forsorjningstod"], "okänt svar 'forsorjningstod' på frågan 'forsorjning'"),
    (["--remittent", "constructor"], "okänt svar 'constructor' på frågan 'remittent'"),
    (["--kontakter", "__proto__"], "okänt svar '__proto__' på frågan 'kontakter'"),
    (["--kommun", "ludvka"], "okänt svar 'ludvka' på frågan 'kommun'. Tillåtna värden: "),
    (["--behov", "toString"], "okänt svar 'toString' på frågan 'behov'"),
    (["--svar", "constructor=ja"], "okänd fråga 'constructor'"),
    (["--svar", "__proto__=ja"], "okänd fråga '__proto__'"),
])
def test_guide_refuses_answers_it_does_not_know(args, words):
    completed = run_script("scripts/guide.py", *args, "--today", TODAY.isoformat())
    assert completed.returncode == 2 and words in completed.stderr, completed.stderr
    assert "Tillåtna värden" in completed.stderr or "Tillåtna frågor" in completed.stderr


# --- the fuzzer: any value in any text field, through validate → build ---------------

TEXT_FIELDS = sorted({pattern for pattern in rules.fields_of("kort_text", "text")})
MINIMAL_LINES = MINIMAL.split("\n")


def _text_lines() -> list[int]:
    """Lines of the minimal example holding a scalar text value of a text field (not ids, enums or dates)."""
    data = yaml.compose(MINIMAL)
    found = []

    def walk(node, path):
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, path + (key.value,))
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item, path + ("*",))
        elif isinstance(node, yaml.ScalarNode) and path in TEXT_FIELDS and node.start_mark.line == node.end_mark.line:
            found.append(node.start_mark.line + 1)

    walk(data, ())
    return sorted(set(found))


TEXT_LINES = _text_lines()
# Pieces a value is made of: HTML, YAML escapes (decoded by the parser), controls, invisibles, Markdown.
PIECES = ["<", ">", "</", "<img src=x onerror=alert(1) ", "<meta http-equiv=refresh content=0;url=https://e.x/ ",
          "<style ", "</title>", "<!--", "<?", "<script>", "&lt;", "&#60;", "&amp;", '"', "'", "`", "=", "{{ 7*7 }}",
          "{: onclick=alert(1) }", "[a](javascript:alert(1))", "[b](https://ok.se)", "**c**", "\\e", "\\0", "\\x1b",
          "\\u202e", "\\u200b", "\\u00a0", "\\n", "\\t", "\\N", "\\L", "\\P", "\\_", "\\f", "\\r", "\\u2028", "]]>",
          "\\\\", "\u00e5\u00e4\u00f6", "x", " ", "2099-01-15", "0701234567", "%"]
VALUE = st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join)
BUILD = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
_outcomes = {"rejected": 0, "built": 0}


@BUILD
@given(line=st.sampled_from(TEXT_LINES), value=VALUE)
def test_any_value_in_any_text_field_is_rejected_at_its_place_or_built_as_text(line, value, tmp_path_factory,
                                                                                baseline_pairs):
    original = MINIMAL_LINES[line - 1]
    key = original.split(":", 1)[0]
    text = replace_line(MINIMAL, line, f'{key}: "{value}"')
    result = validate_text(text, "fuzz.yaml", TODAY)
    if not result.ok:
        _outcomes["rejected"] += 1
        for problem in result.problems:
            shown = problem.text()
            assert "\n" not in shown and "\x1b" not in shown and PROBLEM_LINE.match(shown), shown
            assert 1 <= problem.line <= len(MINIMAL_LINES) + 1 and problem.col >= 1
        return
    _outcomes["built"] += 1
    site = tmp_path_factory.mktemp("fuzz")
    data = site.parent / f"{site.name}.yaml"
    data.write_text(text, encoding="utf-8")
    monkeypatch = pytest.MonkeyPatch()
    try:
        build_in_process(data, site, monkeypatch)
    finally:
        monkeypatch.undo()
    for page in site.rglob("*.html"):
        found = structure(page)
        assert not found.refresh, (page, value)
        assert not (found.pairs - baseline_pairs - MARKDOWN_PAIRS), (page, value, found.pairs - baseline_pairs)


def test_the_fuzzer_reached_both_outcomes():
    # Runs after the fuzzer in file order; with derandomize=True the split is the same every run.
    assert _outcomes["rejected"] > 0 and _outcomes["built"] > 0, _outcomes


# --- one set of exit codes for every tool (issue 10) --------------------------------

TOOLS = {
    "scripts/validate.py": [],
    "scripts/check_freshness.py": [],
    "scripts/guide.py": [],
    "scripts/diff_data.py": ["--old", str(FIXTURES / "valid" / "minimal.yaml")],
    "scripts/new_insats.py": ["--utan-fragor", "--namn", "X", "--typ", "ordinarie", "--syfte", "Y"],
}


@pytest.mark.parametrize("script", sorted(TOOLS))
def test_every_tool_exits_1_for_bad_data_and_2_for_an_unreadable_file(script, tmp_path):
    extra = TOOLS[script]
    bad = run_script(script, *extra, str(FIXTURES / "invalid" / "bad_enum.yaml"), "--today", TODAY.isoformat())
    assert bad.returncode == 1, (bad.stdout, bad.stderr)
    assert "bad_enum.yaml:64:15: " in bad.stdout + bad.stderr
    missing = run_script(script, *extra, str(tmp_path / "finns-inte.yaml"), "--today", TODAY.isoformat())
    assert missing.returncode == 2 and "finns-inte.yaml:1:1: Filen finns inte" in missing.stdout + missing.stderr
    usage = run_script(script, "--okand-flagga")
    assert usage.returncode == 2


# --- found by the adversarial review of this work ---------------------------------------

def test_file_names_cannot_forge_lines(tmp_path):
    name = tmp_path / "ond\x1b[31mRÖD\nFEJK:1:1: allt OK.yaml"
    name.write_text(MINIMAL, encoding="utf-8")
    for script, extra in (("scripts/validate.py", []), ("scripts/check_freshness.py", []),
                          ("scripts/check_freshness.py", ["--format", "markdown"])):
        completed = run_script(script, str(name), "--today", TODAY.isoformat(), *extra)
        output = completed.stdout + completed.stderr
        assert "\x1b" not in output and "\nFEJK" not in output, (script, output)
        assert "\\x1b" in output and "\\n" in output


def test_review_report_in_markdown_carries_no_links_images_or_mentions(tmp_path):
    text = replace_line(MINIMAL, 49, '    namn: "[Klicka här](https://evil.example) @octocat ![x](https://evil.example/p.png)"')
    path = tmp_path / "data.yaml"
    path.write_text(text, encoding="utf-8")
    completed = run_script("scripts/check_freshness.py", str(path), "--today", TODAY.isoformat(), "--format", "markdown")
    assert "\\[Klicka här\\](https://evil.example)" in completed.stdout
    assert "\\@octocat" in completed.stdout and "\\!\\[x\\]" in completed.stdout
    assert "](https://evil.example)" not in completed.stdout.replace("\\](", "")


def test_usage_errors_are_in_swedish():
    for args, words in ((["--format", "xml"], "ogiltigt val: 'xml' (välj bland"),
                        (["--okand"], "okända argument: --okand")):
        completed = run_script("scripts/validate.py", *args)
        assert completed.returncode == 2 and words in completed.stderr, completed.stderr
        assert "Användning: validate.py" in completed.stderr and "usage:" not in completed.stderr
    completed = run_script("scripts/check_freshness.py", "--warn-days", "abc")
    assert "ogiltigt heltal: 'abc'" in completed.stderr and "invalid" not in completed.stderr


def test_long_lists_of_allowed_values_are_shortened_and_suggestions_bounded():
    from insatsguiden.model.schema import MAX_SUGGESTION_CANDIDATES, listing, suggest

    ids = [f"kommun-{number}" for number in range(MAX_SUGGESTION_CANDIDATES * 4)]
    assert suggest("kommun-12x", ids) == ""  # too many look-alikes to compare: no guess
    assert suggest("ludvka", ["ludvika", "smedjebacken"]) == " Menade du 'ludvika'?"
    assert listing(ids) .endswith(f"… ({len(ids) - 20} till)") and listing(["a", "b"]) == "a, b"


def test_positions_after_a_million_empty_lines(tmp_path):
    path = tmp_path / "tomma.yaml"
    path.write_bytes(b"\n" * 1_000_000 + b"\r\n" * 10 + b"x\x01")
    completed = run_script("scripts/validate.py", str(path), "--today", TODAY.isoformat())
    assert completed.returncode == 1
    assert completed.stdout.startswith(f"{path}:1000011:2: Filen innehåller ett otillåtet styrtecken (U+0001)")
