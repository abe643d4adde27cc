"""Two processes rendering one list of pages: the build from the front, the helper from the back.

The build (MkDocs, through the hook) renders its generated pages in the order of
`render.site_pages()`. The helper process of `publish.py` has loaded the same data file
(the table's fingerprint holds the digest of the bytes the build validated) and knows the
same list; it renders pages from the end of that list until it meets the
build, writing each page's HTML into a shared folder, and the build takes those pages
from there instead of rendering them. Who renders a page is settled by a claim table: a
file with one byte per page, read and written under an exclusive `flock`, so each page is
claimed exactly once. The table starts with a fingerprint of the list and of the data
file's bytes; a helper whose list or data differs renders nothing. Unix only (flock,
pread): `available()` says whether this system has them.

A page that shows follow-up charts needs their drawn SVG (its size goes into the page):
the helper takes such a page only when it has every chart it shows from the cache folder
of earlier builds (`can_render`); the charts the build draws anew stay with the build.
"""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Iterable

FREE, BUILD, HELPER = 0, 1, 2
_CLAIMS = "claims"
_FINGERPRINT = 32   # bytes of the list's fingerprint at the start of the claim table


def available() -> bool:
    try:
        import fcntl  # noqa: F401  (not on Windows)
    except ImportError:
        return False
    return hasattr(os, "pread") and hasattr(os, "pwrite")


def fingerprint(src_uris: Iterable[str], digest: str) -> bytes:
    text = "\n".join([digest, *src_uris])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:_FINGERPRINT].encode("ascii")


class Claims:
    """The claim table in a shared folder."""

    def __init__(self, folder: str | os.PathLike, descriptor: int, count: int):
        self.folder = Path(folder)
        self._fd = descriptor
        self.count = count

    @classmethod
    def create(cls, folder: str | os.PathLike, src_uris: list[str], digest: str) -> "Claims":
        """The build's side: a table of free pages, put in place whole (the helper waits for it)."""
        folder = Path(folder)
        temporary = folder / f".{_CLAIMS}.tmp"
        temporary.write_bytes(fingerprint(src_uris, digest) + bytes(len(src_uris)))
        temporary.replace(folder / _CLAIMS)
        return cls(folder, os.open(folder / _CLAIMS, os.O_RDWR), len(src_uris))

    @classmethod
    def join(cls, folder: str | os.PathLike, src_uris: list[str], digest: str,
             patience: float = 120.0) -> "Claims | None":
        """The helper's side: the build's table once it exists, or None (another list, or no table in time)."""
        path = Path(folder) / _CLAIMS
        deadline = time.monotonic() + patience
        while not path.exists():
            if time.monotonic() > deadline:
                return None
            time.sleep(0.01)
        descriptor = os.open(path, os.O_RDWR)
        if os.pread(descriptor, _FINGERPRINT, 0) != fingerprint(src_uris, digest):
            os.close(descriptor)
            return None
        return cls(folder, descriptor, len(src_uris))

    def claim(self, index: int, who: int) -> int:
        """Take the page for `who` if it is free; who has it now (BUILD or HELPER)."""
        import fcntl

        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            owner = os.pread(self._fd, 1, _FINGERPRINT + index)[0]
            if owner == FREE:
                os.pwrite(self._fd, bytes([who]), _FINGERPRINT + index)
                owner = who
            return owner
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def page_path(self, index: int) -> Path:
        return self.folder / f"{index}.html"

    def put(self, index: int, html: str) -> None:
        """The helper's rendered page, in place whole or not at all."""
        temporary = self.folder / f".{index}.tmp"
        temporary.write_text(html, encoding="utf-8")
        temporary.replace(self.page_path(index))

    def take(self, index: int, helper_alive) -> str | None:
        """The helper's page, waiting while it renders it; None if the helper ended without it."""
        path = self.page_path(index)
        while True:
            try:
                return path.read_text(encoding="utf-8")
            except FileNotFoundError:
                if not helper_alive():
                    return path.read_text(encoding="utf-8") if path.exists() else None
                time.sleep(0.002)

    def close(self) -> None:
        try:
            os.close(self._fd)
        except OSError:
            pass


def render_from_the_back(claims: Claims, pages: list, render, can_render) -> int:
    """The helper's loop: render pages from the end of the list until the build has got there; how many."""
    done = 0
    for index in range(len(pages) - 1, -1, -1):
        if not can_render(pages[index]):
            continue
        owner = claims.claim(index, HELPER)
        if owner == BUILD:
            break  # the build renders from the front: everything before this is its
        claims.put(index, render(pages[index]))
        done += 1
    return done
