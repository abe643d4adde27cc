"""A page's surroundings rendered once, with markers, and filled in for each page of the same shape.

Around a generated page the theme renders a header, the navigation, a footer and its
scripts; between pages at the same place in the site only a few values differ (the
page's title, content, table of contents and address). Rendering all of it through the
template for each of 6,600 pages at 5,000 insatser was the largest part of the build's
own process. So the template is rendered once per shape with a marker in place of each
such value (`Shell.split` cuts the text at the markers), and a page is the shell's parts
joined with its own values (`Shell.fill`).

A marker must come out of the template as it went in. One that the template changed on
the way (escaped, stripped of tags, collapsed its spaces, cut it short) still leaves its
first character behind, and then `split` refuses the shell: the caller renders such
pages through the whole template, which is always right. The title's marker holds an
entity and two spaces so that any of those changes shows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

_START, _END = "\x1e", "\x1f"  # information separators: nothing in a template or its configuration writes them


def marker(name: str) -> str:
    """The stand-in for one value: text the template would change if it did anything but print it."""
    return f"{_START}{name}{_END}"


@dataclass(frozen=True)
class Shell:
    parts: tuple[str, ...]   # text, marker, text, marker, ..., text

    @classmethod
    def split(cls, text: str, markers: list[str]) -> "Shell | None":
        """The rendered text cut at every marker; None if anything but whole markers is left of one."""
        parts = re.split("(" + "|".join(map(re.escape, markers)) + ")", text)
        if any(_START in part or _END in part for part in parts[::2]):
            return None
        return cls(tuple(parts))

    def markers(self) -> set[str]:
        return set(self.parts[1::2])

    def fill(self, values: Mapping[str, str]) -> str:
        """The page: each marker replaced by its value (every marker of the shell must have one)."""
        parts = list(self.parts)
        parts[1::2] = [values[name] for name in parts[1::2]]
        return "".join(parts)
