"""Content-Security-Policy for the built pages.

Scripts and styles come from the site itself. The theme's few inline scripts
are allowed by their SHA-256 hashes, computed from the finished HTML, so a
script injected through data (which the sanitiser already prevents) could not
run. Pagefind needs WebAssembly ('wasm-unsafe-eval'); the theme sets inline
style attributes, so styles allow 'unsafe-inline' (styles cannot run code).
Under `mkdocs serve`, the live-reload script MkDocs inserts into each response
is allowed by its own hash too (allow_inline_scripts), and nothing else.
"""
from __future__ import annotations

import base64
import hashlib
import re

_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
_SRC = re.compile(r"\bsrc\s*=", re.I)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.I)
EXECUTABLE_TYPES = {"", "text/javascript", "application/javascript", "module"}


def inline_script_hashes(html: str) -> list[str]:
    hashes = []
    for match in _INLINE_SCRIPT.finditer(html):
        attrs = match.group("attrs")
        if _SRC.search(attrs):
            continue
        kind = _TYPE.search(attrs)
        if (kind.group(1).lower() if kind else "") not in EXECUTABLE_TYPES:
            continue  # data blocks such as application/json are never executed
        digest = hashlib.sha256(match.group("body").encode("utf-8")).digest()
        hashes.append("'sha256-" + base64.b64encode(digest).decode("ascii") + "'")
    return sorted(set(hashes))


def policy(script_hashes: list[str]) -> str:
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval' " + " ".join(script_hashes),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]).replace("  ", " ").strip()


def add_meta(html: str) -> tuple[str, list[str]]:
    """The page with a CSP <meta> as the first element of <head>, and the hashes it allows."""
    hashes = inline_script_hashes(html)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(hashes)}">'
    return re.sub(r"<head>", "<head>\n    " + meta, html, count=1), hashes


_META_CONTENT = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")')


def allow_inline_scripts(html: str, fragment: str) -> str:
    """The page with its CSP <meta> (from add_meta) also allowing the inline scripts of `fragment`.

    `fragment` is the piece of HTML that was inserted into the page (MkDocs'
    live-reload script); only its inline scripts are hashed, never the rest of
    the page. A page without a policy is returned as it is.
    """
    added = inline_script_hashes(fragment)
    if not added:
        return html

    def extend(match: re.Match) -> str:
        directives = []
        for directive in match.group(2).split(";"):
            words = directive.split()
            if words[:1] == ["script-src"]:
                words += [digest for digest in added if digest not in words]
            directives.append(" ".join(words))
        return match.group(1) + "; ".join(directives) + match.group(3)

    return _META_CONTENT.sub(extend, html, count=1)


def allow_injected_script(inject):
    """Wrap MkDocs' live-reload injector so each served page's policy allows exactly what it inserted.

    MkDocs 1.6.1 (pinned) inserts its script before the page's last </body>,
    with a per-request id in its text, so its hash is computed for each
    response. If it inserts anywhere else, the request fails loudly rather than
    serving a page whose policy does not match it.
    """
    def inject_allowed(content: bytes, epoch: int) -> bytes:
        injected = inject(content, epoch)
        at = content.rfind(b"</body>")
        at = len(content) if at < 0 else at
        end = at + len(injected) - len(content)
        if end < at or injected[:at] != content[:at] or injected[end:] != content[at:]:
            raise RuntimeError("mkdocs serve: MkDocs lade in sitt live reload-skript på ett oväntat sätt, så "
                               "sidans Content-Security-Policy kan inte tillåta det. Installera mkdocs==1.6.1.")
        page, fragment = (part.decode("utf-8", "surrogateescape") for part in (injected, injected[at:end]))
        return allow_inline_scripts(page, fragment).encode("utf-8", "surrogateescape")

    return inject_allowed


def headers_file(all_hashes: set[str]) -> str:
    """A `_headers` file (Netlify, Cloudflare Pages) sending the same policy as a header."""
    return ("/*\n"
            f"  Content-Security-Policy: {policy(sorted(all_hashes))}; frame-ancestors 'none'\n"
            "  X-Content-Type-Options: nosniff\n"
            "  Referrer-Policy: no-referrer\n"
            "  Permissions-Policy: interest-cohort=()\n")
