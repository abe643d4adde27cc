"""Vägvisaren: rank the measures that fit a person's situation, with reasons.

The reference implementation. `guide_data()` exports exactly what the
browser needs (assets/vagvisare.js runs the same steps on it) and a test
feeds a table of profiles through both and compares the results.

Rules, in order:
1. Only measures one can be referred to (ordinary, coordinated, project);
   proposed and ended ones never appear.
2. Hard limits exclude: kommun, age range, income source, and "must manage
   an activity a few hours a week" when the answer is no.
3. When needs are given, at least one must match.
4. Coordinated teams and projects appear only when their criteria fit:
   every limit they set must be answered and met, and activity must be "ja".
5. Ordinary measures first, then coordinated ones; within each, more
   matching needs first, then open intake, then name.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..model.catalogue import OPEN_INTAKE, ORDINARY_KIND, REFERABLE_KINDS, Catalogue
from .freshness import OVERDUE, Finding
from ..model.schema import labels
from ..model.vocabulary import answer_values

ANSWER_KEYS = ("kommun", "alder", "forsorjning", "behov", "aktivitet", "kontakter", "remittent")
ACTIVITY_ANSWERS = answer_values("aktivitet")
MANY_ANSWERS = ("behov", "kontakter")


@dataclass(frozen=True)
class Answers:
    kommun: str | None = None
    alder: int | None = None
    forsorjning: str | None = None
    behov: tuple[str, ...] = ()
    aktivitet: str | None = None          # ja | nej | vet-inte
    kontakter: tuple[str, ...] = ()
    remittent: str | None = None

    @classmethod
    def from_query(cls, query: dict[str, str]) -> "Answers":
        """Answers as they appear in the guide's URL; unknown or malformed values are ignored."""
        def single(name: str) -> str | None:
            value = (query.get(name) or "").strip()
            return value or None

        def many(name: str) -> tuple[str, ...]:
            return tuple(sorted({part for part in (query.get(name) or "").split(",") if part}))

        age = single("alder")
        activity = single("aktivitet")
        return cls(kommun=single("kommun"),
                   alder=int(age) if age and re.fullmatch(r"[0-9]{1,3}", age) else None,
                   forsorjning=single("forsorjning"), behov=many("behov"),
                   aktivitet=activity if activity in ACTIVITY_ANSWERS else None,
                   kontakter=many("kontakter"), remittent=single("remittent"))

    def to_query(self) -> dict[str, str]:
        query = {"kommun": self.kommun, "alder": str(self.alder) if self.alder is not None else None,
                 "forsorjning": self.forsorjning, "behov": ",".join(self.behov), "aktivitet": self.aktivitet,
                 "kontakter": ",".join(self.kontakter), "remittent": self.remittent}
        return {key: value for key, value in query.items() if value}


def known_answers(query: Mapping[str, str], allowed: Mapping[str, Collection[str] | None]) -> tuple[Answers, list[tuple[str, str]]]:
    """Answers from a query, keeping only the values the page's questions offer; the rest are reported.

    `allowed` maps each question (by the answer it sets) to the values it offers, or to None for a
    free field (the age). A value the question does not offer, an answer to a question the page does
    not ask, and a malformed value are dropped (as if not answered) and listed as (question, value) in
    ANSWER_KEYS order. vagvisare.js:knownAnswers() mirrors this for answers in the page's URL.
    """
    parsed = Answers.from_query(query)
    ignored: list[tuple[str, str]] = []
    kept: dict[str, Any] = {}

    def offered(name: str, value: Any) -> bool:
        if name not in allowed:
            return False
        values = allowed[name]
        return values is None or value in values

    for name in ANSWER_KEYS:
        value = getattr(parsed, name)
        if name in MANY_ANSWERS:
            kept[name] = tuple(v for v in value if offered(name, v))
            ignored += [(name, v) for v in value if not offered(name, v)]
            continue
        raw = (query.get(name) or "").strip()
        if value is not None and offered(name, value):
            kept[name] = value
        elif raw:
            ignored.append((name, raw))
    return Answers(**kept), ignored


@dataclass
class Match:
    id: str
    group: str                      # ordinarie | samordnad | inte-tillganglig (ended, closed or paused intake)
    needs_matched: int
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"id": self.id, "grupp": self.group, "behov": self.needs_matched, "skal": self.reasons,
                "varningar": self.warnings}


UNAVAILABLE = "inte-tillganglig"


def unavailable_reason(insats: dict) -> str:
    """Why a measure cannot take anyone now ("" when it can): ended, intake closed or paused.

    Such a measure is never recommended; the guide lists it apart, with this reason.
    An unconfirmed intake is not a reason: it stays a warning.
    """
    intake = insats["intag"]
    since = f" sedan {intake['sedan']}" if intake.get("sedan") else ""
    if insats["typ"] == "avslutad" or intake["status"] == "avslutad":
        end = (insats.get("period") or {}).get("slut")
        return "Insatsen har avslutats" + (f" ({end})" if end else "") + "."
    if intake["status"] == "stangd":
        return f"Intaget är stängt{since}."
    if intake["status"] == "pausad":
        return f"Intaget är pausat{since}."
    return ""


def entry(catalogue: Catalogue, insats: dict, intake_stale: bool, agreement_overdue: list[str]) -> dict[str, Any]:
    """The fields the matching reads, flattened: the same dict in Python and (as JSON) in the browser."""
    target = insats["malgrupp"]
    age = target.get("alder") or {}
    return {
        "id": insats["id"],
        "namn": insats["namn"],
        "typ": insats["typ"],
        "kommuner": list(target.get("kommuner", [])),
        "alder_min": age.get("min"),
        "alder_max": age.get("max"),
        "forsorjning": list(target.get("forsorjning", [])),
        "behov": list(target.get("behov", [])),
        "kraver_aktivitet": bool(target.get("kraver_aktivitetsformaga", False)),
        "remittenter": list(insats["remiss"]["remittenter"]),
        "egen_ansokan": insats["remiss"]["egen_ansokan"],
        "intag": insats["intag"]["status"],
        "intag_obekraftat": intake_stale,
        "ej_tillganglig": unavailable_reason(insats),
        "avtal_forsenade": agreement_overdue,
        # Shown with the result, not matched on.
        "remittent_text": ", ".join(labels("remittent")[r] for r in insats["remiss"]["remittenter"]),
        "kontakt": "; ".join(c["roll"] for c in insats.get("kontakter", [])),
        "kontakta_innan": bool(insats["remiss"].get("kontakta_innan", False)),
        "kriterier": list(insats.get("kriterier", [])) if insats["typ"] != ORDINARY_KIND else [],
        "passar_inte_for": list(insats.get("passar_inte_for", [])) if insats["typ"] != ORDINARY_KIND else [],
        "forvantningar": list(insats.get("forvantningar", [])) if insats["typ"] != ORDINARY_KIND else [],
    }


def guide_data(catalogue: Catalogue, findings: list[Finding]) -> dict[str, Any]:
    """Everything the browser needs to run the guide: entries and labels."""
    stale_intake = {f.record_id for f in findings if f.kind == "intag" and f.state == OVERDUE}
    overdue_agreements = {f.record_id for f in findings if f.kind == "overenskommelse" and f.state == OVERDUE}
    entries = []
    for insats in catalogue.insatser.values():
        if insats["typ"] not in REFERABLE_KINDS:
            continue
        late = [catalogue.overenskommelser[a]["titel"] for a in insats.get("overenskommelser", []) if a in overdue_agreements]
        entries.append(entry(catalogue, insats, insats["id"] in stale_intake, late))
    return {
        "insatser": entries,
        "etiketter": {
            "kommun": {k: v["namn"] for k, v in catalogue.kommuner.items()},
            "behov": {k: v["namn"] for k, v in catalogue.behov.items()},
            "forsorjning": labels("forsorjning"),
            "remittent": labels("remittent"),
            "intag": labels("intagsstatus"),
            "aktivitet": labels("aktivitetssvar"),
        },
        "oppet_intag": list(OPEN_INTAKE),
        "ej_tackta": [{"namn": u["namn"], "behov": u["behov"], "kommuner": u["kommuner"]}
                      for u in catalogue.ej_tackta_behov.values()],
    }


def _limits_met(limits, coordinated: bool, reasons: list[str]) -> bool:
    """Whether every (has limit, answer, fits, reason) holds; adds the reasons of those that do."""
    for has_limit, answer, fits, reason in limits:
        if not has_limit:
            continue
        if answer is None:
            if coordinated:
                return False
        elif not fits(answer):
            return False
        else:
            reasons.append(reason(answer))
    return True


def match_entries(data: dict[str, Any], answers: Answers) -> list[Match]:
    """The matching itself, on exported entries. vagvisare.js mirrors this function line by line."""
    label = data["etiketter"]
    results: list[Match] = []
    for item in data["insatser"]:
        coordinated = item["typ"] != ORDINARY_KIND
        reasons: list[str] = []
        # Needs: at least one must match when any are given.
        matched = [need for need in answers.behov if need in item["behov"]]
        if answers.behov and not matched:
            continue
        reasons += [label["behov"].get(need, need).lower() for need in matched]
        # Kommun, age range, income source: a limit the measure sets must be met. An
        # unanswered limit keeps an ordinary measure (ask first) but drops a coordinated one.
        low = item["alder_min"] if item["alder_min"] is not None else 0
        high = item["alder_max"] if item["alder_max"] is not None else 120
        limits = (
            (bool(item["kommuner"]), answers.kommun, lambda kommun: kommun in item["kommuner"],
             lambda kommun: label["kommun"].get(kommun, kommun)),
            (item["alder_min"] is not None or item["alder_max"] is not None, answers.alder,
             lambda age: low <= age <= high, lambda age: f"{low}–{high} år"),
            (bool(item["forsorjning"]), answers.forsorjning, lambda source: source in item["forsorjning"],
             lambda source: label["forsorjning"].get(source, source).lower()),
        )
        if not _limits_met(limits, coordinated, reasons):
            continue
        # Activity a few hours a week.
        if item["kraver_aktivitet"]:
            if answers.aktivitet == "nej" or (coordinated and answers.aktivitet != "ja"):
                continue
            if answers.aktivitet == "ja":
                reasons.append("klarar aktivitet några timmar i veckan")
        for contact in answers.kontakter:
            if contact in item["remittenter"]:
                reasons.append(f"kan remitteras av {label['remittent'].get(contact, contact)}")
        warnings: list[str] = []
        if item["intag_obekraftat"]:
            warnings.append("Intaget är inte bekräftat: kontakta verksamheten.")
        elif item["intag"] not in data["oppet_intag"]:
            warnings.append(f"Intag: {label['intag'].get(item['intag'], item['intag'])}.")
        for title in item["avtal_forsenade"]:
            warnings.append(f"Överenskommelsen {title} är inte reviderad i tid.")
        if answers.remittent and item["remittenter"] and answers.remittent not in item["remittenter"]:
            who = label["remittent"].get(answers.remittent, answers.remittent)
            warnings.append(f"{who} står inte bland dem som kan remittera"
                            + ("; personen kan ansöka själv." if item["egen_ansokan"] else "."))
        group = "samordnad" if coordinated else "ordinarie"
        if item["ej_tillganglig"]:  # never recommended: listed apart, with why
            group, warnings = UNAVAILABLE, [item["ej_tillganglig"]]
        results.append(Match(item["id"], group, len(matched), reasons, warnings))

    by_id = {item["id"]: item for item in data["insatser"]}

    def order(match: Match):
        item = by_id[match.id]
        open_now = item["intag"] in data["oppet_intag"] and not item["intag_obekraftat"]
        rank = 2 if match.group == UNAVAILABLE else 1 if match.group != "ordinarie" else 0
        return (rank, -match.needs_matched, not open_now, item["namn"].lower())

    return sorted(results, key=order)


def match(catalogue: Catalogue, findings: list[Finding], answers: Answers) -> list[Match]:
    return match_entries(guide_data(catalogue, findings), answers)
