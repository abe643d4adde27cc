"""The work a build hands to other processes (issue 12's build time): the open data written by a
spawned process (site/publish.py) and the Pagefind index fed page by page (site/search_index.py).

Each gives the same files as doing the work in the build's own process: the open data byte for
byte, the search index page for page (the index chunks are numbered in the order pages arrive,
so those are compared by what they hold, not byte for byte). A failure in the other process
stops the build with a Swedish message, never a half-written site that looks whole.
"""
from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import TODAY, build_site
from insatsguiden import DEFAULT_DATA
from insatsguiden.model.schema import schema_bytes
from insatsguiden.model.validate import validate_file
from insatsguiden.site.publish import InBackground, Request, write_files
from insatsguiden.site.render import Site, static_files
from insatsguiden.site.search_index import SearchIndex, build_index


def _request(data: Path, site_dir: Path, published: str = "data/insatser.yaml") -> Request:
    return Request(str(data), data.name, published, TODAY, "forbund/insatsguiden", None,
                   "https://insatsguiden.example.se/", str(site_dir))


def _tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def test_the_spawned_process_writes_the_same_open_data_as_the_build_itself(tmp_path):
    result = validate_file(DEFAULT_DATA, TODAY)
    result.catalogue.filename = "data/insatser.yaml"
    site = Site.build(result.catalogue, TODAY, "forbund/insatsguiden", None)
    site.site_url = "https://insatsguiden.example.se/"
    expected = static_files(site, schema_bytes())
    assert {"api/v1/index.json", "hsds/services.json", "csv/insatser.csv", "kalender/alla.ics",
            "andringar/feed.xml", "granskning.json"} <= expected.keys()

    in_process, spawned = tmp_path / "i", tmp_path / "s"
    write_files(expected, in_process)
    writer = InBackground(_request(DEFAULT_DATA, spawned))
    writer.write(result.digest)
    assert writer.wait() is None
    assert _tree(spawned) == _tree(in_process)


def test_a_failure_in_the_spawned_process_is_reported_not_swallowed(tmp_path):
    # The data file changed between the build's validation and the child's: the child says so.
    broken = tmp_path / "insatser.yaml"
    broken.write_text("insatser: [\n", encoding="utf-8")
    writer = InBackground(_request(broken, tmp_path / "site"))
    writer.write(None)
    problem = writer.wait()
    assert problem and "ändrades under bygget" in problem
    assert not (tmp_path / "site" / "api").exists()


def test_data_replaced_after_the_second_process_read_it_stops_the_build(tmp_path):
    # Still valid, but not the bytes the build validated: nothing is written, and the build hears why.
    writer = InBackground(_request(DEFAULT_DATA, tmp_path / "site"))
    writer.write("0" * 64)  # the digest of other bytes
    problem = writer.wait()
    assert problem and "ändrades under bygget" in problem
    assert not (tmp_path / "site").exists()


def test_nothing_is_written_before_the_site_folder_is_ready_and_a_stopped_writer_says_so(tmp_path):
    writer = InBackground(_request(DEFAULT_DATA, tmp_path / "site"))
    with pytest.raises(subprocess.TimeoutExpired):  # it produces everything, then waits for write()
        writer._process.wait(timeout=15)
    assert not (tmp_path / "site").exists()
    writer.stop()
    assert writer.wait() and not (tmp_path / "site").exists()


def _fragments(pagefind: Path) -> dict[str, dict]:
    found = {}
    for path in (pagefind / "fragment").glob("*.pf_fragment"):
        raw = gzip.decompress(path.read_bytes())
        assert raw.startswith(b"pagefind_dcd")
        document = json.loads(raw[len(b"pagefind_dcd"):])
        found[document["url"]] = document
    return found


def test_the_index_fed_page_by_page_holds_what_the_command_line_finds(built_site, tmp_path):
    # Pagefind's command line on the finished pages, against the index the build fed with each page's article.
    copy = tmp_path / "site"
    shutil.copytree(built_site, copy, ignore=shutil.ignore_patterns("pagefind"))
    assert build_index(str(copy)) is None
    streamed, whole = _fragments(built_site / "pagefind"), _fragments(copy / "pagefind")
    # The same pages with the same text, headings, anchors and titles; only the 404 page is left out.
    assert "/404.html" in whole and "/404.html" not in streamed
    del whole["/404.html"]
    assert streamed and streamed == whole
    assert any(url.startswith("/insatser/") for url in streamed)
    entry = json.loads((built_site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert set(entry["languages"]) == {"sv"}
    assert entry["languages"]["sv"]["page_count"] == len(streamed)


def test_pagefind_refusing_a_page_is_reported(tmp_path):
    index = SearchIndex()
    index.add("ok/index.html", '<html lang="sv"><body><article><h1>Hej</h1><p>Text</p></article></body></html>')
    index._send({"type": "AddFile", "index_id": index._index + 99, "file_path": "x/index.html", "url": None,
                 "file_contents": "<html></html>"})  # an index the service does not have
    problem = index.finish(str(tmp_path))
    assert problem and "Pagefind" in problem


@pytest.mark.parametrize("charts_too", [False, True], ids=["utan-diagram", "diagram-i-cachen"])
def test_pages_rendered_by_the_second_process_are_the_pages_the_build_would_render(tmp_path, charts_too):
    # A synthetic catalogue large enough that both processes render pages (site/sharing.py). Without
    # indicators the second process may take any page; with them, built twice over one chart cache, it
    # takes the pages whose charts are in the cache. Every generated page, rendered here in one process,
    # must stand in the built page as it is, whichever process rendered it there.
    import copy

    import yaml

    from insatsguiden.site import charts
    from insatsguiden.site.render import render_page, site_pages
    from insatsguiden.tools.synthetic import _NoAliasDumper, catalogue

    data = copy.deepcopy(catalogue(150))
    if not charts_too:
        for insats in data["insatser"]:
            insats.pop("indikatorer", None)
    data_file = tmp_path / "insatser.yaml"
    data_file.write_text(yaml.dump(data, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False, width=100),
                         encoding="utf-8")
    site_dir, cache = tmp_path / "site", tmp_path / "cache"
    for _ in range(2 if charts_too else 1):
        completed = build_site(data_file, site_dir, INSATSGUIDEN_PAGEFIND="0", GITHUB_REPOSITORY="forbund/insatsguiden",
                               INSATSGUIDEN_CACHE=str(cache))
    shared = re.search(r"Den andra processen renderade (\d+) av (\d+) genererade sidor", completed.stderr)
    assert shared, completed.stderr[-2000:]
    result = validate_file(data_file, TODAY)
    site = Site.build(result.catalogue, TODAY, "forbund/insatsguiden", None)
    pages = site_pages(result.catalogue)
    assert int(shared[2]) == len(pages) and 0 < int(shared[1]) < len(pages)
    if charts_too:
        every = charts.site_charts(result.catalogue)
        charts.load_cached(every, charts.cache_folder(cache))
        assert all(made.key in charts._SVG for made in every)  # the second build found them all in the cache
        # The second process published them from the cache folder: every chart a page shows, as drawn.
        for made in every:
            assert (site_dir / made.path).read_text(encoding="utf-8") == charts.svg(made), made.path
    for page in pages:
        built = (site_dir / page.url / "index.html").read_text(encoding="utf-8")
        assert render_page(page, site).html in built, page.url


def test_each_page_is_claimed_once_and_a_helper_with_another_list_renders_nothing(tmp_path):
    from insatsguiden.site.sharing import BUILD, HELPER, Claims

    uris = [f"insatser/i{n}.md" for n in range(50)]
    build = Claims.create(tmp_path, uris, "a" * 64)
    helper = Claims.join(tmp_path, uris, "a" * 64, patience=1)
    assert Claims.join(tmp_path, uris[:-1], "a" * 64, patience=1) is None  # another list of pages
    assert Claims.join(tmp_path, uris, "b" * 64, patience=1) is None  # another version of the data
    assert build.claim(0, BUILD) == BUILD and helper.claim(0, HELPER) == BUILD
    assert helper.claim(49, HELPER) == HELPER and build.claim(49, BUILD) == HELPER
    # A page the helper claimed but never delivered (it ended): the build renders it itself.
    assert build.take(49, helper_alive=lambda: False) is None
    helper.put(48, "<p>klar</p>")
    assert helper.claim(48, HELPER) == HELPER and build.take(48, helper_alive=lambda: False) == "<p>klar</p>"
    build.close(), helper.close()


def test_charts_are_published_with_and_without_the_cache_folder_and_a_tampered_one_is_drawn_anew(tmp_path):
    # With a cache folder the second process publishes the charts from it (checked as it reads them);
    # without one (INSATSGUIDEN_CACHE=0) the build publishes what it drew itself.
    from insatsguiden.site import charts

    catalogue = validate_file(DEFAULT_DATA, TODAY).catalogue
    every = charts.site_charts(catalogue)
    assert every
    cache = tmp_path / "cache"
    folder = charts.cache_folder(cache)

    def build(site_dir: Path, chosen: str) -> dict[str, str]:
        build_site(DEFAULT_DATA, site_dir, INSATSGUIDEN_PAGEFIND="0", INSATSGUIDEN_CACHE=chosen)
        return {made.path: (site_dir / made.path).read_text(encoding="utf-8") for made in every}

    without = build(tmp_path / "utan", "0")
    assert not cache.exists()
    first = build(tmp_path / "forsta", str(cache))
    assert first == without and all(charts.unsafe_svg(text) is None for text in first.values())
    victim = folder / f"{every[0].key}.svg"
    victim.write_text(first[every[0].path].replace("<rect ", '<rect onload="alert(1)" ', 1), encoding="utf-8")
    assert build(tmp_path / "andra", str(cache)) == without
    assert victim.read_text(encoding="utf-8") == without[every[0].path]  # and the cache file is replaced



@pytest.mark.parametrize("command", ["serve", "build"], ids=["serve", "serve --clean"])
def test_a_build_in_a_long_lived_process_leaves_the_collector_as_it_was(command, tmp_path, monkeypatch):
    # Only `mkdocs build`'s processes freeze what they hold and stop collecting (site/collector.py):
    # `mkdocs serve` rebuilds in one process, where frozen catalogues would never be freed. `serve --clean`
    # tells the hook "build" (MkDocs 1.6), builds once like `mkdocs build`, then serves: the hook gives the
    # collector back once it serves, and rebuilds leave it alone.
    import gc

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from conftest import ROOT

    class Server:
        def _inject_js_into_html(self, content, epoch):
            return content

    monkeypatch.setenv("INSATSGUIDEN_DATA", str(DEFAULT_DATA))
    monkeypatch.setenv("INSATSGUIDEN_TODAY", TODAY.isoformat())
    monkeypatch.setenv("INSATSGUIDEN_PAGEFIND", "0")
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.chdir(ROOT)
    frozen = gc.get_freeze_count()
    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    hook = next(iter(config.plugins.values()))
    config.plugins.on_startup(command=command, dirty=False)
    try:
        build(config)  # the first build, as serve makes it before it serves
        config.plugins.on_serve(Server(), config=config, builder=None)
        assert gc.isenabled() and gc.get_freeze_count() == frozen
        build(load_config(str(ROOT / "mkdocs.yml"), site_dir=str(tmp_path / "site")))  # a rebuild
        assert gc.isenabled() and gc.get_freeze_count() == frozen
    finally:
        hook._command, hook._serving = None, False
        gc.unfreeze()
        gc.enable()
    assert (tmp_path / "site" / "index.html").is_file()


def test_an_ignored_element_is_cut_out_whole_before_pagefind_reads_the_article():
    from insatsguiden.site.search_index import without_ignored

    ignored = 'data-pagefind-ignore="all"'
    article = (f'<h1>A</h1><div class="x" {ignored}><div><p>inne</p></div><ul><li>lista</li></ul></div><p>B</p>'
               f'<ul class="ig-insatslista" {ignored}><li><ul><li>djup</li></ul></li></ul><p>C</p>'
               f'<abbr {ignored}>ab</abbr><p>D</p>')
    assert without_ignored(article) == "<h1>A</h1><p>B</p><p>C</p><p>D</p>"
    unclosed = f"<p>A</p><div {ignored}><div>inne</div>"
    assert without_ignored(unclosed) == unclosed  # not well formed: Pagefind gets it whole and decides
    assert without_ignored("<p>data-pagefind-ignore=&quot;all&quot;</p>") == "<p>data-pagefind-ignore=&quot;all&quot;</p>"
    # A closing tag inside a comment or a script is text: such an element is left whole for Pagefind
    for inner in ("<!-- </div> -->", "<script>let s = '</div>';</script>", "<STYLE>/* </div> */</STYLE>"):
        held = f"<p>A</p><div {ignored}><p>inne</p>{inner}<p>svans</p></div><p>B</p>"
        assert without_ignored(held) == held
    cut_after = f"<p>A</p><div {ignored}><!-- x --></div><p>B</p><ul {ignored}><li>bort</li></ul><p>C</p>"
    assert without_ignored(cut_after) == f"<p>A</p><div {ignored}><!-- x --></div><p>B</p><p>C</p>"


def test_listings_of_other_records_are_searchable_only_on_the_records_own_pages(built_site, default_catalogue):
    # A need's page is found by the need, not by the insatser it lists; the guide's reasoning page by its
    # own text, not by every measure's conditions: the insats pages rank first for those.
    fragments = _fragments(built_site / "pagefind")
    checked = 0
    for need in default_catalogue.behov.values():
        text = fragments[f"/behov/{need['id']}/"]["content"]
        assert need["namn"] in text
        own = " ".join([need.get("beskrivning") or ""] + [f"{gap['namn']} {gap['beskrivning']}"
                                                         for gap in default_catalogue.unmet_for_need(need["id"])])
        for insats in default_catalogue.insatser_for_need(need["id"]):
            if insats["namn"] not in own:
                assert insats["namn"] not in text, (need["id"], insats["namn"])
                checked += 1
    assert checked
    reasoning = fragments["/vagvisare/sa-resonerar-guiden/"]
    assert "Så resonerar guiden" in reasoning["content"]
    assert not [anchor for anchor in reasoning["anchors"] if anchor["id"].startswith("villkor-")]
