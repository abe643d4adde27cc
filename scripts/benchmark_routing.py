#!/usr/bin/env python3
"""How well the guide routes: the figures issue 11 asks for, printed from the data's own test cases.

- every case in `vagvisare.testfall`: how many route as expected;
- the mis-referral profiles of one evaluation (cases citing the source, by default the
  Västerås evaluation, that say the team must not be recommended): how many put an
  ordinary measure first, the expected one where the case names it, and never
  recommend the team (neither "kan passa" nor "stäm av först").

    .venv/bin/python scripts/benchmark_routing.py [--today YYYY-MM-DD] [--source ID] [--team ID] [FILE]
"""
import argparse
import datetime as dt
import sys

from insatsguiden import DEFAULT_DATA
from insatsguiden.domain.freshness import evaluate as review
from insatsguiden.domain.guide import evaluate, guide_data
from insatsguiden.domain.routing_cases import run_cases
from insatsguiden.model.validate import validate_file


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT_DATA))
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 11, 24))
    parser.add_argument("--source", default="utvardering-sot-2021", help="source id of the mis-referral profiles")
    parser.add_argument("--team", default="samordningsteamet-vasteras", help="the coordinated team they were referred to")
    args = parser.parse_args()
    result = validate_file(args.file, args.today)
    if not result.ok:
        print("the data file is invalid; run scripts/validate.py", file=sys.stderr)
        return 1
    catalogue = result.catalogue
    findings = review(catalogue, args.today)
    data = guide_data(catalogue, findings, args.today)
    cases = catalogue.data["vagvisare"].get("testfall", [])
    outcomes = run_cases(catalogue, findings, args.today)
    passing = sum(not o.failures for o in outcomes)
    print(f"routing cases: {passing} of {len(cases)} route as expected")
    for outcome in outcomes:
        for _, message in outcome.failures:
            print(f"  FAILS {outcome.name}: {message}")

    kinds = {i["id"]: i["typ"] for i in catalogue.insatser.values()}
    profiles = [c for c in cases if (c.get("kalla") or {}).get("kalla") == args.source
                and args.team in c.get("rekommenderas_inte", [])]
    ordinary_first = expected_first = named = never_team = 0
    for case in profiles:
        found = evaluate(data, case["svar"])
        first = found["resultat"][0]["id"] if found["resultat"] else None
        ordinary_first += kinds.get(first) == "ordinarie"
        if case.get("forst"):
            named += 1
            expected_first += first == case["forst"]
        never_team += all(r["id"] != args.team for r in found["resultat"] + found["stam_av"])
        print(f"  {case['namn']}: first {first or '–'}"
              f"{' (expected ' + case['forst'] + ')' if case.get('forst') and case['forst'] != first else ''}")
    print(f"mis-referral profiles ({args.source}, not {args.team}): {len(profiles)}")
    print(f"  an ordinary measure first: {ordinary_first} of {len(profiles)}")
    print(f"  the expected measure first: {expected_first} of {named} that name one")
    print(f"  {args.team} never recommended: {never_team} of {len(profiles)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
