"""Markdown from data fields, rendered by our own converter and sanitised.

Data text never passes through the site's Markdown pipeline, so extensions
configured in mkdocs.yml (attribute lists, snippets, raw HTML) cannot reach
it. nh3 (Ammonia) then keeps a small allow-list of tags and only https:,
mailto: and tel: links.
"""
from __future__ import annotations

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = {"https", "mailto", "tel"}

_converter = markdown.Markdown(extensions=["sane_lists"], output_format="html")


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
    html = _converter.reset().convert(text)
    return Markup(sanitise(html))


def render_inline(text: str) -> Markup:
    """One paragraph of Markdown without the surrounding <p>, for list items."""
    html = sanitise(_converter.reset().convert(text)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)
