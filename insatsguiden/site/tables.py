"""CSV files for Excel (issue 12): insatser, kontakter, granskning."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .render import Site


def files(site: "Site") -> dict[str, bytes]:
    """Published path (relative to the site root) -> bytes."""
    return {}
