"""The change feed (Atom) and the Ändringar page from the data's history (issue 12)."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .render import Site


def files(site: "Site") -> dict[str, bytes]:
    """Published path (relative to the site root) -> bytes."""
    return {}
