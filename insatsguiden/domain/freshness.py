"""Review dates: when agreements, decisions, contacts, reviews and intake statuses fall due.

Every rule takes today's date as an argument. A finding is `ok`, `snart`
(due within the warning period) or `forsenad` (overdue), with the due date,
how long, who is responsible, who keeps the record current (its `forvaltare`)
and where the field is in the YAML.

A pending decision (`beslut` with status `vantar`) is due at `senast`, or, when
the source gives no deadline, at `nasta_avstamning` (the day the question is to
be taken up again); the finding's field and its sentence say which.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import asdict, dataclass

from ..model.catalogue import PENDING_DECISION, Catalogue
from ..model.dates import parse_partial
from ..model.schema import load_schema
from ..model.vocabulary import field_name

OK, SOON, OVERDUE = "ok", "snart", "forsenad"
STATE_LABELS = {OK: "Aktuell", SOON: "Snart dags", OVERDUE: "Försenad"}
KIND_LABELS = {"overenskommelse": "Överenskommelse", "beslut": "Beslut", "granskning": "Granskning av insats",
               "intag": "Intagsstatus", "kontakt": "Kontaktuppgift"}
# The standard intervals are the schema's defaults (schema/insatser.schema.json, $defs/installningar).
DEFAULTS = {key: field["default"] for key, field in load_schema()["$defs"]["installningar"]["properties"].items()}


def settings_of(catalogue: Catalogue) -> dict:
    """The review intervals in force: the data file's settings over the schema's defaults."""
    return {**DEFAULTS, **catalogue.settings}


# Measures that take no participants have no intake status to confirm.
NO_INTAKE_KINDS = ("foreslagen", "avslutad")


@dataclass(frozen=True)
class Finding:
    kind: str                  # overenskommelse | beslut | granskning | intag | kontakt
    section: str               # insatser | overenskommelser | beslut
    record_id: str
    record_name: str
    field: str                 # dotted path inside the record, e.g. kontakter[1].verifierad
    line: int
    col: int
    state: str                 # ok | snart | forsenad
    due: dt.date | None        # None: never checked at all
    last_checked: str | None   # the date the rule counted from, as written
    responsible: str
    offset_days: int           # today minus due: positive when overdue
    # Who keeps the record current (`forvaltare`): a role and, optionally, a GitHub account.
    owner_role: str | None = None
    owner_github: str | None = None

    @property
    def owner(self) -> str:
        """The owner the weekly report and Läget group by: the record's role, else who is responsible."""
        return self.owner_role or self.responsible

    @property
    def phrases(self) -> tuple[str, str, str]:
        return phrases_for(self.kind, self.field)

    def to_json(self) -> dict:
        data = asdict(self)
        del data["owner_role"], data["owner_github"]
        data["forvaltare"] = ({"roll": self.owner_role, "github": self.owner_github} if self.owner_role else None)
        data["agare"] = self.owner
        data["due"] = self.due.isoformat() if self.due else None
        data["days_overdue"] = max(self.offset_days, 0) if self.due else None
        data["days_left"] = max(-self.offset_days, 0) if self.due else None
        data["state_label"] = STATE_LABELS[self.state]
        data["kind_label"] = KIND_LABELS[self.kind]
        data["message"] = message(self)
        return data


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later; the 31st becomes the month's last day (2024-02-29 + 12 → 2025-02-28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def window_due(last_revision: dt.date, first_month: int, last_month: int) -> dt.date:
    """End of the first yearly revision window that starts after the last revision.

    A window may span the new year (November–February). A revision inside a
    window counts for that window, so the next one is due a year later.
    """
    year = last_revision.year - 1
    while True:
        start = dt.date(year, first_month, 1)
        if start > last_revision:
            end_year = year if last_month >= first_month else year + 1
            return dt.date(end_year, last_month, calendar.monthrange(end_year, last_month)[1])
        year += 1


# Units of a duration, largest first: (days, singular, plural). The browser's recheck
# (docs/assets/granskning.js) gets this table through `browser_rules`.
DURATION_UNITS = ((365, "år", "år"), (30, "månad", "månader"), (1, "dag", "dagar"))


def duration(days: int) -> str:
    """'7 år', '5 månader', '12 dagar' — the largest whole unit; below one day the smallest ('0 dagar')."""
    size, one, many = next((unit for unit in DURATION_UNITS if days >= unit[0]), DURATION_UNITS[-1])
    count = days // size
    return f"{count} {one if count == 1 else many}"


# A pending decision without a deadline, due for its next check (nasta_avstamning): it reads as its own kind.
DECISION_CHECK = "beslut_avstamning"
# What falls due, and its verb as past participle and as passive infinitive.
PHRASES = {
    "overenskommelse": ("Överenskommelsen", "reviderats", "revideras"),
    "granskning": ("Uppgifterna om insatsen", "granskats", "granskas"),
    "intag": ("Intagsstatusen", "bekräftats", "bekräftas"),
    "kontakt": ("Kontaktuppgiften", "verifierats", "verifieras"),
    # A decision with a deadline (senast) …
    "beslut": ("Beslutet", "fattats", "fattas"),
    # … and one without, due for its next check (nasta_avstamning).
    DECISION_CHECK: ("Frågan", "stämts av", "stämmas av"),
}
DECISION_CHECK_FIELD = "nasta_avstamning"


def phrase_key(kind: str, field: str = "") -> str:
    """The kind a finding reads as: a decision due for its next check reads differently from one with a deadline."""
    return DECISION_CHECK if kind == "beslut" and field == DECISION_CHECK_FIELD else kind


def phrases_for(kind: str, field: str = "") -> tuple[str, str, str]:
    """The subject and verbs of a finding."""
    return PHRASES[phrase_key(kind, field)]


def responsible_label(kind: str) -> str:
    """Who a finding names: the body that decides a decision, else who is responsible."""
    return "Beslutas av" if kind == "beslut" else "Ansvarig"


NEVER = "aldrig"
# One sentence per state, filled in with str.format; the browser fills in the same templates.
SENTENCES = {
    NEVER: "{subject} har aldrig {done}.",
    OVERDUE: "{subject} skulle ha {done} senast {due} – försenad sedan {duration}.",
    SOON: "{subject} ska {to_do} senast {due} (om {duration}).",
    OK: "{subject} ska {to_do} senast {due}.",
}


def sentence(finding: Finding) -> str:
    """'Överenskommelsen skulle ha reviderats senast 2019-03-31 – försenad sedan 7 år.'"""
    subject, done, to_do = phrases_for(finding.kind, finding.field)
    if finding.due is None:
        return SENTENCES[NEVER].format(subject=subject, done=done)
    return SENTENCES[finding.state].format(subject=subject, done=done, to_do=to_do, due=finding.due.isoformat(),
                                           duration=duration(abs(finding.offset_days)))


def browser_rules() -> dict:
    """What the browser needs to repeat `_state` and `sentence` against the reader's date.

    Each banner carries its own due date, warning period and phrases (see
    site/templates/_macros.html); this is the rest, from the tables above.
    """
    return {
        "states": {"ok": OK, "soon": SOON, "overdue": OVERDUE},
        "sentences": {OVERDUE: SENTENCES[OVERDUE], SOON: SENTENCES[SOON]},
        "units": [list(unit) for unit in DURATION_UNITS],
    }


def message(finding: Finding) -> str:
    """'EVI-överenskommelsen: … Ansvarig: AMI. Hålls aktuell av: Samordnare.' (a decision: 'Beslutas av: …')."""
    who = responsible_label(finding.kind)
    kept = f" Hålls aktuell av: {finding.owner_role}." if finding.owner_role else ""
    return f"{finding.record_name}: {sentence(finding)} {who}: {finding.responsible}.{kept}"


def _state(due: dt.date | None, today: dt.date, warn_days: int, met: bool = False) -> tuple[str, int]:
    if due is None:
        return OVERDUE, 0
    if met:
        return OK, (today - due).days
    offset = (today - due).days
    if offset > 0:
        return OVERDUE, offset
    if -offset <= warn_days:
        return SOON, offset
    return OK, offset


def _names(catalogue: Catalogue, ids: list[str]) -> str:
    return ", ".join(catalogue.organisationer[i]["namn"] for i in ids)


def responsible_for_insats(catalogue: Catalogue, insats: dict) -> str:
    if insats.get("drivs_av"):
        return _names(catalogue, insats["drivs_av"])
    forbund = {catalogue.kommuner[k].get("samordningsforbund") for k in insats["malgrupp"].get("kommuner", [])} - {None}
    if forbund:
        return _names(catalogue, sorted(forbund))
    return "samordningsförbundet (huvudman saknas i datat)"


def agreement_due(agreement: dict) -> tuple[dt.date | None, str | None, bool]:
    """(due date, the date it counts from, whether a fixed date was already met)."""
    rule = agreement["revision"]
    last = agreement.get("senast_reviderad") or agreement.get("undertecknad")
    last_span = parse_partial(last) if last else None
    if rule["regel"] == "arligt_fonster":
        if last_span is None:
            return None, None, False
        # A partial date ("2018-04") counts from its last possible day.
        return window_due(last_span[1], rule["fonster_fran_manad"], rule["fonster_till_manad"]), last, False
    if rule["regel"] == "fast_datum":
        due = dt.date.fromisoformat(rule["datum"])
        # Revised on or after the fixed date: that date has been met until a new one is set.
        return due, last, last_span is not None and last_span[0] >= due
    till = parse_partial(agreement["giltighet"]["till"])
    return (till[1] if till else None), last, False


def decision_due(decision: dict) -> tuple[dt.date | None, tuple[str]]:
    """(due date, the field it comes from): the deadline (`senast`, a partial date counts from its last day),
    else the next check (`nasta_avstamning`)."""
    for name in ("senast", DECISION_CHECK_FIELD):
        span = parse_partial(decision.get(name)) if decision.get(name) else None
        if span is not None:
            return span[1], (name,)
    return None, ("status",)


def decided_by(catalogue: Catalogue, decision: dict) -> str:
    """Who decides, as Granskning groups it: the organisation's name when the data names one, else the body's name."""
    body = decision["beslutas_av"]
    organisation = catalogue.organisationer.get(body.get("organisation") or "")
    return organisation["namn"] if organisation else body["namn"]


def evaluate(catalogue: Catalogue, today: dt.date, warn_days: int | None = None) -> list[Finding]:
    """Every review finding in the catalogue, most overdue first."""
    settings = settings_of(catalogue)
    warn = settings["varning_dagar"] if warn_days is None else warn_days
    data = catalogue.data
    findings: list[Finding] = []

    def add(kind, section, index, record, name, field_path, due, last, responsible, met=False):
        state, offset = _state(due, today, warn, met)
        line, col = catalogue.position((section, index) + field_path)
        owner = record.get("forvaltare") or {}
        findings.append(Finding(kind, section, record["id"], name, field_name(field_path), line, col, state, due, last,
                                responsible, offset, owner.get("roll"), owner.get("github")))

    for index, agreement in enumerate(data["overenskommelser"]):
        if agreement["status"] == "upphord":
            continue
        due, last, met = agreement_due(agreement)
        field_path = ("senast_reviderad",) if "senast_reviderad" in agreement else ("revision",)
        add("overenskommelse", "overenskommelser", index, agreement, agreement["titel"], field_path, due, last,
            _names(catalogue, [agreement["ansvarig"]]), met)

    for index, decision in enumerate(data.get("beslut", [])):
        if decision["status"] != PENDING_DECISION:
            continue   # taken or no longer relevant: nothing falls due
        due, field_path = decision_due(decision)
        add("beslut", "beslut", index, decision, decision["fraga"], field_path, due, decision["vackt"],
            decided_by(catalogue, decision))

    for index, insats in enumerate(data["insatser"]):
        responsible = responsible_for_insats(catalogue, insats)
        reviewed = insats["senast_granskad"]["datum"]
        add("granskning", "insatser", index, insats, insats["namn"], ("senast_granskad", "datum"),
            add_months(dt.date.fromisoformat(reviewed), settings["granskning_max_manader"]), reviewed,
            responsible)
        if insats["typ"] not in NO_INTAKE_KINDS and insats["intag"]["status"] != "avslutad":
            confirmed = insats["intag"].get("bekraftad")
            due = add_months(dt.date.fromisoformat(confirmed), settings["intag_max_manader"]) if confirmed else None
            add("intag", "insatser", index, insats, insats["namn"], ("intag", "bekraftad") if confirmed else ("intag", "status"),
                due, confirmed, responsible)
        if insats["typ"] in NO_INTAKE_KINDS:
            continue
        for position, contact in enumerate(insats.get("kontakter", [])):
            verified = contact.get("verifierad")
            due = add_months(dt.date.fromisoformat(verified), settings["kontakt_max_manader"]) if verified else None
            add("kontakt", "insatser", index, insats, f"{insats['namn']} ({contact['roll']})",
                ("kontakter", position, "verifierad" if verified else "roll"), due, verified, responsible)

    def order(finding: Finding):
        rank = {OVERDUE: 0, SOON: 1, OK: 2}[finding.state]
        return (rank, finding.due or dt.date.min, finding.line)

    return sorted(findings, key=order)


def overdue(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.state == OVERDUE]


def by_record(findings: list[Finding]) -> dict[tuple[str, str], list[Finding]]:
    index: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        index.setdefault((finding.section, finding.record_id), []).append(finding)
    return index
