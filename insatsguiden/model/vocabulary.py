"""One owner for every vocabulary: sections, references, the guide's answer kinds, field labels.

Where the JSON Schema can say it, the schema says it (allowed values with
their titles, field titles, defaults) and this module reads it from there;
what the schema cannot say (a section's Swedish noun and gender, which section
a reference points into) is kept here, once.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .schema import labels, load_schema


@dataclass(frozen=True)
class Section:
    key: str          # the data file's key, e.g. "insatser"
    noun: str         # one record, as a message starts: "Insats"
    heading: str      # the section as a heading: "Insatser"
    neuter: bool = False  # "ett behov": "Nytt behov", "Borttaget behov"

    @property
    def word(self) -> str:
        """One record inside a sentence: 'insats', 'ej täckt behov'."""
        return self.noun.lower()

    @property
    def added(self) -> str:
        return f"{'Nytt' if self.neuter else 'Ny'} {self.word}"

    @property
    def removed(self) -> str:
        return f"{'Borttaget' if self.neuter else 'Borttagen'} {self.word}"


# The sections that hold records with ids, in the order the file has them.
RECORD_SECTIONS: tuple[Section, ...] = (
    Section("kallor", "Källa", "Källor"),
    Section("kommuner", "Kommun", "Kommuner"),
    Section("behov", "Behov", "Behov", neuter=True),
    Section("organisationer", "Organisation", "Organisationer"),
    Section("overenskommelser", "Överenskommelse", "Överenskommelser"),
    Section("insatser", "Insats", "Insatser"),
    Section("ej_tackta_behov", "Ej täckt behov", "Behov som ingen insats täcker", neuter=True),
    Section("beslut", "Beslut", "Beslut", neuter=True),
)
SECTIONS: tuple[str, ...] = tuple(section.key for section in RECORD_SECTIONS)
BY_KEY: dict[str, Section] = {section.key: section for section in RECORD_SECTIONS}
# Sections without records, as headings.
OTHER_HEADINGS = {"vagvisare": "Vägvisaren", "installningar": "Inställningar", "version": "Filformat",
                  "sokord": "Sökord", "webbplats": "Webbplatsen"}


def heading(section: str) -> str:
    return BY_KEY[section].heading if section in BY_KEY else OTHER_HEADINGS.get(section, section)


# Every field that refers to another record: (path pattern, target section).
# A test checks that these are exactly the schema's fields of type `ref`.
REFERENCES: tuple[tuple[tuple, str], ...] = (
    (("kommuner", "*", "samordningsforbund"), "organisationer"),
    (("organisationer", "*", "del_av"), "organisationer"),
    (("organisationer", "*", "kommun"), "kommuner"),
    (("organisationer", "*", "kallor", "*", "kalla"), "kallor"),
    (("overenskommelser", "*", "parter", "*"), "organisationer"),
    (("overenskommelser", "*", "ansvarig"), "organisationer"),
    (("overenskommelser", "*", "atagande", "*", "part"), "organisationer"),
    (("overenskommelser", "*", "avvikelser", "*", "kallor", "*", "kalla"), "kallor"),
    (("overenskommelser", "*", "kallor", "*", "kalla"), "kallor"),
    (("insatser", "*", "malgrupp", "kommuner", "*"), "kommuner"),
    (("insatser", "*", "malgrupp", "behov", "*"), "behov"),
    (("insatser", "*", "drivs_av", "*"), "organisationer"),
    (("insatser", "*", "finansieras_av", "*"), "organisationer"),
    (("insatser", "*", "overenskommelser", "*"), "overenskommelser"),
    (("insatser", "*", "prova_forst", "*"), "insatser"),
    (("insatser", "*", "kallor", "*", "kalla"), "kallor"),
    (("insatser", "*", "primart_for", "*"), "behov"),
    (("insatser", "*", "villkor", "*", "hanvisa_till", "*"), "insatser"),
    (("insatser", "*", "villkor", "*", "kalla", "kalla"), "kallor"),
    (("insatser", "*", "indikatorer", "*", "kalla", "kalla"), "kallor"),
    (("vagvisare", "fragor", "*", "behov_vid_ja"), "behov"),
    (("vagvisare", "testfall", "*", "forst"), "insatser"),
    (("vagvisare", "testfall", "*", "rekommenderas_inte", "*"), "insatser"),
    (("vagvisare", "testfall", "*", "kalla", "kalla"), "kallor"),
    (("ej_tackta_behov", "*", "behov", "*"), "behov"),
    (("ej_tackta_behov", "*", "kommuner", "*"), "kommuner"),
    (("ej_tackta_behov", "*", "kallor", "*", "kalla"), "kallor"),
    (("beslut", "*", "beslutas_av", "organisation"), "organisationer"),
    (("beslut", "*", "insatser", "*"), "insatser"),
    (("beslut", "*", "overenskommelser", "*"), "overenskommelser"),
    (("beslut", "*", "ej_tackta_behov", "*"), "ej_tackta_behov"),
    (("beslut", "*", "kallor", "*", "kalla"), "kallor"),
    (("webbplats", "utgivare"), "organisationer"),
)


# --- naming a place in the file, for messages ---------------------------------------

def record_label(data: Any, path: tuple) -> tuple[str, tuple]:
    """'Insats evi-ludvika' and the rest of the path, for messages."""
    if len(path) >= 3 and path[:2] == ("vagvisare", "fragor") and isinstance(path[2], int):
        try:
            identity = data["vagvisare"]["fragor"][path[2]]["id"]
        except (KeyError, IndexError, TypeError):
            identity = None
        return (f"Vägvisarens fråga '{identity}'" if isinstance(identity, str) else f"Vägvisarens fråga nr {path[2] + 1}"), path[3:]
    if len(path) >= 3 and path[:2] == ("vagvisare", "testfall") and isinstance(path[2], int):
        try:
            name = data["vagvisare"]["testfall"][path[2]]["namn"]
        except (KeyError, IndexError, TypeError):
            name = None
        return (f"Testfallet '{name}'" if isinstance(name, str) else f"Testfall nr {path[2] + 1}"), path[3:]
    if len(path) >= 2 and path[0] in BY_KEY and isinstance(path[1], int):
        noun = BY_KEY[path[0]].noun
        try:
            record = data[path[0]][path[1]]
        except (KeyError, IndexError, TypeError):
            record = None
        if isinstance(record, dict) and isinstance(record.get("id"), str) and record["id"]:
            return f"{noun} '{record['id']}'", path[2:]
        return f"{noun} nr {path[1] + 1}", path[2:]
    return "Filen", path


def field_name(rest: tuple) -> str:
    parts: list[str] = []
    for step in rest:
        if isinstance(step, int):
            parts.append(f"[{step + 1}]")
        else:
            parts.append(("." if parts else "") + step)
    return "".join(parts)


def describe(data: Any, path: tuple) -> str:
    record, rest = record_label(data, path)
    if rest:
        return f"{record}, fält {field_name(rest)}"
    return record


# --- the guide's answer kinds -----------------------------------------------------

# What each kind of guide question (`matchar`) may be answered with: the records
# of a section, the values of a schema vocabulary, or free input (None: age).
ANSWER_SOURCES: dict[str, tuple[str, str] | None] = {
    "kommun": ("section", "kommuner"),
    "behov": ("section", "behov"),
    "forsta_behov": ("section", "behov"),
    "forsorjning": ("vocabulary", "forsorjning"),
    "kontakter": ("vocabulary", "remittent"),
    "remittent": ("vocabulary", "remittent"),
    "aktivitet": ("vocabulary", "aktivitetssvar"),
    "janej": ("vocabulary", "aktivitetssvar"),
    "alder": None,
}


def answer_options(data: Any, kind: str) -> list[tuple[str, str]] | None:
    """(value, Swedish label) a question of this kind offers; None for free input such as age."""
    source = ANSWER_SOURCES.get(kind)
    if source is None:
        return None
    how, name = source
    if how == "vocabulary":
        return list(labels(name).items())
    records = data.get(name) if isinstance(data, dict) else None
    pairs = [(record["id"], record.get("namn", record["id"])) for record in (records if isinstance(records, list) else [])
             if isinstance(record, dict) and isinstance(record.get("id"), str)]
    # Places read best in alphabetical order; needs keep the order the file gives them.
    return sorted(pairs, key=lambda pair: pair[1]) if name == "kommuner" else pairs


def answer_values(kind: str) -> tuple[str, ...]:
    """The fixed values of a kind answered from a schema vocabulary (e.g. aktivitet: ja, nej, vet-inte)."""
    source = ANSWER_SOURCES.get(kind)
    if source is None or source[0] != "vocabulary":
        raise KeyError(kind)
    return tuple(labels(source[1]))


# --- field labels, from the schema's titles -----------------------------------------

@lru_cache(maxsize=None)
def field_labels() -> dict[str, str]:
    """Dotted field path inside a record (list positions left out) -> the schema's Swedish title.

    Record fields are keyed without their section ("malgrupp.alder.min"), fields
    of the guide and the settings likewise ("fragor.fraga", "varning_dagar").
    """
    schema = load_schema()
    definitions = schema["$defs"]
    found: dict[str, str] = {}

    def resolve(node: dict) -> dict:
        seen = set()
        while "$ref" in node and node["$ref"] not in seen:
            seen.add(node["$ref"])
            node = definitions[node["$ref"].rsplit("/", 1)[1]]
        return node

    def walk(node: dict, prefix: str, depth: int) -> None:
        if depth > 8:
            return
        target = resolve(node)
        if target.get("type") == "array" and isinstance(target.get("items"), dict):
            walk(target["items"], prefix, depth + 1)
            return
        for name, child in target.get("properties", {}).items():
            dotted = f"{prefix}.{name}" if prefix else name
            title = child.get("title") or resolve(child).get("title") if isinstance(child, dict) else None
            if title and dotted not in found:
                found[dotted] = title
            walk(child, dotted, depth + 1)

    for section in ("installningar", "webbplats", "vagvisare", *SECTIONS):
        walk(schema["properties"][section], "", 0)
    return found


def field_label(dotted: str) -> str | None:
    return field_labels().get(dotted)
