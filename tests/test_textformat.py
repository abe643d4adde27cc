"""Markdown from data is sanitised whatever it contains."""
from html.parser import HTMLParser

import pytest

from insatsguiden.site.textformat import render_inline, render_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<svg onload=alert(1)>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "x{onclick=alert(1)}",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "<a href=\"https://ok.se\" onclick=\"alert(1)\">x</a>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("render", [render_markdown, render_inline])
def test_no_script_no_handlers_no_unsafe_links(payload, render):
    elements = Elements()
    elements.feed(str(render(payload)))
    for tag, attributes in elements.seen:
        assert tag in {"p", "a", "strong", "em", "ul", "ol", "li", "br", "code", "blockquote"}, tag
        for name, value in attributes:
            assert name in {"href", "title", "rel"}, (tag, name)
            if name == "href":
                assert value.split(":", 1)[0].lower() in {"https", "mailto", "tel"}, value


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.seen = []

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, attrs))


def test_markdown_still_works():
    html = str(render_markdown("**Viktigt**: se [sidan](https://www.ludvika.se) eller ring [oss](tel:0240-86000).\n\n- ett\n- två"))
    assert "<strong>Viktigt</strong>" in html
    assert '<a href="https://www.ludvika.se" rel="noopener noreferrer">sidan</a>' in html
    assert 'href="tel:0240-86000"' in html and "<li>två</li>" in html
    assert str(render_inline("en *rad*")) == "en <em>rad</em>"
