"""Expected routing as data: run `vagvisare.testfall` through the guide and say what breaks.

A case gives answers and what the guide must then show: the first measure that
can fit, measures it must never recommend (neither "kan passa" nor "stäm av
först") and the outcome of named measures. `scripts/validate.py` fails when a
case breaks; `scripts/diff_data.py` lists the cases whose outcome a change moves.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..model.catalogue import Catalogue
from ..model.schema import labels
from .freshness import Finding
from .guide import RESULT_LISTS, evaluate, guide_data

NOT_SHOWN = "visas-inte"
RECOMMENDED = ("kan-passa", "stam-av")


@dataclass
class CaseOutcome:
    index: int
    name: str
    first: str | None
    outcomes: dict[str, str]                     # every referable measure -> its outcome (or visas-inte)
    failures: list[tuple[tuple, str]] = field(default_factory=list)   # (path in the file, Swedish message)


def outcome_label(outcome: str) -> str:
    return labels("vagvisarutfall").get(outcome, outcome).lower()


def shown(data: dict[str, Any], answers: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    """The first measure that can fit, and each measure's outcome."""
    result = evaluate(data, answers)
    outcomes = {item["id"]: NOT_SHOWN for item in data["insatser"]}
    for outcome, name in RESULT_LISTS.items():
        for found in result[name]:
            outcomes[found["id"]] = outcome
    return (result["resultat"][0]["id"] if result["resultat"] else None), outcomes


def run_cases(catalogue: Catalogue, findings: list[Finding], today: dt.date | None = None) -> list[CaseOutcome]:
    data = guide_data(catalogue, findings, today)
    cases = (catalogue.data.get("vagvisare") or {}).get("testfall") or []
    names = {item["id"]: item["namn"] for item in catalogue.insatser.values()}
    done = []
    for index, case in enumerate(cases):
        first, outcomes = shown(data, dict(case["svar"]))
        outcome = CaseOutcome(index, case["namn"], first, outcomes)
        base = ("vagvisare", "testfall", index)
        expected_first = case.get("forst")
        if expected_first is not None and expected_first != first:
            actual = f"'{first}' ({names.get(first, first)})" if first else "ingen insats"
            outcome.failures.append((base + ("forst",), (
                f"'{expected_first}' ska komma först bland dem som kan passa, men först kommer {actual}; "
                f"'{expected_first}' blir {outcome_label(outcomes.get(expected_first, NOT_SHOWN))}.")))
        for position, identity in enumerate(case.get("rekommenderas_inte") or []):
            if outcomes.get(identity) in RECOMMENDED:
                outcome.failures.append((base + ("rekommenderas_inte", position), (
                    f"'{identity}' får inte rekommenderas men blir {outcome_label(outcomes[identity])}.")))
        for identity, expected in (case.get("utfall") or {}).items():
            actual = outcomes.get(identity, NOT_SHOWN)
            if actual != expected:
                outcome.failures.append((base + ("utfall", identity), (
                    f"'{identity}' ska bli {outcome_label(expected)} men blir {outcome_label(actual)}.")))
        done.append(outcome)
    return done


def changed(old: list[CaseOutcome], new: list[CaseOutcome], names: dict[str, str]) -> list[str]:
    """One Swedish line per case (by name) whose first measure or outcomes differ between two versions."""
    before = {case.name: case for case in old}
    lines = []
    for case in new:
        previous = before.get(case.name)
        if previous is None:
            lines.append(f"Testfallet '{case.name}' är nytt." + (" Det går inte igenom." if case.failures else ""))
            continue
        parts = []
        if previous.first != case.first:
            parts.append(f"först: {names.get(previous.first, previous.first or 'ingen')} → {names.get(case.first, case.first or 'ingen')}")
        for identity in sorted(set(previous.outcomes) | set(case.outcomes)):
            was, now = previous.outcomes.get(identity, NOT_SHOWN), case.outcomes.get(identity, NOT_SHOWN)
            if was != now:
                parts.append(f"{names.get(identity, identity)}: {outcome_label(was)} → {outcome_label(now)}")
        if parts:
            verdict = " Testfallet går inte igenom." if case.failures else ""
            lines.append(f"Testfallet '{case.name}': " + "; ".join(parts) + "." + verdict)
    return lines
