"""The one way to read a data file, and the names a file is shown and published under."""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .. import REPO_ROOT
from .loader import MAX_BYTES, _too_large
from .problems import DataError, Problem, visible


def read_bytes(path, display_name: str | None = None) -> bytes:
    """The one way to read a data file: only regular files, at most MAX_BYTES, Swedish errors.

    Devices (/dev/zero), FIFOs and sockets are refused before they are opened,
    and the file is opened non-blocking, so nothing can make a reader hang.
    """
    name = display_name or str(path)

    def fail(message: str) -> DataError:
        return DataError([Problem(name, 1, 1, message)])

    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise fail("Filen finns inte. Kontrollera sökvägen.") from None
    except PermissionError:
        raise fail("Du har inte behörighet att läsa filen.") from None
    except (OSError, ValueError) as error:
        raise fail(f"Filen kunde inte läsas ({_reason(error)}). Kontrollera sökvägen.") from None
    if stat.S_ISDIR(info.st_mode):
        raise fail("Sökvägen är en mapp, inte en fil. Ange datafilen, t.ex. data/insatser.yaml.")
    if not stat.S_ISREG(info.st_mode):
        raise fail("Sökvägen är ingen vanlig fil (utan t.ex. en enhet eller en namngiven pipe). Ange en YAML-fil.")
    if info.st_size > MAX_BYTES:
        raise fail(_too_large(info.st_size))
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped since the stat above
                raise fail("Sökvägen är ingen vanlig fil. Ange en YAML-fil.")
            raw = handle.read(MAX_BYTES + 1)
    except PermissionError:
        raise fail("Du har inte behörighet att läsa filen.") from None
    except OSError as error:
        raise fail(f"Filen kunde inte läsas ({_reason(error)}).") from None
    if len(raw) > MAX_BYTES:
        raise fail(_too_large(len(raw)))
    return raw


def _reason(error: Exception) -> str:
    """A Swedish-safe reason: the error's symbolic name, never the system's English text."""
    code = getattr(error, "errno", None)
    return f"felkod {errno.errorcode.get(code, code)}" if code else "okänt fel"


def display_path(path: str) -> str:
    """How a file is named in messages: relative to the working directory when possible, as editors
    and GitHub expect, with control characters in the name shown visibly (a name cannot forge a line)."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        relative = ".."
    return visible(path if relative.startswith("..") else relative)


def published_path(path) -> str:
    """The name a published file may carry: relative to the repository, else the bare file name.

    Never an absolute path: it would tell readers of the site about the machine that built it.
    """
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return resolved.name
