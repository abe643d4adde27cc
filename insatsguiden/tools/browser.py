"""Chromium and a local web server, for the browser tests and the browser benchmark."""
from __future__ import annotations

import os
from pathlib import Path

# Debian's Chromium here and in .ci/run; CHROMIUM_PATH points elsewhere (e.g. Chrome on GitHub's runners).
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def serve_directory(directory: Path):
    """Serve a built site on 127.0.0.1 (a free port) in a thread; returns (base_url, server)."""
    import functools
    import http.server
    import threading

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # keep test output clean
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server
