"""Valid HTML: the Nu Html Checker (npm vnu-jar, run with Java) over every page of the built site."""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# Errors that come from mkdocs-material's own markup, each with the element it may
# be reported on. Everything else, on any page, fails the test.
THEME_ERRORS = [
    (
        # base.html puts autocomplete="off" on the two hidden checkboxes that open the
        # navigation drawer and the search, so that Firefox does not restore them ticked
        # after "back". The inputs sit in base.html outside every block, so no override
        # of a block or partial can reach them; only a full copy of base.html could.
        "Attribute “autocomplete” is only allowed when the input type is “color”, “date”, “datetime-local”, "
        "“email”, “hidden”, “month”, “number”, “password”, “range”, “search”, “tel”, “text”, “time”, “url”, "
        "or “week”.",
        re.compile(r'<input class="md-toggle" data-md-toggle="(?:drawer|search)" type="checkbox" '
                   r'id="__(?:drawer|search)" autocomplete="off">\Z'),
    ),
]


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        pytest.fail("Java saknas: kör bash scripts/test.sh, som installerar default-jre-headless.")
    if not VNU.exists():
        pytest.fail("vnu.jar saknas: kör bash scripts/test.sh, som installerar npm-paketen (npm ci).")
    return java


def check_html(directory: Path) -> tuple[list[dict], set[Path]]:
    """Run the checker over a directory: (error messages, the HTML files it read)."""
    completed = subprocess.run(
        [_java(), "-jar", str(VNU), "--errors-only", "--format", "json", "--skip-non-html", "--verbose", str(directory)],
        capture_output=True, text=True, timeout=300)
    # With --verbose the checker names every file it reads on stdout; the JSON goes to stderr.
    checked = {Path(line).resolve() for line in completed.stdout.splitlines() if line.strip()}
    report = json.loads(completed.stderr)
    assert completed.returncode == (1 if report["messages"] else 0), completed.stderr[-2000:]
    return report["messages"], checked


def _highlighted(message: dict) -> str:
    extract = message.get("extract", "")
    return extract[message.get("hiliteStart", 0):][:message.get("hiliteLength", len(extract))]


def _is_theme_error(message: dict) -> bool:
    return any(message.get("message") == text and element.match(_highlighted(message))
               for text, element in THEME_ERRORS)


def _describe(message: dict) -> str:
    where = message.get("url", "?").removeprefix("file:")
    return f"{where}:{message.get('lastLine', '?')}: {message.get('message')}\n    {_highlighted(message)!r}"


def test_the_whole_site_is_valid_html(built_site):
    pages = {path.resolve() for path in built_site.rglob("*.html")}
    errors, checked = check_html(built_site)
    assert checked == pages and len(pages) > 50, sorted(pages ^ checked)[:10]
    ours = [message for message in errors if not _is_theme_error(message)]
    theme = len(errors) - len(ours)
    print(f"\nNu Html Checker: {len(pages)} sidor, {len(ours)} fel i vår kod, {theme} tillåtna fel från temat")
    assert ours == [], "\n".join(_describe(message) for message in ours)


def test_the_checker_and_the_allow_list_still_catch_our_errors(tmp_path):
    """A page with our own mistakes, some resembling the theme's, is reported in full."""
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>t</title></head><body>\n'
        '<input class="md-toggle" data-md-toggle="drawer" type="checkbox" id="__drawer" autocomplete="off">\n'
        '<input type="checkbox" id="ig-val" autocomplete="off">\n'
        '<form action=""></form><h1>a</h1><h3>b</h3><label for="saknas">c</label>\n'
        '</body></html>\n', encoding="utf-8")
    errors, checked = check_html(tmp_path)
    assert checked == {(tmp_path / "index.html").resolve()}
    ours = [message for message in errors if not _is_theme_error(message)]
    assert len(errors) - len(ours) == 1  # only the theme's drawer checkbox is let through
    found = " ".join(message["message"] for message in ours)
    for words in ("autocomplete", "“action”", "skipping 1 heading level", "“for” attribute"):
        assert words in found, (words, found)
