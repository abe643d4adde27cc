"""The Pagefind search index of a built site (Swedish stemming from lang="sv").

`SearchIndex` feeds each page's article to a Pagefind service process as soon as MkDocs
has its content, before the theme renders any page: Pagefind indexes on the second core
while the rest of the site is built, and writes the index while the theme renders the
pages. The service speaks Pagefind's own protocol (`pagefind --service`: base64 JSON
messages ended by a comma), the one its Python and Node APIs use; their Python wrapper
polls for one answer every 0.1 s, which takes 11 minutes for 6,600 pages, so this module
reads the answers on a thread of its own. The index holds what the command line
(`pagefind_command`, which benchmark_browser.py still uses on a folder of pages) finds in
the built pages, with the same options and addresses, except the 404 page: a search hit
saying "not found" helps nobody.
"""
from __future__ import annotations

import base64
import json
import queue
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

# Only the article text is indexed; the guide's form and data, scripts and the
# small print in the summary box are not.
EXCLUDED = "form, script, template, .ig-sammanfattning .ig-meta, .headerlink"
ROOT_SELECTOR = "article"
LANGUAGE = "sv"
ARTICLE_ID = "ig-innehall"  # the article's id in overrides/main.html (Pagefind lists it among the anchors)
FINISH_TIMEOUT = 900  # seconds to wait for the index to be written after the last page


# An element the templates keep out of the index whole: listings of other records (a need's, an
# organisation's, the list pages, the guide's reasoning, the follow-up figures), which are searchable on
# their own pages.
IGNORED = 'data-pagefind-ignore="all"'
_IGNORED_START = re.compile(r'<([a-z][a-z0-9]*)\b[^>]*\s' + re.escape(IGNORED) + r'[^>]*>')
# Where a closing tag is not a closing tag: a comment, raw text or CDATA. Counting tags inside one of these
# could end the element in the wrong place, so an element that holds one is left to Pagefind.
_NOT_MARKUP = re.compile(r"<!--|<!\[CDATA\[|<(?:script|style|textarea|title|xmp|iframe|noembed|noframes|noscript|plaintext)\b",
                         re.IGNORECASE)


def without_ignored(html: str) -> str:
    """The article without the elements marked data-pagefind-ignore="all", which Pagefind would parse only to
    leave out (a third of the article HTML at 5,000 insatser). Our templates' HTML is well formed and text
    from the data is escaped, so an element ends at the closing tag that balances its name. An element that
    holds a comment or raw text (a script, a style), where a closing tag may be only text, is not cut: Pagefind
    reads it and leaves it out itself."""
    parts, position = [], 0
    while (start := _IGNORED_START.search(html, position)) is not None:
        name = start.group(1)
        opening, closing = re.compile(rf"<{name}\b"), f"</{name}>"
        depth, cursor = 1, start.end()
        while depth:
            end = html.find(closing, cursor)
            if end < 0:
                return html  # not well formed after all: Pagefind reads the whole article
            depth += len(opening.findall(html, cursor, end)) - 1
            cursor = end + len(closing)
        held = _NOT_MARKUP.search(html, start.end(), cursor) is not None
        parts.append(html[position:cursor if held else start.start()])
        position = cursor
    parts.append(html[position:])
    return "".join(parts)


def pagefind_command(site_dir: str) -> list[str]:
    return [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--root-selector", ROOT_SELECTOR,
            "--exclude-selectors", EXCLUDED, "--force-language", LANGUAGE, "--quiet"]


def build_index(site_dir: str) -> str | None:
    """Index a folder of built pages at once; None when it worked, else Pagefind's own message."""
    completed = subprocess.run(pagefind_command(site_dir), capture_output=True, text=True)
    return None if completed.returncode == 0 else (completed.stderr or completed.stdout)[-2000:]


class SearchIndex:
    """A Pagefind index filled page by page while the site is built; `finish()` writes it."""

    def __init__(self) -> None:
        from pagefind.service import get_executable

        executable = get_executable()
        if executable is None:
            raise FileNotFoundError("Pagefind saknas (pip-paketet pagefind_bin i requirements.txt)")
        self._log = tempfile.TemporaryFile()
        self._process = subprocess.Popen([str(executable), "--service"], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=self._log)
        self._outbox: queue.Queue[bytes | None] = queue.Queue()
        self._answers: dict[int, dict] = {}
        self._errors: list[str] = []
        self._done = threading.Condition()
        self._closed = False
        self._last_id = 0
        self._write_id: int | None = None
        self._writer = threading.Thread(target=self._write, name="pagefind-write", daemon=True)
        self._reader = threading.Thread(target=self._read, name="pagefind-read", daemon=True)
        self._writer.start()
        self._reader.start()
        config = {"root_selector": ROOT_SELECTOR, "exclude_selectors": [s.strip() for s in EXCLUDED.split(",")],
                  "force_language": LANGUAGE}
        answer = self._call({"type": "NewIndex", "config": config}, timeout=60)
        if answer is None or "index_id" not in answer:
            self.close()
            raise RuntimeError(self._problem("Pagefind startade inte"))
        self._index = answer["index_id"]

    # --- the two threads ------------------------------------------------------------

    def _write(self) -> None:
        try:
            while (message := self._outbox.get()) is not None:
                self._process.stdin.write(message)
                self._process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # the service ended: _read notices and finish() says why

    def _read(self) -> None:
        pending = b""
        try:
            while chunk := self._process.stdout.read1(1 << 16):
                *messages, pending = (pending + chunk).split(b",")
                for message in messages:
                    answer = json.loads(base64.b64decode(message))
                    payload = answer.get("payload") or {}
                    with self._done:
                        if payload.get("type") == "Error":
                            self._errors.append(str(payload.get("message")))
                        self._answers[answer.get("message_id")] = payload
                        self._done.notify_all()
        finally:
            with self._done:
                self._closed = True
                self._done.notify_all()

    # --- requests -------------------------------------------------------------------

    def _send(self, payload: dict) -> int:
        self._last_id += 1
        message = json.dumps({"message_id": self._last_id, "payload": payload}, ensure_ascii=False)
        self._outbox.put(base64.b64encode(message.encode("utf-8")) + b",")
        return self._last_id

    def _answer(self, message_id: int, timeout: float) -> dict | None:
        """The service's answer to a message, or None if it ended or did not answer in time."""
        with self._done:
            self._done.wait_for(lambda: message_id in self._answers or self._closed, timeout=timeout)
            return self._answers.get(message_id)

    def _call(self, payload: dict, timeout: float) -> dict | None:
        return self._answer(self._send(payload), timeout)

    def add_content(self, site_path: str, content: str) -> None:
        """Index a page from the HTML of its article, as soon as it is known: the built page's <article>
        holds that content and nothing else Pagefind reads (the caller adds the h1 that mkdocs-material
        gives content without one). tests/test_build_parallel.py compares the index with the command
        line's on the built pages."""
        self.add(site_path, f'<!doctype html><html lang="{LANGUAGE}"><head><meta charset="utf-8"></head>'
                            f'<body><article id="{ARTICLE_ID}">{without_ignored(content)}</article></body></html>')

    def add(self, site_path: str, document: str) -> None:
        """Index an HTML document; site_path is its file in the site, e.g. insatser/evi-ludvika/index.html."""
        self._send({"type": "AddFile", "index_id": self._index, "file_path": site_path, "url": None,
                    "file_contents": document})

    def _problem(self, what: str) -> str:
        self._log.seek(0)
        log = self._log.read().decode("utf-8", "replace").strip()
        return "\n".join(part for part in [what, *self._errors[:5], log[-2000:]] if part)

    def write(self, site_dir: str) -> None:
        """Every page is in: have the index written to site_dir/pagefind while the build goes on."""
        if self._write_id is None:
            self._write_id = self._send({"type": "WriteFiles", "index_id": self._index,
                                         "output_path": str(Path(site_dir, "pagefind"))})

    def finish(self, site_dir: str) -> str | None:
        """Wait until the index is written to site_dir/pagefind; None when it worked, else what went wrong."""
        try:
            self.write(site_dir)
            if self._answer(self._write_id, FINISH_TIMEOUT) is None:
                return self._problem("Pagefind avslutades eller svarade inte innan indexet var skrivet.")
            if self._errors:
                return self._problem("Pagefind kunde inte indexera alla sidor:")
            return None
        finally:
            self.close()

    def close(self) -> None:
        self._outbox.put(None)
        try:
            self._process.stdin.close()
        except OSError:
            pass
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._log.close()
