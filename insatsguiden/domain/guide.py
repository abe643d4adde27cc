"""Vägvisaren: a triage of the measures against a person's answers, with a reason for every "no".

Two steps, kept apart so the browser can run the second one on the same data:

1. `guide_data()` exports the questions and, per referable measure, its needs,
   what it is primarily for, its conditions (`villkor`, plus the limits of
   `malgrupp` as conditions: see model/conditions.py) and the texts to show.
2. `evaluate()` is the generic loop over that export. It knows question
   *kinds* (which question carries the needs, which one the kommun) but no
   question id, no measure and no rule for a particular field.
   assets/vagvisare.js:evaluate() runs the same loop; tests/test_guide_parity.py
   feeds both hundreds of generated answer sets and compares the results.

Per measure, in this order:
- not a candidate (not listed) when needs are chosen and it meets none;
- elsewhere (not listed, counted) when a condition on a scope question (the kommun) fails;
- "inte-tillganglig" when it has ended or its intake is closed or paused;
- "passar-inte" when a requirement fails or an exclusion hits: the reasons and where to turn instead;
- "stam-av" when a condition with om_okant: stam_av is unanswered: the questions to clarify;
- "kan-passa" otherwise.
Each list is ranked: primary for an urgent need (a "ja" that brings a need), then for the first
need, then for any chosen need; ordinary before other kinds; more needs met; open and confirmed
intake; and last the name (the export is sorted by name), which the result says when it decides.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

from ..model.catalogue import OPEN_INTAKE, ORDINARY_KIND, REFERABLE_KINDS, Catalogue
from ..model.dates import parse_partial
from ..model.conditions import (MULTI_KINDS, NUMBER_KINDS, NUMBER_RANGE, SCOPE_KINDS, UNKNOWN, condition_text,
                                QuestionIndex, conditions_of, options, questions, rule_text, short_name, state)
from ..model.schema import labels
from .freshness import OVERDUE, Finding

OUTCOMES = ("kan-passa", "stam-av", "passar-inte", "inte-tillganglig")
UNAVAILABLE = "inte-tillganglig"
# The result's lists, by outcome, as `--format json` and the browser name them.
RESULT_LISTS = {"kan-passa": "resultat", "stam-av": "stam_av", "passar-inte": "passar_inte",
                "inte-tillganglig": "inte_tillgangliga"}


def unavailable_reason(insats: dict, today: dt.date | None = None) -> str:
    """Why a measure cannot take anyone now ("" when it can): ended, intake closed or paused.

    Such a measure is never recommended; the guide lists it apart, with this reason.
    An unconfirmed intake is not a reason: it stays a warning. With today's date, a
    period that has ended counts as ended whatever the intake says.
    """
    intake = insats["intag"]
    since = f" sedan {intake['sedan']}" if intake.get("sedan") else ""
    end = (insats.get("period") or {}).get("slut")
    if insats["typ"] == "avslutad" or intake["status"] == "avslutad":
        return "Insatsen har avslutats" + (f" ({end})" if end else "") + "."
    ended = parse_partial(end) if end else None
    if today is not None and ended is not None and ended[1] < today:
        return f"Insatsen slutade {end} enligt uppgifterna; kontrollera med verksamheten om den finns kvar."
    if intake["status"] == "stangd" and end:
        return f"Insatsen slutade {end} och intaget är stängt."
    if intake["status"] == "stangd":
        return f"Intaget är stängt{since}."
    if intake["status"] == "pausad":
        return f"Intaget är pausat{since}."
    return ""


# --- the export ---------------------------------------------------------------------

def _question(data: dict, question: dict) -> dict[str, Any]:
    kind = question["matchar"]
    offered = options(data, question)
    return {"id": question["id"], "kort": short_name(question), "typ": kind,
            "flera": kind in MULTI_KINDS, "tal": kind in NUMBER_KINDS, "avgransar": kind in SCOPE_KINDS,
            "min": NUMBER_RANGE[0], "max": NUMBER_RANGE[1],
            "varden": None if offered is None else [[value, text] for value, text in offered],
            "behov_vid_ja": question.get("behov_vid_ja")}


def _condition(condition: dict, question: dict, value_labels: dict[str, str]) -> dict[str, Any]:
    rule = {key: condition[key] for key in ("varde", "varden", "min", "max") if key in condition}
    return {"fraga": condition["fraga"], "typ": condition["typ"], "regel": condition["regel"], **rule,
            "om_okant": condition["om_okant"], "varfor_inte": condition["varfor_inte"],
            "hanvisa_till": list(condition.get("hanvisa_till") or []),
            "text": condition_text(condition, question, value_labels),
            # Shown as a reason when a requirement is met.
            "skal": f"{short_name(question)}: {rule_text(condition, value_labels)}"}


def entry(catalogue: Catalogue, insats: dict, index: QuestionIndex, intake_stale: bool,
          agreement_overdue: list[str], shared: dict[str, int], today: dt.date | None = None) -> dict[str, Any]:
    """What the evaluation reads about one measure, and the texts shown with it.

    Its conditions are positions in the export's one list of distinct conditions (`shared`
    maps each, as JSON, to its position): measures in the same kommuner and age range share
    the same derived conditions, so a large catalogue sends each of them once.
    """
    target = insats["malgrupp"]
    conditions = []
    for condition in conditions_of(catalogue.data, insats, index):
        if condition["fraga"] not in index.asked:  # the guide does not ask it: nothing to evaluate
            continue
        question, value_labels = index.asked[condition["fraga"]], index.labels(condition["fraga"])
        key = json.dumps(_condition(condition, question, value_labels), ensure_ascii=False, sort_keys=True)
        conditions.append(shared.setdefault(key, len(shared)))
    warnings = []
    if intake_stale:
        warnings.append("Intaget är inte bekräftat: kontakta verksamheten.")
    elif insats["intag"]["status"] not in OPEN_INTAKE:
        warnings.append(f"Intag: {labels('intagsstatus')[insats['intag']['status']]}.")
    warnings += [f"Överenskommelsen {title} är inte reviderad i tid." for title in agreement_overdue]
    coordinated = insats["typ"] != ORDINARY_KIND
    return {
        "id": insats["id"],
        "namn": insats["namn"],
        "typ": insats["typ"],
        "ordinarie": not coordinated,
        "behov": list(target.get("behov", [])),
        "primart_for": list(insats.get("primart_for", [])),
        "villkor": conditions,
        "oppet": insats["intag"]["status"] in OPEN_INTAKE and not intake_stale,
        "ej_tillganglig": unavailable_reason(insats, today),
        "varningar": warnings,
        "remittenter": list(insats["remiss"]["remittenter"]),
        "egen_ansokan": insats["remiss"]["egen_ansokan"],
        # Shown with the result, not evaluated.
        "remittent_text": ", ".join(labels("remittent")[r] for r in insats["remiss"]["remittenter"]),
        "kontakt": "; ".join(c["roll"] for c in insats.get("kontakter", [])),
        "kontakta_innan": bool(insats["remiss"].get("kontakta_innan", False)),
        "innan": coordinated,   # has a printable "Innan du remitterar" page
    }


def guide_data(catalogue: Catalogue, findings: list[Finding], today: dt.date | None = None) -> dict[str, Any]:
    """Everything the evaluation needs, as plain JSON-ready data: questions, measures, labels.

    `today` (the build date) lets a measure whose period has ended count as unavailable.
    """
    stale_intake = {f.record_id for f in findings if f.kind == "intag" and f.state == OVERDUE}
    overdue_agreements = {f.record_id for f in findings if f.kind == "overenskommelse" and f.state == OVERDUE}
    data = catalogue.data
    exported = [_question(data, q) for q in questions(data)]
    index = QuestionIndex(data)
    entries = []
    shared: dict[str, int] = {}
    # Sorted by name once here: the last ranking key is this position, so both runtimes
    # break ties the same way without comparing strings.
    for insats in sorted(catalogue.insatser.values(), key=lambda i: (i["namn"].casefold(), i["id"])):
        if insats["typ"] not in REFERABLE_KINDS:
            continue
        late = [catalogue.overenskommelser[a]["titel"] for a in insats.get("overenskommelser", []) if a in overdue_agreements]
        entries.append(entry(catalogue, insats, index, insats["id"] in stale_intake, late, shared, today))
    forbund = {}
    for kommun in catalogue.kommuner.values():
        organisation = catalogue.organisationer.get(kommun.get("samordningsforbund", ""))
        if organisation:
            forbund[kommun["id"]] = {"id": organisation["id"], "namn": organisation["namn"]}
    return {
        "fragor": exported,
        "villkor": [json.loads(key) for key in shared],
        "insatser": entries,
        "etiketter": {
            "behov": {k: v["namn"] for k, v in catalogue.behov.items()},
            "remittent": labels("remittent"),
        },
        "ej_tackta": [{"id": u["id"], "namn": u["namn"], "behov": u["behov"], "kommuner": u["kommuner"],
                       "kalla": "; ".join(catalogue.source_citation(s) for s in u.get("kallor", []))}
                      for u in catalogue.ej_tackta_behov.values()],
        "forbund": forbund,
        # Measures left out of a one-kommun export (kommun_guide_data): [needs, how many], and
        # the name and unavailability of those a hand-off names: {id: [name, reason]}.
        "utanfor": [],
        "hanvisningar": {},
    }


def kommun_guide_data(data: dict[str, Any], kommun: str) -> dict[str, Any]:
    """The export for one kommun: what the page needs once that kommun is chosen, and nothing more.

    A measure whose condition on the kommun question fails for this kommun can only ever be
    counted as "in another kommun"; it is left out and counted per set of needs (`utanfor`).
    If a condition hands off to it, its name and whether it can take anyone are kept
    (`hanvisningar`), as a hand-off names it either way. Recorded gaps
    and the förbund are kept for this kommun only, and the conditions list holds only those
    still referenced. For every answer set whose kommun is `kommun`,
    evaluate(kommun_guide_data(data, kommun), answers) == evaluate(data, answers)
    (tests/test_guide.py checks it on generated answers).
    """
    scope = _first_of_kind(data, "kommun")
    if scope is None:
        return data
    outside_conditions = {index for index, condition in enumerate(data["villkor"])
                          if condition["fraga"] == scope["id"] and state(condition, kommun) == "ej"}
    handed_off = {target for condition in data["villkor"] for target in condition["hanvisa_till"]}
    kept, outside = [], {}
    names = dict(data.get("hanvisningar") or {})
    for item in data["insatser"]:
        if any(index in outside_conditions for index in item["villkor"]):
            key = tuple(item["behov"])
            outside[key] = outside.get(key, 0) + 1
            if item["id"] in handed_off:
                names[item["id"]] = [item["namn"], item["ej_tillganglig"]]
        else:
            kept.append(item)
    renumbered: dict[int, int] = {}
    for item in kept:
        for index in item["villkor"]:
            renumbered.setdefault(index, len(renumbered))
    previous = {tuple(needs): count for needs, count in data.get("utanfor") or []}
    for key, count in outside.items():
        previous[key] = previous.get(key, 0) + count
    return {
        **data,
        "villkor": [data["villkor"][index] for index in renumbered],
        "insatser": [{**item, "villkor": [renumbered[index] for index in item["villkor"]]} for item in kept],
        "ej_tackta": [gap for gap in data["ej_tackta"] if kommun in gap["kommuner"]],
        "forbund": {kommun: data["forbund"][kommun]} if kommun in data["forbund"] else {},
        "utanfor": sorted([list(needs), count] for needs, count in previous.items()),
        "hanvisningar": dict(sorted(names.items())),
    }


def guide_form_data(data: dict[str, Any]) -> dict[str, Any]:
    """What the guide page embeds: the questions and labels, no measures (those come with the
    kommun's document); the whole export when no question asks for the kommun."""
    if _first_of_kind(data, "kommun") is None:
        return data
    return {"fragor": data["fragor"], "etiketter": data["etiketter"]}


# --- answers --------------------------------------------------------------------------

def _offered(question: dict, value: Any) -> bool:
    if question["tal"]:
        return isinstance(value, int) and not isinstance(value, bool) and question["min"] <= value <= question["max"]
    return isinstance(value, str) and any(value == option[0] for option in question["varden"] or [])


def known_answers(data: dict[str, Any], query: Mapping[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Answers from a URL query (question id -> text), keeping what the questions offer.

    A number question takes 0–120 written as digits; a question with several answers
    takes values separated by commas (kept in the question's order). Everything else,
    and any parameter that is no question, is returned as (parameter, value) to report.
    vagvisare.js:knownAnswers() does the same for the page's URL.
    """
    answers: dict[str, Any] = {}
    ignored: list[tuple[str, str]] = []
    by_id = {q["id"]: q for q in data["fragor"]}
    for name, raw in query.items():
        raw = (raw or "").strip()
        if not raw:
            continue
        question = by_id.get(name)
        if question is None:
            ignored.append((name, raw))
        elif question["flera"]:
            parts = [part for part in raw.split(",") if part]
            order = [option[0] for option in question["varden"] or []]
            kept = [value for value in order if value in parts]
            ignored += [(name, part) for part in dict.fromkeys(parts) if part not in order]
            if kept:
                answers[name] = kept
        elif question["tal"]:
            if re.fullmatch(r"[0-9]{1,3}", raw) and _offered(question, int(raw)):
                answers[name] = int(raw)
            else:
                ignored.append((name, raw))
        elif _offered(question, raw):
            answers[name] = raw
        else:
            ignored.append((name, raw))
    return answers, ignored


def to_query(answers: Mapping[str, Any]) -> dict[str, str]:
    return {name: ",".join(value) if isinstance(value, list) else str(value) for name, value in answers.items()
            if value not in (None, "", [])}


# --- the evaluation ---------------------------------------------------------------------

def _first_of_kind(data: dict, kind: str) -> dict | None:
    return next((q for q in data["fragor"] if q["typ"] == kind), None)


def _answer(answers: Mapping[str, Any], question: dict | None) -> Any:
    return answers.get(question["id"]) if question is not None else None


def offered_answers(data: dict[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Only answers the questions offer, in the shape each takes; anything else counts as unanswered.

    An answer a question does not offer ("JA", a list for a single answer, a number for a need)
    must never satisfy a condition by failing to match its exclusion.
    """
    kept: dict[str, Any] = {}
    for question in data["fragor"]:
        value = answers.get(question["id"]) if isinstance(answers, Mapping) else None
        if question["flera"]:
            if isinstance(value, (list, tuple)):
                chosen = [v for v in value if isinstance(v, str) and _offered(question, v)]
                if chosen:
                    kept[question["id"]] = [option[0] for option in question["varden"] if option[0] in chosen]
        elif _offered(question, value):
            kept[question["id"]] = value
    return kept


def evaluate(data: dict[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """The triage for one set of answers (question id -> value). assets/vagvisare.js mirrors this loop."""
    answers = offered_answers(data, answers)
    questions_by_id = {q["id"]: q for q in data["fragor"]}
    need_labels = data["etiketter"]["behov"]
    remittent_labels = data["etiketter"]["remittent"]
    names = {item["id"]: item["namn"] for item in data["insatser"]}
    closed = {item["id"]: item["ej_tillganglig"] for item in data["insatser"] if item["ej_tillganglig"]}
    for identity, (name, reason) in (data.get("hanvisningar") or {}).items():
        names[identity] = name
        if reason:
            closed[identity] = reason
    # Needs: urgent ones (a "ja" that brings a need), the first need, then the others chosen.
    urgent: list[str] = []
    for question in data["fragor"]:
        if question["behov_vid_ja"] and answers.get(question["id"]) == "ja" and question["behov_vid_ja"] not in urgent:
            urgent.append(question["behov_vid_ja"])
    first = _answer(answers, _first_of_kind(data, "forsta_behov"))
    chosen = list(_answer(answers, _first_of_kind(data, "behov")) or [])
    needs: list[str] = []
    for need in urgent + ([first] if first else []) + chosen:
        if need not in needs:
            needs.append(need)
    contacts = list(_answer(answers, _first_of_kind(data, "kontakter")) or [])
    referrer = _answer(answers, _first_of_kind(data, "remittent"))

    lists: dict[str, list[dict]] = {outcome: [] for outcome in OUTCOMES}
    # Measures a one-kommun export left out: in another kommun whenever they meet a chosen need.
    elsewhere = sum(count for kept_needs, count in data.get("utanfor") or []
                    if not needs or any(need in kept_needs for need in needs))
    for position, item in enumerate(data["insatser"]):
        met_needs = [need for need in needs if need in item["behov"]]
        if needs and not met_needs:
            continue
        conditions = [data["villkor"][index] for index in item["villkor"]]
        checked = [(condition, state(condition, answers.get(condition["fraga"]))) for condition in conditions]
        if any(s == "ej" and questions_by_id[c["fraga"]]["avgransar"] for c, s in checked):
            elsewhere += 1
            continue
        failed = [c for c, s in checked if s == "ej"]
        to_clarify = [c["fraga"] for c, s in checked if s == "okant" and c["om_okant"] == "stam_av"]
        reasons = [need_labels.get(need, need) for need in met_needs]
        reasons += [c["skal"] for c, s in checked if s == "uppfyllt" and c["typ"] == "krav"]
        reasons += [f"kan remitteras av {remittent_labels.get(contact, contact)}"
                    for contact in contacts if contact in item["remittenter"]]
        warnings = list(item["varningar"])
        if referrer and item["remittenter"] and referrer not in item["remittenter"]:
            warnings.append(f"{remittent_labels.get(referrer, referrer)} står inte bland dem som kan remittera"
                            + ("; personen kan ansöka själv." if item["egen_ansokan"] else "."))
        turn_to: list[str] = []
        if item["ej_tillganglig"]:
            outcome, reasons, warnings = UNAVAILABLE, [item["ej_tillganglig"]], []
        elif failed:
            outcome, reasons = "passar-inte", [c["varfor_inte"] for c in failed]
            for condition in failed:
                turn_to += [t for t in condition["hanvisa_till"] if t not in turn_to and t != item["id"]]
        elif to_clarify:
            outcome = "stam-av"
        else:
            outcome = "kan-passa"
        primary = (0 if any(n in item["primart_for"] for n in urgent) else
                   1 if first and first in item["primart_for"] else
                   2 if any(n in item["primart_for"] for n in needs) else 3)
        key = (primary, 0 if item["ordinarie"] else 1, -len(met_needs), 0 if item["oppet"] else 1)
        lists[outcome].append({
            "id": item["id"], "namn": item["namn"], "utfall": outcome, "skal": reasons, "varningar": warnings,
            # Where to turn instead, and whether that place can take anyone now.
            "hanvisa_till": [{"id": t, "namn": names.get(t, t), "ej_tillganglig": closed.get(t, "")} for t in turn_to],
            # What to clarify only matters while nothing has ruled the measure out.
            "stam_av": [{"id": q, "fraga": questions_by_id[q]["kort"]} for q in dict.fromkeys(to_clarify)]
            if outcome == "stam-av" else [],
            "villkor": [{"text": c["text"], "tillstand": s, "varfor_inte": c["varfor_inte"]} for c, s in checked],
            "rang": _rank_reasons(key, item, first, urgent, need_labels, len(needs)),
            "_key": key + (position,)})
    for found in lists.values():
        found.sort(key=lambda r: r["_key"])
        for index, result in enumerate(found):
            result["lika_som_foregaende"] = index > 0 and found[index - 1]["_key"][:4] == result["_key"][:4]
        for result in found:
            del result["_key"]
    possible = lists["kan-passa"] + lists["stam-av"]
    by_id = {item["id"]: item for item in data["insatser"]}
    asked_about = {data["villkor"][index]["fraga"] for r in possible for index in by_id[r["id"]]["villkor"]}
    remaining = [q["id"] for q in data["fragor"] if q["id"] in asked_about
                 and answers.get(q["id"]) in (None, UNKNOWN, [])]
    return {
        "resultat": lists["kan-passa"],
        "stam_av": lists["stam-av"],
        "passar_inte": lists["passar-inte"],
        "inte_tillgangliga": lists[UNAVAILABLE],
        "ej_tackta_behov": _unmet(data, answers, needs, possible, by_id),
        "fragor_kvar": remaining,
        # Questions worth showing: those some possible measure has a condition on, and those answered.
        "fragor_relevanta": [q["id"] for q in data["fragor"] if q["id"] in asked_about or q["id"] in answers],
        "andra_kommuner": elsewhere,
    }


def _rank_reasons(key: tuple, item: dict, first: str | None, urgent: list[str], need_labels: dict, needs: int) -> list[str]:
    """Why a measure stands where it stands, one phrase per ranking key."""
    reasons = []
    if key[0] == 0:
        reasons.append("huvudsyfte: " + ", ".join(need_labels.get(n, n) for n in item["primart_for"] if n in urgent))
    elif key[0] == 1:
        reasons.append(f"huvudsyfte: {need_labels.get(first, first)} (första behovet)")
    elif key[0] == 2:
        reasons.append("huvudsyfte: ett av behoven")
    reasons.append("ordinarie insats" if item["ordinarie"] else "samordnad insats")
    if needs:
        reasons.append(f"möter {-key[2]} av {needs} behov")
    reasons.append("öppet intag" if item["oppet"] else "intaget är inte öppet eller inte bekräftat")
    return reasons


def _unmet(data: dict, answers: Mapping[str, Any], needs: list[str], possible: list[dict], by_id: dict) -> list[dict]:
    """Chosen needs that no possible measure meets, or that the sources record as missing in the kommun.

    `inget_alternativ` is true when nothing listed meets the need; the recorded gaps (with their
    sources) are named either way, with the kommun's förbund to tell.
    """
    kommun = _answer(answers, _first_of_kind(data, "kommun"))
    forbund = data["forbund"].get(kommun) if kommun else None
    unmet = []
    for need in needs:
        uncovered = not any(need in by_id[r["id"]]["behov"] for r in possible)
        recorded = [{"id": u["id"], "namn": u["namn"], "kalla": u["kalla"]} for u in data["ej_tackta"]
                    if need in u["behov"] and (not kommun or kommun in u["kommuner"])]
        if uncovered or recorded:
            unmet.append({"behov": need, "namn": data["etiketter"]["behov"].get(need, need),
                          "inget_alternativ": uncovered, "registrerade": recorded, "forbund": forbund})
    return unmet


def triage(catalogue: Catalogue, findings: list[Finding], answers: Mapping[str, Any],
           today: dt.date | None = None) -> dict[str, Any]:
    return evaluate(guide_data(catalogue, findings, today), answers)
