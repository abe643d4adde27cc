"""Ids are path segments and HTML anchors: the reserved lists in rules.py must cover the site.

Every fixed `id="…"` in the templates and overrides is reserved for records; every
prefix the templates put before a generated id is reserved as a prefix; every
fixed "ig-…" id is reserved (without "ig-") for the guide's question ids, which
become "ig-<id>". A new heading anchor in a template fails here until it is reserved.
"""
import re

from conftest import ROOT
from insatsguiden.model.rules import RESERVED_IDS, RESERVED_PREFIXES, RESERVED_QUESTION_IDS, id_problem

TEMPLATES = sorted((ROOT / "insatsguiden" / "site" / "templates").glob("*.html")) + sorted((ROOT / "overrides").rglob("*.html"))
ID_ATTRIBUTE = re.compile(r'\bid="([^"]*)"')


def _ids() -> tuple[set[str], set[str]]:
    fixed, prefixes = set(), set()
    for template in TEMPLATES:
        for value in ID_ATTRIBUTE.findall(template.read_text(encoding="utf-8")):
            if "{{" not in value:
                fixed.add(value)
            elif not value.startswith("{{"):
                prefixes.add(value.split("{{", 1)[0])
    return fixed, prefixes


def test_templates_have_anchors_to_check():
    fixed, prefixes = _ids()
    assert len(fixed) > 40 and "kontakt" in fixed and "ig-" in prefixes


def test_every_fixed_anchor_is_reserved_for_records():
    fixed, _ = _ids()
    missing = {value for value in fixed if not value.startswith("ig-") and value not in RESERVED_IDS}
    assert not missing, f"lägg till i rules.RESERVED_IDS: {sorted(missing)}"


def test_every_generated_prefix_is_reserved():
    _, prefixes = _ids()
    assert prefixes <= set(RESERVED_PREFIXES), sorted(prefixes - set(RESERVED_PREFIXES))


def test_guide_question_ids_cannot_meet_the_guide_page_ids():
    fixed, _ = _ids()
    taken = {value[len("ig-"):] for value in fixed if value.startswith("ig-")}
    assert taken <= RESERVED_QUESTION_IDS, sorted(taken - RESERVED_QUESTION_IDS)


def test_the_index_page_of_every_folder_is_reserved():
    assert id_problem("index", RESERVED_IDS, RESERVED_PREFIXES)
    assert id_problem("kommun-ludvika", RESERVED_IDS, RESERVED_PREFIXES)
    assert id_problem("evi-ludvika", RESERVED_IDS, RESERVED_PREFIXES) is None
