"""MkDocs adapter for the insatsguiden package.

Loads and validates the data once per build (on_config), adds the generated
pages in memory (on_files; nothing is written into docs/), and swaps in the
package's own HTML after MkDocs' Markdown step (on_page_content), so data
text never meets the Markdown extensions configured in mkdocs.yml. Only the
overview pages are in the nav: mkdocs-material renders the nav into every
page, and thousands of generated entries would make the build quadratic.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from markupsafe import escape  # noqa: E402
from mkdocs.exceptions import Abort  # noqa: E402
from mkdocs.structure.files import File  # noqa: E402
from mkdocs.structure.toc import get_toc  # noqa: E402

from insatsguiden import DEFAULT_DATA  # noqa: E402
from insatsguiden.model.dates import today_from_text  # noqa: E402
from insatsguiden.model.reader import display_path, published_path  # noqa: E402
from insatsguiden.model.schema import schema_bytes  # noqa: E402
from insatsguiden.site.csp import add_meta, allow_inline_scripts, headers_file  # noqa: E402
from insatsguiden.model.problems import format_problems, summary  # noqa: E402
from insatsguiden.site.render import Site, render_page, site_pages, static_files  # noqa: E402
from insatsguiden.site.search_index import build_index  # noqa: E402
from insatsguiden.model.validate import validate_file  # noqa: E402

_build: dict = {}


def _today() -> dt.date:
    # The build's "today" is chosen here, at the edge, and passed inward.
    value = os.environ.get("INSATSGUIDEN_TODAY")
    try:
        return today_from_text(value) if value else dt.date.today()
    except ValueError as error:
        raise Abort(f"INSATSGUIDEN_TODAY: {error}.") from None


def on_config(config, **_):
    data_path = Path(os.environ.get("INSATSGUIDEN_DATA") or DEFAULT_DATA)
    today = _today()
    result = validate_file(data_path, today, display_name=display_path(str(data_path)))
    if not result.ok:
        raise Abort("Datafilen har fel och sajten byggs inte:\n"
                    + format_problems(result.problems, more=result.more) + "\n" + summary(result.problems, result.more))
    # Published files (granskning.json) name the data file relative to the repository only.
    result.catalogue.filename = published_path(data_path)
    pages = site_pages(result.catalogue)
    # Where the data is edited: the CI's own repository, else mkdocs.yml's extra.github_repository.
    repository = os.environ.get("GITHUB_REPOSITORY") or config.extra.get("github_repository") or None
    _build.update(site=Site.build(result.catalogue, today, repository), pages={p.src_uri: p for p in pages},
                  script_hashes=set())
    # A static page ages: say which day its review states were computed for.
    config.copyright = f"Uppgifterna kontrollerades mot datum {today.isoformat()} när sidorna byggdes."
    config.watch.append(str(data_path))
    return config


def on_files(files, config, **_):
    for src_uri in _build["pages"]:
        files.append(File.generated(config, src_uri, content="<!-- genereras av insatsguiden -->\n"))
    for src_uri, content in static_files(_build["site"], schema_bytes()).items():
        files.append(File.generated(config, src_uri, content=content))
    return files


def _with_policy(html: str) -> str:
    # Built and served pages alike; under `mkdocs serve`, on_serve allows the live-reload script.
    html, hashes = add_meta(html)
    _build["script_hashes"].update(hashes)
    return html


def on_serve(server, config, builder, **_):
    """Allow MkDocs' live-reload script, by its hash, in the policy of each page it is inserted into.

    MkDocs 1.6.1 (pinned) inserts it in LiveReloadServer._inject_js_into_html,
    before the page's last </body>, with a per-request id in its text, so its
    hash is computed for each response. If that private method is missing or
    inserts elsewhere, this fails loudly instead of falling back: a preview
    without the policy would run scripts the published site blocks, and one
    without live reload would look like it works while showing stale pages.
    """
    inject = getattr(server, "_inject_js_into_html", None)
    if not callable(inject):
        raise Abort("mkdocs serve: MkDocs saknar LiveReloadServer._inject_js_into_html, som "
                    "live reload under sidornas Content-Security-Policy bygger på. "
                    "Installera den MkDocs-version som requirements.txt anger (mkdocs==1.6.1).")

    def inject_allowed(content: bytes, epoch: int) -> bytes:
        injected = inject(content, epoch)
        at = content.rfind(b"</body>")
        at = len(content) if at < 0 else at
        end = at + len(injected) - len(content)
        if end < at or injected[:at] != content[:at] or injected[end:] != content[at:]:
            raise RuntimeError("mkdocs serve: MkDocs lade in sitt live reload-skript på ett oväntat sätt, så "
                               "sidans Content-Security-Policy kan inte tillåta det. Installera mkdocs==1.6.1.")
        page, fragment = (part.decode("utf-8", "surrogateescape") for part in (injected, injected[at:end]))
        return allow_inline_scripts(page, fragment).encode("utf-8", "surrogateescape")

    server._inject_js_into_html = inject_allowed
    return server


def on_post_page(output, page, config, **_):
    return _with_policy(output)


def on_post_template(output_content, template_name, config, **_):
    return _with_policy(output_content) if template_name.endswith(".html") else output_content


def on_post_build(config, **_):
    # The same policy as a header, for hosts that read a _headers file.
    Path(config.site_dir, "_headers").write_text(headers_file(_build["script_hashes"]), encoding="utf-8")
    if os.environ.get("INSATSGUIDEN_PAGEFIND") == "0":
        return  # a quick preview or a benchmark of the build without the search index
    problem = build_index(config.site_dir)
    if problem:
        raise Abort("Sökindexet (Pagefind) kunde inte byggas:\n" + problem)


def on_page_markdown(markdown, page, **_):
    generated = _build["pages"].get(page.file.src_uri)
    if generated is not None:
        # The theme prints titles as HTML (MkDocs' convention): give it escaped text.
        page.meta["title"] = str(escape(generated.title))
    return markdown


def on_page_content(html, page, **_):
    generated = _build["pages"].get(page.file.src_uri)
    if generated is None:
        return html
    rendered = render_page(generated, _build["site"])
    page.toc = get_toc(rendered.toc)
    return rendered.html
