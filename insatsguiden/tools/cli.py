"""Command-line entry points. Arguments and today's date are read here, nowhere deeper."""
from __future__ import annotations

import argparse
import datetime as dt
import re
import sys

from .. import DEFAULT_DATA
from ..model.dates import today_from_text
from ..model.problems import Problem, format_problems, summary, visible
from ..model.reader import display_path
from ..model.validate import validate_file
from ..model.vocabulary import answer_options


# argparse speaks English; these are the phrases it uses in usage errors and help.
_ARGPARSE_SWEDISH = (
    ("usage: ", "Användning: "),
    ("options:", "Flaggor:"),
    ("positional arguments:", "Argument:"),
    ("show this help message and exit", "visa den här hjälpen och avsluta"),
    ("the following arguments are required: ", "de här argumenten saknas: "),
    ("unrecognized arguments: ", "okända argument: "),
    ("expected one argument", "ett värde saknas"),
    ("invalid choice: ", "ogiltigt val: "),
    ("(choose from ", "(välj bland "),
    ("invalid int value: ", "ogiltigt heltal: "),
    ("not allowed with argument ", "går inte att kombinera med "),
    ("argument ", "argumentet "),
)


def _swedish(text: str) -> str:
    for english, swedish in _ARGPARSE_SWEDISH:
        text = text.replace(english, swedish)
    return text


class SwedishParser(argparse.ArgumentParser):
    """argparse with Swedish messages, visible control characters, and exit 2 for usage errors."""

    def format_usage(self) -> str:
        return _swedish(super().format_usage())

    def format_help(self) -> str:
        return _swedish(super().format_help())

    def error(self, message: str) -> None:  # exit 2, as documented
        self.print_usage(sys.stderr)
        print(visible(f"{self.prog}: fel i argumenten: {_swedish(message)}"), file=sys.stderr)
        sys.exit(2)


# The exit codes of every tool, documented once in README.md.
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def exit_code_for(result) -> int:
    """1 for problems in the data, 2 when the file itself could not be read."""
    return EXIT_USAGE if result.unreadable else EXIT_PROBLEMS


def parse_today(value: str) -> dt.date:
    try:
        return today_from_text(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def load(args: argparse.Namespace):
    """Today's date (read here, at the edge), the file's display name, and its validation result."""
    today = args.today or dt.date.today()
    name = display_path(args.file)
    return today, name, validate_file(args.file, today, display_name=name)


def main_validate(argv: list[str]) -> int:
    parser = SwedishParser(prog="validate.py", description="Kontrollerar datafilen mot schemat och reglerna.")
    parser.add_argument("file", nargs="?", default=str(DEFAULT_DATA), help="datafilen (standard: data/insatser.yaml)")
    parser.add_argument("--format", choices=("text", "github"), default="text", help="utdataformat")
    parser.add_argument("--today", type=parse_today, default=None, help="dagens datum ÅÅÅÅ-MM-DD (standard: idag)")
    args = parser.parse_args(argv)
    today, name, result = load(args)
    if result.ok:
        failures = routing_problems(result.catalogue, today, name)
        if failures:
            print(format_problems(failures, args.format))
            print(f"{summary(failures)} Vägvisarens testfall visar vad guiden ska svara; ändra villkoren eller testfallet.",
                  file=sys.stderr)
            return EXIT_PROBLEMS
        count = len(result.catalogue.insatser)
        cases = len((result.catalogue.data.get("vagvisare") or {}).get("testfall") or [])
        checked = f"alla {cases} testfall för vägvisaren går igenom" if cases else "inga testfall för vägvisaren"
        print(f"{name}: OK ({count} insatser; {checked}).")
        return 0
    print(format_problems(result.problems, args.format, more=result.more))
    print(summary(result.problems, result.more), file=sys.stderr)
    return exit_code_for(result)


def routing_problems(catalogue, today, name: str) -> list[Problem]:
    """The guide's test cases that do not route as expected, as problems at the case's line."""
    from ..domain.freshness import evaluate
    from ..domain.routing_cases import run_cases
    from ..model.vocabulary import describe

    problems = []
    for case in run_cases(catalogue, evaluate(catalogue, today), today):
        for path, message in case.failures:
            line, col = catalogue.position(path)
            problems.append(Problem(name, line, col, f"{describe(catalogue.data, path)}: {message}"))
    return problems


def main_freshness(argv: list[str]) -> int:
    from ..domain.freshness import evaluate, overdue
    from ..domain.review_report import as_github, as_json, as_markdown, as_text

    parser = SwedishParser(prog="check_freshness.py",
                           description="Visar överenskommelser, kontakter, granskningar och intagsstatus som är försenade.")
    parser.add_argument("file", nargs="?", default=str(DEFAULT_DATA), help="datafilen (standard: data/insatser.yaml)")
    parser.add_argument("--today", type=parse_today, default=None, help="dagens datum ÅÅÅÅ-MM-DD (standard: idag)")
    parser.add_argument("--warn-days", type=int, default=None, help="dagar före förfallodag som räknas som snart (standard: från datafilen, annars 60)")
    parser.add_argument("--format", choices=("text", "github", "markdown", "json"), default="text")
    parser.add_argument("--report-only", action="store_true", help="avsluta med 0 även om något är försenat (för pull requests)")
    args = parser.parse_args(argv)
    if args.warn_days is not None and args.warn_days < 0:
        parser.error("--warn-days måste vara 0 eller mer")
    today, name, result = load(args)
    if not result.ok:
        print(format_problems(result.problems, "github" if args.format == "github" else "text", more=result.more))
        print("Datafilen är ogiltig; rätta den först. " + summary(result.problems, result.more), file=sys.stderr)
        return exit_code_for(result)
    findings = evaluate(result.catalogue, today, args.warn_days)
    if args.format == "json":
        print(as_json(findings, name, today))
    elif args.format == "markdown":
        print(as_markdown(findings, name, today))
    elif args.format == "github":
        output = as_github(findings, name, overdue_level="warning" if args.report_only else "error")
        if output:
            print(output)
    else:
        output = as_text(findings, name)
        print(output if output else f"{name}: allt är aktuellt.")
    late = overdue(findings)
    if late and args.format in ("text", "github"):
        print(f"{len(late)} försenade.", file=sys.stderr)
    return 1 if late and not args.report_only else 0


SHORTHANDS = ("kommun", "alder", "forsorjning", "behov", "aktivitet", "kontakter", "remittent")


def main_guide(argv: list[str]) -> int:
    import json

    from ..domain.freshness import evaluate
    from ..domain.guide import guide_data, known_answers, evaluate as triage

    parser = SwedishParser(prog="guide.py", description=(
        "Vägvisaren på kommandoraden: vilka insatser som kan passa, vad som ska stämmas av, "
        "vad som inte passar och varför."))
    parser.add_argument("--svar", action="append", default=[], metavar="ID=VÄRDE",
                        help="svar på en fråga i vägvisaren, t.ex. --svar aktivt-missbruk=ja; kan anges flera gånger. "
                             "Flera värden skrivs med komma: --svar behov=bostad,arbete")
    for kind in SHORTHANDS:
        parser.add_argument(f"--{kind}", action="append", default=[], metavar="VÄRDE",
                            help=f"kortform för --svar {kind}=VÄRDE")
    parser.add_argument("--today", type=parse_today, default=None, help="dagens datum ÅÅÅÅ-MM-DD (standard: idag)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("file", nargs="?", default=str(DEFAULT_DATA), help="datafilen (standard: data/insatser.yaml)")
    args = parser.parse_args(argv)
    given: dict[str, list[str]] = {}
    for kind in SHORTHANDS:
        for value in getattr(args, kind):
            given.setdefault(kind, []).append(value)
    for pair in args.svar:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            parser.error(f"--svar: skriv ID=VÄRDE, t.ex. psykos=nej (fick '{visible(pair)}')")
        given.setdefault(name.strip(), []).append(value.strip())
    today, name, result = load(args)
    if not result.ok:
        print(format_problems(result.problems, more=result.more))
        print("Datafilen är ogiltig. " + summary(result.problems, result.more), file=sys.stderr)
        return exit_code_for(result)
    data = guide_data(result.catalogue, evaluate(result.catalogue, today), today)
    by_id = {q["id"]: q for q in data["fragor"]}
    query = {}
    for question_id, values in given.items():
        question = by_id.get(question_id)
        if question is None:
            parser.error(f"okänd fråga '{visible(question_id)}'. Tillåtna frågor: {', '.join(by_id)}")
        if len(values) > 1 and not question["flera"]:
            parser.error(f"frågan '{question_id}' har ett enda svar, men fick {len(values)}")
        query[question_id] = ",".join(values)
    answers, ignored = known_answers(data, query)
    for question_id, value in ignored:
        question = by_id[question_id]
        allowed = "ett heltal 0–120" if question["tal"] else ", ".join(v for v, _ in question["varden"] or [])
        parser.error(f"okänt svar '{visible(value)}' på frågan '{question_id}'. Tillåtna värden: {allowed}")
    outcome = triage(data, answers)
    if args.format == "json":
        print(json.dumps({key: outcome[key] for key in ("resultat", "stam_av", "passar_inte", "inte_tillgangliga",
                                                         "ej_tackta_behov", "fragor_kvar")}, ensure_ascii=False, indent=2))
        return 0
    for line in guide_text(outcome, by_id):
        print(visible(line))
    return 0


def guide_text(outcome: dict, questions: dict[str, dict]) -> list[str]:
    """The triage as plain text for a terminal, one measure per block."""
    lines: list[str] = []
    if not outcome["resultat"] and not outcome["stam_av"]:
        lines.append("Ingen insats kan passa eller stämmas av utifrån svaren. Kontakta samordningsförbundet.")
    groups = (("resultat", "Kan passa (bäst först):"), ("stam_av", "Stäm av först med verksamheten:"),
              ("passar_inte", "Passar inte:"), ("inte_tillgangliga", "Inte tillgängligt just nu (rekommenderas inte):"))
    for key, heading in groups:
        if not outcome[key]:
            continue
        lines += ["", heading]
        for rank, found in enumerate(outcome[key], 1):
            number = f"{rank:>3}." if key == "resultat" else "  –"
            lines.append(f"{number} {found['namn']} [{found['id']}]")
            label = "Därför" if key in ("resultat", "stam_av") else "Skäl"
            lines.append(f"     {label}: {' · '.join(found['skal']) or 'inga särskilda villkor'}")
            if found["stam_av"]:
                lines.append("     Klara ut: " + ", ".join(q["fraga"] for q in found["stam_av"]))
            if found["hanvisa_till"]:
                lines.append("     Vänd dig i stället till: " + ", ".join(
                    f"{t['namn']} [{t['id']}]" + (f" (inte tillgänglig just nu: {t['ej_tillganglig']})" if t["ej_tillganglig"] else "")
                    for t in found["hanvisa_till"]))
            for warning in found["varningar"]:
                lines.append(f"     Obs: {warning}")
            if key == "resultat":
                lines.append("     Ordning: " + ", ".join(found["rang"])
                             + (" (lika i övrigt som föregående; i bokstavsordning)" if found["lika_som_foregaende"] else ""))
    for unmet in outcome["ej_tackta_behov"]:
        lines += ["", f"Ingen tillgänglig insats möter behovet {unmet['namn']}." if unmet["inget_alternativ"] else
                  f"Behovet {unmet['namn']} saknar insatser lokalt enligt källorna."]
        for recorded in unmet["registrerade"]:
            lines.append(f"  Saknas enligt källorna: {recorded['namn']} ({recorded['kalla']})")
        if unmet["forbund"]:
            lines.append(f"  Berätta om behovet för {unmet['forbund']['namn']}.")
    if outcome["fragor_kvar"]:
        lines += ["", "Svara gärna också på: " + "; ".join(
            f"{questions[q]['kort']} (--svar {q}=…)" for q in outcome["fragor_kvar"])]
    return lines
    if not any(found.group != UNAVAILABLE for found in matches):
        print("Ingen insats passar svaren. Kontakta samordningsförbundets samordnare.")
    group = None
    for rank, found in enumerate(matches, 1):
        if found.group != group:
            group = found.group
            print({"ordinarie": "Ordinarie insatser – pröva först:", "samordnad": "\nSamordnade insatser:"}
                  .get(group, "\nInte tillgängligt just nu (rekommenderas inte):"))
        number = "  –" if found.group == UNAVAILABLE else f"{rank:>3}."  # unavailable: never a recommendation
        print(visible(f"{number} {catalogue.insatser[found.id]['namn']} [{found.id}]"))
        print(visible(f"     Därför: {' · '.join(found.reasons) or 'inga särskilda villkor'}"))
        for warning in found.warnings:
            print(visible(f"     Obs: {warning}"))
    return 0
