"""The theme around generated pages, for the MkDocs hook (insatsguiden_hooks.py imports this module).

mkdocs-material renders a header, the navigation, a footer and its scripts around every page; at
5,000 insatser that is 6,600 pages whose surroundings differ only in a few values. `ThemeShells`
renders the theme's main.html once per shape of page with markers for those values
(insatsguiden/site/shell.py) and fills the markers in for each page (overrides/ig_generated.html
calls it); `Once` keeps theme markup that overrides/main.html renders once per key and build. Both
read MkDocs' and the theme's objects, so they live beside the hook rather than in the package,
which never imports MkDocs.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

import jinja2
from mkdocs.structure.toc import AnchorLink, TableOfContents
from mkdocs.utils import normalize_url

from insatsguiden.site.shell import Shell, marker

log = logging.getLogger("mkdocs.hooks.insatsguiden")

GENERATED_TEMPLATE = "ig_generated.html"  # overrides/: calls ig_generated_page, which renders main.html
_TITLE, _CONTENT, _CONTENT_H1 = marker("titel&amp;  &lt;"), marker("innehåll"), marker("innehåll<h1")
_TOC, _SKIP, _CANONICAL = marker("innehållsförteckning"), marker("hopp"), marker("adress")


class _StandIn:
    """A page with some of its attributes replaced; the rest are the page's own."""

    def __init__(self, page, **replaced):
        self._page = page
        self.__dict__.update(replaced)

    def __getattr__(self, name):
        return getattr(self._page, name)


class ThemeShells:
    """For overrides/ig_generated.html: the theme's main.html around a generated page, rendered once per
    shape with markers for the page's title, content, table of contents, skip link and canonical address
    (site/shell.py), then filled in for each page of that shape.

    A page's shape is everything else the theme reads from it: its links to the nav's pages (nav_key),
    whether its content has an h1 and it has a table of contents, its other metadata. The table of
    contents is the theme's partial rendered for the page alone (overrides/ig_toc.html), once per set of
    entries: insats pages share their headings. The first page of each shape is rendered whole as well
    and must equal its filled shell; if it does not, or a marker did not come out whole, every page of
    that shape is rendered whole."""

    def __init__(self, env: jinja2.Environment, nav_key: Callable[[Any], tuple | None], enabled: bool = True):
        self.env = env
        self.nav_key = nav_key
        self.enabled = enabled
        self.shells: dict[tuple, Shell | None] = {}
        self.tocs: dict[tuple, str] = {}  # the table of contents rendered, per entries (many pages share them)
        self.filled = self.whole = 0

    @property
    def made(self) -> int:
        return sum(shell is not None for shell in self.shells.values())

    def _shape(self, page) -> tuple | None:
        links = self.nav_key(page)
        if not self.enabled or links is None or not page.title or page.title != page.meta.get("title") or page.edit_url:
            return None
        meta = tuple(sorted((name, repr(value)) for name, value in page.meta.items() if name != "title"))
        return links, "<h1" in page.content, bool(page.toc), page.canonical_url is None, meta

    @jinja2.pass_context
    def __call__(self, context) -> str:
        page = context["page"]
        variables = context.get_all()
        shape = self._shape(page)
        if shape is not None and shape not in self.shells:
            shell = self._make(page, shape, variables)
            whole = self._whole(variables)
            self.shells[shape] = shell if shell is not None and self._fill(shell, page, variables) == whole else None
            if self.shells[shape] is None:
                log.info(f"Temat: sidor som {page.url} renderas helt (skalet stämde inte med sidan).")
            return whole
        shell = self.shells.get(shape)
        if shell is None:
            return self._whole(variables)
        self.filled += 1
        return self._fill(shell, page, variables)

    def _whole(self, variables) -> str:
        self.whole += 1
        return self.env.get_template("main.html").render(variables)

    def _make(self, page, shape, variables) -> Shell | None:
        has_h1, has_toc, no_canonical = shape[1:4]
        content = _CONTENT_H1 if has_h1 else _CONTENT
        stand_in = _StandIn(page, title=_TITLE, meta={**page.meta, "title": _TITLE}, content=content,
                            toc=TableOfContents([AnchorLink(marker("rubrik"), _SKIP, 2)] if has_toc else []),
                            canonical_url=None if no_canonical else _CANONICAL)
        variables = {**variables, "page": stand_in}
        text = self.env.get_template("main.html").render(variables)
        toc = self.env.get_template("ig_toc.html").render(variables)
        if text.count(toc) != 1:
            return None
        return Shell.split(text.replace(toc, _TOC), [_TITLE, content, _TOC, "#" + _SKIP, _CANONICAL])

    def _fill(self, shell: Shell, page, variables) -> str:
        values = {_TITLE: page.meta["title"], _CONTENT: page.content, _CONTENT_H1: page.content,
                  _CANONICAL: page.canonical_url}
        if _TOC in shell.markers():  # the partial reads the entries and whether the page is in the nav
            key = (page in variables["nav"].pages, _entries(page.toc))
            if key not in self.tocs:
                self.tocs[key] = self.env.get_template("ig_toc.html").render(variables)
            values[_TOC] = self.tocs[key]
        if "#" + _SKIP in shell.markers():  # base.html's skip link: the theme's url filter on the first entry
            first = next(iter(page.toc))
            values["#" + _SKIP] = normalize_url(str(first.url), page=page, base=variables["base_url"])
        return shell.fill(values)


def _entries(toc) -> tuple:
    """Everything a table of contents holds, hashable."""
    return tuple((entry.title, entry.id, entry.level, _entries(entry.children)) for entry in toc)


class Once(dict):
    """For overrides/main.html: theme markup rendered once per key and build (the navigation per nav_key,
    the blocks that depend only on the page's depth per depth)."""

    def __call__(self, key, render):
        if key not in self:
            self[key] = render()
        return self[key]
