"""Editor help that really works: yaml-language-server (what VS Code's YAML extension runs) over stdio.

The server is installed from package-lock.json with `npm ci`. It is driven
headless with LSP JSON-RPC, exactly as an editor would: initialize, send the
settings, open a document, wait for the diagnostics it publishes.
"""
import json
import os
import queue
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT

SERVER = ROOT / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
SCHEMA = ROOT / "schema" / "insatser.schema.json"
SETTINGS = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
MINIMAL = (FIXTURES / "valid" / "minimal.yaml").read_text(encoding="utf-8")
TIMEOUT = 60

MISSPELT = ("    syfte: Stöd i hemmet.", "    syfe: Stöd i hemmet.")
BAD_DATE = ('      datum: "2026-01-15"', '      datum: "26-01-15"')


class LanguageServer:
    """A minimal LSP client: Content-Length framed JSON-RPC over the server's stdin/stdout."""

    def __init__(self, root: Path | None, yaml_settings: dict):
        node = shutil.which("node")
        if node is None:
            pytest.fail("node saknas. Installera Node.js (apt-get install nodejs) och kör npm ci.")
        if not SERVER.exists():
            pytest.fail("yaml-language-server saknas i node_modules. Kör `npm ci` i projektmappen.")
        self.settings = yaml_settings
        self.process = subprocess.Popen([node, str(SERVER), "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE)
        self.messages: queue.Queue = queue.Queue()
        self.published: dict[str, tuple[list, float]] = {}
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()
        root_uri = root.as_uri() if root else None
        folders = [{"uri": root_uri, "name": root.name}] if root else None
        self.request("initialize", {
            "processId": os.getpid(), "rootUri": root_uri, "workspaceFolders": folders,
            "capabilities": {"workspace": {"configuration": True, "didChangeConfiguration": {"dynamicRegistration": True}},
                             "textDocument": {"hover": {"contentFormat": ["markdown", "plaintext"]},
                                              "publishDiagnostics": {"relatedInformation": True}}}})
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": {"yaml": yaml_settings}})

    def _read(self):
        stream = self.process.stdout
        while True:
            headers = {}
            while True:
                raw = stream.readline()
                if not raw:
                    self.messages.put(None)
                    return
                raw = raw.decode("ascii").strip()
                if not raw:
                    break
                name, value = raw.split(":", 1)
                headers[name.lower()] = value.strip()
            self.messages.put(json.loads(stream.read(int(headers["content-length"]))))

    def _send(self, message: dict):
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict):
        self._send({"method": method, "params": params})

    def _answer(self, message: dict):
        """Requests from the server to the editor: settings, capability registration, progress."""
        if message["method"] == "workspace/configuration":
            result = [self.settings if item.get("section") == "yaml" else None for item in message["params"]["items"]]
        else:
            result = None
        self._send({"id": message["id"], "result": result})

    def next_message(self, deadline: float) -> dict:
        while True:
            try:
                message = self.messages.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail("yaml-language-server svarade inte i tid.")
            if message is None:
                pytest.fail("yaml-language-server avslutades: " + self.process.stderr.read().decode("utf-8", "replace")[-2000:])
            if "method" in message and "id" in message:
                self._answer(message)
                continue
            if message.get("method") == "textDocument/publishDiagnostics":
                self.published[message["params"]["uri"]] = (message["params"]["diagnostics"], time.monotonic())
                continue
            return message

    def request(self, method: str, params: dict):
        request_id, self.next_id = self.next_id, self.next_id + 1
        self._send({"id": request_id, "method": method, "params": params})
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self.next_message(deadline)
            if message.get("id") == request_id:
                assert "error" not in message, message
                return message.get("result")

    def open(self, path: Path, text: str):
        self.notify("textDocument/didOpen", {"textDocument": {"uri": path.as_uri(), "languageId": "yaml", "version": 1,
                                                              "text": text}})

    def pump(self, timeout: float) -> None:
        """Handle one incoming message, if any: answer server requests, remember published diagnostics."""
        try:
            message = self.messages.get(timeout=timeout)
        except queue.Empty:
            return
        if message is None:
            pytest.fail("yaml-language-server avslutades: " + self.process.stderr.read().decode("utf-8", "replace")[-2000:])
        if "method" in message and "id" in message:
            self._answer(message)
        elif message.get("method") == "textDocument/publishDiagnostics":
            self.published[message["params"]["uri"]] = (message["params"]["diagnostics"], time.monotonic())

    def diagnostics(self, path: Path, nonempty: bool = True, settle: float = 1.0) -> list[dict]:
        """The latest diagnostics published for `path` once the server has been quiet for `settle` seconds.

        With nonempty=True, an empty list (sent before validation finishes) is not an answer yet.
        """
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            latest, received_at = self.published.get(path.as_uri(), (None, 0.0))
            if latest is not None and (latest or not nonempty) and time.monotonic() - received_at >= settle:
                return latest
            self.pump(0.1)
        pytest.fail(f"inga diagnoser från yaml-language-server för {path.name}: {self.published.get(path.as_uri())!r}")

    def close(self):
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.process.wait(timeout=10)
        except Exception:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def server_factory():
    servers = []

    def start(root=None, settings=None):
        server = LanguageServer(root, {"validate": True, "hover": True, "completion": True, **(settings or {})})
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def broken_document() -> str:
    text = MINIMAL
    for old, new in (MISSPELT, BAD_DATE):
        assert text.count(old) == 1
        text = text.replace(old, new)
    return text


def line_of(text: str, needle: str) -> int:
    """1-based line number of the only line containing `needle`."""
    found = [number for number, line in enumerate(text.split("\n"), start=1) if needle in line]
    assert len(found) == 1, needle
    return found[0]


def summarise(diagnostics: list[dict]) -> list[tuple[int, str]]:
    return sorted((d["range"]["start"]["line"] + 1, d["message"]) for d in diagnostics)


def assert_both_reported(diagnostics, text):
    found = summarise(diagnostics)
    misspelt_line = line_of(text, "syfe:")
    date_line = line_of(text, '"26-01-15"')
    assert (misspelt_line, "Property syfe is not allowed.") in found, found
    # The schema's Swedish patternErrorMessage, not the bare regular expression.
    assert (date_line, 'Datum skrivs ÅÅÅÅ-MM-DD, t.ex. "2026-11-23".') in found, found
    # Nothing is reported on lines that are fine (the missing 'syfte' is reported on its record).
    record_line = line_of(text, "  - id: boendestod")
    assert {line for line, _ in found} <= {misspelt_line, date_line, record_line}, found
    assert all(d["severity"] == 1 for d in diagnostics)


def test_schema_line_reports_misspelt_key_and_bad_date(tmp_path, server_factory):
    """The data file's first line points the editor at the schema (here rewritten to an absolute file:// URI)."""
    first_line = MINIMAL.split("\n", 1)[0]
    assert first_line.startswith("# yaml-language-server: $schema=")
    text = broken_document().replace(first_line, f"# yaml-language-server: $schema={SCHEMA.as_uri()}", 1)
    path = tmp_path / "insatser.yaml"
    path.write_text(text, encoding="utf-8")
    server = server_factory()
    server.open(path, text)
    diagnostics = server.diagnostics(path)
    assert_both_reported(diagnostics, text)
    assert line_of(text, "syfe:") == 51 and line_of(text, '"26-01-15"') == 66


def test_valid_file_has_no_diagnostics(tmp_path, server_factory):
    """The control: the same file without the two mistakes is clean, so the diagnostics above come from them."""
    first_line = MINIMAL.split("\n", 1)[0]
    text = MINIMAL.replace(first_line, f"# yaml-language-server: $schema={SCHEMA.as_uri()}", 1)
    broken = tmp_path / "broken.yaml"
    path = tmp_path / "insatser.yaml"
    server = server_factory()
    # Open a broken document too, so "no diagnostics" is known to be an answer and not silence.
    broken_text = broken_document().replace(first_line, f"# yaml-language-server: $schema={SCHEMA.as_uri()}", 1)
    server.open(broken, broken_text)
    assert server.diagnostics(broken)
    server.open(path, text)
    published = server.diagnostics(path, nonempty=False, settle=2.0)
    assert published == [], published


def vscode_workspace(tmp_path: Path, data_name: str, text: str) -> Path:
    """A workspace laid out like the repository: schema/ and data/ side by side, no schema line in the file."""
    (tmp_path / "schema").mkdir()
    (tmp_path / "data").mkdir()
    shutil.copy(SCHEMA, tmp_path / "schema" / SCHEMA.name)
    path = tmp_path / "data" / data_name
    path.write_text(text, encoding="utf-8")
    return path


def test_vscode_settings_map_the_schema_to_the_data_file(tmp_path, server_factory):
    """.vscode/settings.json as VS Code sends it: the relative schema path is resolved against the workspace."""
    assert SETTINGS["yaml.schemas"] == {"./schema/insatser.schema.json": "data/insatser.yaml"}
    text = broken_document().split("\n", 1)[1]  # without the schema line
    path = vscode_workspace(tmp_path, "insatser.yaml", text)
    server = server_factory(tmp_path, {"schemas": SETTINGS["yaml.schemas"]})
    server.open(path, text)
    assert_both_reported(server.diagnostics(path), text)


def test_vscode_settings_do_not_apply_to_other_files(tmp_path, server_factory):
    """The control for the test above: another file in data/ gets no schema, so the mapping is what applies it."""
    text = broken_document().split("\n", 1)[1]
    vscode_workspace(tmp_path, "insatser.yaml", text)
    other = tmp_path / "data" / "annan.yaml"
    other.write_text(text, encoding="utf-8")
    path = tmp_path / "data" / "insatser.yaml"
    server = server_factory(tmp_path, {"schemas": SETTINGS["yaml.schemas"]})
    server.open(other, text)
    server.open(path, text)
    assert server.diagnostics(path)
    other_diagnostics = server.diagnostics(other, nonempty=False)
    assert not [d for d in other_diagnostics if "syfe" in d["message"] or "pattern" in d["message"]]


def test_hover_shows_the_swedish_description(tmp_path, server_factory):
    first_line = MINIMAL.split("\n", 1)[0]
    text = MINIMAL.replace(first_line, f"# yaml-language-server: $schema={SCHEMA.as_uri()}", 1)
    path = tmp_path / "insatser.yaml"
    path.write_text(text, encoding="utf-8")
    server = server_factory()
    server.open(path, text)
    line = line_of(text, "    syfte: Stöd i hemmet.") - 1
    hover = server.request("textDocument/hover", {"textDocument": {"uri": path.as_uri()}, "position": {"line": line, "character": 6}})
    contents = hover["contents"]
    shown = contents["value"] if isinstance(contents, dict) else json.dumps(contents, ensure_ascii=False)
    assert "Syftet i en eller två meningar." in shown
    status_line = line_of(text, "      status: oppen") - 1
    completion = server.request("textDocument/completion", {"textDocument": {"uri": path.as_uri()},
                                                             "position": {"line": status_line, "character": 14}})
    items = completion["items"] if isinstance(completion, dict) else completion
    assert {"oppen", "vantelista", "stangd", "pausad", "avslutad"} <= {item["label"] for item in items}


def test_package_pins_the_server_exactly():
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert package["private"] is True
    version = package["devDependencies"]["yaml-language-server"]
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", version), "exakt version, utan ^ eller ~"
    assert lock["packages"]["node_modules/yaml-language-server"]["version"] == version
    assert all("integrity" in entry for name, entry in lock["packages"].items() if name)


def test_vscode_recommends_the_yaml_extension():
    extensions = json.loads((ROOT / ".vscode" / "extensions.json").read_text(encoding="utf-8"))
    assert "redhat.vscode-yaml" in extensions["recommendations"]
    # The settings point at files that exist, relative to the workspace root.
    for schema_path, pattern in SETTINGS["yaml.schemas"].items():
        assert (ROOT / schema_path).resolve() == SCHEMA
        assert pattern == "data/insatser.yaml"
