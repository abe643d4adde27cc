#!/usr/bin/env python3
"""Measure how long `validate.py` takes to refuse hostile files, and what it prints.

Each case is the default data with one field blown up, run as a real
subprocess (as a coordinator or CI would run it). Prints wall time, peak
memory, exit code and the number of lines printed. Nothing is asserted.

    python scripts/benchmark_reject.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from insatsguiden import DEFAULT_DATA
from insatsguiden.model.loader import MAX_NODES


def with_list(items) -> str:
    """The default data with the first insats's drivs_av replaced by a list of these items."""
    text = DEFAULT_DATA.read_text(encoding="utf-8")
    start = text.index("drivs_av:", text.index("\ninsatser:"))
    end = text.index("\n", start)
    return text[:start] + f"drivs_av: [{', '.join(items)}]" + text[end:]


def with_references(count: int, width: int) -> str:
    return with_list(f"o{number:0{width}d}" for number in range(count))


def with_long_texts(size: int) -> str:
    """The default data with one free-text field of about `size` bytes (far over the schema's length)."""
    text = DEFAULT_DATA.read_text(encoding="utf-8")
    start = text.index("syfte:", text.index("\ninsatser:"))
    end = text.index("\n", start)
    return text[:start] + "syfte: " + "Långt stöd i vardagen. " * (size // 24) + text[end:]


def with_kommuner(count: int, insert: str, after: str) -> str:
    """The default data with `count` extra kommuner of look-alike ids, and `insert` added after `after`."""
    text = DEFAULT_DATA.read_text(encoding="utf-8")
    extra = "".join(f"  - {{id: ort-nr-{number}, namn: K{number}, lan: L, samordningsforbund: finsam-vasterbergslagen}}\n"
                    for number in range(count))
    text = text.replace("\nkommuner:\n", "\nkommuner:\n" + extra, 1)
    position = text.index(after) + len(after)
    return text[:position] + insert + text[position:]


def with_lines_in_text(count: int) -> str:
    """The default data with a literal block of `count` lines that each open a Markdown label."""
    text = DEFAULT_DATA.read_text(encoding="utf-8")
    start = text.index("syfte:", text.index("\ninsatser:"))
    end = text.index("\n", start)
    return text[:start] + "syfte: |\n      ](\n" + "      [\n" * count + text[end:]


CASES = {
    "30 MB, 2,6 miljoner okända referenser": lambda: with_references(2_600_000, 9),
    f"11 MB, {MAX_NODES - 10_000:,} okända referenser (strax under taket)": lambda: with_references(MAX_NODES - 10_000, 8),
    f"{MAX_NODES - 10_000:,} likadana kända referenser": lambda: with_list(["ludvika-ami"] * (MAX_NODES - 10_000)),
    f"{MAX_NODES - 10_000:,} värden med HTML": lambda: with_list(['"<b"'] * (MAX_NODES - 10_000)),
    "30 MB, ett enda textfält": lambda: with_long_texts(30_000_000),
    "31 MB tomma rader, sedan 200 styrtecken": lambda: "\n" * (31 * 1024 * 1024) + "\x01" * 200,
    "90 000 likartade kommun-id, 20 felstavade referenser": lambda: with_kommuner(
        90_000, ", ".join(f"ort-nr-{number}x" for number in range(20)) + ", ", "      kommuner: ["),
    "50 000 kommuner, 300 okända svar i kommunfrågan": lambda: with_kommuner(
        50_000, "      svar:\n" + "".join(f"        - {{varde: x{n}, text: T{n}}}\n" for n in range(300)),
        "      matchar: kommun\n"),
    "80 000 rader som öppnar en länketikett": lambda: with_lines_in_text(80_000),
}
# Runs validate.py and reports its own peak memory on stderr's last line.
MEASURED = ("import resource, runpy, sys\n"
            "sys.argv = sys.argv[1:]\n"
            "try:\n    runpy.run_path(sys.argv[0], run_name='__main__')\n"
            "finally:\n    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n")


def run(path: Path) -> tuple[float, int, int, int]:
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, "-c", MEASURED, str(ROOT / "scripts" / "validate.py"), str(path),
                                "--today", "2026-11-23"], capture_output=True, text=True, timeout=600)
    elapsed = time.perf_counter() - started
    peak = int(completed.stderr.strip().splitlines()[-1])
    return elapsed, peak, completed.returncode, len(completed.stdout.splitlines())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'fall':<58} {'storlek':>9} {'tid (median)':>13} {'minne':>9} {'kod':>4} {'rader':>6}")
    with tempfile.TemporaryDirectory() as directory:
        for label, make in CASES.items():
            path = Path(directory) / "data.yaml"
            path.write_text(make(), encoding="utf-8")
            size = os.path.getsize(path)
            runs = [run(path) for _ in range(args.repeat)]
            median = statistics.median(r[0] for r in runs)
            _, peak, code, lines = runs[-1]
            print(f"{label:<58} {size / 1e6:>7.1f} MB {median:>11.2f} s {peak / 1024:>6.0f} MB {code:>4} {lines:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
