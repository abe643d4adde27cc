"""Markdown from data fields, rendered by our own converter and sanitised.

Data text never passes through the site's Markdown pipeline, so extensions
configured in mkdocs.yml (attribute lists, snippets, raw HTML) cannot reach
it. nh3 (Ammonia) then keeps a small allow-list of tags and only https:,
mailto: and tel: links.
"""
from __future__ import annotations

import re

import markdown
import nh3
from markupsafe import Markup, escape

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = {"https", "mailto", "tel"}

_converter = markdown.Markdown(extensions=["sane_lists"], output_format="html")
# Most data texts are one plain sentence. For those, Markdown would only
# escape the text, so escaping it ourselves gives the same safe HTML at a
# fraction of the cost (a catalogue has tens of thousands of them).
_MARKUP_CHARS = re.compile(r"[\\`*_\[\]<>&\n]|^\s*(?:[-+#>]|\d+[.)])|^\s{4}")


def _is_plain(text: str) -> bool:
    return not _MARKUP_CHARS.search(text)


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(text: str) -> Markup:
    """Block-level Markdown (paragraphs, lists) as safe HTML."""
    if _is_plain(text):
        return Markup(f"<p>{escape(text.strip())}</p>")
    html = _converter.reset().convert(text)
    return Markup(sanitise(html))


def render_inline(text: str) -> Markup:
    """One paragraph of Markdown without the surrounding <p>, for list items."""
    if _is_plain(text):
        return escape(text.strip())
    html = sanitise(_converter.reset().convert(text)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)
