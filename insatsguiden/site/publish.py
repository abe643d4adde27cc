"""The second process of `mkdocs build`: pages from the end of the list, then the open data.

The open data (API, HSDS, CSV, calendars, change feed) is some 20,000 files at 5,000
insatser; producing and writing them took a fifth of a build, and none of it feeds a page.
So `mkdocs build` hands it to a second Python process (`InBackground`), started before
the build validates the data: the child loads the same file meanwhile (without the schema
and the rules, which the build checks), then renders
generated pages from the end of the list while the build renders from the start
(`help_render`, site/sharing.py), produces the open data, and writes it once MkDocs has
emptied the site folder and the build has confirmed the data's digest (by then the
cache folder holds every chart, and the child publishes the charts from it too). The
build waits for it before the search index is written.

The process is started anew, not forked: a fork shares the parent's memory copy-on-write,
and Python's reference counts write to nearly every page of it, which cost more system
time than the fork saved. The child reads the data file itself and gets the rest of what
a Site needs, which is small; it renders and writes only under the SHA-256 of the bytes
the build validated (the claim table, the go-ahead line), so nothing is published from a
file the build did not find valid. `mkdocs serve` does all of it in its own process.
"""
from __future__ import annotations

import datetime as dt
import os
import pickle
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Files = dict[str, bytes]


def write_files(files: Files, site_dir: str | os.PathLike) -> None:
    """Write each file under site_dir (paths are site-relative, '/'-separated), creating folders."""
    root = Path(site_dir)
    made: set[Path] = set()
    for relative_path, content in files.items():
        target = root.joinpath(*relative_path.split("/"))
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(content)


@dataclass(frozen=True)
class Request:
    """What the child needs to build the same Site as the parent and write its open data."""
    data_path: str
    display_name: str
    published_name: str        # the data file's name in granskning.json (relative to the repository)
    today: dt.date
    repository: str | None
    history: Any               # the data file's history (tools/history.py), or None
    site_url: str | None
    site_dir: str
    share: str | None = None   # a folder to render pages into beside the build (site/sharing.py), or None
    chart_cache: str | None = None  # the cache folder of drawn charts (site/charts.py), or None; if given,
                                    # the child publishes the charts from it after the go-ahead


class DataChanged(RuntimeError):
    """The data file is not the one the build validated: the build stops with this message alone."""


def site_of(request: Request) -> Any:
    """The Site the request describes, from the data file read anew (its digest in site.data_digest).

    The build validates the file meanwhile; this process loads it without the schema and the rules and
    uses it only if the build's digest is the same (Claims.join, the go-ahead line)."""
    from ..model.validate import load_validated_elsewhere
    from .render import Site

    try:
        catalogue, digest = load_validated_elsewhere(Path(request.data_path), request.display_name)
        catalogue.filename = request.published_name
        site = Site.build(catalogue, request.today, request.repository, request.history)
    except Exception as error:
        # Unchecked data may fail here in any way. The build stops this process when it finds the file invalid;
        # bytes it found valid make the same Site here as in the build, which would fail first, itself. So
        # the file that failed here is another one.
        raise DataChanged("datafilen ändrades under bygget och är nu ogiltig; bygg om") from error
    site.site_url = request.site_url
    site.data_digest = digest
    return site


# Pages that show every chart of the catalogue; an insats page shows its own.
_ALL_CHARTS = frozenset({"laget.html", "uppfoljning.html"})


def help_render(site: Any, folder: str, chart_cache: str | None = None) -> int:
    """Render pages from the end of the build's list into folder until the build gets there; how many.

    Pages with charts only when every chart they show is in the cache folder (read and checked
    here as the build does): the charts the build draws anew stay with the build."""
    from . import charts
    from .render import render_page, site_pages
    from .sharing import Claims, render_from_the_back

    every = charts.site_charts(site.catalogue)
    if every and chart_cache:
        charts.load_cached(every, Path(chart_cache))
    all_drawn = all(made.key in charts._SVG for made in every)

    def can_render(page) -> bool:
        if page.template in _ALL_CHARTS:
            return all_drawn
        insats = page.context.get("insats")
        if page.template != "insats.html" or not insats.get("indikatorer"):
            return True
        return all(charts.chart(insats, indicator).key in charts._SVG for indicator in insats["indikatorer"])

    pages = site_pages(site.catalogue)
    claims = Claims.join(folder, [page.src_uri for page in pages], site.data_digest)
    if claims is None:
        return 0
    try:
        return render_from_the_back(claims, pages, lambda page: render_page(page, site).html, can_render)
    finally:
        claims.close()


_WRITE = "skriv {}\n"  # with the digest of the data the build validated


def _child() -> int:
    """`python -m insatsguiden.site.publish`: read a pickled Request on stdin, produce the files, wait for
    the go-ahead line, write them; print nothing on success, else the traceback."""
    try:
        from ..model.schema import schema_bytes
        from .render import static_files

        from . import collector

        collector.hold()  # this process builds once and exits (site/collector.py)
        request = pickle.load(sys.stdin.buffer)
        site = site_of(request)
        collector.settle()
        if request.share:  # pages first: the open data is wanted only when the build ends
            help_render(site, request.share, request.chart_cache)
        files = static_files(site, schema_bytes())
        go_ahead = sys.stdin.buffer.readline().decode("ascii", "replace")
        if not go_ahead.startswith("skriv "):
            return 1  # the build stopped
        if go_ahead != _WRITE.format(site.data_digest):  # the file was replaced after this process read it
            raise DataChanged("datafilen ändrades under bygget; bygg om")
        if request.chart_cache:  # the build has put every chart in the cache folder: published from there
            from . import charts

            files.update(charts.files(site, cache=Path(request.chart_cache)))
        write_files(files, request.site_dir)
        return 0
    except DataChanged as error:  # said to the user as it is
        sys.stdout.write(str(error))
        return 1
    except BaseException:  # reported by the parent, which stops the build
        sys.stdout.write(traceback.format_exc()[-8000:])
        return 1


class InBackground:
    """The open data being produced by another Python process, which writes it once `write()` says the
    site folder is ready (MkDocs empties it after the build starts); `wait()` says how it went.

    A plain subprocess rather than multiprocessing's spawn, which would import the program that runs
    MkDocs (its __main__) again in the child."""

    def __init__(self, request: Request):
        # The child imports this very package: -P keeps the working directory off its path, and the
        # folder this package was imported from goes first.
        package_root = str(Path(__file__).resolve().parents[2])
        path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
        self._process = subprocess.Popen([sys.executable, "-P", "-m", __name__], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         env={**os.environ, "PYTHONPATH": path})
        self._result: str | None | bool = False  # False: not yet known
        try:
            self._process.stdin.write(pickle.dumps(request))
            self._process.stdin.flush()
        except OSError:
            pass  # the process has ended; wait() says why

    def alive(self) -> bool:
        return self._process.poll() is None

    def write(self, digest: str | None) -> None:
        """The site folder is ready: write the files into it (if the data is still what the build validated)."""
        self._close_input(_WRITE.format(digest).encode("ascii"))

    def _close_input(self, last: bytes = b"") -> None:
        if self._process.stdin is None:
            return
        try:
            self._process.stdin.write(last)
            self._process.stdin.close()
        except OSError:
            pass
        self._process.stdin = None  # communicate() would flush it again

    def wait(self) -> str | None:
        """None when every file was written, else what went wrong."""
        if self._result is False:
            self._close_input()  # without the go-ahead line the child writes nothing
            output, errors = self._process.communicate()
            message = (output or errors).decode("utf-8", "replace").strip()
            if self._process.returncode == 0:
                self._result = None
            else:
                self._result = message or f"processen som skriver dem avbröts (slutkod {self._process.returncode})"
        return self._result

    def stop(self) -> None:
        """Give up on the files (the build failed elsewhere)."""
        if self._result is False:
            self._process.kill()
            self.wait()


if __name__ == "__main__":
    sys.exit(_child())
