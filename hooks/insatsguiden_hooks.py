"""MkDocs adapter for the insatsguiden package.

Loads and validates the data once per build (on_config), adds the generated
pages in memory (on_files; nothing is written into docs/), and gives them the
package's own HTML in place of MkDocs' Markdown step (on_pre_page), so data
text never meets the Markdown extensions configured in mkdocs.yml. The theme around
generated pages is rendered once per shape and filled in for each page (insatsguiden_theme.py). Only the
overview pages are in the nav: mkdocs-material renders the nav into every
page, and thousands of generated entries would make the build quadratic.
Handlers take MkDocs' arguments keyword-only, as mkdocs-material's own hooks do.

`mkdocs build` spreads the work over the machine's cores (ARCHITECTURE.md, "One build,
three processes"): a second Python process loads the data while this one validates it,
renders pages from the end of the list and writes the open data; Pagefind's service indexes each page's
content as it is made.
"""
from __future__ import annotations

import atexit
import datetime as dt
import functools
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import escape
from mkdocs.exceptions import Abort
from mkdocs.structure.files import File
from mkdocs.structure.toc import get_toc

from insatsguiden import DEFAULT_DATA
from insatsguiden.model.dates import today_from_text
from insatsguiden.model.problems import format_problems, summary
from insatsguiden.model.reader import display_path, published_path
from insatsguiden.model.schema import schema_bytes
from insatsguiden.model.validate import validate_file
from insatsguiden.site import charts, collector
from insatsguiden.site.csp import add_meta, allow_injected_script, headers_file
from insatsguiden.site.publish import InBackground, Request
from insatsguiden.site.render import (Page, RenderedPage, Site, published_site_url, relative, render_page,
                                      site_pages, static_files, table_of_contents)
from insatsguiden.site import sharing
from insatsguiden.site.sharing import BUILD, HELPER, Claims
from insatsguiden.site.search_index import SearchIndex
from insatsguiden.tools.history import data_history

# Beside this file (MkDocs puts a hook's folder on the path while it loads the hook).
from insatsguiden_theme import GENERATED_TEMPLATE, Once, ThemeShells


@dataclass
class Build:
    """What one build knows: the site's data, its generated pages, the script hashes its pages allow."""
    site: Site
    pages: dict[str, Page]
    script_hashes: set[str] = field(default_factory=set)
    writer: InBackground | None = None         # the process writing it, under `mkdocs build`
    search: SearchIndex | None = None          # Pagefind, fed each page as it is rendered
    claims: Claims | None = None               # which pages the writer process renders (site/sharing.py)
    order: dict[str, int] = field(default_factory=dict)  # each generated page's place in site_pages()
    shared: int = 0                            # pages the writer process rendered
    nav_urls: tuple[str, ...] = ()             # the addresses of the pages in the nav
    shells: ThemeShells | None = None             # the theme around generated pages, rendered once per shape
    chart_cache: Path | None = None            # where drawn charts are kept between builds


_build: Build | None = None  # the build in progress, made anew by on_config
log = logging.getLogger("mkdocs.hooks.insatsguiden")
_command: str | None = None  # "build", "serve" or "gh-deploy" from the command line (on_startup); None in-process
_serving = False  # on_serve has run: this process rebuilds (`mkdocs serve --clean` also says "build")


def on_startup(*, command, **_):
    global _command
    _command = command


def _today() -> dt.date:
    # The build's "today" is chosen here, at the edge, and passed inward.
    value = os.environ.get("INSATSGUIDEN_TODAY")
    try:
        return today_from_text(value) if value else dt.date.today()
    except ValueError as error:
        raise Abort(f"INSATSGUIDEN_TODAY: {error}.") from None


def _builds_once() -> bool:
    """`mkdocs build`: this process builds the site once and ends. `mkdocs serve --clean` starts the same
    way, then serves and rebuilds (on_serve), and in-process builds (tests) are not the command line's."""
    return _command == "build" and not _serving


def on_config(config, **_):
    global _build
    if _builds_once():  # one build, then the process ends (site/collector.py)
        collector.hold()
    data_path = Path(os.environ.get("INSATSGUIDEN_DATA") or DEFAULT_DATA)
    today = _today()
    # Where the data is edited: the CI's own repository, else mkdocs.yml's extra.github_repository.
    repository = os.environ.get("GITHUB_REPOSITORY") or config.extra.get("github_repository") or None
    # The change feed reads the data file's git history here, at the edge (None without git).
    history = data_history(data_path)
    # Given a public address in mkdocs.yml (site_url), the calendars' events link to it.
    site_url = published_site_url(config.site_url)
    # Published files (granskning.json) name the data file relative to the repository only.
    # Under `mkdocs build` a second process starts validating now, beside this one, then renders pages
    # from the end of the list while this one renders from the start, and makes the open data
    # (site/publish.py, site/sharing.py). `mkdocs serve` and builds run from Python (tests that change
    # the validator in this process) do all of it here.
    share = tempfile.mkdtemp(prefix="insatsguiden-sidor-") if _command == "build" and sharing.available() else None
    if share:
        atexit.register(shutil.rmtree, share, True)  # also after Ctrl-C
    cache = _chart_cache(config)
    request = Request(str(data_path), display_path(str(data_path)), published_path(data_path), today, repository,
                      history, site_url, config.site_dir, share, str(cache) if cache else None)
    writer = InBackground(request) if share else None
    result = validate_file(data_path, today, display_name=request.display_name)
    if not result.ok:
        if writer is not None:
            writer.stop()
            shutil.rmtree(share, ignore_errors=True)
        raise Abort("Datafilen har fel och sajten byggs inte:\n"
                    + format_problems(result.problems, more=result.more) + "\n" + summary(result.problems, result.more))
    result.catalogue.filename = request.published_name
    site = Site.build(result.catalogue, today, repository, history)
    site.site_url = site_url
    site.data_digest = result.digest
    pages = site_pages(result.catalogue)
    _build = Build(site, {page.src_uri: page for page in pages}, writer=writer, chart_cache=cache)
    if share:
        _build.claims = Claims.create(share, [page.src_uri for page in pages], result.digest)
        _build.order = {page.src_uri: index for index, page in enumerate(pages)}
    # A static page ages: say which day its review states were computed for.
    config.copyright = f"Uppgifterna kontrollerades mot datum {today.isoformat()} när sidorna byggdes."
    config.watch.append(str(data_path))
    if os.environ.get("INSATSGUIDEN_PAGEFIND") != "0":  # "0": a quick preview or a benchmark without the index
        try:
            _build.search = SearchIndex()
        except (OSError, RuntimeError) as error:
            if _build.writer is not None:
                _build.writer.stop()
            raise Abort(f"Sökindexet (Pagefind) kunde inte startas: {error}") from None
    if _builds_once():  # the catalogue and the site live to the end: never examined again
        collector.settle()
    return config


def on_files(files, *, config, **_):
    for src_uri in _build.pages:
        files.append(File.generated(config, src_uri, content="<!-- genereras av insatsguiden -->\n"))
    # The open data feeds no page: under `mkdocs build` a second process (started in on_config) produces
    # it while the pages render and writes it now that the site folder is ready (site/publish.py).
    if _build.writer is None:
        for src_uri, content in static_files(_build.site, schema_bytes()).items():
            files.append(File.generated(config, src_uri, content=content))
    # The charts the pages show are drawn now (in worker processes when there are many), unless the cache
    # folder of earlier builds has them. With a cache folder, the second process publishes them from it
    # (checked), and the pages rendered here take each chart's size from its file there.
    if _build.writer is not None and _build.chart_cache is not None:
        charts.cache_all(charts.site_charts(_build.site.catalogue), _build.chart_cache)
        charts.sizes_from(_build.chart_cache)
    else:
        charts.sizes_from(None)
        for src_uri, content in charts.files(_build.site, cache=_build.chart_cache).items():
            files.append(File.generated(config, src_uri, content=content))
    if _build.writer is not None:  # MkDocs has emptied the site folder by now, and the cache has every chart
        _build.writer.write(_build.site.data_digest)
    return files


def _chart_cache(config) -> Path | None:
    """.cache/insatsguiden beside mkdocs.yml, or INSATSGUIDEN_CACHE (a folder, or 0 for none)."""
    chosen = os.environ.get("INSATSGUIDEN_CACHE")
    if chosen == "0":
        return None
    base = Path(chosen) if chosen else Path(config.config_file_path).parent / ".cache" / "insatsguiden"
    return charts.cache_folder(base)


def on_nav(nav, **_):
    _build.nav_urls = tuple(page.url for page in nav.pages)
    return nav


def nav_key(page) -> tuple[str, ...] | None:
    """For overrides/main.html: for a page outside the nav, the relative links from it to every page in the
    nav. Its primary navigation (nothing active) is the same on every page with the same links, such as
    every page at the same depth outside the nav's folders. None for pages whose navigation may differ."""
    address = getattr(page, "url", None)  # the 404 page has none
    if not isinstance(address, str) or not address.endswith("/") or any(url.startswith(address) for url in _build.nav_urls):
        return None  # in the nav (its entry is active), or the nav links into it
    return tuple(relative(address, url) for url in _build.nav_urls)


def on_env(env, *, config, **_):
    if _build.claims is not None:  # every page's content is known; the folder goes once the process is done
        log.info(f"Den andra processen renderade {_build.shared} av {len(_build.pages)} genererade sidor.")
    env.globals["ig_nav_key"] = nav_key
    env.globals["ig_once"] = Once()  # anew for every build
    # INSATSGUIDEN_SHELL=0: every generated page through the whole theme (the same site, slower; for comparing).
    _build.shells = ThemeShells(env, nav_key, enabled=os.environ.get("INSATSGUIDEN_SHELL") != "0")
    env.globals["ig_generated_page"] = _build.shells
    if _build.search is not None:  # every page's content is in: the index is written while the theme works
        _build.search.write(config.site_dir)
    return env


def on_pre_page(page, **_):
    generated = _build.pages.get(page.file.src_uri)
    if generated is not None:
        # The package renders this page, so MkDocs' Markdown step is skipped for it: Page.render would make
        # a Markdown converter with every extension in mkdocs.yml for each of thousands of empty stubs.
        page.render = functools.partial(_render_generated, page, generated)
    return page


def _render_generated(page, generated: Page, config, files) -> None:
    """Page.render for a generated page: its HTML from the package (data text never meets Markdown)."""
    rendered = _rendered(generated)
    page.content = rendered.html
    page.toc = get_toc(rendered.toc)
    page.present_anchor_ids = set(_ANCHOR.findall(rendered.html))  # for MkDocs' check of links to anchors


_ANCHOR = re.compile(r'\sid="([^"]+)"')


def on_page_markdown(markdown, *, page, **_):
    generated = _build.pages.get(page.file.src_uri)
    if generated is not None:
        # The theme prints titles as HTML (MkDocs' convention): give it escaped text.
        page.meta["title"] = str(escape(generated.title))
        page.meta["template"] = GENERATED_TEMPLATE  # the theme's main.html, rendered once per shape
    return markdown


def on_page_content(html, *, page, config, **_):
    generated = _build.pages.get(page.file.src_uri)
    if _build.search is not None and (generated is None or generated.indexed):
        # Final here: Pagefind indexes it meanwhile. The theme's article gets the title as an h1 when the
        # content has none (mkdocs-material's partials/content.html), so the indexed article does too.
        article = html if "<h1" in html else f"<h1>{page.title or config.site_name}</h1>{html}"
        _build.search.add_content(page.file.dest_uri, article)
    return html


def _rendered(generated: Page) -> RenderedPage:
    """The page rendered here, or by the writer process if it claimed the page first."""
    claims = _build.claims
    index = _build.order.get(generated.src_uri)
    if claims is not None and claims.claim(index, BUILD) == HELPER:
        html = claims.take(index, _build.writer.alive)
        if html is not None:
            _build.shared += 1
            return RenderedPage(html, table_of_contents(html))
    return render_page(generated, _build.site)


def _end_sharing() -> None:
    if _build is not None and _build.claims is not None:
        _build.claims.close()
        shutil.rmtree(_build.claims.folder, ignore_errors=True)
        _build.claims = None


def _with_policy(html: str) -> str:
    # Built and served pages alike; under `mkdocs serve`, on_serve allows the live-reload script.
    html, hashes = add_meta(html)
    _build.script_hashes.update(hashes)
    return html


def on_post_page(output, *, page, **_):
    return _with_policy(output)


def on_post_template(output_content, *, template_name, **_):
    return _with_policy(output_content) if template_name.endswith(".html") else output_content


def on_serve(server, **_):
    global _serving
    # `mkdocs serve --clean` built the first time as `mkdocs build` does: this process goes on, so it
    # collects its garbage from now on, and its first catalogue can be freed.
    _serving = True
    collector.release()
    # A preview gets the published site's policy; MkDocs' live-reload script is allowed by its hash.
    inject = getattr(server, "_inject_js_into_html", None)
    if not callable(inject):
        raise Abort("mkdocs serve: MkDocs saknar LiveReloadServer._inject_js_into_html, som "
                    "live reload under sidornas Content-Security-Policy bygger på. "
                    "Installera den MkDocs-version som requirements.txt anger (mkdocs==1.6.1).")
    server._inject_js_into_html = allow_injected_script(inject)
    return server


def on_build_error(**_):
    _end_sharing()
    if _build is not None and _build.writer is not None:
        _build.writer.stop()
    if _build is not None and _build.search is not None:
        _build.search.close()


def on_post_build(*, config, **_):
    if _builds_once():  # what the build made lives to the end of the process; what follows is collected
        collector.settle()
        collector.resume()
    if _build.shells is not None and _build.shells.filled:
        log.info(f"Temat: {_build.shells.filled} genererade sidor fylldes i från {_build.shells.made} förrenderade "
                 f"skal, {_build.shells.whole} renderades helt.")
    if _build.writer is not None:
        problem = _build.writer.wait()
        _end_sharing()
        if problem:
            raise Abort("De öppna data (api/, hsds/, csv/, kalender/, andringar/) kunde inte skrivas:\n" + problem)
    # The same policy as a header, for hosts that read a _headers file.
    Path(config.site_dir, "_headers").write_text(headers_file(_build.script_hashes), encoding="utf-8")
    if _build.search is not None:
        problem = _build.search.finish(config.site_dir)
        if problem:
            raise Abort("Sökindexet (Pagefind) kunde inte byggas:\n" + problem)
