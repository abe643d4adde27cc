"""The static JSON API under /api/v1/ (issue 12): documents and their JSON Schemas."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .render import Site


def files(site: "Site") -> dict[str, bytes]:
    """Published path (relative to the site root) -> bytes."""
    return {}
