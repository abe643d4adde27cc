"""The guide's questions and conditions as data: what a question accepts and how a rule reads.

A condition (`villkor`) names a question, a rule and what happens when the answer
fails it or is missing. The rule vocabulary is small on purpose, so coordinators can
read it in the YAML and every rule has a Swedish sentence:

    lika    the answer is `varde`              (choice questions)
    i       the answer is one of `varden`      (choice questions)
    mellan  min <= answer <= max               (number questions)
    minst   answer >= varde                    (number questions)
    hogst   answer <= varde                    (number questions)

The limits a measure already states in `malgrupp` (kommuner, age, income source,
activity capacity) become conditions of the same kind here (`conditions_of`), so the
guide has one mechanism. Everything in this module reads plain data and tolerates
values the schema has not checked yet; it decides nothing about a particular
question or measure.
"""
from __future__ import annotations

from typing import Any, Iterable

from .schema import labels
from .vocabulary import answer_options

UNKNOWN = "vet-inte"            # an answer that counts as no answer
ORDINARY_KIND = "ordinarie"

# Question kinds (`matchar`) by how they are answered and what they do.
MULTI_KINDS = frozenset({"behov", "kontakter"})                 # several answers
NUMBER_KINDS = frozenset({"alder"})                             # an integer 0–120
NUMBER_RANGE = (0, 120)
CONDITION_KINDS = frozenset({"kommun", "alder", "forsorjning", "forsta_behov", "aktivitet", "janej"})
REPEATABLE_KINDS = frozenset({"janej"})    # the only kind the guide may ask several questions of
SCOPE_KINDS = frozenset({"kommun"})     # a failed condition hides the measure: it is elsewhere, not a "no"
# How the page asks: kinds answered ja / nej / vet inte as radio buttons, and the kinds that
# fold away while no remaining measure has a condition on them (the kommun and the needs
# always show: they decide what is a candidate at all).
YES_NO_KINDS = frozenset({"aktivitet", "janej"})
FOLDABLE_KINDS = CONDITION_KINDS - SCOPE_KINDS - {"forsta_behov"}
CHOICE_RULES = ("lika", "i")
# The fields each rule reads, and whether they hold text or a whole number.
RULE_FIELDS = {"lika": {"varde": str}, "i": {"varden": list}, "mellan": {"min": int, "max": int},
               "minst": {"varde": int}, "hogst": {"varde": int}}
NUMBER_RULES = ("mellan", "minst", "hogst")
OUTCOME_ON_UNKNOWN = ("stam_av", "fraga")


def questions(data: Any) -> list[dict]:
    guide = data.get("vagvisare") if isinstance(data, dict) else None
    found = guide.get("fragor") if isinstance(guide, dict) else None
    return [q for q in found if isinstance(q, dict)] if isinstance(found, list) else []


def question_by_kind(data: Any) -> dict[str, dict]:
    """The first question of each kind (the schema rules allow only one per kind)."""
    found: dict[str, dict] = {}
    for question in questions(data):
        kind = question.get("matchar")
        if isinstance(kind, str):
            found.setdefault(kind, question)
    return found


def options(data: Any, question: dict) -> list[tuple[str, str]] | None:
    """(value, label) a question offers: its own `svar`, or every value of its kind; None for a number."""
    own = question.get("svar")
    if isinstance(own, list) and own:
        return [(a["varde"], a.get("text", a["varde"])) for a in own
                if isinstance(a, dict) and isinstance(a.get("varde"), str)]
    kind = question.get("matchar")
    return answer_options(data, kind) if isinstance(kind, str) else []


def short_name(question: dict) -> str:
    return question.get("kort") or question.get("fraga") or question.get("id", "")


def holds(condition: dict, answer: Any) -> bool:
    """Whether a known answer satisfies the rule (before `typ` turns it into met or failed)."""
    rule = condition.get("regel")
    if rule == "lika":
        return answer == condition.get("varde")
    if rule == "i":
        return answer in (condition.get("varden") or [])
    if not isinstance(answer, int) or isinstance(answer, bool):
        return False
    if rule == "mellan":
        return condition["min"] <= answer <= condition["max"]
    if rule == "minst":
        return answer >= condition["varde"]
    if rule == "hogst":
        return answer <= condition["varde"]
    return False


def state(condition: dict, answer: Any) -> str:
    """'uppfyllt', 'ej' (fails: a requirement unmet or an exclusion hit) or 'okant' (no answer yet)."""
    if answer is None or answer == UNKNOWN or answer == [] or answer == ():
        return "okant"
    hit = holds(condition, answer)
    return "uppfyllt" if hit == (condition.get("typ") == "krav") else "ej"


def _joined(words: list[str], last: str = "och") -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {last} " + words[-1]


def rule_text(condition: dict, value_labels: dict[str, str]) -> str:
    """The rule in Swedish, e.g. 'Ja', 'Ludvika eller Smedjebacken', '16–29 år'."""
    rule = condition.get("regel")
    if rule == "lika":
        return value_labels.get(condition.get("varde"), str(condition.get("varde")))
    if rule == "i":
        return _joined([value_labels.get(v, v) for v in condition.get("varden") or []], "eller")
    if rule == "mellan":
        return f"{condition.get('min')}–{condition.get('max')}"
    if rule == "minst":
        return f"minst {condition.get('varde')}"
    if rule == "hogst":
        return f"högst {condition.get('varde')}"
    return ""


def condition_text(condition: dict, question: dict, value_labels: dict[str, str]) -> str:
    """The whole condition as a checklist line: 'Krav: Behöver samordning: Ja'."""
    what = "Krav" if condition.get("typ") == "krav" else "Utesluter"
    return f"{what}: {short_name(question)}: {rule_text(condition, value_labels)}"


class QuestionIndex:
    """The guide's questions looked up once for a whole catalogue: by id, by kind, their values.

    Conditions are worked out per measure; without this, a catalogue with many kommuner would
    rebuild the kommun list for each of thousands of measures.
    """

    def __init__(self, data: Any):
        self.data = data
        self.asked: dict[str, dict] = {}
        for question in questions(data):
            if isinstance(question.get("id"), str):
                self.asked.setdefault(question["id"], question)
        self.by_kind = question_by_kind(data)
        listed = data.get("kommuner") if isinstance(data, dict) else None
        self.kommun_names = {k["id"]: str(k.get("namn", k["id"])) for k in (listed if isinstance(listed, list) else [])
                             if isinstance(k, dict) and isinstance(k.get("id"), str)}
        self._values: dict[str, list[str] | None] = {}
        self._labels: dict[str, dict[str, str]] = {}

    def values(self, question_id: str) -> list[str] | None:
        """The values a question offers (None for a number question), computed once."""
        if question_id not in self._values:
            offered = options(self.data, self.asked[question_id])
            self._values[question_id] = None if offered is None else [value for value, _ in offered]
            self._labels[question_id] = dict(offered or [])
        return self._values[question_id]

    def labels(self, question_id: str) -> dict[str, str]:
        """Value -> the text the question shows for it."""
        self.values(question_id)
        return self._labels[question_id]


def derived_conditions(data: Any, insats: dict, index: QuestionIndex | None = None) -> list[dict]:
    """The limits of `malgrupp` as conditions, one per question the guide asks."""
    index = index or QuestionIndex(data)
    by_kind = index.by_kind
    target = insats.get("malgrupp") if isinstance(insats.get("malgrupp"), dict) else {}
    unknown = "fraga" if insats.get("typ") == ORDINARY_KIND else "stam_av"
    sources = insats.get("kallor") if isinstance(insats.get("kallor"), list) else []
    source = sources[0] if sources and isinstance(sources[0], dict) and isinstance(sources[0].get("kalla"), str) else None
    kommun_names = index.kommun_names
    found: list[dict] = []

    def add(kind: str, rule: dict, why: str) -> None:
        question = by_kind.get(kind)
        if question is None or not isinstance(question.get("id"), str):
            return
        found.append({"fraga": question["id"], "typ": "krav", **rule, "om_okant": unknown,
                      "varfor_inte": why, "hanvisa_till": [], "kalla": source, "harledd": True})

    def strings(value: Any) -> list[str]:
        return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []

    kommuner = strings(target.get("kommuner"))
    if kommuner:
        add("kommun", {"regel": "i", "varden": kommuner},
            f"Insatsen finns bara för den som bor i {_joined([kommun_names.get(k, k) for k in kommuner])}.")
    age = target.get("alder") if isinstance(target.get("alder"), dict) else {}
    low, high = age.get("min"), age.get("max")
    low = low if isinstance(low, int) and not isinstance(low, bool) else None
    high = high if isinstance(high, int) and not isinstance(high, bool) else None
    if low is not None or high is not None:
        low = NUMBER_RANGE[0] if low is None else low
        high = NUMBER_RANGE[1] if high is None else high
        add("alder", {"regel": "mellan", "min": low, "max": high}, f"Insatsen är för den som är {low}–{high} år.")
    incomes = strings(target.get("forsorjning"))
    if incomes:
        names = labels("forsorjning")
        add("forsorjning", {"regel": "i", "varden": incomes},
            f"Insatsen är för den som har {_joined([names.get(f, f).lower() for f in incomes], 'eller')}.")
    if target.get("kraver_aktivitetsformaga") is True:
        add("aktivitet", {"regel": "lika", "varde": "ja"},
            "Insatsen kräver att personen orkar vara aktiv några timmar i veckan.")
    return found


def _domain(values: list[str] | None, conditions: list[dict]) -> list[Any]:
    """The answers worth trying against `conditions`: each whole number 0–120 for a number
    question; for a choice, the values the conditions name plus one they do not (every
    unnamed value meets and fails exactly the same rules), so the cost does not grow with
    the number of choices.
    """
    if values is None:
        return list(range(NUMBER_RANGE[0], NUMBER_RANGE[1] + 1))
    named: set[Any] = set()
    for condition in conditions:
        if isinstance(condition.get("varde"), str):
            named.add(condition["varde"])
        named.update(v for v in condition.get("varden") or [] if isinstance(v, str))
    offered = set(values)
    picked = [v for v in named if v in offered and v != UNKNOWN]
    other = next((v for v in values if v not in named and v != UNKNOWN), None)
    return picked + ([other] if other is not None else [])


def implies(own: list[dict], derived: dict, values: list[str] | None) -> bool:
    """Whether every answer that meets all of `own` also meets `derived` (so `derived` adds nothing)."""
    return all(state(derived, value) == "uppfyllt" for value in _domain(values, own + [derived])
               if all(state(c, value) == "uppfyllt" for c in own))


def conditions_of(data: Any, insats: dict, index: QuestionIndex | None = None) -> list[dict]:
    """The measure's own conditions, then the limits of its `malgrupp` that they do not already imply.

    A coordinator writes a condition on the same question as a limit to give it a reason and
    somewhere to turn instead; it replaces the derived one only when it is at least as strict,
    so an own condition can never widen the target group the measure's page states.
    """
    listed = insats.get("villkor")
    own = [c for c in listed if isinstance(c, dict)] if isinstance(listed, list) else []
    by_question: dict[str, list[dict]] = {}
    for condition in own:
        if isinstance(condition.get("fraga"), str):
            by_question.setdefault(condition["fraga"], []).append(condition)
    index = index or QuestionIndex(data)
    kept = []
    for derived in derived_conditions(data, insats, index):
        same = by_question.get(derived["fraga"])
        if same and implies(same, derived, index.values(derived["fraga"])):
            continue
        kept.append(derived)
    return own + kept


def satisfiable(conditions: Iterable[dict], values: list[str] | None) -> bool:
    """Whether some answer meets every condition in `conditions` (all on one question).

    `values` are the question's choices, or None for a number question (0–120 tried).
    """
    conditions = list(conditions)
    return any(all(state(c, value) == "uppfyllt" for c in conditions) for value in _domain(values, conditions))
