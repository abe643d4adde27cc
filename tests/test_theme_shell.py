"""The theme around generated pages, rendered once per shape and filled in (site/shell.py and
ThemeShells in hooks/insatsguiden_theme.py), gives the same site byte for byte as rendering
every page through the whole theme; a marker the template changes refuses the shell."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, ROOT, TODAY
from insatsguiden import DEFAULT_DATA
from insatsguiden.site.shell import Shell, marker

TITLE = marker("titel&amp;  &lt;")
BODY = marker("innehåll")


def test_a_shell_is_cut_at_its_markers_and_filled_in():
    shell = Shell.split(f"<title>{TITLE} - Insatsguiden</title><h1>{TITLE}</h1>{BODY}<footer>", [TITLE, BODY])
    assert shell is not None and shell.markers() == {TITLE, BODY}
    assert shell.fill({TITLE: "A &amp; B", BODY: "<p>x</p>"}) == \
        "<title>A &amp; B - Insatsguiden</title><h1>A &amp; B</h1><p>x</p><footer>"


@pytest.mark.parametrize("changed", [
    TITLE.replace("&amp;", "&amp;amp;"),     # escaped again
    TITLE.replace("&amp;", "&"),             # unescaped (striptags)
    TITLE.replace("  ", " "),                # spaces collapsed
    TITLE[:5],                               # cut short
    TITLE.upper(),
])
def test_a_marker_the_template_changed_refuses_the_shell(changed):
    assert Shell.split(f"<title>{changed}</title><h1>{TITLE}</h1>{BODY}", [TITLE, BODY]) is None


def _hostile_data(folder: Path) -> Path:
    """Valid data whose names are what a template would escape, strip or collapse."""
    data = yaml.safe_load((FIXTURES / "valid" / "minimal.yaml").read_text(encoding="utf-8"))
    tricky = 'A &amp; < b >  "C" \'D\' {{ page.title }} {% raw %}  e\u0301 𝕏 &lt; **fet**'
    for index, insats in enumerate(data["insatser"]):
        insats["namn"] = f"{tricky} {index}"
    for organisation in data["organisationer"]:
        organisation["namn"] = tricky + " förbund"
    for agreement in data["overenskommelser"]:
        agreement["titel"] = tricky + " avtal"
    path = folder / "fientlig.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _build(data: Path, site: Path, monkeypatch, shell: bool) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    monkeypatch.setenv("INSATSGUIDEN_DATA", str(data))
    monkeypatch.setenv("INSATSGUIDEN_TODAY", TODAY.isoformat())
    monkeypatch.setenv("INSATSGUIDEN_PAGEFIND", "0")
    monkeypatch.setenv("INSATSGUIDEN_CACHE", "0")
    monkeypatch.setenv("INSATSGUIDEN_SHELL", "1" if shell else "0")
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.chdir(ROOT)
    # A public address, so every page has its own canonical link as well.
    build(load_config(str(ROOT / "mkdocs.yml"), site_dir=str(site), site_url="https://exempel.se/guide/"))


def _pages(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in site.rglob("*.html")}


@pytest.mark.parametrize("which", ["standarddata", "fientliga namn"])
def test_filled_shells_give_the_same_site_as_the_whole_theme(which, tmp_path, monkeypatch, caplog):
    data = DEFAULT_DATA if which == "standarddata" else _hostile_data(tmp_path)
    _build(data, tmp_path / "hel", monkeypatch, shell=False)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="mkdocs.hooks.insatsguiden"):
        _build(data, tmp_path / "skal", monkeypatch, shell=True)
    whole, filled = _pages(tmp_path / "hel"), _pages(tmp_path / "skal")
    assert whole.keys() == filled.keys()
    different = [name for name in whole if whole[name] != filled[name]]
    assert different == []
    # The shells were used, and none was refused: otherwise this would compare the theme with itself.
    messages = [record.getMessage() for record in caplog.records]
    used = [message for message in messages if "fylldes i från" in message]
    assert used and not used[0].startswith("Temat: 0 "), messages
    assert not [message for message in messages if "renderas helt" in message], messages
    insats_pages = [content for name, content in filled.items() if name.startswith("insatser/") and name.count("/") == 2]
    assert insats_pages and all(b'rel="canonical" href="https://exempel.se/guide/insatser/' in page for page in insats_pages)
